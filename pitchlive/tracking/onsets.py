"""Note onsets from the audio: repeated notes split at level rises, onsets moved to the attack.

The pitch track lags attacks, most on slow-attack instruments whose previous note still rings;
with the 16 kHz audio a note's onset moves to where its own harmonics start to sound, and a fast
level rise inside a note of one pitch splits it into repeated notes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pitchlive.audio.levels import mean_square_envelope
from pitchlive.tracking.segmentation import Segment, segment_cents

# Audio-based refinements (when the 16 kHz audio is given):
ENVELOPE_HOP = 128               # 8 ms level envelope, 32 ms windows
ENVELOPE_WINDOW = 512
REATTACK_RISE_DB = 8.0           # a repeated note: the level climbs this much ...
REATTACK_RISE_S = 0.032          # ... within this time, inside a note of one pitch
REATTACK_ONSET_BELOW_DB = 6.0
ONSET_WINDOW = 2048              # spectra for the new note's harmonic energy (128 ms)
ONSET_HOP = 128
ONSET_SEARCH_BEFORE_S = 0.25     # how far before the pitch change the attack may lie
ONSET_SEARCH_AFTER_S = 0.1
ONSET_FRACTION = 0.15            # the onset is where the energy passes this share of its rise
ONSET_MAX_HARMONIC_HZ = 5000.0


def level_envelope_db(audio_16k: np.ndarray, hop: int = ENVELOPE_HOP,
                      window: int = ENVELOPE_WINDOW) -> np.ndarray:
    """RMS level in dBFS of windows centred on samples 0, hop, 2 hop, ... of the audio.

    window must be an even multiple of hop; silence reads -120 dB (a finite floor, for rises).
    Shape (n // hop + 1,) for n samples; memory stays at about one copy of the audio.
    """
    return 10.0 * np.log10(np.maximum(mean_square_envelope(audio_16k, hop, window), 1e-12))


def rise_onsets(envelope_db: np.ndarray, first: int, stop: int, rise_db: float = REATTACK_RISE_DB,
                rise_steps: int = int(round(REATTACK_RISE_S * 16000 / ENVELOPE_HOP)),
                min_spacing: int = 1) -> list[int]:
    """Envelope indices in [first, stop) where the level climbs rise_db within rise_steps.

    Each onset is where the rising level comes within REATTACK_ONSET_BELOW_DB of the level it
    climbs to (about where the new attack fills half the envelope window); onsets are at least
    min_spacing apart.
    """
    envelope = np.asarray(envelope_db, dtype=np.float64)
    found: list[int] = []
    i = max(first, 2)
    while i < min(stop, envelope.size - 1):
        ahead = envelope[i:i + rise_steps + 1]
        if ahead.max() - envelope[i] >= rise_db and envelope[i] <= envelope[i - 2:i].min():
            found.append(i + int(np.argmax(ahead >= ahead.max() - REATTACK_ONSET_BELOW_DB)))
            i += max(min_spacing, rise_steps)
            continue
        i += 1
    return found


def harmonic_energy(audio_16k: np.ndarray, start_s: float, stop_s: float, new_hz: float,
                    old_hz: float | None) -> tuple[np.ndarray, np.ndarray] | None:
    """(times, energy) of the new note's harmonics between start_s and stop_s, 8 ms steps.

    Harmonics that coincide with one of old_hz's (the note sounding before) are left out, so
    the energy stays low while only the old note rings. None when no harmonic is usable.
    """
    rate = 16000
    freqs = np.fft.rfftfreq(ONSET_WINDOW, 1.0 / rate)
    bin_hz = rate / ONSET_WINDOW
    bands = []
    for k in range(1, 40):
        h = k * new_hz
        if h > ONSET_MAX_HARMONIC_HZ:
            break
        if old_hz:
            j = max(1.0, round(h / old_hz))
            if abs(h - j * old_hz) < max(2.5 * bin_hz, 0.03 * h):
                continue
        band = np.flatnonzero(np.abs(freqs - h) <= max(bin_hz, h * (2 ** (0.4 / 12) - 1)))
        if band.size:
            bands.append(band)
    if not bands:
        return None
    half = ONSET_WINDOW // 2
    first = int(round(start_s * rate)) - half
    last = int(round(stop_s * rate)) + half
    segment = np.zeros(max(last - first, ONSET_WINDOW))
    audio = np.asarray(audio_16k, dtype=np.float64)
    lo, hi = max(first, 0), min(last, audio.size)
    if hi > lo:
        segment[lo - first:hi - first] = audio[lo:hi]
    frames = np.lib.stride_tricks.sliding_window_view(segment, ONSET_WINDOW)[::ONSET_HOP]
    spectra = np.abs(np.fft.rfft(frames * np.hanning(ONSET_WINDOW), axis=1))
    energy = sum(spectra[:, band].max(axis=1) for band in bands)
    times = (first + half + np.arange(frames.shape[0]) * ONSET_HOP) / rate
    return times, energy


def refine_onset(audio_16k: np.ndarray, onset_s: float, new_hz: float, old_hz: float | None,
                 earliest_s: float, latest_s: float) -> float:
    """Where the new note's harmonics start to sound near a pitch-track onset (clamped)."""
    start = max(onset_s - ONSET_SEARCH_BEFORE_S, earliest_s)
    stop = min(onset_s + ONSET_SEARCH_AFTER_S, latest_s)
    if stop - start < 2 * ONSET_HOP / 16000:
        return onset_s
    found = harmonic_energy(audio_16k, start, stop, new_hz, old_hz)
    if found is None:
        return onset_s
    times, energy = found
    peak = int(np.argmax(energy))
    low = int(np.argmin(energy[:peak + 1]))
    if energy[peak] <= 0 or energy[peak] - energy[low] < 0.5 * energy[peak]:
        return onset_s   # no clear rise: keep the pitch-track onset
    threshold = energy[low] + ONSET_FRACTION * (energy[peak] - energy[low])
    crossing = low + int(np.flatnonzero(energy[low:peak + 1] >= threshold)[0])
    return float(min(max(times[crossing], earliest_s), latest_s))


@dataclass(frozen=True)
class NoteDraft:
    """A note before it is placed on the beat grid: seconds, concert MIDI, mean cents."""

    onset_s: float
    end_s: float
    midi: int
    cents: float


def draft_cents(times_s: np.ndarray, midi: np.ndarray, draft: NoteDraft) -> float:
    """Mean deviation in cents from its semitone of the frames whose centres lie in a note."""
    first, stop = np.searchsorted(times_s, [draft.onset_s, draft.end_s])
    if stop <= first:
        return draft.cents
    return segment_cents(midi, Segment(int(first), int(stop), draft.midi))


def split_repeats(drafts: list[NoteDraft], envelope_db: np.ndarray, min_note_s: float
                  ) -> list[NoteDraft]:
    """Split notes where the level jumps up inside them (the same pitch played again)."""
    step_s = ENVELOPE_HOP / 16000
    out: list[NoteDraft] = []
    for d in drafts:
        first = int(math.ceil((d.onset_s + min_note_s) / step_s))
        stop = int((d.end_s - min_note_s) / step_s)
        cuts = [i * step_s for i in rise_onsets(envelope_db, first, stop,
                                                min_spacing=int(min_note_s / step_s))]
        bounds = [d.onset_s] + cuts + [d.end_s]
        out.extend(NoteDraft(a, b, d.midi, d.cents) for a, b in zip(bounds[:-1], bounds[1:]))
    return out


def refine_onsets(drafts: list[NoteDraft], audio_16k: np.ndarray, note_hz, min_note_s: float
                  ) -> list[NoteDraft]:
    """Move each onset after a pitch change or a rest to where the note starts to sound."""
    out = list(drafts)
    for i, d in enumerate(drafts):
        previous = out[i - 1] if i else None
        if previous is not None and previous.midi == d.midi and d.onset_s - previous.end_s < 0.1:
            continue   # a repeat: its onset came from the level rise
        joined = previous is not None and d.onset_s - previous.end_s < 1e-6
        rings = previous is not None and d.onset_s - previous.end_s < ONSET_SEARCH_BEFORE_S
        earliest = previous.onset_s + min_note_s if joined else \
            (previous.end_s if previous is not None else 0.0)
        latest = d.end_s - min_note_s
        onset = refine_onset(audio_16k, d.onset_s, note_hz(d.midi),
                             note_hz(previous.midi) if rings else None, earliest, latest)
        out[i] = NoteDraft(onset, d.end_s, d.midi, d.cents)
        if joined:
            out[i - 1] = NoteDraft(previous.onset_s, onset, previous.midi, previous.cents)
    return out
