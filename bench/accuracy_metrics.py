"""Scores of one pitch track against the truth, on the truth's 32 ms frame grid (mir_eval)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Scores:
    """Pooled over frames: mir_eval's RPA, RCA and voicing, plus cents errors and octave errors."""

    rpa: float
    rca: float
    voicing_recall: float
    voicing_false_alarm: float
    median_cents: float        # |error| over frames voiced in both truth and estimate
    p95_cents: float
    octave_share: float        # of those frames, the share off by a whole number of octaves


def to_grid(times_s: np.ndarray, frequency_hz: np.ndarray, voiced: np.ndarray,
            grid_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An estimate resampled onto grid_s (nearest frame): (frequency_hz, voiced), each like grid_s.

    Nearest rather than linear, so no estimate is blended across an octave jump or a gap.
    """
    times_s = np.asarray(times_s, np.float64)
    if times_s.size == 0:
        return np.zeros(grid_s.size), np.zeros(grid_s.size, bool)
    idx = np.clip(np.searchsorted(times_s, grid_s), 1, times_s.size - 1) if times_s.size > 1 \
        else np.zeros(grid_s.size, int)
    if times_s.size > 1:
        left = times_s[idx - 1]
        idx = np.where(np.abs(grid_s - left) <= np.abs(times_s[idx] - grid_s), idx - 1, idx)
    frequency = np.asarray(frequency_hz, np.float64)[idx]
    on = np.asarray(voiced, bool)[idx] & np.isfinite(frequency) & (frequency > 0)
    too_far = np.abs(times_s[idx] - grid_s) > 0.03
    on &= ~too_far
    return np.where(np.isfinite(frequency), frequency, 0.0), on


def cents_error(estimate_hz: np.ndarray, truth_hz: np.ndarray) -> np.ndarray:
    """1200 log2(estimate / truth), NaN where either is not positive."""
    with np.errstate(divide="ignore", invalid="ignore"):
        err = 1200.0 * np.log2(np.asarray(estimate_hz, np.float64) / np.asarray(truth_hz))
    return np.where((estimate_hz > 0) & (truth_hz > 0), err, np.nan)


def score(truth_hz: np.ndarray, estimate_hz: np.ndarray, estimate_voiced: np.ndarray) -> Scores:
    """Scores of estimate (n,) against truth (n,) (0 Hz = unvoiced), frame by frame."""
    import mir_eval.melody as melody

    truth_hz = np.asarray(truth_hz, np.float64)
    ref_voicing = (truth_hz > 0).astype(float)
    est_voicing = np.asarray(estimate_voiced, bool).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ref_cent = np.where(truth_hz > 0, 1200 * np.log2(np.maximum(truth_hz, 1e-9) / 10.0), 0.0)
        est_cent = np.where(estimate_hz > 0,
                            1200 * np.log2(np.maximum(estimate_hz, 1e-9) / 10.0), 0.0)
    rpa = melody.raw_pitch_accuracy(ref_voicing, ref_cent, est_voicing, est_cent)
    rca = melody.raw_chroma_accuracy(ref_voicing, ref_cent, est_voicing, est_cent)
    recall, false_alarm = melody.voicing_measures(ref_voicing, est_voicing)
    both = (ref_voicing > 0) & (est_voicing > 0)
    err = cents_error(estimate_hz[both], truth_hz[both])
    err = err[np.isfinite(err)]
    if err.size:
        octaves = np.round(err / 1200.0)
        octave = (octaves != 0) & (np.abs(err - 1200 * octaves) < 50)
        absolute = np.abs(err)
        return Scores(rpa, rca, recall, false_alarm, float(np.median(absolute)),
                      float(np.percentile(absolute, 95)), float(np.mean(octave)))
    return Scores(rpa, rca, recall, false_alarm, np.nan, np.nan, np.nan)
