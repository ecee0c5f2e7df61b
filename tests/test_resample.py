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


@pytest.mark.parametrize("n_taps, cutoff", [(61, 1 / 3), (8821, 1 / 441), (201, 1 / 10)])
def test_lowpass_is_scipys_firwin_with_a_kaiser_window(n_taps, cutoff):
    from scipy.signal import firwin

    from pitchlive.audio.resample import lowpass_kaiser

    np.testing.assert_allclose(lowpass_kaiser(n_taps, cutoff),
                               firwin(n_taps, cutoff, window=("kaiser", 5.0)), atol=1e-15)


@pytest.mark.parametrize("up, down", [(1, 3), (160, 441), (2, 1), (3, 2), (1, 1)])
def test_polyphase_outputs_equal_scipys_upfirdn(up, down):
    from scipy.signal import upfirdn

    from pitchlive.audio.resample import polyphase_taps, upfirdn_outputs

    rng = np.random.default_rng(up * 1000 + down)
    h, x = rng.standard_normal(97), rng.standard_normal(503)
    whole = upfirdn(h, x, up, down)
    np.testing.assert_allclose(upfirdn_outputs(polyphase_taps(h, up), x, up, down, 0,
                                               whole.size - 1), whole, atol=1e-12)
    np.testing.assert_allclose(upfirdn_outputs(polyphase_taps(h, up), x, up, down, 17, 40),
                               whole[17:41], atol=1e-12)


def test_streaming_needs_no_scipy():
    # Importing scipy.signal costs ~0.9 CPU s: a third of a short live run's start-up.
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys; from pitchlive.audio.resample import StreamingResampler; "
            "import numpy as np; StreamingResampler(44100, 16000).process(np.ones(441)); "
            "print(sorted(m for m in sys.modules if m.startswith('scipy')))")
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                            text=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("up, down", [(1, 3), (2, 3), (1, 6), (4, 3), (160, 441)])
def test_strided_phases_give_the_gathered_rows_sums_bit_for_bit(up, down, monkeypatch):
    from pitchlive.audio import resample
    from pitchlive.audio.resample import polyphase_taps, upfirdn_outputs

    rng = np.random.default_rng(up + down)
    taps, x = polyphase_taps(rng.standard_normal(61), up), rng.standard_normal(1500)
    last = 1500 * up // down - 1
    for m_from, m_to in ((0, last), (17, 40), (5, 5), (3, last - 7), (9, 8)):
        monkeypatch.setattr(resample, "STRIDED_MAX_UP", 1000)
        strided = upfirdn_outputs(taps, x, up, down, m_from, m_to)
        monkeypatch.setattr(resample, "STRIDED_MAX_UP", 0)
        gathered = upfirdn_outputs(taps, x, up, down, m_from, m_to)
        assert strided.shape == gathered.shape == (max(0, m_to - m_from + 1),)
        assert np.array_equal(strided, gathered)


@pytest.mark.parametrize("up, down", [(1, 3), (2, 3), (1, 6), (4, 3), (160, 441)])
def test_stream_outputs_from_a_stretch_give_upfirdns_sums_bit_for_bit(up, down):
    """The streaming resampler's outputs read a stretch of its history in place (no padding,
    no copy): the same sums as upfirdn_outputs on the whole signal."""
    from pitchlive.audio.resample import polyphase_taps, stream_outputs, upfirdn_outputs

    rng = np.random.default_rng(up * down)
    taps, x = polyphase_taps(rng.standard_normal(61), up), rng.standard_normal(1500)
    n_taps = taps.shape[1]
    whole = upfirdn_outputs(taps, x, up, down, 0, 1500 * up // down - 1)
    padded = np.concatenate((np.zeros(n_taps - 1), x))      # the silence before the stream
    for m_from, m_to in ((0, 40), (17, 40), (5, 5), (100, 1500 * up // down - 1), (9, 8)):
        x_start = m_from * down // up - n_taps + 1 - int(rng.integers(0, 5))
        x_start = max(x_start, -(n_taps - 1))
        stretch = np.ascontiguousarray(padded[x_start + n_taps - 1:])
        got = stream_outputs(taps, stretch, x_start, up, down, m_from, m_to)
        assert np.array_equal(got, whole[m_from:m_to + 1])
