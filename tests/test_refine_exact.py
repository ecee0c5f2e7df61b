"""The exact reading stays with the chosen candidate's peak (refine.near_chosen_peak)."""

import numpy as np

from pitchlive.tracking.refine import (EXACT_MAX_CENTS, near_chosen_peak, refine_frames)


def test_readings_far_from_the_chosen_peak_fall_back_to_it():
    peak = np.array([44.26, 44.26, 22.05, 22.05, 160.0])
    # 48.0: a short-frame search that ended at its edge (+140 cents); 44.4: +5 cents;
    # 24.5: +182 cents kept where the short frame's peak was clearer; 160.6: +6.5 cents.
    period = np.array([48.0, 44.4, 24.5, 24.5, 160.6])
    keep = np.array([False, False, False, True, False])
    out = near_chosen_peak(period, peak, EXACT_MAX_CENTS, keep)
    np.testing.assert_array_equal(out, [44.26, 44.4, 22.05, 24.5, 160.6])


def test_per_frame_limits():
    peak = np.array([100.0, 100.0])
    period = 100.0 * 2 ** (30 / 1200) * np.ones(2)          # 30 cents flat of the peak
    out = near_chosen_peak(period, peak, np.array([20.0, 50.0]), np.zeros(2, bool))
    np.testing.assert_allclose(out, [100.0, period[1]])


def test_a_fast_wide_vibrato_keeps_the_short_frames_reading():
    """200 Hz, 8 Hz +-150 cents: the 64 ms frame blurs it; the clearer 32 ms frame reads it."""
    sr, n = 16000, 48000
    t = np.arange(n) / sr
    f = 200.0 * 2 ** (150 / 1200 * np.sin(2 * np.pi * 8.0 * t))
    phase = 2 * np.pi * np.cumsum(f) / sr
    x = 0.3 * sum(np.sin(k * phase) / k for k in range(1, 30))
    centres = np.arange(20, n // 512 - 20) * 512
    r = refine_frames(x, centres, f[centres], np.full(centres.size, 0.9), path=True)
    err = np.abs(1200 * np.log2(r.frequency_hz / f[centres]))
    # Kept at the 64 ms frame's peak instead, the 95th percentile is ~115 cents.
    assert np.percentile(err, 95) < 80
