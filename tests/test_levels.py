"""Frame levels (pitchlive.audio.levels): one definition for live windows and whole files."""

import numpy as np
import pytest

from pitchlive.audio.levels import (
    LEVEL_SPAN_SAMPLES,
    FrameLevels,
    fit_to_frames,
    frame_levels_dbfs,
    mean_square_envelope,
)
from pitchlive.audio.windows import SlidingWindows
from pitchlive.music import level_dbfs


def signal(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    audio = rng.normal(0, 0.1, n).astype(np.float32)
    audio[n // 3:n // 2] = 0.0                     # a silent stretch
    audio[n // 2:] *= np.linspace(1.0, 0.001, n - n // 2).astype(np.float32)
    return audio


def test_each_frame_is_the_rms_around_its_centre():
    audio = signal(16000 + 123)
    levels = frame_levels_dbfs(audio)
    assert levels.shape == (audio.size // 512 + 1,)
    padded = np.concatenate((np.zeros(512, np.float32), audio, np.zeros(1024, np.float32)))
    for k in range(levels.size):
        expected = level_dbfs(padded[k * 512:k * 512 + LEVEL_SPAN_SAMPLES])
        assert levels[k] == pytest.approx(expected, abs=1e-6) or levels[k] == expected
    assert np.isneginf(levels).any()                # the silent stretch reads -inf, like live


def test_streaming_gives_the_same_values_however_the_signal_is_cut():
    audio = signal(40000, seed=1)
    whole = mean_square_envelope(audio, 512, LEVEL_SPAN_SAMPLES)
    rng = np.random.default_rng(2)
    for _ in range(5):
        cuts = np.sort(rng.integers(0, audio.size, 12))
        levels = FrameLevels()
        parts = [levels.push(piece) for piece in np.split(audio, cuts)]
        parts.append(levels.finish())
        np.testing.assert_array_equal(np.concatenate(parts), whole)


def test_other_spans_and_bad_spans():
    audio = signal(5000, seed=3)
    envelope = mean_square_envelope(audio, 128, 512)
    assert envelope.shape == (5000 // 128 + 1,)
    padded = np.concatenate((np.zeros(256, np.float32), audio, np.zeros(512, np.float32)))
    assert envelope[7] == pytest.approx(np.mean(padded[7 * 128:7 * 128 + 512] ** 2.0), rel=1e-6)
    with pytest.raises(ValueError, match="even multiple"):
        FrameLevels(512, 768)


def test_live_windows_measure_the_same_level_as_whole_files():
    audio = signal(20000, seed=4)
    windows = SlidingWindows()
    windows.push(audio)
    windows.finish()

    def model(window):
        n = window.size // 512 + 1
        return np.zeros(n), np.zeros(n)

    # With half a span (or more) of audio after the centre, the live level is the file's.
    live = [r.level_dbfs for r in windows.due(model, 2048, 512)]
    whole = frame_levels_dbfs(audio)
    np.testing.assert_allclose(live, whole, atol=1e-6)


def test_fit_to_frames():
    levels = np.array([-10.0, -20.0, -30.0])
    assert fit_to_frames(levels, 2).tolist() == [-10.0, -20.0]
    assert fit_to_frames(levels, 4).tolist() == [-10.0, -20.0, -30.0, -np.inf]
