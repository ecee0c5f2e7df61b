"""The exact reading: the sub-sample period of the candidate a frame chose (refine's last step).

The NSDF peak at the largest multiple of the chosen period that fits the frame, interpolated,
reads steady tones to within a few hundredths of a cent; periods from 125 Hz up are read on a
frame half as long (``exact_periods``, ``held_period``). That reading is precise where the pitch
holds over the frame. Where it moves under the frame (a note's start over the last note's ring
or reverberation, a glide) the multiples drift and the short frame's search can end at its edge,
up to ~180 cents off the candidate the frame chose; the reading then stays with the candidate's
own peak (``near_chosen_peak``). Measured in bench/accuracy.py (README "Accuracy").
"""

from __future__ import annotations

import math

import numpy as np

from pitchlive.tracking.periodicity import (frames_around, nsdf, peak_in_row, peak_near,
                                            refine_period)

FRAME_SAMPLES = 1024        # 64 ms at 16 kHz: two periods of 31 Hz, 130 of C7
MAX_LAG_SAMPLES = FRAME_SAMPLES // 2
# Periods up to this many samples (notes from 125 Hz up) are measured exactly on a frame half as
# long, centred on the model frame even live (the right context covers its second half), so a
# vibrato or a glide is read where it is, not 16 ms earlier.
SHORT_FRAME_SAMPLES = 512
SHORT_FRAME_MAX_PERIOD = 128
# On that short frame the multiples of a moving pitch (a note's first frames over the last one's
# ring, a wobbling glide) drift off the frame's own peak; a reading more than this from the short
# frame's own peak is kept at that peak (exact_periods, held_period). Whole-file RPA on
# bench/accuracy.py's corpus, no limit -> 10 cents: clean 0.950 -> 0.954, 20 dB 0.945 -> 0.949,
# 10 dB 0.923 -> 0.927, 0 dB 0.877 -> 0.882, room 0.908 -> 0.913 (5-15 cents: the same within
# 0.001); steady exact notes unchanged. On the 64 ms frame the multiples read a wide vibrato
# better than the peak does (by up to 30 cents at 100 Hz, 8 Hz +-150 cents): kept there.
SHORT_PERIOD_MAX_CENTS = 10.0
# ... or this many samples, the peak's own precision (0.1 sample is 21 cents at C7).
SHORT_PERIOD_MIN_SAMPLES = 0.1
# The exact reading stays within this of the chosen peak on the 64 ms frame, else it is that
# peak (near_chosen_peak): the pitch moved under the frame (a note's start over the last note's
# ring or reverberation, a glide) or the short frame's search ended at an edge. Not where the
# short frame's peak is clearer by SHORT_CLEARER_BY (a fast wide vibrato blurs the long frame).
# Whole-file RPA on corpus v4, clean / 20 / 10 / 0 dB / room: 0.963 / 0.961 / 0.944 / 0.904 /
# 0.925 -> 0.967 / 0.966 / 0.949 / 0.909 / 0.937 (bench/accuracy.py --no-peers).
EXACT_MAX_CENTS = 20.0
EXACT_MAX_CENTS_LONG = 50.0     # periods beyond SHORT_FRAME_MAX_PERIOD (the multiples' vibrato)
SHORT_CLEARER_BY = 0.02
# A reading within this of the next frame's (whole signals) is that frame's note: kept.
NEXT_FRAME_CENTS = 50.0


def near_chosen_peak(period: np.ndarray, peak_lag: np.ndarray, max_cents: np.ndarray | float,
                     keep: np.ndarray, consecutive: bool = False) -> np.ndarray:
    """Exact periods beyond max_cents of the chosen peak's lag become that lag.

    Except where keep is True and, for consecutive frames (one signal, in order), where the
    reading lies within NEXT_FRAME_CENTS of the next frame's settled reading and nearer it than
    the lag: a note's first frame whose 64 ms still hold the last note (a reading near the frame
    before would be the last note's ring).

    Parameters
    ----------
    period, peak_lag : np.ndarray, shape (n,)
        Exact readings and the chosen candidates' NSDF peak lags, in samples.
    max_cents : float or np.ndarray, shape (n,)
    keep : np.ndarray of bool, shape (n,)
    consecutive : bool

    Returns
    -------
    np.ndarray, shape (n,)
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        far = (np.abs(1200.0 * np.log2(period / peak_lag)) > max_cents) & ~keep
        if consecutive and far.any():
            after = np.r_[np.where(far, np.nan, period)[1:], np.nan]
            to_next = np.abs(np.log2(period / after))
            far &= ~((to_next < np.abs(np.log2(peak_lag / after)))
                     & (to_next < NEXT_FRAME_CENTS / 1200))
    return np.where(far, peak_lag, period)


def exact_periods(softened: np.ndarray, centres: np.ndarray, offset_samples: int,
                  curve: np.ndarray, lag: np.ndarray, found: np.ndarray,
                  consecutive: bool = False) -> np.ndarray:
    """Sub-sample periods of the chosen NSDF peaks (refine_frames' last step).

    Parameters
    ----------
    softened : np.ndarray, shape (n,)
        The audio as refine_frames reads it (softened).
    centres : np.ndarray, shape (n_frames,), int
    offset_samples : int
        As in refine_frames.
    curve : np.ndarray, shape (n_frames, MAX_LAG_SAMPLES + 1)
        NSDF of each frame (FRAME_SAMPLES long).
    lag : np.ndarray, shape (n_frames,)
        The chosen peak's lag in samples (peak_near).
    found : np.ndarray of bool, shape (n_frames,)
        Frames with a chosen peak.

    Returns
    -------
    np.ndarray, shape (n_frames,)
        Periods in samples: at the largest multiple that fits the frame, short periods on a
        frame half as long (SHORT_FRAME_SAMPLES), kept at that frame's own peak where the
        multiples moved further than SHORT_PERIOD_MAX_CENTS from it (held_period).

    Notes
    -----
    The multiples line up only while the pitch holds over them. Where it moves within the short
    frame (a note's first frames over the previous one's ring or reverberation, a wobbling
    glide), the peaks at the multiples drift and the step out to them lands tens of cents off
    the frame's own peak, which is then the better reading.
    """
    if np.shape(lag) == (1,) and np.shape(curve)[0] == 1:
        return _exact_period_of_one(softened, centres, offset_samples, curve, lag, found)
    period = refine_period(curve, lag, MAX_LAG_SAMPLES - 2)
    short = found & (lag <= SHORT_FRAME_MAX_PERIOD)
    if short.any():
        span = SHORT_FRAME_SAMPLES // 2
        short_offset = min(0, offset_samples + (FRAME_SAMPLES - SHORT_FRAME_SAMPLES) // 2)
        short_curve = nsdf(frames_around(softened, np.asarray(centres)[short],
                                         SHORT_FRAME_SAMPLES, short_offset), span)
        short_lag, short_height = peak_near(short_curve, lag[short],
                                            np.maximum(0.1 * lag[short], 1.0))
        period[short] = held_period(refine_period(short_curve, short_lag, span - 2), short_lag,
                                    SHORT_PERIOD_MAX_CENTS, SHORT_PERIOD_MIN_SAMPLES)
    clearer = np.zeros(lag.shape, bool)
    if short.any():
        _, height = peak_near(curve[short], lag[short], 1.0)
        clearer[short] = short_height > height + SHORT_CLEARER_BY
    limit = np.where(lag <= SHORT_FRAME_MAX_PERIOD, EXACT_MAX_CENTS, EXACT_MAX_CENTS_LONG)
    return near_chosen_peak(period, lag, limit, clearer, consecutive)


def _exact_period_of_one(softened: np.ndarray, centres: np.ndarray, offset_samples: int,
                         curve: np.ndarray, lag: np.ndarray, found: np.ndarray) -> np.ndarray:
    """exact_periods for one frame (the live path): a short period is read on the short frame
    only (the whole frame's reading would be replaced), its array steps on Python floats: the
    same values (tests/test_refine.py)."""
    peak_lag = float(lag[0])
    if not (found[0] and peak_lag <= SHORT_FRAME_MAX_PERIOD):
        limit = EXACT_MAX_CENTS if peak_lag <= SHORT_FRAME_MAX_PERIOD else EXACT_MAX_CENTS_LONG
        period = float(refine_period(curve, lag, MAX_LAG_SAMPLES - 2)[0])
        return np.array([_near_chosen_peak_of_one(period, peak_lag, limit, False)])
    span = SHORT_FRAME_SAMPLES // 2
    short_offset = min(0, offset_samples + (FRAME_SAMPLES - SHORT_FRAME_SAMPLES) // 2)
    short_curve = nsdf(frames_around(softened, centres, SHORT_FRAME_SAMPLES, short_offset), span)
    # peak_near's few-places searches of the one row (a finite lag), without their set-up.
    search = max(0.1 * peak_lag, 1.0)
    short_lag, short_height = peak_in_row(short_curve[0], peak_lag, search,
                                          math.ceil(search) * 2 + 3, span - 1)
    refined = float(refine_period(short_curve, np.array([short_lag]), span - 2)[0])
    allowed = max(short_lag * (2.0 ** (SHORT_PERIOD_MAX_CENTS / 1200.0) - 1.0),
                  SHORT_PERIOD_MIN_SAMPLES)
    period = short_lag if abs(refined - short_lag) > allowed else refined
    height = peak_in_row(curve[0], peak_lag, 1.0, 5, curve.shape[1] - 2)[1]
    clearer = short_height > height + SHORT_CLEARER_BY
    return np.array([_near_chosen_peak_of_one(period, peak_lag, EXACT_MAX_CENTS, clearer)])


def _near_chosen_peak_of_one(period: float, peak_lag: float, max_cents: float, keep: bool
                             ) -> float:
    """near_chosen_peak of one frame (not consecutive) on floats: the same value (np.log2 of
    the same quotient; tests/test_refine_exact.py), without its (1,)-array steps."""
    if not (period > 0.0 and peak_lag > 0.0):   # no peak search gives these (lags >= 0.5)
        return float(near_chosen_peak(np.array([period]), np.array([peak_lag]), max_cents,
                                      np.array([keep]))[0])
    far = abs(1200.0 * np.log2(period / peak_lag)) > max_cents
    return peak_lag if far and not keep else period


def held_period(period: np.ndarray, peak_lag: np.ndarray, max_cents: float,
                min_samples: float) -> np.ndarray:
    """A period read at multiples of a peak, or the peak's own lag where the two disagree.

    Parameters
    ----------
    period : np.ndarray, shape (n,)
        Periods in samples read at multiples of the peak (periodicity.refine_period).
    peak_lag : np.ndarray, shape (n,)
        The lag of the peak they were read from, in samples.
    max_cents, min_samples : float
        How far period may lie from peak_lag: the larger of the two.

    Returns
    -------
    np.ndarray, shape (n,)
    """
    allowed = np.maximum(peak_lag * (2.0 ** (max_cents / 1200.0) - 1.0), min_samples)
    return np.where(np.abs(period - peak_lag) > allowed, peak_lag, period)
