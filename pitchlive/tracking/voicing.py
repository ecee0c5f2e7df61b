"""The voicing rule: which frames carry a pitch. One rule for live frames and whole tracks.

A frame is voiced when the model is confident enough (confidence >= the threshold), the input
is loud enough (level >= the level gate) and the frequency is a real pitch (finite, > 0). The
live tracker, whole-file analysis, the Recording view and transcription all call voiced() here.
"""

from __future__ import annotations

import math

import numpy as np

from pitchlive.settings import Settings


def voiced(frequency_hz, confidence, level_dbfs, settings: Settings):
    """The voicing rule, for one frame (scalars) or many (arrays of one shape).

    Parameters
    ----------
    frequency_hz : float or np.ndarray, shape (n,)
        Model frequency estimate in Hz (NaN, 0 or negative: no pitch).
    confidence : float or np.ndarray, shape (n,)
        Model confidence, 0..1.
    level_dbfs : float, np.ndarray of shape (n,), or None
        RMS input level around each frame in dBFS (-inf for silence). None when the level of
        the signal is unknown (a bare PitchTrack without its audio): the level gate then passes.
    settings : Settings
        confidence_threshold and level_gate_dbfs are used.

    Returns
    -------
    bool or np.ndarray of bool, shape (n,)
        True where the frame is voiced (a Python bool for scalar input).
    """
    if isinstance(frequency_hz, float) and isinstance(confidence, float) and (
            level_dbfs is None or isinstance(level_dbfs, float)):
        # One live frame (~30 times a second): the same comparisons on Python floats, without
        # the ~10 us of numpy's scalar-array and error-state set-up.
        return bool(confidence >= settings.confidence_threshold and math.isfinite(frequency_hz)
                    and frequency_hz > 0
                    and (level_dbfs is None or level_dbfs >= settings.level_gate_dbfs))
    frequency_hz = np.asarray(frequency_hz, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        mask = ((np.asarray(confidence, dtype=np.float64) >= settings.confidence_threshold)
                & np.isfinite(frequency_hz) & (frequency_hz > 0))
        if level_dbfs is not None:
            mask &= np.asarray(level_dbfs, dtype=np.float64) >= settings.level_gate_dbfs
    return bool(mask) if mask.ndim == 0 else mask
