"""The engine started before its model has loaded: the source runs at once, the level is told,
and the audio heard meanwhile is analysed once the model arrives (frames from the stream's start,
in order, none skipped), with the real SPICE model on files and through the software microphone.
"""

import math
import threading
import time

import numpy as np
import pytest

from pitchlive.audio.sources import FileSource, MicrophoneSource
from pitchlive.engine import Engine, core
from pitchlive.frames import HOP_S, InputLevel
from pitchlive.settings import Settings
from synth import harmonic_tone, write_wav
from test_engine import RAW, FailingModel, Recorder

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def quiet_then_tone(tmp_path_factory):
    """0.5 s of silence, then 2.5 s of a 330 Hz tone, at 48 kHz."""
    audio = np.concatenate([np.zeros(24000, np.float32), harmonic_tone(330.0, 2.5, 48000)])
    return write_wav(tmp_path_factory.mktemp("later") / "tone.wav", audio, 48000)


def run_with_model_after(settings, model, source, delay_s: float):
    """(frames and events, levels, frames emitted before the model was given) of one run."""
    engine = Engine(settings, None, source)
    rec = Recorder(engine)
    levels: list[InputLevel] = []
    engine.subscribe_levels(levels.append)
    engine.start()
    time.sleep(delay_s)
    frames_before = len(rec.frames)
    assert not engine.has_model
    engine.set_model(model)
    assert engine.wait(30)
    engine.stop()
    return engine, rec, levels, frames_before


def reference_frames(settings, model, path):
    engine = Engine(settings, model, FileSource(path, realtime=False))
    rec = Recorder(engine)
    engine.start()
    assert engine.wait(30)
    engine.stop()
    return rec.frames


def test_audio_heard_while_the_model_loads_is_analysed_once_it_is_there(spice_model,
                                                                        quiet_then_tone):
    engine, rec, levels, before = run_with_model_after(
        RAW, spice_model, FileSource(quiet_then_tone, realtime=True), delay_s=1.5)
    assert before == 0 and rec.kinds() == ["started", "stopped"]
    # Meanwhile the level: silence first, then sound above the gate, every hop, in time order.
    assert len(levels) >= 1.2 / 0.05      # one per block of input, at most one per hop
    times = np.array([lv.time_s for lv in levels])
    assert np.all(np.diff(times) > 0) and times[-1] < 1.6
    assert not any(lv.sound for lv in levels if lv.time_s < 0.4)
    loud = [lv for lv in levels if lv.time_s > 0.6]
    assert loud and all(lv.sound and -30 < lv.level_dbfs < 0 for lv in loud)
    # Then every frame from the stream's start, exactly those of the file analysed at once.
    expected = reference_frames(RAW, spice_model, quiet_then_tone)
    assert [f.time_s for f in rec.frames] == [f.time_s for f in expected]
    np.testing.assert_allclose([f.frequency_hz for f in rec.frames],
                               [f.frequency_hz for f in expected], rtol=1e-4)
    assert engine.stats().skipped_windows == 0
    voiced = [f for f in rec.frames if f.voiced and 0.7 < f.time_s < 2.8]
    assert len(voiced) > 0.9 * (2.1 / HOP_S)
    assert all(abs(1200 * math.log2(f.frequency_hz / 330.0)) < 30 for f in voiced)


def test_a_file_read_at_full_speed_waits_for_the_model(spice_model, quiet_then_tone):
    _engine, rec, _levels, before = run_with_model_after(
        RAW, spice_model, FileSource(quiet_then_tone, realtime=False), delay_s=0.5)
    assert before == 0
    expected = reference_frames(RAW, spice_model, quiet_then_tone)
    assert [f.time_s for f in rec.frames] == [f.time_s for f in expected]


def test_only_the_newest_audio_waits_for_a_slow_model(spice_model, quiet_then_tone,
                                                      monkeypatch):
    monkeypatch.setattr(core, "PENDING_AUDIO_S", 0.5)
    engine, rec, _levels, _ = run_with_model_after(
        RAW, spice_model, FileSource(quiet_then_tone, realtime=True), delay_s=1.6)
    times = np.array([f.time_s for f in rec.frames])
    # What came more than 0.5 s before the model was given up; the rest follows without gaps.
    assert 0.9 < times[0] < 1.3
    np.testing.assert_allclose(np.diff(times), HOP_S)
    assert times[-1] == pytest.approx(2.976, abs=HOP_S)
    assert engine.stats().skipped_windows == 0


def test_a_model_that_fails_when_it_arrives_stops_the_engine_with_its_message(quiet_then_tone):
    engine = Engine(RAW, None, FileSource(quiet_then_tone, realtime=True))
    rec = Recorder(engine)
    engine.start()
    engine.set_model(FailingModel(fail_after=0))
    assert engine.wait(10)
    assert rec.kinds() == ["started", "error", "stopped"]
    assert "out of memory" in rec.events[1].message and not rec.frames


@pytest.mark.audio
def test_the_microphone_is_heard_before_the_model_is_ready(fake_mic, spice_model):
    from test_engine_mic import aligned_accuracy
    from synth import PROGRAM_CLARINET, melody_notes, render_midi

    notes = melody_notes([60, 64, 67, 72, 67, 64, 60], note_s=0.4)
    audio = render_midi(notes, PROGRAM_CLARINET, 48000)
    engine = Engine(Settings(), None, MicrophoneSource(sample_rate_hz=48000))
    rec = Recorder(engine)
    levels: list[InputLevel] = []
    engine.subscribe_levels(levels.append)
    engine.start()
    # The model "finishes loading" while the melody is playing.
    timer = threading.Timer(1.6, engine.set_model, (spice_model,))
    timer.start()
    try:
        time.sleep(0.2)
        fake_mic.play(audio, 48000)
        time.sleep(0.3)
    finally:
        timer.join()
        engine.stop()
    assert any(lv.sound for lv in levels) and rec.frames[0].time_s == 0.0
    np.testing.assert_allclose(np.diff([f.time_s for f in rec.frames]), HOP_S)
    score, voiced_inside, inside, lag = aligned_accuracy(rec.frames, notes)
    assert score >= 0.9 and voiced_inside >= 0.6 * inside
    # The notes sung before the model was ready have their frames too.
    early = [f for f in rec.frames if f.voiced and f.time_s < 1.4]
    assert len(early) >= 0.5 / HOP_S
    assert engine.stats().skipped_windows == 0 and engine.stats().ring_overruns == 0
