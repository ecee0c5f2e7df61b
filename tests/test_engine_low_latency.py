"""Low-latency mode: the live engine keeps a frame with less audio after it, so it comes sooner."""

import numpy as np
import pytest

from pitchlive.audio.sources import FileSource
from pitchlive.audio.windows import EARLY_SAMPLES
from pitchlive.cli import build_parser, settings_from_args
from pitchlive.engine import Engine
from pitchlive.settings import LOW_LATENCY_WINDOW, Settings
from synth import harmonic_tone, write_wav
from test_engine import RAW, SlowModel


class SizedModel(SlowModel):
    """Instant, and remembers the window lengths it was called on."""

    def __init__(self) -> None:
        super().__init__(0.0)
        self.sizes: set[int] = set()

    def infer(self, audio):
        self.sizes.add(audio.size)
        return super().infer(audio)


def test_the_mode_swaps_the_live_window_and_the_cli_sets_it():
    assert Settings().live_window == (Settings().window_samples,
                                      Settings().right_context_samples)
    assert Settings(low_latency=True).live_window == LOW_LATENCY_WINDOW
    args = build_parser().parse_args(["listen", "--low-latency"])
    assert settings_from_args(args).low_latency
    assert not settings_from_args(build_parser().parse_args(["listen"])).low_latency


@pytest.mark.parametrize("low_latency", [False, True])
def test_frames_wait_only_for_the_right_context_of_the_mode(tmp_path, low_latency):
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(330.0, 1.5, 16000), 16000)
    settings = RAW.replace(low_latency=low_latency)
    model = SizedModel()
    engine = Engine(settings, model, FileSource(path, realtime=True))
    ahead = []          # input samples past each frame's centre when it is emitted
    engine.subscribe(lambda f: ahead.append(engine.input_samples - round(f.time_s * 16000)))
    engine.start()
    assert engine.wait(10)
    window, right_context = settings.live_window
    assert model.sizes == {window}
    steady = np.array(ahead[5:-5])
    assert steady.min() >= right_context
    assert np.median(steady) < right_context + 480       # within a few 10 ms blocks of it


@pytest.mark.parametrize("settings, early", [(Settings(), True), (RAW, False),
                                             (Settings(low_latency=True), False),
                                             (Settings(fast_note_changes=False), False)])
def test_the_warm_up_pays_an_early_reads_length_only_where_early_reads_can_come(
        tmp_path, settings, early):
    # A backend's first call on a new length pays its set-up (a TensorFlow trace of 0.1-0.5 s):
    # paid at the warm-up, not on the first note change that reads a frame early.
    path = write_wav(tmp_path / "short.wav", np.zeros(1600, np.float32), 16000)
    model = SizedModel()
    engine = Engine(settings, model, FileSource(path, realtime=False))
    engine.start()
    assert engine.wait(10)
    window = settings.live_window[0]
    assert model.sizes == ({window, window + EARLY_SAMPLES} if early else {window})
