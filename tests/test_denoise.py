"""Noise reduction before the whole-file periodicity reading (pitchlive/tracking/denoise.py)."""

from __future__ import annotations

import numpy as np

from pitchlive.tracking.denoise import (GAIN_FLOOR, MIN_STFT_FRAMES, STFT_SAMPLES, noise_power,
                                        reduce_noise, removed_share, subtraction_gain)

RATE_HZ = 16000


def tone(f0_hz: float, seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE_HZ)) / RATE_HZ
    return sum(np.sin(2 * np.pi * k * f0_hz * t) / k for k in range(1, 6))


def power_near(audio: np.ndarray, frequency_hz: float) -> float:
    """Power of audio within +-20 Hz of frequency_hz (periodogram)."""
    spectrum = np.abs(np.fft.rfft(audio)) ** 2
    freqs = np.fft.rfftfreq(audio.size, 1 / RATE_HZ)
    return float(spectrum[np.abs(freqs - frequency_hz) < 20].sum())


def test_noise_power_of_white_noise_is_about_its_mean_power():
    rng = np.random.default_rng(0)
    power = rng.exponential(2.0, size=(400, 64))        # periodogram of noise of power 2
    estimate = noise_power(power)
    assert estimate.shape == (64,)
    assert np.all((estimate > 1.0) & (estimate < 4.0))


def test_noise_power_ignores_a_note_that_comes_and_goes():
    power = np.ones((400, 8))
    power[100:250, 3] = 1000.0                          # a note in bin 3 for 150 of 400 frames
    assert np.allclose(noise_power(power), noise_power(np.ones((400, 8))))


def test_subtraction_gain_passes_strong_bins_and_floors_noise_only_bins():
    noise = np.array([1.0, 1.0, 1.0, 0.0])
    power = np.array([[1000.0, 1.0, 0.5, 3.0]])
    gain = subtraction_gain(power, noise)
    assert gain[0, 0] > 0.99                            # the sound dominates: kept
    assert gain[0, 1] == gain[0, 2] == GAIN_FLOOR       # noise only: down to the floor
    assert gain[0, 3] == 1.0                            # no noise at all: untouched
    assert np.all(np.diff(subtraction_gain(np.array([[1.5, 2.0, 4.0, 100.0]]),
                                           np.ones(4))[0]) > 0)


def test_clean_notes_with_rests_pass_unchanged():
    rest = np.zeros(RATE_HZ // 2)
    audio = np.concatenate((rest, tone(220.0, 1.0), rest, tone(330.0, 1.0), rest))
    cleaned = reduce_noise(audio)
    assert cleaned.shape == audio.shape
    error = np.sqrt(np.mean((cleaned - audio) ** 2) / np.mean(audio ** 2))
    assert error < 0.01


def test_stationary_noise_is_removed_and_the_note_kept():
    rng = np.random.default_rng(1)
    rest = np.zeros(RATE_HZ // 2)
    clean = np.concatenate((rest, 0.1 * tone(220.0, 1.5), rest))
    noise = 0.05 * rng.standard_normal(clean.size)
    cleaned = reduce_noise(clean + noise)
    # The noise alone (the rests) loses over half its power (measured: two thirds); the note's
    # fundamental keeps its own.
    quiet = slice(0, RATE_HZ // 2 - STFT_SAMPLES)
    assert np.mean(cleaned[quiet] ** 2) < 0.5 * np.mean(noise[quiet] ** 2)
    assert abs(power_near(cleaned, 220.0) / power_near(clean, 220.0) - 1.0) < 0.1


def test_too_short_a_signal_is_returned_as_it_is():
    audio = np.random.default_rng(2).standard_normal(STFT_SAMPLES + (MIN_STFT_FRAMES - 1) * 256)
    assert np.array_equal(reduce_noise(audio), audio)


def test_running_noise_waits_then_tracks_the_noise_of_the_last_seconds():
    from pitchlive.tracking.denoise import (HISTORY_FRAMES, LIVE_MIN_FRAMES, REFRESH_FRAMES,
                                            RunningNoise, noise_power)

    rng = np.random.default_rng(4)
    running = RunningNoise()
    hop = STFT_SAMPLES // 2
    # Updates LIVE_MIN_FRAMES, + REFRESH_FRAMES, ... re-read the estimate; the last one does.
    n_updates = LIVE_MIN_FRAMES + REFRESH_FRAMES * (HISTORY_FRAMES // REFRESH_FRAMES + 2)
    audio = 0.01 * rng.standard_normal(STFT_SAMPLES + hop * (n_updates - 1))
    ends = range(STFT_SAMPLES, audio.size + 1, hop)
    estimates = [running.update(audio[:end]) for end in ends]
    assert all(e is None for e in estimates[:LIVE_MIN_FRAMES - 1])
    assert estimates[LIVE_MIN_FRAMES - 1] is not None
    # Causal: the newest estimate is noise_power of the last HISTORY_FRAMES frames' spectra.
    window = np.sqrt(np.hanning(STFT_SAMPLES + 1)[:-1])
    frames = np.stack([audio[end - STFT_SAMPLES:end] for end in ends[-HISTORY_FRAMES:]])
    expected = noise_power(np.abs(np.fft.rfft(frames * window, axis=1)) ** 2)
    np.testing.assert_allclose(estimates[-1], expected, rtol=1e-9)
    running.reset()
    assert running.update(audio[:STFT_SAMPLES]) is None


def test_reduce_noise_with_a_given_noise_cleans_a_short_piece():
    rng = np.random.default_rng(5)
    noise = 0.05 * rng.standard_normal(RATE_HZ * 2)
    window = np.sqrt(np.hanning(STFT_SAMPLES + 1)[:-1])
    frames = np.lib.stride_tricks.sliding_window_view(noise, STFT_SAMPLES)[::512]
    estimate = noise_power(np.abs(np.fft.rfft(frames * window, axis=1)) ** 2)
    piece = (0.1 * tone(220.0, 0.1) + noise[:1600])[:1536]
    cleaned = reduce_noise(piece, estimate)
    assert cleaned.shape == piece.shape
    assert power_near(cleaned, 220.0) > 0.8 * power_near(piece, 220.0)
    assert np.mean(cleaned ** 2) < np.mean(piece ** 2)


def test_smoothing_is_a_3_by_3_mean_with_the_edges_repeated():
    from pitchlive.tracking.denoise import _smooth

    for shape in [(40, 17), (2, 3), (1, 5), (4, 513), (3, 4), (5, 2)]:
        power = np.random.default_rng(shape[0]).exponential(1.0, shape)
        padded = np.pad(power, 1, mode="edge")
        expected = sum(padded[i:i + shape[0], j:j + shape[1]] for i in range(3)
                       for j in range(3)) / 9.0
        np.testing.assert_allclose(_smooth(power), expected, rtol=1e-12)


def test_percentile_of_columns_is_numpys_linear_percentile():
    from pitchlive.tracking.denoise import _percentile_of_columns

    rng = np.random.default_rng(9)
    for rows, percentile in [(311, 10.0), (96, 10.0), (11, 10.0), (1, 10.0), (40, 0.0),
                             (40, 100.0), (57, 37.5)]:
        for dtype in (np.float32, np.float64):
            values = rng.exponential(1.0, (rows, 513)).astype(dtype)
            values[:, 7] = 2.0                                  # ties
            np.testing.assert_allclose(_percentile_of_columns(values, percentile),
                                       np.percentile(values, percentile, axis=0), rtol=1e-6)


def test_reduce_noise_on_strided_frames_is_the_first_forms_result():
    # reduce_noise's frames were once two hops concatenated; a strided view of the padded
    # signal gives the same frames, so the cleaned audio is the same to the last bit.
    from pitchlive.tracking import denoise

    rng = np.random.default_rng(4)
    audio = 0.1 * tone(196.0, 2.0) + 0.05 * rng.standard_normal(2 * RATE_HZ)
    expected = _reduce_noise_by_concatenated_hops(audio)
    assert np.array_equal(denoise.reduce_noise(audio), expected)


def _reduce_noise_by_concatenated_hops(audio: np.ndarray) -> np.ndarray:
    """reduce_noise (its own estimate) as first written: frames from np.concatenate."""
    import scipy.fft

    from pitchlive.tracking.denoise import _WINDOW32, _smooth

    hop = STFT_SAMPLES // 2
    x = np.asarray(audio, np.float64)
    n_hops = -(-(x.size + 2 * hop) // hop)
    padded = np.zeros(n_hops * hop, np.float32)
    padded[hop:hop + x.size] = x
    hops = padded.reshape(n_hops, hop)
    frames = np.concatenate((hops[:-1], hops[1:]), axis=1)
    spectrum = scipy.fft.rfft(frames * _WINDOW32, axis=1)
    raw_power = spectrum.real ** 2 + spectrum.imag ** 2
    gain = subtraction_gain(_smooth(raw_power), noise_power(raw_power))
    cleaned = scipy.fft.irfft(spectrum * gain.astype(np.float32), STFT_SAMPLES, axis=1)
    cleaned *= _WINDOW32
    out = np.zeros_like(hops)
    out[:-1] += cleaned[:, :hop]
    out[1:] += cleaned[:, hop:]
    return out.reshape(-1)[hop:hop + x.size].astype(np.float64)


def test_running_noise_is_audible_only_against_sound_less_than_about_33_db_above_it():
    from pitchlive.tracking.denoise import RunningNoise

    rng = np.random.default_rng(5)
    running = RunningNoise()
    hop = STFT_SAMPLES // 2
    noise = 0.001 * rng.standard_normal(STFT_SAMPLES + hop * MIN_STFT_FRAMES)   # -60 dBFS
    assert running.audible(noise) is None                         # no estimate yet
    for end in range(STFT_SAMPLES, noise.size + 1, hop):
        running.update(noise[:end])
    assert running.estimate is not None
    note = tone(220.0, STFT_SAMPLES / RATE_HZ)                      # ~0 dBFS: 60 dB above
    assert running.audible(note) is None
    assert running.audible(0.01 * note) is running.estimate         # 20 dB above
    assert running.audible(noise) is running.estimate               # the noise itself


def test_removed_share_is_the_share_of_each_frames_power_taken():
    before = np.array([[1.0, 1.0, 1.0, 1.0], [2.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    after = np.array([[0.5, 0.5, 0.5, 0.5], [2.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    np.testing.assert_allclose(removed_share(before, after), [0.75, 0.0, 0.0])


def test_reduce_noise_with_no_noise_gives_the_audio_back():
    # A zero noise estimate keeps every bin (gain 1): the windows' overlap-add rebuilds the
    # audio, every sample, whatever its length in hops.
    rng = np.random.default_rng(9)
    for size in (1, 511, 512, 1536, 2000):
        audio = rng.normal(0, 0.3, size)
        cleaned = reduce_noise(audio, np.zeros(STFT_SAMPLES // 2 + 1))
        assert cleaned.shape == audio.shape and cleaned.dtype == np.float64
        np.testing.assert_allclose(cleaned, audio, rtol=0, atol=1e-6)
