"""NSDF maths: periodicity values, peak interpolation and multi-period refinement."""

import numpy as np
import pytest

from pitchlive.tracking.periodicity import (frames_around, nsdf, peak_near, refine_period,
                                            values_at_lags)
from synth import exact_tone


def test_nsdf_of_a_sine_peaks_at_its_period_and_dips_at_half():
    x = np.sin(2 * np.pi * np.arange(1024) / 40.0)
    curve = nsdf(x[None, :], 200)[0]
    assert curve.shape == (201,)
    assert curve[0] == pytest.approx(1.0)
    assert curve[40] > 0.99 and curve[80] > 0.99
    assert curve[20] < -0.99


def test_nsdf_is_level_independent_and_zero_for_silence():
    x = np.sin(2 * np.pi * np.arange(512) / 32.0)
    loud, quiet = nsdf(np.stack([x, 1e-3 * x]), 100)
    np.testing.assert_allclose(loud, quiet, atol=1e-9)
    assert np.all(nsdf(np.zeros((1, 512)), 100) == 0.0)
    with pytest.raises(ValueError):
        nsdf(np.zeros((1, 64)), 64)


def test_frames_around_pads_with_zeros_and_shifts():
    audio = np.arange(1, 11, dtype=float)
    frames = frames_around(audio, np.array([0, 5]), 4)
    np.testing.assert_array_equal(frames[0], [0, 0, 1, 2])
    np.testing.assert_array_equal(frames[1], [4, 5, 6, 7])
    shifted = frames_around(audio, np.array([5]), 4, offset_samples=-2)
    np.testing.assert_array_equal(shifted[0], [2, 3, 4, 5])


def test_peak_near_finds_a_fractional_parabola_top():
    lags = np.arange(100, dtype=float)
    curve = np.stack([1.0 - 0.01 * (lags - 37.3) ** 2, 0.5 - 0.02 * (lags - 61.8) ** 2])
    peak_lags, peaks = peak_near(curve, np.array([36.0, 60.0]), np.array([4.0, 4.0]))
    np.testing.assert_allclose(peak_lags, [37.3, 61.8], atol=1e-9)
    np.testing.assert_allclose(peaks, [1.0, 0.5], atol=1e-9)


def test_values_at_lags_interpolates_linearly():
    curve = np.array([[0.0, 1.0, 3.0]])
    np.testing.assert_allclose(values_at_lags(curve, np.array([[0.5, 1.25]])), [[0.5, 1.5]])


def test_multi_period_refinement_reads_c7_to_a_fraction_of_a_cent():
    frequency_hz = 2093.0045
    audio = exact_tone(frequency_hz, 0.5, "saw")
    frames = frames_around(audio, np.array([2000, 4000, 6000]), 1024)
    curve = nsdf(frames, 512)
    first_lag, _ = peak_near(curve, np.full(3, 16000 / frequency_hz * 1.02), 1.0)
    single_error = 1200 * np.log2(16000 / first_lag / frequency_hz)
    refined = refine_period(curve, first_lag, 510)
    error = 1200 * np.log2(16000 / refined / frequency_hz)
    assert np.all(np.abs(single_error) > 3), "one period alone is several cents off"
    assert np.all(np.abs(error) < 0.5)
