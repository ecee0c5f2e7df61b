"""The exact reading stays with the chosen candidate's peak (exact_reading.near_chosen_peak)."""

import numpy as np

from pitchlive.tracking.exact_reading import EXACT_MAX_CENTS, near_chosen_peak
from pitchlive.tracking.refine import refine_frames


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


def test_a_far_reading_that_the_next_frame_holds_is_kept_in_a_signal():
    # Frame 0: the 64 ms frame still holds the last note (peak 60 samples), the short frame reads
    # the new one (54), which the next frame holds: kept for consecutive frames only. Frame 2:
    # its far reading is the frame before's (the last note's ring), not the next's: the peak.
    peak = np.array([60.0, 54.0, 54.0, 54.0])
    period = np.array([54.1, 54.0, 60.0, 54.0])
    keep = np.zeros(4, bool)
    np.testing.assert_array_equal(near_chosen_peak(period, peak, 20.0, keep, consecutive=True),
                                  [54.1, 54.0, 54.0, 54.0])
    np.testing.assert_array_equal(near_chosen_peak(period, peak, 20.0, keep),
                                  [60.0, 54.0, 54.0, 54.0])


def test_the_next_frame_keeps_only_readings_near_it():
    # The next frame is another note: the far reading (200 cents above the peak) lies nearer it
    # than the peak does, but 186 cents from it: not its note.
    peak = np.array([100.0, 80.0])
    period = np.array([100.0 * 2 ** (-200 / 1200), 80.0])
    out = near_chosen_peak(period, peak, 20.0, np.zeros(2, bool), consecutive=True)
    np.testing.assert_array_equal(out, [100.0, 80.0])


def test_one_frames_near_chosen_peak_is_the_array_forms():
    # The live path's float form against near_chosen_peak on (1,) arrays: far and near
    # readings, kept ones, the limit's edge, a zero lag.
    from pitchlive.tracking.exact_reading import _near_chosen_peak_of_one
    rng = np.random.default_rng(3)
    peaks = rng.uniform(5.0, 500.0, 400)
    readings = peaks * 2.0 ** (rng.uniform(-60.0, 60.0, 400) / 1200.0)
    cases = list(zip(readings.tolist(), peaks.tolist()))
    cases += [(100.0 * 2.0 ** (EXACT_MAX_CENTS / 1200.0), 100.0), (0.0, 0.0), (3.0, 0.0),
              (0.0, 3.0)]
    for period, peak in cases:
        for keep in (False, True):
            for limit in (EXACT_MAX_CENTS, 50.0):
                one = _near_chosen_peak_of_one(period, peak, limit, keep)
                array = near_chosen_peak(np.array([period]), np.array([peak]), limit,
                                         np.array([keep]))
                assert np.array_equal(np.array([one]), array, equal_nan=True)
