"""Fast note changes: the newest audio decides when it clearly holds a new periodic pitch.

The live refinement (tracking/refine.py) reads the pitch on a 64 ms NSDF frame; after a note
change the new note must fill about half of it before it wins, so a change shows ~32 ms after it
happened plus the wait for the next window. Here the newest few periods of a live window are
read on their own: for every period T in range, the last ``span(T) = max(2 T, MIN_SPAN_SAMPLES)``
samples are compared with themselves T samples later (McLeod's NSDF on a frame of span(T)):

    n(T) = 2 sum x[j] x[j + T] / sum (x[j]^2 + x[j + T]^2),   j = end - span(T) .. end - T - 1

A note change is confirmed only when all of these hold (the signal decides, never a guess):
- the newest audio is strongly periodic: McLeod's key maximum of n(T) reaches
  ``MIN_CLARITY`` (the first maximum within ``KEY_RATIO`` of the highest, so no subharmonic);
- the pitch the refinement read no longer fits it: n at the refined period (and at its
  neighbours) stays below ``OLD_FIT_MAX``, or below ``RELATIVE_FIT_MAX`` times the new
  period's n (a leap down an octave). A held note, a vibrato or an octave ambiguity all
  keep fitting, so they never count as a change. A leap up to a multiple of the old pitch (an
  octave, a twelfth) keeps fitting too, since the new period divides the old one: it counts
  when the newest audio is periodic at that divisor and the audio 64 ms before it was not
  (``divisor_appeared``), or once the model's own estimate reads the new note as well;
- the new pitch lies at least ``MIN_CHANGE_CENTS`` from the refined one.
The octave is the key maximum's, moved down one only where the model's own estimate says so and
the doubled period is as periodic (harmonic evidence and the model agreeing).

Nothing here keeps state: a change holds for as long as the newest audio holds it and the long
frame does not, and the refinement's reading takes over as soon as it agrees. The newest 6-12 ms
of a new note decide: the live step latency fell from 73 to 23 ms (median) with live accuracy
unchanged or better at every condition (README, "Latency study"; bench/note_changes.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pitchlive.frames import MODEL_SAMPLE_RATE_HZ

MIN_PERIOD_SAMPLES = 7          # 2286 Hz at 16 kHz (above C7)
MAX_PERIOD_SAMPLES = 160        # 100 Hz: lower notes need more audio than this stage saves
MIN_SPAN_SAMPLES = 128          # 8 ms: the fewest samples a short period is read on
MIN_CLARITY = 0.92
KEY_RATIO = 0.9
OLD_FIT_MAX = 0.5
# ...or below this share of the new period's clarity: a leap down an octave leaves the old
# period half-fitting (the even harmonics repeat at it: n ~ 0.57 for a 1/k spectrum), as does a
# leap of an octave and a semitone (n ~ 0.7), against ~0.99 for the new period.
RELATIVE_FIT_MAX = 0.75
MIN_CHANGE_CENTS = 150.0        # as tracking/vibrato.py's NOTE_CHANGE_CENTS: a new note
OCTAVE_AGREE_CENTS = 100.0
# Leaps up to a multiple of the old pitch counted (with the model's word) up to two octaves: a
# higher "multiple" is a harmonic of a low note (a vowel's formant rings through its period).
MAX_LEAP_MULTIPLE = 4
# A leap is new when the audio this far before the newest span was not periodic at the new
# period: two hops, so the frames until the refinement's 64 ms frame holds the new note agree.
LEAP_LOOKBACK_SAMPLES = 1024
LEAP_TOLERANCE_CENTS = 50.0     # the new pitch this close to the multiple the model reads
# An early look (early_note_change) leaves a leap down to a divisor of the shown pitch (an
# octave, a twelfth, two octaves down) to the window's own look: the re-attack of a held note in
# a reverberant room read there as its octave or twelfth below (6 of 29 early reads in the room
# takes of bench/note_changes.py), while a true leap down loses half a hop at most.
EARLY_MAX_DIVISOR = 4
SILENT = -2.0                   # fit_at of silence: below any NSDF value


@dataclass(frozen=True)
class NoteChange:
    """A confirmed change of pitch at the newest audio of a live window."""

    frequency_hz: float     # the new pitch
    clarity: float          # n(T) of its period on the newest audio, 0-1
    old_fit: float          # n at the period read before, on the same audio


def span_samples(period_samples: int) -> int:
    """Samples of the newest audio a period is read on: two periods, at least MIN_SPAN."""
    return max(2 * period_samples, MIN_SPAN_SAMPLES)


@lru_cache(maxsize=4)
def _pair_indices(min_period: int, max_period: int) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                              int]:
    """Gather indices, counted from the start of the newest tail, for every period's pairs.

    Returns (first, second, starts, tail_samples): first/second (n_pairs,) index x[j] and
    x[j + T]; starts (n_periods,) where each period's pairs begin (for np.add.reduceat).
    """
    periods = np.arange(min_period, max_period + 1)
    tail = max(span_samples(int(p)) for p in periods)
    first, starts = [], []
    count = 0
    for period in periods.tolist():
        j = np.arange(tail - span_samples(period), tail - period)
        starts.append(count)
        count += j.size
        first.append(j)
    first_index = np.concatenate(first)
    lags = np.repeat(periods, np.diff(np.append(starts, count)))
    out = (first_index, first_index + lags, np.asarray(starts, np.int64))
    for array in out:
        array.flags.writeable = False
    return (*out, tail)


def newest_clarity(audio_16k: np.ndarray, min_period: int = MIN_PERIOD_SAMPLES,
                   max_period: int = MAX_PERIOD_SAMPLES) -> np.ndarray:
    """n(T) of the newest audio for every integer period T in min_period..max_period.

    Parameters
    ----------
    audio_16k : np.ndarray, shape (n,)
        Mono 16 kHz audio ending at the newest sample; n >= 2 * max_period.

    Returns
    -------
    np.ndarray, shape (max_period - min_period + 1,)
        Values in [-1, 1]; 0 where the span is silent.
    """
    first, second, starts, tail = _pair_indices(min_period, max_period)
    # Only the tail in float64 (a live window is float32: converting all of it was most of
    # the cost of a call).
    x = np.asarray(audio_16k[-tail:], np.float64)
    if x.shape[0] < tail:
        raise ValueError(f"need at least {tail} samples, got {x.shape[0]}")
    x = x - x[-MIN_SPAN_SAMPLES:].mean()
    a, b = x[first], x[second]
    products = np.add.reduceat(a * b, starts)
    energy = np.add.reduceat(a * a + b * b, starts)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(energy > 1e-9, 2.0 * products / energy, 0.0)
    return np.minimum(np.maximum(out, -1.0), 1.0)


def fit_at(audio_16k: np.ndarray, period_samples: float) -> float:
    """n of the newest audio at a (fractional) period: the best of the integer lags around it;
    SILENT when the audio there is silent (or too short)."""
    best = SILENT
    low, high = math.floor(period_samples), math.ceil(period_samples)
    tail = None
    # The best of the two lags does not depend on their order (max skips a NaN either way).
    for lag in (low,) if low == high else (low, high):
        span = span_samples(lag)
        if lag < 1 or span > audio_16k.shape[0]:
            continue
        if tail is None or tail.shape[0] != span:
            # Only the span in float64 (a live window is float32: converting all of it cost
            # more than the sums), less x.mean()'s own sum and division, without its wrapper.
            x = np.asarray(audio_16k[-span:], np.float64)
            tail = x - np.add.reduce(x) / span
        a, b = tail[:span - lag], tail[lag:]
        energy = float(a @ a + b @ b)
        if energy > 1e-9:
            best = max(best, 2.0 * float(a @ b) / energy)
    return best


def key_period(clarity: np.ndarray, min_period: int = MIN_PERIOD_SAMPLES
               ) -> tuple[float, float] | None:
    """McLeod's key maximum of n(T): (period in samples, interpolated; its n), None if weak.

    The first local maximum within KEY_RATIO of the highest one, refined by a parabola.
    """
    inner = clarity[1:-1]
    peaks = np.flatnonzero((inner > clarity[:-2]) & (inner >= clarity[2:]) & (inner > 0)) + 1
    if peaks.size == 0:
        return None
    highest = float(clarity[peaks].max())
    if highest < MIN_CLARITY:
        return None
    index = int(peaks[np.argmax(clarity[peaks] >= KEY_RATIO * highest)])
    left, centre, right = clarity[index - 1], clarity[index], clarity[index + 1]
    curvature = left - 2.0 * centre + right
    shift = 0.5 * (left - right) / curvature if curvature < 0 else 0.0
    shift = min(max(shift, -0.5), 0.5)
    return min_period + index + shift, float(centre - 0.25 * (left - right) * shift)


def _cents(high_hz: float, low_hz: float) -> float:
    return 1200.0 * math.log2(high_hz / low_hz)


def _multiple_of(model_hz: float, refined_hz: float) -> int | None:
    """m >= 2 when the model's estimate lies within OCTAVE_AGREE_CENTS of m times refined_hz."""
    if not (math.isfinite(model_hz) and model_hz > refined_hz):
        return None
    multiple = round(model_hz / refined_hz)
    if 2 <= multiple <= MAX_LEAP_MULTIPLE and \
            abs(_cents(model_hz, multiple * refined_hz)) < OCTAVE_AGREE_CENTS:
        return multiple
    return None


def divisor_appeared(window_16k: np.ndarray, old_period: float) -> int | None:
    """m (2 or 3) when the newest audio is periodic at old_period / m and the audio
    LEAP_LOOKBACK_SAMPLES before it was not: a leap up an octave or a twelfth; else None.

    A held note whose harmonic is strong reads alike now and before, so it never counts.
    """
    for multiple in (2, 3):
        period = old_period / multiple
        if not MIN_PERIOD_SAMPLES <= period <= MAX_PERIOD_SAMPLES:
            continue
        now = fit_at(window_16k, period)
        if now < MIN_CLARITY:
            continue
        earlier = window_16k[:window_16k.shape[0] - LEAP_LOOKBACK_SAMPLES
                             - span_samples(math.ceil(period))]
        if fit_at(earlier, period) < RELATIVE_FIT_MAX * now:
            return multiple
    return None


def note_change(window_16k: np.ndarray, refined_hz: float, model_hz: float
                ) -> NoteChange | None:
    """The new pitch at the newest audio of a live window, if it clearly changed; else None.

    Parameters
    ----------
    window_16k : np.ndarray, shape (window_samples,)
        The live model window at 16 kHz, ending at the newest sample.
    refined_hz : float
        The pitch the refinement read for this frame (Hz).
    model_hz : float
        The model's estimate for this frame (Hz; NaN if none), for the octave only.
    """
    if not (math.isfinite(refined_hz) and refined_hz > 0):
        return None
    # Cheapest test first: on a held note the old period still fits (~15 us a frame; the whole
    # curve costs ~10 times that and is read only when it does not).
    old_fit = fit_at(window_16k, MODEL_SAMPLE_RATE_HZ / refined_hz)
    if old_fit == SILENT:
        return None
    model_says = _multiple_of(model_hz, refined_hz)
    signal_says = None
    if old_fit >= RELATIVE_FIT_MAX and model_says is None:
        signal_says = divisor_appeared(window_16k, MODEL_SAMPLE_RATE_HZ / refined_hz)
        if signal_says is None:
            return None
    found = key_period(newest_clarity(window_16k))
    if found is None:
        return None
    period, clarity = found
    new_hz = MODEL_SAMPLE_RATE_HZ / period
    if abs(_cents(new_hz, refined_hz)) < MIN_CHANGE_CENTS:
        return None
    old_fails = old_fit < OLD_FIT_MAX or old_fit < RELATIVE_FIT_MAX * clarity
    if not old_fails:
        # The old period still fits because the new one divides it (a leap up by an octave, a
        # twelfth or two octaves): the model must read the new note as well, or the newest
        # audio must show that divisor where the audio before it did not.
        if model_says is not None:
            if abs(_cents(new_hz, model_hz)) >= OCTAVE_AGREE_CENTS:
                return None
            signal_says = model_says
        if signal_says is None or \
                abs(_cents(new_hz, signal_says * refined_hz)) >= LEAP_TOLERANCE_CENTS:
            return None
    # A weak fundamental can leave its octave as the key maximum; the model and the doubled
    # period together move it down (either alone does not). Not after a leap up to a multiple:
    # the doubled period there is the old note, which the model may still be reading.
    if old_fails and math.isfinite(model_hz) and model_hz > 0 and \
            abs(_cents(new_hz / 2.0, model_hz)) < OCTAVE_AGREE_CENTS and \
            2 * period <= window_16k.shape[0] // 2:
        doubled = fit_at(window_16k, 2.0 * period)
        if doubled >= max(MIN_CLARITY, clarity - 0.02):
            new_hz, period = new_hz / 2.0, 2.0 * period
            if abs(_cents(new_hz, refined_hz)) < MIN_CHANGE_CENTS:
                return None
    return NoteChange(frequency_hz=float(new_hz), clarity=float(clarity), old_fit=float(old_fit))


def early_note_change(window_16k: np.ndarray, shown_hz: float, model_hz: float
                      ) -> NoteChange | None:
    """note_change of the newest audio against the pitch on screen, for an early look (half a
    hop before a live window completes, pitchlive.audio.windows), where the shown period no
    longer fits (n < RELATIVE_FIT_MAX): a leap up to a multiple, which still fits, is left to the
    window's own look, as is a new pitch within LEAP_TOLERANCE_CENTS of shown_hz / m
    (m = 2..EARLY_MAX_DIVISOR). A held note costs one fit_at (~20 us).

    Parameters
    ----------
    window_16k : np.ndarray, shape (n,)
        16 kHz audio ending at the newest sample.
    shown_hz : float
        The pitch of the last frame shown (Hz; NaN: none).
    model_hz : float
        The model's estimate for that frame (Hz; NaN if none).
    """
    if not (math.isfinite(shown_hz) and shown_hz > 0) or \
            fit_at(window_16k, MODEL_SAMPLE_RATE_HZ / shown_hz) >= RELATIVE_FIT_MAX:
        return None     # the shown period still fits: a held note (the cheap test), or a leap up
    change = note_change(window_16k, shown_hz, model_hz)
    if change is None or change.frequency_hz >= shown_hz:
        return change
    divisor = round(shown_hz / change.frequency_hz)
    if 2 <= divisor <= EARLY_MAX_DIVISOR and \
            abs(_cents(shown_hz, divisor * change.frequency_hz)) < LEAP_TOLERANCE_CENTS:
        return None
    return change
