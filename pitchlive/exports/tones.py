"""Hearing a transcription: each note rendered as a soft tone, rests as silence (pure numpy).

The tone is a fundamental with a few harmonics whose amplitudes fall as 1/k^2 and which fade
faster than the fundamental (like a plucked or softly bowed string), shaped by a short raised-
cosine attack and release so notes start and end without clicks.
"""

from __future__ import annotations

import numpy as np

HARMONIC_AMPLITUDES = (1.0, 0.35, 0.15, 0.07)   # relative level of harmonics 1..4
HARMONIC_DECAY_PER_S = 1.5                     # harmonic k fades as exp(-(k-1) * this * t)
ATTACK_S = 0.01
RELEASE_S = 0.03
PEAK_LEVEL = 0.3                               # per note; overlapping notes may sum higher


def note_tone(frequency_hz: float, duration_s: float, sample_rate_hz: int, *,
              harmonic_amplitudes: tuple[float, ...] = HARMONIC_AMPLITUDES,
              harmonic_decay_per_s: float = HARMONIC_DECAY_PER_S, attack_s: float = ATTACK_S,
              release_s: float = RELEASE_S, peak_level: float = PEAK_LEVEL) -> np.ndarray:
    """One soft tone of duration_s, float32 (n,), peak peak_level, silent at both ends.

    The keywords shape other tones (the tuner's sustained reference tone uses no decay and a
    slower attack); the defaults are the transcription's soft note.
    """
    n = int(round(duration_s * sample_rate_hz))
    if n <= 0 or not frequency_hz > 0:
        return np.zeros(max(n, 0), np.float32)
    t = np.arange(n) / sample_rate_hz
    out = np.zeros(n)
    for k, amplitude in enumerate(harmonic_amplitudes, start=1):
        if k * frequency_hz >= 0.45 * sample_rate_hz:
            break                                  # no aliasing above Nyquist
        out += amplitude * np.exp(-(k - 1) * harmonic_decay_per_s * t) * \
            np.sin(2 * np.pi * k * frequency_hz * t)
    out *= _envelope(n, sample_rate_hz, attack_s, release_s)
    peak = np.max(np.abs(out))
    if peak > 0:
        out *= peak_level / peak
    return out.astype(np.float32)


def _envelope(n: int, sample_rate_hz: int, attack_s: float, release_s: float) -> np.ndarray:
    """Raised-cosine attack and release (no click), shortened for very short notes."""
    envelope = np.ones(n)
    attack = min(int(attack_s * sample_rate_hz), n // 2)
    release = min(int(release_s * sample_rate_hz), n - attack)
    if attack:
        envelope[:attack] = 0.5 - 0.5 * np.cos(np.pi * np.arange(attack) / attack)
    if release:
        envelope[n - release:] = 0.5 + 0.5 * np.cos(np.pi * (np.arange(release) + 1) / release)
    return envelope


def render_notes(transcription, sample_rate_hz: int = 44100) -> np.ndarray:
    """The transcription's notes as soft tones at their times, float32 mono (n,); rests silent.

    Each note sounds at transcription.note_hz(midi) (the grid the notes were named on) from its
    onset_s for its duration_s. The result lasts until the end of the last event.
    """
    events = transcription.events
    end_s = max([transcription.duration_s] + [e.end_s for e in events])
    out = np.zeros(int(round(end_s * sample_rate_hz)) + 1, np.float32)
    for note in transcription.notes:
        tone = note_tone(transcription.note_hz(note.midi), note.duration_s, sample_rate_hz)
        start = int(round(note.onset_s * sample_rate_hz))
        stop = min(start + tone.size, out.size)
        out[start:stop] += tone[:stop - start]
    return out
