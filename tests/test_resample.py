"""Resampling: the streaming resampler equals scipy's resample_poly whatever the block sizes."""

import numpy as np
import pytest
from scipy.signal import resample_poly

from pitchlive.audio.resample import StreamingResampler, rational_ratio, resample_to


@pytest.mark.parametrize("from_hz", [8000, 11025, 16000, 22050, 44100, 48000, 96000])
def test_random_blocks_equal_whole_signal(from_hz):
    rng = np.random.default_rng(from_hz)
    x = rng.standard_normal(from_hz + 777).astype(np.float32)
    up, down = rational_ratio(from_hz, 16000)
    whole = resample_poly(x, up, down) if up != down else x
    stream = StreamingResampler(from_hz, 16000)
    pieces, i = [], 0
    while i < x.size:
        n = int(rng.integers(1, 4000))
        pieces.append(stream.process(x[i:i + n]))
        i += n
    pieces.append(stream.flush())
    streamed = np.concatenate(pieces)
    assert streamed.shape == whole.shape
    np.testing.assert_allclose(streamed, whole, atol=2e-6)


def test_stream_lags_by_under_a_millisecond():
    stream = StreamingResampler(48000, 16000)
    out = stream.process(np.zeros(4800, np.float32))
    assert 1600 - out.size <= 16


def test_tone_keeps_its_frequency():
    rate = 44100
    t = np.arange(rate) / rate
    y = resample_to(np.sin(2 * np.pi * 440 * t), rate, 16000)
    spectrum = np.abs(np.fft.rfft(y * np.hanning(y.size)))
    assert np.argmax(spectrum) * 16000 / y.size == pytest.approx(440, abs=1.5)


def test_multichannel_whole_signal():
    x = np.random.default_rng(0).standard_normal((4800, 6)).astype(np.float32)
    y = resample_to(x, 48000, 16000)
    assert y.shape == (1600, 6) and y.dtype == np.float32


def test_ratio_and_errors():
    assert rational_ratio(44100, 16000) == (160, 441)
    with pytest.raises(ValueError):
        rational_ratio(0, 16000)
    stream = StreamingResampler(48000, 16000)
    stream.flush()
    with pytest.raises(RuntimeError):
        stream.process(np.zeros(10))
