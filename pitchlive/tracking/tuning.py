"""Tuning offset: how far a performance sits from the equal-tempered grid, in cents.

The SPICE notebook's "ideal offset" is the plain mean of every confident frame's distance from
its nearest semitone. That mean breaks when the offset nears +-50 cents (a frame 48 cents flat of
one note reads 52 sharp of the next) and is pulled by vibrato, glides and octave slips. Here the
deviation lives on a 100-cent circle instead: pitch is first averaged over about one vibrato
cycle inside each voiced run, then a circular mean is refined with Tukey's biweight, so frames
far from the bulk (transitions, glides) stop counting. The same function serves a whole take and
the live estimate over the last few seconds (RunningOffset).

Which frames count is the voicing rule's decision (pitchlive.tracking.voicing), passed in.
Sign: a singer 30 cents flat has offset_cents = -30; pitchlive.tracking.naming.naming_a4_hz
turns it into the A4 of the singer's own grid.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

from pitchlive.frames import HOP_S
from pitchlive.music import DEFAULT_A4_HZ, hz_to_midi

# ~190 ms: a moving average this long cancels most of a 4.5-7 Hz vibrato before measuring.
SMOOTHING_FRAMES = 6
# Dropouts of up to this many frames inside a note do not end its run for smoothing.
MAX_BRIDGED_GAP = 2
# Tukey biweight cut-off: frames more than this far from the estimate get no weight.
BIWEIGHT_CUTOFF_CENTS = 25.0
BIWEIGHT_ITERATIONS = 6
DEFAULT_WINDOW_S = 5.0
# The running estimate is reported once this many voiced frames (about 0.5 s) are in the window.
MIN_RUNNING_FRAMES = 16


@dataclass(frozen=True)
class TuningOffset:
    """A tuning offset estimate: cents from A4-based equal temperament, how tight, from what."""

    offset_cents: float   # in [-50, 50); negative means flat; NaN when nothing was voiced
    spread_cents: float   # robust spread of the frames around the estimate (NaN if none)
    n_frames: int         # voiced frames that contributed

    @property
    def valid(self) -> bool:
        """True when at least one voiced frame gave an estimate."""
        return self.n_frames > 0 and math.isfinite(self.offset_cents)

    @staticmethod
    def none() -> "TuningOffset":
        """The estimate of a take with no voiced frames."""
        return TuningOffset(float("nan"), float("nan"), 0)


def wrap_cents(cents):
    """Wrap cents (float or np.ndarray of any shape) onto the semitone circle [-50, 50)."""
    wrapped = (np.asarray(cents, dtype=np.float64) + 50.0) % 100.0 - 50.0
    return float(wrapped) if wrapped.ndim == 0 else wrapped


def smooth_within_runs(values: np.ndarray, voiced: np.ndarray, n_frames: int = SMOOTHING_FRAMES,
                       max_gap: int = MAX_BRIDGED_GAP) -> np.ndarray:
    """Centred moving average of the voiced values of each run.

    Runs are separated by more than max_gap unvoiced frames; windows average only the voiced
    frames inside them and never reach into another run.

    Parameters
    ----------
    values : np.ndarray, shape (n,)
        One value per frame (e.g. fractional MIDI numbers).
    voiced : np.ndarray of bool, shape (n,)
        Frames that count.
    n_frames : int
        Length of the moving average, in frames.
    max_gap : int
        Longest unvoiced gap, in frames, that does not end a run.

    Returns
    -------
    np.ndarray, shape (n,)
        The averages, NaN where unvoiced.
    """
    values = np.asarray(values, dtype=np.float64)
    voiced = np.asarray(voiced, dtype=bool)
    out = np.full(values.shape, np.nan)
    if n_frames <= 1:
        out[voiced] = values[voiced]
        return out
    half_left, half_right = (n_frames - 1) // 2, n_frames // 2
    for start, stop in voiced_runs(close_gaps(voiced, max_gap)):
        mask = voiced[start:stop]
        run = np.where(mask, values[start:stop], 0.0)
        sums = np.concatenate(([0.0], np.cumsum(run)))
        counts = np.concatenate(([0], np.cumsum(mask)))
        idx = np.arange(run.size)
        lo = np.maximum(idx - half_left, 0)
        hi = np.minimum(idx + half_right + 1, run.size)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (sums[hi] - sums[lo]) / (counts[hi] - counts[lo])
        out[start:stop] = np.where(mask, mean, np.nan)
    return out


def close_gaps(voiced: np.ndarray, max_gap: int) -> np.ndarray:
    """The voiced mask with unvoiced gaps of at most max_gap frames between voiced ones filled."""
    closed = np.asarray(voiced, dtype=bool).copy()
    runs = voiced_runs(closed)
    for (_, stop), (start, _) in zip(runs, runs[1:]):
        if start - stop <= max_gap:
            closed[stop:start] = True
    return closed


def voiced_runs(voiced: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index pairs of the runs of True in a boolean array."""
    padded = np.concatenate(([False], np.asarray(voiced, dtype=bool), [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist()))


def circular_start(deviation_cents: np.ndarray, weights: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, float]:
    """The finite, positively weighted deviations (n,), their weights (n,) and their weighted
    circular mean in cents (NaN for none): where circular_offset_cents starts."""
    deviation = np.asarray(deviation_cents, dtype=np.float64)
    finite = np.isfinite(deviation)
    if weights is None:
        # Unweighted (the live offset, ~8 times a second): weights of one change no value.
        deviation = deviation[finite]
        base = np.ones(deviation.shape)
        if deviation.size == 0:
            return deviation, base, math.nan
        angle = 2.0 * np.pi * deviation / 100.0
        return deviation, base, math.atan2(float(np.add.reduce(np.sin(angle))),
                                           float(np.add.reduce(np.cos(angle)))
                                           ) * 100.0 / (2.0 * np.pi)
    base = np.asarray(weights, np.float64)
    finite &= np.isfinite(base) & (base > 0)
    deviation, base = deviation[finite], base[finite]
    if deviation.size == 0:
        return deviation, base, math.nan
    angle = 2.0 * np.pi * deviation / 100.0
    centre = math.atan2(float(np.sum(base * np.sin(angle))),
                        float(np.sum(base * np.cos(angle)))) * 100.0 / (2.0 * np.pi)
    return deviation, base, centre


def circular_offset_cents(deviation_cents: np.ndarray, weights: np.ndarray | None = None,
                          cutoff_cents: float = BIWEIGHT_CUTOFF_CENTS,
                          iterations: int = BIWEIGHT_ITERATIONS) -> tuple[float, float]:
    """Robust centre and spread of deviations on the 100-cent circle: (offset, spread) in cents.

    Starts from the weighted circular mean, then re-weights each value by Tukey's biweight of its
    wrapped distance from the current centre. Returns (NaN, NaN) for no values.
    """
    deviation, base, centre = circular_start(deviation_cents, weights)
    if deviation.size == 0:
        return float("nan"), float("nan")
    # The biweight steps in as few array operations as give the same values (~30 us an
    # iteration otherwise, up to 6 times ~8 times a second live): wrap_cents in place, one
    # weight total, and the centre wrapped as a Python float (the same remainder as numpy's).
    # Tukey's weight (1 - u^2)^2 for |u| < 1, else 0, as max(1 - u^2, 0)^2 in one buffer:
    # 1 - u*u is positive exactly where |u| < 1 (and ** 2 is numpy's x * x).
    plain = weights is None           # base is all ones: base * w is w itself
    weight = np.empty_like(deviation)
    for _ in range(iterations):
        residual = _wrapped_from(deviation, centre)
        np.divide(residual, cutoff_cents, out=weight)
        np.multiply(weight, weight, out=weight)
        np.subtract(1.0, weight, out=weight)
        np.maximum(weight, 0.0, out=weight)
        np.multiply(weight, weight, out=weight)
        if not plain:
            weight *= base
        total = np.add.reduce(weight)
        if total <= 0:
            break
        step = float(np.add.reduce(weight * residual) / total)
        centre = (centre + step + 50.0) % 100.0 - 50.0
        if abs(step) < 1e-3:
            break
    spread = 1.4826 * _median(np.abs(_wrapped_from(deviation, centre)))
    return float(wrap_cents(centre)), spread


def _wrapped_from(values: np.ndarray, centre: float) -> np.ndarray:
    """wrap_cents(values - centre) for a float64 array, in place on one new array."""
    out = np.subtract(values, centre)
    out += 50.0
    out %= 100.0
    out -= 50.0
    return out


def _median(values: np.ndarray) -> float:
    """float(np.median(values)) of a finite, non-empty float64 array (its partition and
    the mean of the middle two), without its wrapper."""
    n = values.shape[0]
    middle = n // 2
    if n % 2:
        return float(np.partition(values, middle)[middle])
    low, high = np.partition(values, [middle - 1, middle])[middle - 1:middle + 1]
    return float(np.add.reduce(np.array([low, high])) / 2)


def offset_from_pitch(midi: np.ndarray, voiced: np.ndarray,
                      smoothing_frames: int = SMOOTHING_FRAMES) -> TuningOffset:
    """Tuning offset of a performance.

    Parameters
    ----------
    midi : np.ndarray, shape (n,)
        Fractional MIDI number per frame (on the A4 grid).
    voiced : np.ndarray of bool, shape (n,)
        Frames that count.
    smoothing_frames : int
        Frames averaged inside each run first (about one vibrato cycle).

    Returns
    -------
    TuningOffset
        Offset in cents in [-50, 50) (negative = flat), its spread, and how many frames counted.
    """
    voiced = np.asarray(voiced, dtype=bool) & np.isfinite(midi)
    if not voiced.any():
        return TuningOffset.none()
    smoothed = smooth_within_runs(midi, voiced, smoothing_frames)[voiced]
    deviation = wrap_cents(smoothed * 100.0)
    offset, spread = circular_offset_cents(deviation)
    return TuningOffset(offset, spread, int(voiced.sum()))


def estimate_offset(frequency_hz: np.ndarray, voiced: np.ndarray,
                    a4_hz: float = DEFAULT_A4_HZ) -> TuningOffset:
    """Tuning offset of a whole track from its voiced frames.

    Parameters
    ----------
    frequency_hz : np.ndarray, shape (n,)
        Frequency per frame in Hz.
    voiced : np.ndarray of bool, shape (n,)
        The frames that count (pitchlive.tracking.voicing.voiced).
    a4_hz : float
        The grid's A4; the offset is measured from it.
    """
    frequency_hz = np.asarray(frequency_hz, dtype=np.float64)
    return offset_from_pitch(np.asarray(hz_to_midi(frequency_hz, a4_hz), np.float64),
                             np.asarray(voiced, dtype=bool))


class RunningOffset:
    """Live tuning offset over the last window_s seconds of frames (bounded memory).

    Feed every frame in time order with push() (the live tracker does, on the worker thread);
    read .current from any thread. A gap in time (dropped frames) ends a voiced run, as unvoiced
    frames do.

    The estimate is offset_from_pitch of the window's frames (a time gap counting as unvoiced
    frames that end a run), kept incrementally: a frame's smoothed deviation (the mean of the
    voiced frames within SMOOTHING_FRAMES of it, tuning.smooth_within_runs) is taken once, when
    its last neighbour arrives, and only the window's first (SMOOTHING_FRAMES - 1) // 2 and last
    SMOOTHING_FRAMES // 2 frames (whose neighbours the window cuts) are taken again for an
    estimate; the sums are direct rather than differences of running sums (the same values within
    float rounding, ~1e-13 cents).
    """

    def __init__(self, window_s: float = DEFAULT_WINDOW_S, a4_hz: float = DEFAULT_A4_HZ,
                 min_frames: int = MIN_RUNNING_FRAMES):
        if not window_s > 0:
            raise ValueError(f"window must be positive, got {window_s}")
        self.window_s = float(window_s)
        self.a4_hz = float(a4_hz)
        self.min_frames = int(min_frames)
        self.max_frames = math.ceil(window_s / HOP_S) + 2
        # Frames [self._first:] of these lists are the window (older ones are cut off now and
        # then): time (s), MIDI (NaN: unvoiced), and whether a time gap came before the frame.
        self._times: list[float] = []
        self._midi: list[float] = []
        self._gap_before: list[bool] = []
        self._first = 0
        self._voiced = 0                     # voiced frames in the window
        # Each frame's wrapped smoothed deviation (cents; NaN: unvoiced), at the lists' indices.
        self._deviation = np.full(2 * self.max_frames + 2, np.nan)
        self._current = TuningOffset.none()
        self._dirty = False
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget every frame (e.g. when the input or A4 changes)."""
        with self._lock:
            self._times.clear()
            self._midi.clear()
            self._gap_before.clear()
            self._first = self._voiced = 0
            self._current = TuningOffset.none()
            self._dirty = False

    def push(self, time_s: float, frequency_hz: float, voiced: bool) -> None:
        """Add one frame (voiced as the voicing rule decided); older frames drop out."""
        midi = hz_to_midi(frequency_hz, self.a4_hz) if voiced else float("nan")
        time_s = float(time_s)
        with self._lock:
            times, midis = self._times, self._midi
            first = self._first
            # Unvoiced frames at either end of the window belong to no run: adding or dropping
            # only those leaves the estimate as it is (not recomputed ~31 times a second).
            changed = voiced or (len(times) - first == self.max_frames
                                 and math.isfinite(midis[first]))
            self._gap_before.append(len(times) > first and time_s - times[-1] > 1.5 * HOP_S)
            times.append(time_s)
            midis.append(midi)
            self._voiced += math.isfinite(midi)
            if len(times) - first > self.max_frames:
                self._voiced -= math.isfinite(midis[first])
                first += 1
            while times[first] <= time_s - self.window_s:
                changed = changed or math.isfinite(midis[first])
                self._voiced -= math.isfinite(midis[first])
                first += 1
            self._first = first
            # The frame SMOOTHING_FRAMES // 2 back has all its neighbours now.
            settled = len(times) - 1 - SMOOTHING_FRAMES // 2
            if settled >= first:
                self._deviation[settled] = self._smoothed_deviation(settled)
            if first > self.max_frames:
                self._cut_off_old_frames()
            self._dirty = self._dirty or changed

    def _cut_off_old_frames(self) -> None:
        """Drop the frames before the window from the lists (and their deviations)."""
        first, n = self._first, len(self._times)
        del self._times[:first], self._midi[:first], self._gap_before[:first]
        self._deviation[:n - first] = self._deviation[first:n]
        self._first = 0

    def _smoothed_deviation(self, index: int) -> float:
        """wrap_cents(100 x the mean of the voiced frames within the smoothing window of frame
        index, inside the window and not across a time gap), NaN when the frame is unvoiced.

        smooth_within_runs' mean: frames of one run more than MAX_BRIDGED_GAP apart are never
        both within SMOOTHING_FRAMES of a frame, so only time gaps and the window cut it."""
        midis, gaps = self._midi, self._gap_before
        value = midis[index]
        if not math.isfinite(value):
            return math.nan
        low = index
        while low > self._first and index - low < (SMOOTHING_FRAMES - 1) // 2 and \
                not gaps[low]:
            low -= 1
        high = index
        while high + 1 < len(midis) and high - index < SMOOTHING_FRAMES // 2 and \
                not gaps[high + 1]:
            high += 1
        total, count = 0.0, 0
        for other in midis[low:high + 1]:
            if not math.isnan(other):
                total += other
                count += 1
        return (total / count * 100.0 + 50.0) % 100.0 - 50.0

    @property
    def current(self) -> TuningOffset:
        """The estimate over the window; invalid until min_frames voiced frames are in it."""
        with self._lock:
            if not self._dirty:
                return self._current
            self._dirty = False
            n_frames, first, stop = self._voiced, self._first, len(self._times)
            if n_frames >= self.min_frames:
                # The frames whose smoothing window the window cuts: those within its reach back
                # of the first frame, and the newest, not settled by push() yet.
                edges = {*range(first, first + (SMOOTHING_FRAMES - 1) // 2),
                         *range(stop - SMOOTHING_FRAMES // 2, stop)}
                for index in edges:
                    if first <= index < stop:
                        self._deviation[index] = self._smoothed_deviation(index)
                deviation = self._deviation[first:stop].copy()
        if n_frames == 0:
            estimate = TuningOffset.none()
        elif n_frames < self.min_frames:
            estimate = TuningOffset(float("nan"), float("nan"), n_frames)
        else:
            # circular_offset_cents reads only the finite values: the voiced frames, in order.
            offset, spread = circular_offset_cents(deviation)
            estimate = TuningOffset(offset, spread, n_frames)
        with self._lock:
            self._current = estimate
        return estimate
