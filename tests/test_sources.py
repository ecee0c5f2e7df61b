"""open_source: the one place a source is built from the settings (window, CLI, benchmarks)."""

import threading
import time

import numpy as np

from pitchlive.audio.capture import CaptureSink
from pitchlive.audio.sources import FileSource, MicrophoneSource, open_source
from pitchlive.settings import Settings
from synth import write_wav


def test_open_source_builds_what_the_settings_describe():
    source = open_source(Settings(device="fake", channel=1))
    assert isinstance(source, MicrophoneSource)
    assert source.device == "fake" and source.channel == 1 and source.realtime
    source = open_source(Settings(), input_path="x.wav", realtime=False)
    assert isinstance(source, FileSource) and not source.realtime


def test_open_source_passes_play_and_the_requested_rate():
    source = open_source(Settings(channel=0), input_path="x.wav", play=True)
    assert isinstance(source, FileSource) and source.play and source.realtime
    assert source.channel == 0
    source = open_source(Settings(), sample_rate_hz=48000.0)
    assert source.requested_rate_hz == 48000.0


def test_a_played_file_is_analysed_exactly_as_it_is_heard_and_ends(fake_mic, tmp_path):
    # The output callback hands the analysis the very samples it plays: all of them, in order,
    # without gaps, at real-time pace; the end of the file ends the stream.
    rate = 48000
    audio = np.random.default_rng(3).uniform(-0.5, 0.5, int(1.2 * rate)).astype(np.float32)
    source = FileSource(write_wav(tmp_path / "noise.wav", audio, rate), play=True)
    sink = CaptureSink()
    source.open()
    started = time.monotonic()
    source.start(sink)
    try:
        deadline = started + 10.0
        while not sink.end_of_stream and sink.failure is None and time.monotonic() < deadline:
            time.sleep(0.02)
        elapsed = time.monotonic() - started
    finally:
        source.close()
    assert sink.failure is None and sink.end_of_stream
    assert sink.end_reason == "end of noise.wav"
    assert elapsed > 0.9                                  # played, not dumped
    np.testing.assert_array_equal(sink.ring.read(0, sink.ring.written_samples), audio)
    assert not any(t.name == "pitchlive-file" and t.is_alive() for t in threading.enumerate())
