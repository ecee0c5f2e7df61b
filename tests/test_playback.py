"""Player through the software microphone: what it plays is what the output device receives."""

import threading
import time

import numpy as np
import pytest

from pitchlive.audio.devices import DeviceError
from pitchlive.audio.files import AudioFileError
from pitchlive.audio.playback import Player
from pitchlive.music import hz_to_midi
from synth import harmonic_tone, write_wav

RECORD_RATE = 48000


def dominant_hz(audio: np.ndarray, rate_hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(audio.size), 8 * audio.size))
    return float(np.argmax(spectrum) * rate_hz / (8 * audio.size))


def record_while(action, seconds: float) -> np.ndarray:
    """Record the default input (the null sink's monitor) while action() runs."""
    import sounddevice as sd

    blocks = []
    # A low-latency reader, as a live microphone is: a high-latency one lets the null sink
    # render ahead, and the player's audio would then be taken faster than real time.
    with sd.InputStream(samplerate=RECORD_RATE, channels=1, dtype="float32", latency="low",
                        blocksize=480, callback=lambda data, *_: blocks.append(data[:, 0].copy())):
        time.sleep(0.2)
        action()
        time.sleep(seconds - 0.2)
    return np.concatenate(blocks)


def loud_part(audio: np.ndarray) -> np.ndarray:
    rms = np.sqrt(np.convolve(audio ** 2, np.ones(480) / 480, mode="same"))
    loud = np.flatnonzero(rms > 0.5 * rms.max())
    return audio[loud[0]:loud[-1]]


class Finished:
    def __init__(self):
        self.calls = 0
        self.event = threading.Event()

    def __call__(self):
        self.calls += 1
        self.event.set()


def test_play_array_reaches_the_output_device(fake_mic):
    player = Player()
    finished = Finished()
    player.on_finished = finished
    tone = harmonic_tone(440.0, 1.5, 44100, n_harmonics=1)
    recorded = record_while(lambda: player.play_array(tone, 44100), 2.6)
    assert finished.event.wait(3) and finished.calls == 1
    assert not player.playing and player.position_s == pytest.approx(1.5, abs=0.01)
    heard = loud_part(recorded)
    assert heard.size / RECORD_RATE == pytest.approx(1.5, abs=0.15)     # real time, once
    assert abs(hz_to_midi(dominant_hz(heard, RECORD_RATE)) - 69) < 0.1
    time.sleep(0.2)
    assert finished.calls == 1                                           # never twice


def test_play_file_streams_a_file_at_another_rate(fake_mic, tmp_path):
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(660.0, 1.2, 16000, n_harmonics=1),
                     16000)
    player = Player()
    finished = Finished()
    player.on_finished = finished
    started = []

    def play():
        player.play_file(path)
        started.append(player.playing)
    recorded = record_while(play, 2.2)
    assert started == [True]
    assert finished.event.wait(3) and not player.playing
    assert player.position_s == pytest.approx(1.2, abs=0.02)
    heard = loud_part(recorded)
    assert heard.size / RECORD_RATE == pytest.approx(1.2, abs=0.15)
    assert abs(hz_to_midi(dominant_hz(heard, RECORD_RATE)) - hz_to_midi(660.0)) < 0.1


def test_stop_ends_playback_early_and_reports_it_once(fake_mic):
    player = Player()
    finished = Finished()
    player.on_finished = finished
    player.play_array(harmonic_tone(440.0, 5.0, 44100), 44100)
    time.sleep(0.5)
    assert player.playing and 0.2 < player.position_s < 1.5
    player.stop()
    assert not player.playing and finished.calls == 1
    position = player.position_s
    time.sleep(0.3)
    assert player.position_s == position
    player.stop()                                                        # harmless again
    assert finished.calls == 1
    # A new play replaces the old one and reports its own end.
    player.play_array(harmonic_tone(440.0, 0.3, 44100), 44100)
    assert finished.event.wait(3)
    deadline = time.monotonic() + 3
    while finished.calls < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert finished.calls == 2


def test_bad_devices_and_files_are_clear_errors(fake_mic, tmp_path):
    with pytest.raises(DeviceError, match="No output device name contains 'no such speaker'"):
        Player(device="no such speaker").play_array(np.zeros(100, np.float32), 44100)
    with pytest.raises(DeviceError, match="no output device with index 999"):
        Player(device=999).play_array(np.zeros(100, np.float32), 44100)
    with pytest.raises(AudioFileError, match="no such file"):
        Player().play_file(tmp_path / "missing.wav")


def test_on_finished_may_start_the_next_playback(fake_mic):
    player = Player()
    ends = []

    def next_one():
        ends.append(time.monotonic())
        if len(ends) == 1:
            player.play_array(harmonic_tone(660.0, 0.3, 44100), 44100)
    player.on_finished = next_one
    started = time.monotonic()
    player.play_array(harmonic_tone(440.0, 0.3, 44100), 44100)
    deadline = time.monotonic() + 5
    while len(ends) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(ends) == 2 and ends[1] - started < 2.0      # no hang when chained
    assert not player.playing


def test_play_loop_drones_until_stopped_at_the_devices_rate(fake_mic):
    from pitchlive.tuner.reference_tone import drone_loop

    player = Player()
    finished = Finished()
    player.on_finished = finished
    rates = []

    def render(rate_hz):
        rates.append(rate_hz)
        return drone_loop(440.0, rate_hz, loop_s=0.25)     # many repeats in the recording

    recorded = record_while(lambda: player.play_loop(render, 44100), 1.8)
    assert player.playing and finished.calls == 0           # a drone does not run out
    player.stop()
    assert not player.playing and finished.calls == 1
    assert rates and rates[0] > 0
    heard = loud_part(recorded)
    assert heard.size / RECORD_RATE > 1.2
    assert abs(hz_to_midi(dominant_hz(heard, RECORD_RATE)) - 69) < 0.1
    with pytest.raises(ValueError, match="shape"):
        player.play_loop(lambda rate_hz: np.zeros(0, np.float32), 44100)
