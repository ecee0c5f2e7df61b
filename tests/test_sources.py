"""open_source: the one place a source is built from the settings (window, CLI, benchmarks)."""

from pitchlive.audio.sources import FileSource, MicrophoneSource, open_source
from pitchlive.settings import Settings


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
