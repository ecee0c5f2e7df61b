"""The refinement stage on exact tones, without the model: the prior proposes, the signal decides."""

import numpy as np
import pytest

from pitchlive.tracking.exact_reading import held_period
from pitchlive.tracking.refine import (CONTINUITY_WEIGHT, FRAME_SAMPLES, combined_confidence,
                                       continuity_scores, live_attack_shift,
                                       live_offset_samples, read_live_period, refine_frames,
                                       refine_live_frame)
from synth import exact_tone

CENTRES = np.arange(4000, 12000, 512)


def cents(a, b):
    return 1200 * np.log2(np.asarray(a) / b)


@pytest.mark.parametrize("frequency_hz", [41.2034, 110.0, 440.0, 1318.51, 2093.0045])
@pytest.mark.parametrize("timbre", ["saw", "odd"])
def test_exact_steady_tones_read_within_a_fraction_of_a_cent(frequency_hz, timbre):
    audio = exact_tone(frequency_hz, 1.0, timbre)
    prior = np.full(CENTRES.size, frequency_hz * 2 ** (20 / 1200))   # the model 20 cents off
    result = refine_frames(audio, CENTRES, prior, np.full(CENTRES.size, 0.8))
    error = cents(result.frequency_hz, frequency_hz)
    assert np.all(np.abs(error) < 0.3)
    assert np.all(result.periodicity > 0.9) and np.all(result.confidence >= 0.9)


@pytest.mark.parametrize("frequency_hz, model_hz", [(2093.0, 864.0), (1760.0, 880.0),
                                                    (41.2, 113.0), (55.0, 120.0)],
                         ids=["C7 read as A5", "A6 an octave low", "E1 read 2.7x",
                              "A1 read 2.2x"])
def test_the_signal_corrects_the_model_where_it_is_out_of_range(frequency_hz, model_hz):
    audio = exact_tone(frequency_hz, 1.0, "odd" if frequency_hz < 100 else "saw")
    result = refine_frames(audio, CENTRES, np.full(CENTRES.size, model_hz),
                           np.full(CENTRES.size, 0.7))
    assert np.all(np.abs(cents(result.frequency_hz, frequency_hz)) < 1)


def test_silence_keeps_the_model_estimate_and_is_not_voiced():
    result = refine_frames(np.zeros(16000, np.float32), CENTRES, np.full(CENTRES.size, 220.0),
                           np.full(CENTRES.size, 0.3))
    np.testing.assert_array_equal(result.frequency_hz, 220.0)
    assert np.all(result.periodicity == 0)
    np.testing.assert_allclose(result.confidence, 0.3)


def test_noise_is_not_made_confident():
    noise = np.random.default_rng(0).standard_normal(16000).astype(np.float32) * 0.1
    result = refine_frames(noise, CENTRES, np.full(CENTRES.size, 300.0),
                           np.full(CENTRES.size, 0.2))
    assert np.mean(result.confidence >= 0.9) < 0.1


def test_combined_confidence_keeps_the_scale():
    combined = combined_confidence(np.array([0.2, 0.95, 0.5, 0.7, 0.0]),
                                   np.array([0.97, 0.0, -0.5, 0.7, 0.0]))
    # Either source alone is a floor; two moderate ones add up; nothing is nothing.
    np.testing.assert_allclose(combined, [0.976, 0.95, 0.5, 0.91, 0.0])


def test_live_frame_uses_only_the_audio_up_to_the_window_end():
    # Tone B fills the window's last FRAME_SAMPLES samples, tone A everything before: the live
    # frame must read B (it may not look past the window, and it reads the newest audio).
    a, b = exact_tone(300.0, 1.0, "saw"), exact_tone(400.0, 1.0, "saw")
    window = np.concatenate([a[:2304 - FRAME_SAMPLES], b[:FRAME_SAMPLES]])
    assert live_offset_samples(2304, 2048) == -256
    result = refine_live_frame(window, 2048, 395.0, 0.9)
    assert abs(cents(result.frequency_hz[0], 400.0)) < 1


@pytest.mark.parametrize("frequency_hz", [41.2034, 440.0, 2093.0045])
def test_whole_signal_path_with_noise_reduction_keeps_exact_tones_exact(frequency_hz):
    # A tone that lasts the whole signal reads as "noise" to the noise estimate: every bin is
    # turned down alike, so the periods and their clarity stay as they were.
    audio = exact_tone(frequency_hz, 1.0, "saw")
    prior = np.full(CENTRES.size, frequency_hz * 2 ** (20 / 1200))
    result = refine_frames(audio, CENTRES, prior, np.full(CENTRES.size, 0.8), path=True)
    assert np.all(np.abs(cents(result.frequency_hz, frequency_hz)) < 0.3)
    assert np.all(result.periodicity > 0.9)


def test_noise_reduction_does_not_make_noise_only_frames_periodic():
    # The leftovers of spectral subtraction read more periodic than the noise itself (measured
    # here: mean clarity 0.34 -> 0.48), which voiced noise; clarity is read on the audio as is.
    rate = 16000
    rng = np.random.default_rng(3)
    note = exact_tone(220.0, 1.0, "saw") * 0.3
    audio = np.concatenate((np.zeros(rate), note, np.zeros(rate)))
    spectrum = np.fft.rfft(rng.standard_normal(audio.size))
    pink = np.fft.irfft(spectrum / np.sqrt(np.maximum(np.arange(spectrum.size), 1.0)), audio.size)
    noisy = audio + pink * np.sqrt(np.mean(note ** 2) / np.mean(pink ** 2))
    centres = np.arange(0, audio.size, 512)
    quiet = (centres < rate - FRAME_SAMPLES) | (centres > 2 * rate + FRAME_SAMPLES)
    prior, confidence = np.full(centres.size, 220.0), np.full(centres.size, 0.5)
    on = refine_frames(noisy, centres, prior, confidence, path=True, noise_reduction=True)
    off = refine_frames(noisy, centres, prior, confidence, path=True, noise_reduction=False)
    assert on.periodicity[quiet].mean() <= off.periodicity[quiet].mean() + 0.06
    assert np.all(np.abs(cents(on.frequency_hz[~quiet][4:-4], 220.0)) < 10)


def test_continuity_scores_pull_towards_a_clear_previous_pitch():
    hz = np.array([[220.0, 660.0, np.nan], [220.0, 660.0, 110.0]])
    gain = continuity_scores(hz, np.array([220.0, 660.0]), np.array([0.98, 0.5]))
    assert gain[0, 0] == pytest.approx(CONTINUITY_WEIGHT * 0.98)
    assert gain[0, 1] < 1e-9 and gain[0, 2] == 0.0
    assert gain[1, 1] == pytest.approx(CONTINUITY_WEIGHT * 0.5) and gain[1, 0] < 1e-9
    # Nothing from an unclear frame, from none, or from a negative clarity.
    assert not continuity_scores(hz, np.array([220.0, 660.0]), np.array([0.0, -0.3])).any()
    assert not continuity_scores(hz, np.array([np.nan, 0.0]), np.array([1.0, 1.0])).any()
    assert continuity_scores(hz, np.array([220.0, 220.0]), np.array([1.0, 1.0]),
                             weight=0.1)[0, 0] == pytest.approx(0.1)


def test_a_previous_pitch_decides_between_a_note_and_its_strong_harmonic():
    # A tone whose third harmonic is far stronger than the rest reads about as periodic at a
    # third of its period as at the period: with no prior the frame reads the harmonic; the
    # previous frame's clear pitch brings back the note (the model's prior does the same).
    t = np.arange(16000) / 16000.0
    audio = 0.15 * np.sin(2 * np.pi * 220 * t) + 0.15 * np.sin(2 * np.pi * 440 * t) + \
        np.sin(2 * np.pi * 660 * t)
    window = audio[:2304]
    alone = refine_live_frame(window, 1536, np.nan, 0.0)
    assert abs(cents(alone.frequency_hz[0], 660.0)) < 5
    carried = refine_live_frame(window, 1536, np.nan, 0.0, previous=(221.0, 0.97))
    assert abs(cents(carried.frequency_hz[0], 220.0)) < 5
    assert refine_live_frame(window, 1536, np.nan, 0.0,
                             previous=(221.0, 0.0)).frequency_hz[0] == alone.frequency_hz[0]


def test_held_period_keeps_readings_near_the_peak_and_the_peak_elsewhere():
    peak = np.array([50.0, 50.0, 50.0, 8.0, 8.0])
    # 10 cents of 50 samples is 0.29 samples; at 8 samples the 0.1-sample floor (21 cents) rules.
    period = np.array([50.2, 50.4, 49.6, 8.09, 8.2])
    held = held_period(period, peak, 10.0, 0.1)
    np.testing.assert_array_equal(held, [50.2, 50.0, 50.0, 8.09, 8.0])
    assert np.all(held_period(period, peak, 1e4, 0.0) == period)


def _new_note_over_the_last(start: int) -> np.ndarray:
    """A 2304-sample live window: A3 (saw, 0.6) until start, then D#4 (saw, 1.0)."""
    window = 0.6 * exact_tone(220.0, 0.15, "saw")[:2304].astype(np.float64)
    window[start:] = exact_tone(311.13, 0.15, "saw")[:2304 - start]
    return window


def test_a_live_frame_starts_at_an_attack_within_the_right_context():
    # The new note starts 250 samples before the centre (1536): centred, the frame reads part
    # of the old note and the new one's period less clearly and off; moved later to start at
    # the attack (the window's 768 samples of right context leave room), it reads the new note.
    window = _new_note_over_the_last(1536 - 250)
    assert live_attack_shift(window, 1536, live_offset_samples(2304, 1536)) == 256
    result = refine_live_frame(window, 1536, 311.13, 0.9)
    assert abs(cents(result.frequency_hz[0], 311.13)) < 0.3
    assert result.periodicity[0] > 0.95
    # The held-note read (steady.py) moves the same way, so both read the same peak.
    read = read_live_period(window, 1536, 16000 / 311.13)
    assert read.period_samples == pytest.approx(16000 / result.frequency_hz[0])


def test_no_live_attack_shift_without_room_or_attack():
    window = _new_note_over_the_last(1536 - 250)
    # A low-latency window: the frame already ends at the window's last sample.
    centre = 2304 - 256
    assert live_attack_shift(window, centre, live_offset_samples(2304, centre)) == 0
    # Room for 100 samples only: the move stops there.
    assert live_attack_shift(window[:1536 + 612], 1536, 0) == 100
    held = exact_tone(311.13, 0.15, "saw")[:2304]
    assert live_attack_shift(held, 1536, 0) == 0


def test_one_frame_exact_period_is_the_array_codes_bit_for_bit():
    # exact_periods on one frame (the live path, on Python floats) against the same frame
    # twice (the array code): short periods (their own short frame), long ones, a chord, noise.
    from pitchlive.tracking.periodicity import frames_around, nsdf, peak_near
    from pitchlive.tracking.exact_reading import MAX_LAG_SAMPLES, exact_periods
    from pitchlive.tracking.refine import _soften
    rng = np.random.default_rng(4)
    t = np.arange(2304) / 16000
    windows = [0.4 * np.sin(2 * np.pi * hz * t) + 0.1 * np.sin(4 * np.pi * hz * t)
               for hz in (65.4, 130.8, 126.0, 440.0, 1760.0, 3520.0)]
    windows += [np.sin(2 * np.pi * 261.6 * t) + np.sin(2 * np.pi * 311.1 * t),
                rng.normal(0, 0.2, 2304), np.zeros(2304)]
    checked = 0
    for window in windows:
        softened = _soften(window.astype(np.float32))
        for centre, offset in ((1536, 0), (1200, -100)):
            curve = nsdf(frames_around(softened, [centre], 1024, offset), MAX_LAG_SAMPLES)
            for near in (9.1, 36.4, 122.3, 127.0, 128.6, 245.0):
                lag, _ = peak_near(curve, np.array([near]), max(0.03 * near, 1.0))
                for found in (True, False):
                    one = exact_periods(softened, np.array([centre]), offset, curve, lag,
                                        np.array([found]))
                    two = exact_periods(softened, np.array([centre, centre]), offset,
                                        np.repeat(curve, 2, axis=0), np.repeat(lag, 2),
                                        np.array([found, found]))
                    assert np.array_equal(one, two[:1], equal_nan=True)
                    checked += 1
    assert checked == 9 * 2 * 6 * 2


def test_the_held_read_of_a_short_period_reads_a_few_lags_and_the_same_peak(monkeypatch):
    # read_live_period reads the long frame's NSDF near the period (and at also_at) only when
    # the period is read exactly on the short frame: the same period and clarity as the whole
    # curve (SHORT_FRAME_MAX_PERIOD 0 forces it), and that curve's values at the lags read.
    from pitchlive.tracking import refine
    from pitchlive.tracking.denoise import RunningNoise
    rng = np.random.default_rng(8)
    windows = [exact_tone(hz, 0.15, "saw")[:2304].astype(np.float64) for hz in (130.0, 311.13,
                                                                                1046.5, 3000.0)]
    windows += [_new_note_over_the_last(1536 - 250),
                windows[1] + rng.normal(0, 0.05, 2304)]
    running = RunningNoise()
    noise = None
    while noise is None:
        noise = running.update(rng.normal(0, 0.05, 2304))
    for window in windows:
        for near in (16000 / 311.13, 16000 / 1046.5, 16000 / 130.0, 5.4, 123.0, 125.0):
            for noise_power in (None, noise):
                also = (near / 2, near / 3)
                sparse = read_live_period(window, 1536, near, noise_power, also)
                with monkeypatch.context() as patch:
                    patch.setattr(refine, "SHORT_FRAME_MAX_PERIOD", 0)
                    whole = read_live_period(window, 1536, near, noise_power, also)
                assert sparse.period_samples == pytest.approx(whole.period_samples, abs=1e-9)
                assert sparse.clarity[0] == pytest.approx(whole.clarity[0], abs=1e-12)
                read = ~np.isnan(sparse.curve[0])
                assert read.all() == (near > 124)     # 125 * 1.03 + 0.5 > 128
                np.testing.assert_allclose(sparse.curve[0, read], whole.curve[0, read],
                                           rtol=0, atol=1e-12)


def test_softening_a_span_is_the_whole_softening_bit_for_bit():
    # read_live_period softens only its frame's samples: the same values as the whole window's
    # softening there, at the audio's ends too, for float32 and float64 audio.
    from pitchlive.tracking.refine import _soften, _soften_span
    rng = np.random.default_rng(11)
    checked = 0
    for size in (1, 2, 3, 4, 7, 1024, 2304):
        for dtype in (np.float32, np.float64):
            audio = rng.normal(0, 0.3, size).astype(dtype)
            whole = _soften(audio)
            for start, stop in {(0, size), (0, 1), (size - 1, size), (size // 3, size // 2),
                                (1, size - 1), (size // 2, size // 2)}:
                if 0 <= start <= stop <= size:
                    part = _soften_span(audio, start, stop)
                    assert part.dtype == np.float64
                    assert np.array_equal(part, whole[start:stop])
                    checked += 1
    assert checked > 60


def test_the_held_read_analyses_its_frame_as_the_whole_window_bit_for_bit():
    # _analysed_span (the held read's frame only) against _analysed_audio (refine_live_frame's
    # whole window): the same plain and noise-reduced softened samples, spans at either end.
    from pitchlive.tracking.denoise import RunningNoise
    from pitchlive.tracking.refine import _analysed_audio, _analysed_span
    rng = np.random.default_rng(12)
    running = RunningNoise()
    noise = None
    while noise is None:
        noise = running.update(rng.normal(0, 0.05, 2304))
    window = (exact_tone(220.0, 0.15, "saw")[:2304] + rng.normal(0, 0.05, 2304)).astype(
        np.float32)
    for noise_power in (None, noise):
        plain, softened, denoised = _analysed_audio(window, False, noise_power)
        assert denoised == (noise_power is not None)
        for start, stop in ((1024, 2048), (1280, 2304), (0, 1024), (700, 900)):
            part = _analysed_span(window, noise_power, start, stop)
            assert np.array_equal(part[0], plain[start:stop])
            assert np.array_equal(part[1], softened[start:stop])
            assert part[2] == denoised


def test_combined_confidence_of_one_is_the_array_forms_bit_for_bit():
    from pitchlive.tracking.refine import combined_confidence_of_one
    rng = np.random.default_rng(13)
    values = rng.uniform(-0.5, 1.5, 300).tolist() + [0.0, -0.0, 1.0, float("nan"), 0.9, 1e-17]
    for model in values[::7] + [float("nan"), 0.0, 1.0]:
        for periodicity in values:
            one = combined_confidence_of_one(model, periodicity)
            array = combined_confidence(np.array([model]), np.array([periodicity]))
            assert np.array_equal(np.array([one]), array, equal_nan=True)
