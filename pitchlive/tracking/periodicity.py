"""Periodicity of short audio frames: McLeod's normalised square difference function (NSDF).

The NSDF of a frame x of W samples at lag tau is

    n(tau) = 2 * sum_j x[j] x[j + tau] / sum_j (x[j]^2 + x[j + tau]^2),   j = 0 .. W - 1 - tau

It lies in [-1, 1]; a periodic frame reaches ~1 at its period and every multiple of it, whatever
its level, which makes it the clarity measure the refinement stage decides with. Everything here
is vectorised over frames (whole files run as one batch) and pure numpy.
"""

from __future__ import annotations

import math

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
    pad = frame_samples
    padded = np.concatenate((np.zeros(pad), audio, np.zeros(pad)))
    views = np.lib.stride_tricks.sliding_window_view(padded, frame_samples)
    return views[_clip(starts + pad, 0, views.shape[0] - 1)]


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
    """
    frames = np.atleast_2d(np.asarray(frames, np.float64))
    n_frames, width = frames.shape
    if not 0 < max_lag < width:
        raise ValueError(f"max_lag must be 1..{width - 1}, got {max_lag}")
    if n_frames == 1:
        return _nsdf_of_one(frames[0], max_lag)
    # frames.mean(axis=1)'s own steps (a sum, then a division by the count), without its wrapper.
    frames = frames - np.add.reduce(frames, axis=1, keepdims=True) / width
    size = 1 << int(np.ceil(np.log2(2 * width)))
    spectrum = np.fft.rfft(frames, size, axis=1)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), size, axis=1)[:, :max_lag + 1]
    squares = frames ** 2
    # m(tau) = sum over the overlap of x[j]^2 + x[j + tau]^2, from cumulative sums of both ends.
    head = np.cumsum(squares, axis=1)                       # sum x[0..k]^2
    tail = np.cumsum(squares[:, ::-1], axis=1)              # sum x[W-1-k..W-1]^2
    total = head[:, -1:]
    # overlap j = 0..W-1-tau: sum x[j]^2 = total - sum of the last tau samples;
    # sum x[j + tau]^2 = total - sum of the first tau samples (none at lag 0): at lag tau the
    # partial sums' column tau - 1, at lag 0 nothing (slices, not a gather: the same values).
    denominator = np.empty((n_frames, max_lag + 1))
    denominator[:, 0] = 2 * total[:, 0]
    np.subtract(2 * total - tail[:, :max_lag], head[:, :max_lag], out=denominator[:, 1:])
    silent = total[:, 0] < SILENCE_ENERGY
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(denominator > SILENCE_ENERGY * 1e-3, 2.0 * acf / denominator, 0.0)
    out[silent] = 0.0
    return _clip(out, -1.0, 1.0)


def _nsdf_of_one(frame: np.ndarray, max_lag: int) -> np.ndarray:
    """nsdf of one frame (W,), bit for bit, on 1-D arrays (the live path, two frames a window:
    the 2-D steps along axis 1 cost ~40% more there): (1, max_lag + 1)."""
    width = frame.shape[0]
    x = frame - np.add.reduce(frame) / width
    size = 1 << int(np.ceil(np.log2(2 * width)))
    spectrum = np.fft.rfft(x, size)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), size)[:max_lag + 1]
    squares = x * x
    head = np.add.accumulate(squares)                       # sum x[0..k]^2
    total = float(head[-1])
    out = np.zeros(max_lag + 1)
    if total < SILENCE_ENERGY:
        return out[None, :]
    tail = np.add.accumulate(squares[:-max_lag - 1:-1])     # the last 1..max_lag samples
    denominator = np.empty(max_lag + 1)
    denominator[0] = 2 * total
    np.subtract(2 * total - tail, head[:max_lag], out=denominator[1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(2.0 * acf, denominator, out=out, where=denominator > SILENCE_ENERGY * 1e-3)
    return np.minimum(np.maximum(out, -1.0, out=out), 1.0, out=out)[None, :]


def values_at_lags(curve: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """curve (n_frames, n_lags) linearly interpolated at fractional lags (n_frames, k)."""
    lags = _clip(lags, 0, curve.shape[1] - 1.000001)
    low = np.floor(lags).astype(np.int64)
    frac = lags - low
    rows = np.arange(curve.shape[0])[:, None]
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
    width = int(np.ceil(span.max())) * 2 + 3 if span.size else 3
    low = np.floor(flat_lags - span).astype(np.int64)
    offsets = np.arange(width)[None, :]
    index = _clip(low[:, None] + offsets, 1, n_lags - 2)
    inside = low[:, None] + offsets <= flat_lags[:, None] + span[:, None]
    values = np.where(inside, curve[rows[:, None], index], -np.inf)
    best = index[np.arange(flat_lags.size), np.argmax(values, axis=1)]
    left, centre, right = curve[rows, best - 1], curve[rows, best], curve[rows, best + 1]
    curvature = left - 2 * centre + right
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature < 0, 0.5 * (left - right) / curvature, 0.0)
    shift = _clip(shift, -0.5, 0.5)
    peak = centre - 0.25 * (left - right) * shift
    return (best + shift).reshape(shape), peak.reshape(shape)


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
    # np.argmax over the clipped indices finds the same first maximum (or first NaN):
    # clipping only repeats the end values next to themselves.
    best = first + int(np.argmax(line[first:end + 1]))
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
        lag, _ = peak_near(curve, refined * target, np.maximum(0.25 * refined, 1.0))
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
    if frames.shape[0] == 1:
        return _clarity_of_one(frames[0], float(np.asarray(lags).reshape(-1)[0]))
    frames = frames - frames.mean(axis=1, keepdims=True)
    n_frames, width = frames.shape
    # Partial sums of squares are needed only up to the largest lag read (+1).
    reach = min(width - 1, int(np.max(np.rint(lags))) + 3) if n_frames else 3
    nearest = np.clip(np.rint(lags).astype(np.int64), 2, min(width - 3, reach - 1))
    # Row i shifted left by tau (zeros after its end): one contiguous copy per frame and lag.
    shifted = np.lib.stride_tricks.sliding_window_view(
        np.concatenate((frames, np.zeros((n_frames, reach))), axis=1), width, axis=1)
    squares = frames * frames
    head = np.cumsum(squares[:, :reach], axis=1)                     # sum x[0..k]^2
    tail = np.cumsum(squares[:, :width - reach - 1:-1], axis=1)      # sum x[W-1-k..W-1]^2
    total = squares.sum(axis=1)
    rows = np.arange(n_frames)
    values = []
    for step in (-1, 0, 1):
        tau = nearest + step
        cross = np.einsum("ij,ij->i", frames, shifted[rows, tau])
        energy = 2 * total - tail[rows, tau - 1] - head[rows, tau - 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            values.append(np.where(energy > SILENCE_ENERGY * 1e-3, 2.0 * cross / energy, 0.0))
    left, centre, right = values
    silent = total < SILENCE_ENERGY
    curvature = left - 2 * centre + right
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature < 0, np.clip(0.5 * (left - right) / curvature, -0.5, 0.5),
                         0.0)
    return np.where(silent, 0.0, np.clip(centre - 0.25 * (left - right) * shift, -1.0, 1.0))


def _clarity_of_one(frame: np.ndarray, lag: float) -> np.ndarray:
    """clarity_at for one frame (the live path), with dot products on slices: the same sums."""
    width = frame.size
    x = frame - np.add.reduce(frame) / width        # frame.mean()'s own steps
    nearest = min(max(int(np.rint(lag)), 2), width - 3)
    squares = x * x
    total = float(squares.sum())
    if total < SILENCE_ENERGY:
        return np.zeros(1)
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
    return np.array([min(max(centre - 0.25 * (left - right) * shift, -1.0), 1.0)])
