"""Periodicity of short audio frames: McLeod's normalised square difference function (NSDF).

The NSDF of a frame x of W samples at lag tau is

    n(tau) = 2 * sum_j x[j] x[j + tau] / sum_j (x[j]^2 + x[j + tau]^2),   j = 0 .. W - 1 - tau

It lies in [-1, 1]; a periodic frame reaches ~1 at its period and every multiple of it, whatever
its level, which makes it the clarity measure the refinement stage decides with. Everything here
is vectorised over frames (whole files run as one batch) and pure numpy.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

# Below this frame energy (sum of squares, full scale = 1 per sample) a frame counts as silent.
SILENCE_ENERGY = 1e-10

# The live path calls these on one frame ~31 times a second: numpy's per-call overhead
# (np.clip's Python wrapper, broadcasting helpers) is most of their cost there, so they use the
# bare ufuncs (np.minimum(np.maximum(...)) is np.clip, NaN included) and slices.
# Outputs are bit-identical to the plain forms (tests/test_periodicity.py).


def _clip(values: np.ndarray, low, high) -> np.ndarray:
    return np.minimum(np.maximum(values, low), high)


def frames_around(audio: np.ndarray, centres: np.ndarray, frame_samples: int,
                  offset_samples: int = 0) -> np.ndarray:
    """Frames of audio whose middles lie at centres + offset_samples, zero beyond the signal.

    Parameters
    ----------
    audio : np.ndarray, shape (n,)
        Mono audio.
    centres : np.ndarray, shape (n_frames,), int
        Sample indices of the frame centres.
    frame_samples : int
        Frame length W.
    offset_samples : int
        Shift of every frame (negative = earlier), e.g. to end a live frame at its right context.

    Returns
    -------
    np.ndarray, shape (n_frames, W), float64
    """
    audio = np.asarray(audio, np.float64).reshape(-1)
    starts = np.asarray(centres, np.int64) + offset_samples - frame_samples // 2
    if starts.size == 1 and 0 <= starts[0] <= audio.shape[0] - frame_samples:
        start = int(starts[0])          # one frame inside the signal (the live path): a slice
        return audio[start:start + frame_samples][None, :]
    # Frames inside the signal are gathered from it directly (no padded copy of a whole file);
    # the few that reach beyond an end are filled in one by one.
    n = audio.shape[0]
    inside = (starts >= 0) & (starts <= n - frame_samples)
    if inside.all():
        return np.lib.stride_tricks.sliding_window_view(audio, frame_samples)[starts]
    out = np.zeros((starts.size, frame_samples))
    if inside.any():
        out[inside] = np.lib.stride_tricks.sliding_window_view(audio, frame_samples)[
            starts[inside]]
    for row in np.flatnonzero(~inside).tolist():
        start = int(starts[row])
        first, end = max(start, 0), min(start + frame_samples, n)
        if end > first:
            out[row, first - start:end - start] = audio[first:end]
    return out


# Whole signals run the NSDF in blocks of this many frames: each block's arrays (~0.8 MB for
# 1024-sample frames) stay in the CPU's cache; the whole batch at once ran ~20% slower.
NSDF_BLOCK_FRAMES = 64


@lru_cache(maxsize=8)
def fft_size(n: int) -> int:
    """The smallest 2^a 3^b 5^c >= n: a length numpy's FFT handles fast (pocketfft)."""
    best = 1 << max(n - 1, 0).bit_length()
    power5 = 1
    while power5 < best:
        power35 = power5
        while power35 < best:
            size = power35
            while size < n:
                size *= 2
            best = min(best, size)
            power35 *= 3
        power5 *= 5
    return best


def nsdf(frames: np.ndarray, max_lag: int) -> np.ndarray:
    """McLeod's normalised square difference of each frame at lags 0..max_lag.

    Parameters
    ----------
    frames : np.ndarray, shape (n_frames, W)
        Frames of audio; the mean is removed first (a DC offset would look periodic).
    max_lag : int
        Largest lag in samples, < W.

    Returns
    -------
    np.ndarray, shape (n_frames, max_lag + 1)
        Values in [-1, 1]; 0 for silent frames.

    Notes
    -----
    The autocorrelation comes from one FFT of fft_size(W + max_lag) points (no circular
    wrap-around reaches lags up to max_lag), the energy term from running sums of the first and
    last max_lag squares; within ~1e-15 of the sums written out (tests/test_periodicity.py).
    """
    frames = np.atleast_2d(np.asarray(frames, np.float64))
    n_frames, width = frames.shape
    if not 0 < max_lag < width:
        raise ValueError(f"max_lag must be 1..{width - 1}, got {max_lag}")
    if n_frames == 1:
        return _nsdf_of_one(frames[0], max_lag)
    if n_frames > NSDF_BLOCK_FRAMES:
        out = np.empty((n_frames, max_lag + 1))
        for first in range(0, n_frames, NSDF_BLOCK_FRAMES):
            block = slice(first, first + NSDF_BLOCK_FRAMES)
            out[block] = nsdf(frames[block], max_lag)
        return out
    # frames.mean(axis=1)'s own steps (a sum, then a division by the count), without its wrapper.
    frames = frames - np.add.reduce(frames, axis=1, keepdims=True) / width
    size = fft_size(width + max_lag)
    spectrum = np.fft.rfft(frames, size, axis=1)
    # |X|^2 as a complex array: numpy's irfft of a real array ran ~3x slower (its conversion).
    acf = np.fft.irfft(spectrum * spectrum.conj(), size, axis=1)[:, :max_lag + 1]
    squares = frames * frames
    total = np.add.reduce(squares, axis=1)
    # m(tau) = sum over the overlap j = 0..W-1-tau of x[j]^2 + x[j + tau]^2: twice the total
    # less the squares of the last tau and of the first tau samples (running sums of each end).
    denominator = np.empty((n_frames, max_lag + 1))
    denominator[:, 0] = 2.0 * total
    np.subtract(denominator[:, :1], np.cumsum(squares[:, :max_lag], axis=1),
                out=denominator[:, 1:])
    denominator[:, 1:] -= np.cumsum(squares[:, :width - max_lag - 1:-1], axis=1)
    out = np.zeros((n_frames, max_lag + 1))
    np.divide(2.0 * acf, denominator, out=out, where=denominator > SILENCE_ENERGY * 1e-3)
    out[total < SILENCE_ENERGY] = 0.0
    return np.minimum(np.maximum(out, -1.0, out=out), 1.0, out=out)


def _nsdf_of_one(frame: np.ndarray, max_lag: int) -> np.ndarray:
    """nsdf of one frame (W,), bit for bit, on 1-D arrays (the live path, two frames a window:
    the 2-D steps along axis 1 cost ~40% more there): (1, max_lag + 1)."""
    width = frame.shape[0]
    x = frame - np.add.reduce(frame) / width
    size = fft_size(width + max_lag)
    spectrum = np.fft.rfft(x, size)
    acf = np.fft.irfft(spectrum * spectrum.conj(), size)[:max_lag + 1]
    squares = x * x
    total = np.add.reduce(squares)
    out = np.zeros(max_lag + 1)
    if total < SILENCE_ENERGY:
        return out[None, :]
    denominator = np.empty(max_lag + 1)
    denominator[0] = 2.0 * total
    np.subtract(denominator[0], np.add.accumulate(squares[:max_lag]), out=denominator[1:])
    denominator[1:] -= np.add.accumulate(squares[:width - max_lag - 1:-1])
    np.divide(2.0 * acf, denominator, out=out, where=denominator > SILENCE_ENERGY * 1e-3)
    return np.minimum(np.maximum(out, -1.0, out=out), 1.0, out=out)[None, :]


def nsdf_at(frame: np.ndarray, max_lag: int, spans: list[tuple[int, int]]) -> np.ndarray:
    """nsdf of one frame (W,) at the lags of each span (first, last) only, NaN at every other
    lag: (1, max_lag + 1). A held note's long frame is read at a few lags (refine's
    read_live_period): their sums (np.correlate) cost a fraction of the FFT of all. The same
    denominators; within ~1e-15 of nsdf (tests/test_periodicity.py)."""
    width = frame.shape[0]
    x = frame - np.add.reduce(frame) / width
    squares = x * x
    total = np.add.reduce(squares)
    out = np.empty(max_lag + 1)
    out.fill(np.nan)
    reach = max(last for _, last in spans)
    # _nsdf_of_one's running sums of the first and last squares, as far as the spans reach.
    head = np.add.accumulate(squares[:reach])
    tail = np.add.accumulate(squares[:width - reach - 1:-1])
    padded = np.concatenate((x, np.zeros(reach)))     # x[j + tau] = 0 beyond the frame
    for first, last in spans:
        values = out[first:last + 1]
        if total < SILENCE_ENERGY:
            values.fill(0.0)
            continue
        acf = np.correlate(padded[first:width + last], x, "valid")
        acf *= 2.0          # in place, and the quotient straight into out: the same values
        denominator = np.empty(last - first + 1)
        start = max(first, 1)
        denominator[:start - first] = 2.0 * total
        np.subtract(2.0 * total, head[start - 1:last], out=denominator[start - first:])
        denominator[start - first:] -= tail[start - 1:last]
        values.fill(0.0)
        np.divide(acf, denominator, out=values, where=denominator > SILENCE_ENERGY * 1e-3)
        np.minimum(np.maximum(values, -1.0, out=values), 1.0, out=values)
    return out[None, :]


def values_at_lags(curve: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """curve (n_frames, n_lags) linearly interpolated at fractional lags (n_frames, k), or at
    lags (k,) that are the same in every frame (read as columns): (n_frames, k)."""
    lags = _clip(lags, 0, curve.shape[1] - 1.000001)
    low = np.floor(lags).astype(np.int64)
    frac = lags - low
    rows = np.arange(curve.shape[0])[:, None] if lags.ndim == 2 else slice(None)
    return (1 - frac) * curve[rows, low] + frac * curve[rows, low + 1]


def peak_near(curve: np.ndarray, lags: np.ndarray, span: np.ndarray | float
              ) -> tuple[np.ndarray, np.ndarray]:
    """The highest point of each curve within lags +- span, refined by a parabola.

    Parameters
    ----------
    curve : np.ndarray, shape (n_frames, n_lags)
        NSDF (or any curve) per frame.
    lags : np.ndarray, shape (n_frames,) or (n_frames, K)
        Where to look, in samples (fractional); K places per frame at once.
    span : float or np.ndarray, shaped like lags
        Half-width of the search, in samples (at least 1).

    Returns
    -------
    peak_lags : np.ndarray, shaped like lags
        Fractional lag of the maximum (parabolic interpolation through it and its neighbours).
    peak_values : np.ndarray, shaped like lags
        The interpolated maximum.
    """
    n_lags = curve.shape[1]
    lags = np.asarray(lags, np.float64)
    shape = lags.shape
    flat_lags = lags.reshape(-1)
    if flat_lags.size <= FEW_PLACES and n_lags >= 3 and curve.dtype == np.float64:
        few = _few_places(curve.shape[0], flat_lags.tolist(), np.asarray(span, np.float64), shape)
        if few is not None:
            peak_lags, peaks = _few_peaks(curve, *few)
            return np.array(peak_lags).reshape(shape), np.array(peaks).reshape(shape)
    # Row of each flattened place: lags is (n_frames,) or (n_frames, K), row-major.
    rows = np.repeat(np.arange(curve.shape[0]), flat_lags.size // max(curve.shape[0], 1))
    span = np.asarray(span, np.float64)
    span = np.maximum(span.reshape(-1) if span.shape == shape else
                      np.broadcast_to(span, shape).reshape(-1), 1.0)
    widths = np.ceil(span) * 2 + 3 if span.size else np.full(0, 3.0)
    if widths.size and np.isfinite(widths).all() and widths.max() > 2 * widths.min():
        # Places searched together share the widest window: widths a power of two apart are
        # searched apart (whole files mix E1's periods with C7's). The same maxima.
        best = np.empty(flat_lags.size, np.int64)
        group_of = np.ceil(np.log2(widths)).astype(np.int64)
        for group in np.unique(group_of):
            places = np.flatnonzero(group_of == group)
            best[places] = _best_index(curve, rows[places], flat_lags[places], span[places])
    else:
        best = _best_index(curve, rows, flat_lags, span)
    left, centre, right = curve[rows, best - 1], curve[rows, best], curve[rows, best + 1]
    curvature = left - 2 * centre + right
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature < 0, 0.5 * (left - right) / curvature, 0.0)
    shift = _clip(shift, -0.5, 0.5)
    peak = centre - 0.25 * (left - right) * shift
    return (best + shift).reshape(shape), peak.reshape(shape)


def _best_index(curve: np.ndarray, rows: np.ndarray, lags: np.ndarray, span: np.ndarray
                ) -> np.ndarray:
    """peak_near's search: the index of each curve row's first maximum within lags +- span
    (span >= 1), clipped to 1..n_lags - 2."""
    width = int(np.ceil(span.max())) * 2 + 3 if span.size else 3
    low = np.floor(lags - span).astype(np.int64)
    offsets = np.arange(width)[None, :]
    index = _clip(low[:, None] + offsets, 1, curve.shape[1] - 2)
    inside = low[:, None] + offsets <= lags[:, None] + span[:, None]
    values = np.where(inside, curve[rows[:, None], index], -np.inf)
    return index[np.arange(lags.size), np.argmax(values, axis=1)]


# Up to this many places, peak_near reads them one by one in Python (the live path: one frame,
# a few candidates) instead of with ~15 array operations.
FEW_PLACES = 8


def _few_places(n_rows: int, lags: list, span: np.ndarray, shape: tuple
                ) -> tuple[list, list, list, int] | None:
    """peak_near's (rows, lags, spans, width) for a few places, in plain Python (the per-call
    array set-up cost more than the search); None when a lag or span is not finite."""
    spans = (span.reshape(-1) if span.shape == shape else
             np.broadcast_to(span, shape).reshape(-1)).tolist()
    spans = [1.0 if value < 1.0 else value for value in spans]     # np.maximum(span, 1.0)
    if not all(map(math.isfinite, lags)) or not all(map(math.isfinite, spans)):
        return None
    # Row of each flattened place: lags is (n_frames,) or (n_frames, K), row-major.
    per_row = len(lags) // max(n_rows, 1)
    rows = [row for row in range(n_rows) for _ in range(per_row)]
    width = math.ceil(max(spans)) * 2 + 3 if spans else 3
    return rows, lags, spans, width


def _few_peaks(curve: np.ndarray, rows: list, lags: list, spans: list, width: int
               ) -> tuple[list, list]:
    """peak_near for a few finite places, the same arithmetic in the same order."""
    last = curve.shape[1] - 2
    peak_lags, peaks = [], []
    for row, lag, span in zip(rows, lags, spans):
        peak_lag, peak = peak_in_row(curve[row], lag, span, width, last)
        peaks.append(peak)
        peak_lags.append(peak_lag)
    return peak_lags, peaks


def peak_in_row(line: np.ndarray, lag: float, span: float, width: int, last: int
                  ) -> tuple[float, float]:
    """peak_near's search of one curve row around a finite lag (span >= 1, width as peak_near
    sets it, last = n_lags - 2): (peak lag, peak value) as Python floats."""
    low = math.floor(lag - span)
    high = min(low + width - 1, math.floor(lag + span))
    first = min(max(low, 1), last)
    end = min(max(high, 1), last)
    # argmax over the clipped indices finds the same first maximum (or first NaN): clipping
    # only repeats the end values next to themselves (the method: np.argmax's wrapper ~1 us).
    best = first + int(line[first:end + 1].argmax())
    left, centre, right = float(line[best - 1]), float(line[best]), float(line[best + 1])
    curvature = left - 2 * centre + right
    shift = 0.5 * (left - right) / curvature if curvature < 0 else 0.0
    shift = min(max(shift, -0.5), 0.5)
    return best + shift, centre - 0.25 * (left - right) * shift


def refine_period(curve: np.ndarray, period_lags: np.ndarray, max_lag: float) -> np.ndarray:
    """Sub-sample periods from the NSDF peak at the largest multiple of the period that fits.

    A parabola through a peak errs by a fraction of a sample; at m periods that error is shared
    by m, so a C7 (7.6 samples at 16 kHz) read at ~30 periods lands within a few tenths of a cent.

    Parameters
    ----------
    curve : np.ndarray, shape (n_frames, n_lags)
        NSDF per frame.
    period_lags : np.ndarray, shape (n_frames,)
        Period estimates in samples (fractional), within ~a quarter period of the truth.
    max_lag : float
        Largest lag to read a multiple at (about half the frame, where the overlap still holds
        enough periods).

    Returns
    -------
    np.ndarray, shape (n_frames,)
        Refined periods in samples.
    """
    period_lags = np.asarray(period_lags, np.float64)
    if period_lags.shape == (1,) and math.isfinite(period_lags[0]) and math.isfinite(max_lag):
        return np.array([_refine_one_period(curve, float(period_lags[0]), float(max_lag))])
    multiples = np.maximum(np.floor(max_lag / np.maximum(period_lags, 1e-9)), 1.0)
    refined = period_lags.copy()
    # Step out by fours (1, 4, 16, ... periods) so each search stays within a
    # fraction of a period of the truth even when the first estimate is a little off.
    current = np.ones_like(period_lags)
    while True:
        target = np.minimum(current * 4, multiples)
        grow = target > current
        if not grow.any():
            break
        # Rows that stop growing keep their period: they search the narrowest window.
        lag, _ = peak_near(curve, refined * target, np.where(grow, np.maximum(0.25 * refined,
                                                                               1.0), 1.0))
        refined = np.where(grow, lag / target, refined)
        current = np.where(grow, target, current)
    return refined


def _refine_one_period(curve: np.ndarray, period_lag: float, max_lag: float) -> float:
    """refine_period for one frame's finite period, the same arithmetic on Python floats (the
    live path: the array set-up cost more than the search)."""
    multiples = max(float(math.floor(max_lag / max(period_lag, 1e-9))), 1.0)
    refined, current = period_lag, 1.0
    fast = curve.shape[0] == 1 and curve.shape[1] >= 3 and curve.dtype == np.float64
    line, last = curve[0], curve.shape[1] - 2
    while True:
        target = min(current * 4, multiples)
        if not target > current:
            return refined
        lag, span = refined * target, max(0.25 * refined, 1.0)
        if fast and math.isfinite(lag):
            # peak_near's few-places search, without its array set-up (~3 calls a frame).
            found = peak_in_row(line, lag, span, math.ceil(span) * 2 + 3, last)[0]
        else:
            found = float(peak_near(curve, np.array([lag]), span)[0][0])
        refined = found / target
        current = target


def clarity_at(frames: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """NSDF peak height of each frame near a fractional lag, computed at three lags only.

    The same value as peak_near(nsdf(frames, max_lag), lags, 1)[1] where the peak lies within
    half a sample of lags (the chosen periods come from such a peak), for a fraction of the
    cost of a whole NSDF.

    Parameters
    ----------
    frames : np.ndarray, shape (n_frames, W)
    lags : np.ndarray, shape (n_frames,), samples, 1 <= lags < W - 2

    Returns
    -------
    np.ndarray, shape (n_frames,), about -1..1
    """
    frames = np.asarray(frames, np.float64)
    lags = np.asarray(lags, np.float64).reshape(-1)
    if frames.shape[0] == 1:
        return np.array([_clarity_of_one(frames[0], float(lags[0]))])
    # Frame by frame, with dot products on slices: a shifted copy of every frame per lag (the
    # array form) cost three times as much on whole files.
    frames = frames - np.add.reduce(frames, axis=1, keepdims=True) / frames.shape[1]
    squares = frames * frames
    totals = squares.sum(axis=1).tolist()
    return np.array([_centred_clarity(x, x_squares, total, lag) for x, x_squares, total, lag
                     in zip(frames, squares, totals, lags.tolist())])


def _clarity_of_one(frame: np.ndarray, lag: float) -> float:
    """clarity_at for one frame (the live path), with dot products on slices: the same sums."""
    x = frame - np.add.reduce(frame) / frame.size        # frame.mean()'s own steps
    squares = x * x
    return _centred_clarity(x, squares, float(squares.sum()), lag)


def _centred_clarity(x: np.ndarray, squares: np.ndarray, total: float, lag: float) -> float:
    """clarity_at of one frame x (mean removed), its squares and their sum."""
    width = x.size
    nearest = min(max(int(np.rint(lag)), 2), width - 3)
    if total < SILENCE_ENERGY:
        return 0.0
    head = float(squares[:nearest - 2].sum())             # sum x[0..tau-2]^2 for tau - 1
    tail = float(squares[width - nearest + 2:].sum())     # the last tau - 2 samples
    values = []
    for tau in (nearest - 1, nearest, nearest + 1):
        head += float(squares[tau - 1])
        tail += float(squares[width - tau])
        energy = 2.0 * total - tail - head
        cross = float(np.dot(x[:width - tau], x[tau:]))
        values.append(2.0 * cross / energy if energy > SILENCE_ENERGY * 1e-3 else 0.0)
    left, centre, right = values
    curvature = left - 2 * centre + right
    shift = min(max(0.5 * (left - right) / curvature, -0.5), 0.5) if curvature < 0 else 0.0
    return min(max(centre - 0.25 * (left - right) * shift, -1.0), 1.0)
