"""NSDF maths: periodicity values, peak interpolation and multi-period refinement."""

import numpy as np
import pytest

from pitchlive.tracking.periodicity import (NSDF_BLOCK_FRAMES, clarity_at, fft_size,
                                            frames_around, nsdf, peak_near,
                                            refine_period, values_at_lags)
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


def test_frames_around_equals_frames_of_the_zero_padded_signal():
    # Frames are gathered from the signal itself; those reaching beyond an end (or wholly
    # outside it) read zeros there, as frames of the signal padded with zeros would.
    rng = np.random.default_rng(3)
    for n, width in ((5000, 1024), (700, 1024), (1024, 1024), (9, 4)):
        audio = rng.standard_normal(n)
        padded = np.concatenate((np.zeros(3 * width), audio, np.zeros(3 * width)))
        edges = [0, n - 1, width // 2, n - width // 2, -5 * width, n + 9 * width]
        centres = np.concatenate((rng.integers(-2 * width, n + 2 * width, 40), edges))
        for offset in (0, -100, 37):
            frames = frames_around(audio, centres, width, offset)
            starts = np.clip(centres + offset - width // 2, -width, n) + 3 * width
            expected = np.stack([padded[s:s + width] for s in starts])
            np.testing.assert_array_equal(frames, expected)


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


def test_live_fast_paths_give_bit_identical_results(monkeypatch):
    """The one-frame shortcuts (a slice instead of padded views, peak_near place by place) are
    the array code's arithmetic: bit-identical, edges, NaN and flat curves included."""
    from pitchlive.tracking import periodicity, refine
    from pitchlive.tracking.refine import refine_live_frame

    rng = np.random.default_rng(7)
    audio = rng.normal(0, 0.3, 4000)
    for centre, offset in ((2000, 0), (600, -100), (3400, -200), (512, 0)):
        assert np.array_equal(frames_around(audio, [centre], 1024, offset),
                              frames_around(audio, [centre, centre], 1024, offset)[:1])
    curve = nsdf(frames_around(audio, [1000, 2000, 3000], 1024), 512)
    curve[1, 40:60] = 0.5                                       # a flat top: the first maximum
    curve[2, 100] = np.nan
    cases = [(np.array([7.3, 250.0, 511.2]), 3.0), (np.array([0.2, 98.5, 501.0]), 40.0),
             (np.array([[10.0, 50.0], [45.0, 58.0], [99.0, 101.5]]), np.array(
                 [[1.0, 2.5], [9.0, 1.0], [3.0, 0.5]])),
             # Spans below 1 (read as 1), -inf (also 1), and a NaN lag.
             (np.array([20.0, 60.0, 300.0]), 0.3), (np.array([20.0, 60.0, 300.0]),
                                                    np.array([0.3, -np.inf, 2.0])),
             (np.array([20.0, np.nan, 300.0]), 3.0)]
    for lags, span in cases:
        fast = peak_near(curve, lags, span)
        monkeypatch.setattr(periodicity, "FEW_PLACES", 0)
        slow = peak_near(curve, lags, span)
        monkeypatch.undo()
        for a, b in zip(fast, slow):
            assert np.array_equal(a, b, equal_nan=True)
    assert np.array_equal(periodicity._clip(np.array([np.nan, -2.0, 0.3, np.inf]), -1.0, 1.0),
                          np.clip(np.array([np.nan, -2.0, 0.3, np.inf]), -1.0, 1.0),
                          equal_nan=True)
    # The whole live refinement on tones, a chord, noise and silence.
    t = np.arange(2304) / 16000
    windows = [np.sin(2 * np.pi * hz * t) * 0.5 for hz in (55.0, 220.0, 1318.5, 3000.0)]
    windows += [np.sin(2 * np.pi * 261.6 * t) + np.sin(2 * np.pi * 329.6 * t),
                rng.normal(0, 0.1, 2304), np.zeros(2304)]
    for window in windows:
        window = window.astype(np.float32)
        for model_hz in (110.0, 440.0, 1000.0):
            fast = refine_live_frame(window, 1536, model_hz, 0.8)
            monkeypatch.setattr(periodicity, "FEW_PLACES", 0)
            monkeypatch.setattr(refine, "frames_around", _padded_frames_around)
            slow = refine_live_frame(window, 1536, model_hz, 0.8)
            monkeypatch.undo()
            for name in ("frequency_hz", "confidence", "periodicity"):
                assert np.array_equal(getattr(fast, name), getattr(slow, name), equal_nan=True)


def _padded_frames_around(audio, centres, frame_samples, offset_samples=0):
    """frames_around without the one-frame slice (its general path)."""
    centres = np.asarray(centres)
    return frames_around(audio, np.concatenate([centres, centres]), frame_samples,
                         offset_samples)[:centres.size]


def _plain_nsdf(frames: np.ndarray, max_lag: int) -> np.ndarray:
    """nsdf as first written (np.mean, np.where for lag 0): the reference for its fast form."""
    frames = np.atleast_2d(np.asarray(frames, np.float64))
    frames = frames - frames.mean(axis=1, keepdims=True)
    width = frames.shape[1]
    size = 1 << int(np.ceil(np.log2(2 * width)))
    spectrum = np.fft.rfft(frames, size, axis=1)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), size, axis=1)[:, :max_lag + 1]
    squares = frames ** 2
    head, tail = np.cumsum(squares, axis=1), np.cumsum(squares[:, ::-1], axis=1)
    total = head[:, -1:]
    lags = np.arange(max_lag + 1)
    positive, previous = lags > 0, np.maximum(lags - 1, 0)
    denominator = (2 * total - np.where(positive, tail[:, previous], 0.0)
                   - np.where(positive, head[:, previous], 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(denominator > 1e-13, 2.0 * acf / denominator, 0.0)
    out[total[:, 0] < 1e-10] = 0.0
    return np.clip(out, -1.0, 1.0)


def _nsdf_by_sums(frames: np.ndarray, max_lag: int) -> np.ndarray:
    """The NSDF's definition written out lag by lag (no FFT, no running sums)."""
    out = np.zeros((frames.shape[0], max_lag + 1))
    for row, frame in enumerate(np.asarray(frames, np.float64)):
        x = frame - frame.mean()
        if np.dot(x, x) < 1e-10:
            continue
        for tau in range(max_lag + 1):
            a, b = x[:x.size - tau], x[tau:]
            out[row, tau] = 2.0 * np.dot(a, b) / (np.dot(a, a) + np.dot(b, b))
    return out


def test_nsdf_equals_its_definition_at_every_lag():
    # The FFT is only fft_size(W + max_lag) long: a shorter one would wrap the long lags round.
    rng = np.random.default_rng(12)
    for width, max_lag in ((1024, 512), (512, 256), (1024, 1023), (37, 36), (301, 150)):
        t = np.arange(width) / 16000
        frames = np.stack([rng.normal(0, 0.3, width), 0.5 * np.sin(2 * np.pi * 220.0 * t) + 0.2,
                           np.sign(np.sin(2 * np.pi * 2093.0 * t)), np.zeros(width)])
        # Rounding only: ~1e-15 up to half the frame, ~2e-12 at the last lags (an overlap of a
        # few samples, where the energy is a difference of near-equal sums; the plain form too).
        np.testing.assert_allclose(nsdf(frames, max_lag), _nsdf_by_sums(frames, max_lag),
                                   rtol=0, atol=1e-11)


def test_fft_size_is_the_smallest_fast_length():
    def smooth(n):
        for p in (2, 3, 5):
            while n % p == 0:
                n //= p
        return n == 1

    for n in range(1, 3000):
        assert fft_size(n) == next(m for m in range(n, 2 * n + 1) if smooth(m))


def test_nsdf_in_blocks_equals_frame_by_frame():
    rng = np.random.default_rng(13)
    frames = rng.normal(0, 0.3, (3 * NSDF_BLOCK_FRAMES + 5, 512))
    whole = nsdf(frames, 256)
    one_by_one = np.concatenate([nsdf(frame[None, :], 256) for frame in frames])
    np.testing.assert_allclose(whole, one_by_one, rtol=0, atol=1e-15)


def test_nsdf_and_one_frame_period_refinement_match_the_plain_forms():
    rng = np.random.default_rng(11)
    t = np.arange(1024) / 16000
    frames = np.stack([rng.normal(0, 0.3, 1024), 0.5 * np.sin(2 * np.pi * 220.0 * t) + 0.2,
                       np.zeros(1024), 1e-7 * rng.normal(size=1024),
                       np.sign(np.sin(2 * np.pi * 2093.0 * t))])
    for max_lag in (1, 100, 512, 1023):
        # The FFT's length (fft_size) and the energy's running sums differ from the plain form
        # in rounding only (most at the last lags, see test_nsdf_equals_its_definition...).
        np.testing.assert_allclose(nsdf(frames, max_lag), _plain_nsdf(frames, max_lag),
                                   rtol=0, atol=1e-14 if max_lag <= 512 else 1e-11)
    curve = nsdf(frames, 512)
    for row, lag in ((1, 72.7), (1, 145.0), (4, 7.6), (0, 33.3), (1, 0.5), (4, 500.0)):
        one = refine_period(curve[row:row + 1], np.array([lag]), 510)
        pair = refine_period(curve[[row, row]], np.array([lag, lag]), 510)  # the array code
        assert np.array_equal(one, pair[:1])


def test_clarity_at_three_lags_is_the_nsdf_peak():
    rng = np.random.default_rng(0)
    t = np.arange(1024) / 16000
    f0s = np.array([55.0, 110.0, 220.0, 440.0, 1000.0, 1800.0])
    frames = np.stack([np.sin(2 * np.pi * f * t) + 0.5 * rng.standard_normal(t.size)
                       for f in f0s])
    curve = nsdf(frames, 1024 // 2)
    lags, heights = peak_near(curve, 16000 / f0s, 5.0)
    np.testing.assert_allclose(clarity_at(frames, lags), heights, atol=1e-12)
    for row in range(f0s.size):           # one frame (the live path) takes its own route
        np.testing.assert_allclose(clarity_at(frames[row:row + 1], lags[row:row + 1]),
                                   heights[row:row + 1], atol=1e-12)
    np.testing.assert_array_equal(clarity_at(np.zeros((2, 1024)), np.array([40., 90.])),
                                  0.0)
    np.testing.assert_array_equal(clarity_at(np.zeros((1, 1024)), np.array([40.])), 0.0)


def test_peak_near_with_spans_far_apart_finds_what_each_place_finds_alone():
    # Whole files search E1's periods (spans of ~100 samples) beside C7's (~2): places whose
    # windows differ in width are searched apart, with the same maxima as one by one.
    rng = np.random.default_rng(21)
    t = np.arange(1024) / 16000
    frames = np.stack([np.sin(2 * np.pi * f * t) + 0.3 * rng.standard_normal(t.size)
                       for f in (41.2, 98.0, 440.0, 2093.0, 700.0, 55.0, 1300.0, 230.0,
                                 61.0, 1800.0)])
    curve = nsdf(frames, 512)
    lags = np.array([388.0, 163.3, 36.4, 7.6, 22.9, 290.0, 12.3, 69.6, 262.0, 8.9])
    spans = np.array([97.0, 40.8, 9.1, 1.0, 5.7, 72.5, 3.1, 17.4, 65.5, 2.2])
    together = peak_near(curve, lags, spans)
    for row in range(lags.size):
        alone = peak_near(curve[[row, row]], lags[[row, row]], spans[[row, row]])
        assert together[0][row] == alone[0][0] and together[1][row] == alone[1][0]


def test_nsdf_of_one_frame_is_the_batch_codes_bit_for_bit():
    # One frame (the live path, on 1-D arrays) against the same frame in a batch of two:
    # noise, tones, tiny and silent frames, a NaN, both live frame lengths and other lags.
    rng = np.random.default_rng(13)
    t = np.arange(1024) / 16000
    frames = [rng.normal(0, 0.3, 1024), 0.5 * np.sin(2 * np.pi * 220.0 * t) + 0.2,
              np.zeros(1024), 1e-7 * rng.normal(size=1024), 1e-4 * rng.normal(size=1024),
              np.sign(np.sin(2 * np.pi * 2093.0 * t))]
    nan_frame = rng.normal(0, 0.3, 1024)
    nan_frame[100] = np.nan
    frames.append(nan_frame)
    for frame in frames:
        for width, max_lag in ((1024, 512), (512, 256), (1024, 1023), (512, 1), (700, 300)):
            one = nsdf(frame[None, :width], max_lag)
            two = nsdf(np.stack([frame[:width], frame[:width]]), max_lag)
            assert one.shape == (1, max_lag + 1)
            assert np.array_equal(one, two[:1], equal_nan=True)


def test_nsdf_at_a_few_lags_is_the_fft_nsdf_there_and_nan_elsewhere():
    # The held note's long frame read at a few spans of lags (refine's
    # read_live_period): tones, noise, a tiny and a silent frame, lags from 0 to the last.
    from pitchlive.tracking.periodicity import nsdf_at
    rng = np.random.default_rng(21)
    t = np.arange(1024) / 16000
    frames = [0.5 * np.sin(2 * np.pi * 311.1 * t) + 0.1, rng.normal(0, 0.3, 1024),
              np.sign(np.sin(2 * np.pi * 1046.5 * t)), 1e-4 * rng.normal(size=1024),
              np.zeros(1024)]
    for frame in frames:
        full = nsdf(frame[None, :], 512)
        for spans in ([(48, 56), (17, 26)], [(0, 7)], [(500, 512), (3, 3)], [(1, 512)]):
            some = nsdf_at(frame, 512, spans)
            read = np.zeros(513, bool)
            for first, last in spans:
                read[first:last + 1] = True
            assert some.shape == (1, 513)
            assert np.isnan(some[0, ~read]).all()
            np.testing.assert_allclose(some[0, read], full[0, read], rtol=0, atol=1e-12)
