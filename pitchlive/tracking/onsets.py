"""Note onsets from the audio: repeated notes split at level rises and spectral-flux peaks,
onsets moved to the attack.

The pitch track lags attacks, most on slow-attack instruments whose previous note still rings;
with the 16 kHz audio a note's onset moves to where its own harmonics start to sound, and a fast
level rise inside a note of one pitch splits it into repeated notes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.fft

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
# Spectral flux (SuperFlux: Boeck & Widmer 2013) for re-attacks the level hardly shows: a voice or
# a bowed string repeating a note dips a few dB at most, but its spectrum starts afresh.
FLUX_WINDOW = 1024               # 64 ms spectra every ENVELOPE_HOP samples (the envelope's grid)
FLUX_BANDS_PER_OCTAVE = 24       # quarter-tone bands from 55 Hz to 7 kHz ...
FLUX_MAX_BANDS = 3               # ... compared with the previous spectrum's maximum over +-1 band,
FLUX_LAG = 2                     # two frames (16 ms) back, so vibrato and slow swells add little
FLUX_COMPRESSION = 100.0         # log(1 + C |X|)
FLUX_BLOCK_FRAMES = 2048         # spectra computed this many at a time (bounded memory)
REPEAT_FLUX_RATIO = 4.5          # a re-attack: flux this many times the note's median flux,
REPEAT_FLUX_SHARE = 0.35         # this share of the take's attack flux (99th percentile),
REPEAT_DIP_DB = 1.0              # after the level fell this much (the old note was released)
REPEAT_DIP_S = 0.15              # within this time before it


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


def _flux_bands(n_fft: int) -> np.ndarray:
    """First FFT bin of each quarter-tone band (unique, ascending), 55 Hz to 7 kHz."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / 16000)
    edges = 55.0 * 2.0 ** (np.arange(7 * FLUX_BANDS_PER_OCTAVE + 1) / FLUX_BANDS_PER_OCTAVE)
    return np.unique(np.searchsorted(freqs, edges[edges < 7000.0]))


def spectral_flux(audio_16k: np.ndarray, hop: int = ENVELOPE_HOP) -> np.ndarray:
    """SuperFlux onset strength on the level envelope's grid: frame i is centred on sample i hop.

    Log-compressed band energies (quarter-tone bands), each compared with the maximum of its
    neighbouring bands FLUX_LAG frames earlier, rises only, summed. Shape (n // hop + 1,).
    Computed FLUX_BLOCK_FRAMES spectra at a time, so memory stays at about one copy of the audio.
    """
    audio = np.asarray(audio_16k, dtype=np.float32)
    n_frames = audio.size // hop + 1
    padded = np.pad(audio, (FLUX_WINDOW // 2, FLUX_WINDOW // 2 + hop))
    window = np.hanning(FLUX_WINDOW).astype(np.float32)
    bands = _flux_bands(FLUX_WINDOW)
    logs = np.empty((n_frames, bands.size - 1), dtype=np.float32)
    for first in range(0, n_frames, FLUX_BLOCK_FRAMES):
        stop = min(first + FLUX_BLOCK_FRAMES, n_frames)
        piece = padded[first * hop:(stop - 1) * hop + FLUX_WINDOW]
        frames = np.lib.stride_tricks.sliding_window_view(piece, FLUX_WINDOW)[::hop]
        spectra = scipy.fft.rfft(frames * window, axis=1)   # float32 in, complex64 out
        power = spectra.real ** 2 + spectra.imag ** 2
        energy = np.add.reduceat(power, bands, axis=1)[:, :-1]
        logs[first:stop] = np.log10(1.0 + FLUX_COMPRESSION * np.sqrt(energy))
    reference = logs.copy()
    for shift in range(1, FLUX_MAX_BANDS // 2 + 1):
        np.maximum(reference[:, shift:], logs[:, :-shift], out=reference[:, shift:])
        np.maximum(reference[:, :-shift], logs[:, shift:], out=reference[:, :-shift])
    flux = np.zeros(n_frames)
    flux[FLUX_LAG:] = np.maximum(logs[FLUX_LAG:] - reference[:-FLUX_LAG], 0.0).sum(axis=1)
    return flux


def flux_onsets(flux: np.ndarray, first: int, stop: int, baseline: float,
                ratio: float = REPEAT_FLUX_RATIO, min_spacing: int = 1) -> list[int]:
    """Frames in [first, stop) where the flux peaks above ratio times baseline.

    Each onset is where the rise to the peak passes half of it; onsets are at least
    min_spacing apart (the stronger kept).
    """
    flux = np.asarray(flux, dtype=np.float64)
    lo, hi = max(first, 1), min(stop, flux.size - 1)
    if hi <= lo or baseline <= 0:
        return []
    inner = flux[lo:hi]
    peaks = lo + np.flatnonzero((inner >= flux[lo - 1:hi - 1]) & (inner > flux[lo + 1:hi + 1])
                                & (inner >= ratio * baseline))
    kept: list[int] = []
    for peak in sorted(peaks, key=lambda p: -flux[p]):
        if all(abs(peak - k) >= min_spacing for k in kept):
            kept.append(int(peak))
    onsets = []
    for peak in sorted(kept):
        start = peak
        while start > lo and flux[start - 1] >= 0.5 * flux[peak]:
            start -= 1
        onsets.append(start)
    return onsets


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


def split_repeats(drafts: list[NoteDraft], envelope_db: np.ndarray, min_note_s: float,
                  flux: np.ndarray | None = None) -> list[NoteDraft]:
    """Split notes where the same pitch starts again inside them: where the level jumps up, or
    (with the spectral flux on the envelope's grid) where the spectrum starts afresh.

    A flux onset needs a peak REPEAT_FLUX_RATIO times the note's median flux (vibrato and
    tremolo keep the flux near its median), at least REPEAT_FLUX_SHARE of the take's attacks
    (a steady tone's tiny flux does not make its wobbles onsets), and a level that fell before
    it (a slow attack still swelling is not a new note).
    """
    step_s = ENVELOPE_HOP / 16000
    spacing = int(min_note_s / step_s)
    dip_steps = int(round(REPEAT_DIP_S / step_s))
    positive = flux[flux > 0] if flux is not None else np.zeros(0)
    attack_flux = float(np.percentile(positive, 99)) if positive.size else 0.0
    out: list[NoteDraft] = []
    for d in drafts:
        first = int(math.ceil((d.onset_s + min_note_s) / step_s))
        stop = int((d.end_s - min_note_s) / step_s)
        found = rise_onsets(envelope_db, first, stop, min_spacing=spacing)
        if flux is not None and stop > first:
            body = flux[int(math.ceil(d.onset_s / step_s)) + FLUX_LAG:int(d.end_s / step_s)]
            baseline = max(float(np.median(body)) if body.size else 0.0,
                           REPEAT_FLUX_SHARE * attack_flux / REPEAT_FLUX_RATIO)
            for i in flux_onsets(flux, first, stop, baseline, min_spacing=spacing):
                before = envelope_db[max(i - dip_steps, 0):i + 1]
                released = before.max() - envelope_db[i] >= REPEAT_DIP_DB
                if released and all(abs(i - j) >= spacing for j in found):
                    found.append(i)
        cuts = [i * step_s for i in sorted(found)]
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
