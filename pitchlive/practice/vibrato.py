"""The pitch a note is centred on when it has vibrato: the mean over whole vibrato cycles.

A plain mean over a note with vibrato is biased by the part cycle at either end (up to ±extent/π
cents). Averaging only between the first and last upward crossing of the note's mean covers
whole cycles. ``vibrato_centre_cents`` is the one function to swap for a better estimator.
"""

from __future__ import annotations

import numpy as np

MIN_EXTENT_CENTS = 8.0   # peak-to-peak below this is no vibrato: the plain mean is kept
VIBRATO_RATES_HZ = np.arange(4.0, 8.01, 0.1)   # sung vibrato is 4-8 Hz
MIN_FIT_R2 = 0.6         # a sinusoid explaining less than this is not vibrato


def upward_crossings(times_s: np.ndarray, values: np.ndarray, level: float) -> np.ndarray:
    """Times where values rise through level, interpolated between samples; shape (n_cross,)."""
    below = values[:-1] < level
    above = values[1:] >= level
    idx = np.flatnonzero(below & above)
    fraction = (level - values[idx]) / (values[idx + 1] - values[idx])
    return times_s[idx] + fraction * (times_s[idx + 1] - times_s[idx])


def _integral(times_s: np.ndarray, values: np.ndarray, start_s: float, stop_s: float) -> float:
    """Integral of the piecewise-linear curve through (times_s, values) over [start_s, stop_s]."""
    inside = (times_s > start_s) & (times_s < stop_s)
    t = np.concatenate(([start_s], times_s[inside], [stop_s]))
    v = np.interp(t, times_s, values)
    return float(np.sum((v[1:] + v[:-1]) * np.diff(t)) / 2.0)


def vibrato_centre_cents(times_s: np.ndarray, cents: np.ndarray) -> float:
    """Centre of a sustained note's pitch in cents.

    Parameters
    ----------
    times_s : ndarray, shape (n,)
        Times of contiguous voiced frames of the note's sustain.
    cents : ndarray, shape (n,)
        Offset from the target at those frames.

    Returns
    -------
    float
        Mean over the whole vibrato cycles between the first and last upward crossing of the
        mean; the plain mean when there is less than one cycle or no vibrato; NaN when empty.
    """
    times_s, cents = np.asarray(times_s, float), np.asarray(cents, float)
    if cents.size == 0:
        return float("nan")
    mean = float(np.mean(cents))
    if cents.size < 4 or np.ptp(cents) < MIN_EXTENT_CENTS:
        return mean
    crossings = upward_crossings(times_s, cents, mean)
    if crossings.size < 2:
        return sine_fit_centre(times_s, cents, mean)
    start, stop = float(crossings[0]), float(crossings[-1])
    return _integral(times_s, cents, start, stop) / (stop - start)


def sine_fit_centre(times_s: np.ndarray, cents: np.ndarray, fallback: float) -> float:
    """Offset of the least-squares sinusoid (rate in VIBRATO_RATES_HZ) through the curve.

    Parameters
    ----------
    times_s, cents : ndarray, shape (n,)
    fallback : float
        Returned when no sinusoid explains MIN_FIT_R2 of the variance.
    """
    t = times_s - times_s[0]
    total = float(np.sum((cents - cents.mean()) ** 2))
    if cents.size < 5 or total <= 0:
        return fallback
    best_residual, best_centre = np.inf, fallback
    for rate in VIBRATO_RATES_HZ:
        design = np.column_stack((np.ones_like(t), np.sin(2 * np.pi * rate * t),
                                  np.cos(2 * np.pi * rate * t)))
        coef, *_ = np.linalg.lstsq(design, cents, rcond=None)
        residual = float(np.sum((design @ coef - cents) ** 2))
        if residual < best_residual:
            best_residual, best_centre = residual, float(coef[0])
    return best_centre if 1.0 - best_residual / total >= MIN_FIT_R2 else fallback
