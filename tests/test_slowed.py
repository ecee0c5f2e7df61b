"""Slowed playback keeps the pitch, joins its pieces without clicks, and loops in place."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pedalboard")

from synth import write_wav  # noqa: E402

from pitchlive.audio.slowed import (  # noqa: E402
    check_speed,
    loop_piece,
    read_mono,
    segment,
    slowed,
    slowed_blocks,
)
from pitchlive.ui.take_playback import PlayRegion  # noqa: E402

RATE = 16000


def sine(hz: float, seconds: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def peak_hz(audio: np.ndarray, rate: int = RATE) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(audio.size)))
    return float(np.fft.rfftfreq(audio.size, 1 / rate)[np.argmax(spectrum)])


@pytest.mark.parametrize("speed", [0.5, 0.75])
def test_slower_audio_is_longer_and_keeps_its_pitch(speed):
    audio = sine(440.0, 5.0)
    out = slowed(audio, RATE, speed)
    assert out.size == pytest.approx(audio.size / speed, rel=0.01)
    middle = out[out.size // 4: 3 * out.size // 4]
    assert peak_hz(middle) == pytest.approx(440.0, abs=2.0)
    # No seam between the pieces (every 2 s of input): no step bigger than the sine's own.
    steps = np.abs(np.diff(out[RATE // 2: -RATE // 2]))
    assert steps.max() < 1.3 * np.abs(np.diff(audio)).max()
    assert np.sqrt(np.mean(middle ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.15)


def test_full_speed_is_the_audio_itself_in_pieces():
    audio = sine(220.0, 4.5)
    blocks = list(slowed_blocks(audio, RATE, 1.0))
    assert len(blocks) == 3 and np.array_equal(np.concatenate(blocks), audio)


def test_speeds_outside_half_to_full_are_refused():
    assert check_speed(0.5) == 0.5
    for bad in (0.25, 1.5, 0.0):
        with pytest.raises(ValueError, match="between 50% and 100%"):
            check_speed(bad)


def test_segments_and_whole_files(tmp_path):
    audio = sine(330.0, 2.0)
    assert segment(audio, RATE, 0.5, 1.0).size == RATE // 2
    assert segment(audio, RATE, 1.5, None).size == RATE // 2
    assert segment(audio, RATE, 3.0, 4.0).size == 0
    assert segment(audio, RATE, -1.0, 0.25).size == RATE // 4
    path = write_wav(tmp_path / "a.wav", audio, RATE)
    decoded, rate = read_mono(path)
    assert rate == RATE and decoded.size == audio.size


def test_a_looped_region_fades_at_its_edges():
    piece = loop_piece(np.ones(RATE, np.float32), RATE)
    assert piece[0] == 0.0 and piece[-1] == 0.0
    assert piece[RATE // 2] == 1.0 and piece[int(0.005 * RATE)] == 1.0
    assert loop_piece(np.ones(3, np.float32), RATE).shape == (3,)


def test_a_region_maps_time_played_to_the_files_time(tmp_path):
    region = PlayRegion(tmp_path / "x.wav", start_s=2.0, speed=0.5)
    assert region.media_s(1.0) == pytest.approx(2.5)
    looped = PlayRegion(tmp_path / "x.wav", 2.0, 3.0, loop=True, speed=0.5, out_s=2.0)
    assert looped.media_s(1.0) == pytest.approx(2.5)
    assert looped.media_s(3.0) == pytest.approx(2.5)      # second pass
