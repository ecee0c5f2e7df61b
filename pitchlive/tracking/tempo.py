"""Tempo from note onsets, and quantisation of times onto the resulting beat grid.

Onsets of a melody fall on a regular grid (the tatum: the finest pulse the rhythm uses, often an
eighth). For a candidate period p the phase coherence |mean(exp(2 pi i t / p))| is 1 when every
onset sits on the grid; every divisor p/k scores as well, so the tatum is the *largest* period
that scores nearly the best. The beat is then the multiple of the tatum (1/2, 1, 2, 4 or 8 of
it) whose tempo is nearest PREFERRED_BPM, and a least-squares fit of the onsets to their grid
positions refines period and phase.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DEFAULT_TEMPO_BPM = 120.0
# Between the two metrical levels T and 2T the one nearer this (on a log scale) is the beat:
# tempi from about 78 to 155 BPM come out as played, others as their double or half.
PREFERRED_BPM = 110.0
MIN_BPM, MAX_BPM = 40.0, 240.0
MIN_TATUM_S, MAX_TATUM_S = 0.1, 2.0
# A period counts as "nearly the best" when its coherence reaches this share of the best.
TATUM_SHARE = 0.85
BEAT_MULTIPLES = (0.5, 1.0, 2.0, 4.0, 8.0)
SUBDIVISIONS_PER_BEAT = 4   # score grid: sixteenths when the beat is a quarter note


@dataclass(frozen=True)
class TempoEstimate:
    """A beat grid: tempo, the time of one beat (phase), and how well the onsets fit it."""

    tempo_bpm: float
    origin_s: float       # time of a beat; the score's first beat is at or before the first note
    tatum_s: float        # the finest regular pulse the onsets fit
    fit: float            # phase coherence of the onsets on the tatum grid, 0..1 (0 = guessed)
    estimated: bool       # False when the tempo was given or guessed

    @property
    def beat_s(self) -> float:
        """Length of one beat in seconds."""
        return 60.0 / self.tempo_bpm


def grid_coherence(onsets_s: np.ndarray, periods_s: np.ndarray) -> np.ndarray:
    """How well onsets lie on a grid of each period: |mean exp(2 pi i t / p)|, one per period."""
    onsets = np.asarray(onsets_s, dtype=np.float64)
    periods = np.asarray(periods_s, dtype=np.float64)
    if onsets.size == 0:
        return np.zeros(periods.shape)
    phase = 2.0 * np.pi * onsets[None, :] / periods[:, None]
    return np.abs(np.exp(1j * phase).mean(axis=1))


def candidate_periods(low_s: float = MIN_TATUM_S, high_s: float = MAX_TATUM_S,
                      span_s: float = 10.0) -> np.ndarray:
    """Log-spaced periods fine enough that a grid drifts < 1/20 period over span_s seconds."""
    step = max(low_s / (20.0 * max(span_s, 1.0)), 1e-4)   # relative step
    n = int(math.ceil(math.log(high_s / low_s) / math.log1p(step))) + 1
    return low_s * np.power(1.0 + step, np.arange(n))


def estimate_tatum(onsets_s: np.ndarray) -> tuple[float, float]:
    """(tatum period in seconds, its coherence) of at least three onsets."""
    onsets = np.sort(np.asarray(onsets_s, dtype=np.float64))
    onsets = onsets - onsets[0]
    periods = candidate_periods(span_s=float(onsets[-1]))
    coherence = grid_coherence(onsets, periods)
    best = float(coherence.max())
    good = coherence >= TATUM_SHARE * best
    # The largest period among the good ones, at its local peak.
    index = int(np.flatnonzero(good)[-1])
    while index > 0 and coherence[index - 1] > coherence[index]:
        index -= 1
    return float(periods[index]), float(coherence[index])


def beat_from_tatum(tatum_s: float, preferred_bpm: float = PREFERRED_BPM) -> float:
    """The beat length: the multiple of the tatum whose tempo is nearest preferred_bpm."""
    options = [tatum_s * k for k in BEAT_MULTIPLES if MIN_BPM <= 60.0 / (tatum_s * k) <= MAX_BPM]
    if not options:
        return 60.0 / preferred_bpm
    return min(options, key=lambda beat: abs(math.log(60.0 / beat / preferred_bpm)))


def fit_grid(onsets_s: np.ndarray, period_s: float) -> tuple[float, float]:
    """Least-squares (period, origin) of onsets snapped to a grid starting near the first onset."""
    onsets = np.asarray(onsets_s, dtype=np.float64)
    index = np.round((onsets - onsets[0]) / period_s)
    if onsets.size < 2 or np.ptp(index) == 0:
        return period_s, float(onsets[0])
    slope, intercept = np.polyfit(index, onsets, 1)
    if not 0.8 * period_s < slope < 1.25 * period_s:
        return period_s, float(onsets[0])
    return float(slope), float(intercept)


def estimate_tempo(onsets_s: np.ndarray, preferred_bpm: float = PREFERRED_BPM) -> TempoEstimate:
    """Tempo and beat phase of note onsets; DEFAULT_TEMPO_BPM (fit 0) with fewer than 3 notes."""
    onsets = np.sort(np.asarray(onsets_s, dtype=np.float64))
    if onsets.size < 3 or np.ptp(onsets) < MIN_TATUM_S:
        origin = float(onsets[0]) if onsets.size else 0.0
        return TempoEstimate(DEFAULT_TEMPO_BPM, origin, 60.0 / DEFAULT_TEMPO_BPM / 2, 0.0, False)
    tatum_s, coherence = estimate_tatum(onsets)
    tatum_s, origin_s = fit_grid(onsets, tatum_s)
    beat_s = beat_from_tatum(tatum_s, preferred_bpm)
    return TempoEstimate(60.0 / beat_s, beat_origin(onsets, origin_s, tatum_s, beat_s),
                         tatum_s, coherence, True)


def beat_origin(onsets_s: np.ndarray, grid_origin_s: float, tatum_s: float,
                beat_s: float) -> float:
    """Phase of the beat grid: the beat-aligned tatum phase that puts most onsets on beats."""
    onsets = np.asarray(onsets_s, dtype=np.float64)
    per_beat = max(1, int(round(beat_s / tatum_s)))
    if per_beat == 1:
        return grid_origin_s
    positions = np.round((onsets - grid_origin_s) / tatum_s).astype(int)
    counts = np.bincount(positions % per_beat, minlength=per_beat)
    shift = int(np.argmax(counts))   # the tatum phase most onsets share is the beat
    return grid_origin_s + shift * tatum_s


def with_tempo(onsets_s: np.ndarray, tempo_bpm: float) -> TempoEstimate:
    """A grid of a given tempo, phased to the onsets (or the first onset if few)."""
    onsets = np.sort(np.asarray(onsets_s, dtype=np.float64))
    beat_s = 60.0 / tempo_bpm
    if onsets.size == 0:
        return TempoEstimate(float(tempo_bpm), 0.0, beat_s, 0.0, False)
    unit = beat_s / SUBDIVISIONS_PER_BEAT
    # The phase (mod one sixteenth) that minimises the circular spread of the onsets.
    phase = float(np.angle(np.exp(2j * np.pi * onsets / unit).mean())) / (2 * np.pi) * unit
    origin = onsets[0] - ((onsets[0] - phase) % unit)
    if onsets[0] - origin > unit / 2:
        origin += unit
    fit = float(grid_coherence(onsets, np.array([unit]))[0])
    return TempoEstimate(float(tempo_bpm), float(beat_origin(onsets, origin, unit, beat_s)),
                         unit, fit, False)


def score_start(onsets_s: np.ndarray, estimate: TempoEstimate) -> float:
    """Time of the score's first beat: the grid beat at or just before the first onset."""
    first = float(np.min(onsets_s))
    beats = math.floor((first - estimate.origin_s) / estimate.beat_s + 0.25 / SUBDIVISIONS_PER_BEAT)
    return estimate.origin_s + beats * estimate.beat_s


def quantize(times_s: np.ndarray, start_s: float, unit_s: float) -> np.ndarray:
    """Grid positions (integers) of times on a grid of unit_s starting at start_s."""
    return np.round((np.asarray(times_s, dtype=np.float64) - start_s) / unit_s).astype(np.int64)
