"""Where an exact period reading may lie: near the chosen candidate's peak (refine.exact_periods).

The exact reading (the NSDF at multiples of the period, the 32 ms short frame) is precise where
the pitch holds over the frame. Where it moves under the frame (a note's start over the last
note's ring or reverberation, a glide) the multiples drift and the short frame's search can end
at its edge, up to ~180 cents off the candidate the frame chose. Measured in bench/accuracy.py
(README "Accuracy").
"""

from __future__ import annotations

import numpy as np

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
