"""The engine stands in for the model on held notes (pitchlive.tracking.steady) and loses nothing.

A fake model shows the saving on its own; the real SPICE model shows the frames are the same as
with the model on every window.
"""

import numpy as np
import pytest

from pitchlive.audio.sources import FileSource
from pitchlive.engine import Engine
from pitchlive.music import hz_to_midi
from pitchlive.settings import Settings
from pitchlive.tracking.live import LiveTracker
from pitchlive.tracking.steady import MODEL_EVERY_FRAMES
from synth import PROGRAM_VIOLIN, harmonic_tone, melody_notes, render_midi, write_wav
from test_engine import SlowModel


def tone_model(frequency_hz: float) -> SlowModel:
    """Says frequency_hz with confidence 0.97 on every frame, at once; counts its calls."""
    return SlowModel(0.0, frequency_hz, 0.97)


def run(path, model, settings: Settings):
    engine = Engine(settings, model, FileSource(path, realtime=False))
    frames = []
    engine.subscribe(frames.append)
    engine.start()
    assert engine.wait(60)
    engine.stop()
    return frames, engine.stats()


def test_a_held_note_runs_the_model_on_few_of_the_windows(tmp_path):
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(330.0, 2.0, 48000, amplitude=0.3),
                     48000)
    model = tone_model(331.0)
    frames, stats = run(path, model, Settings())
    held = [f for f in frames if 0.2 < f.time_s < 1.8]
    assert held and all(f.voiced and f.note == "E4" for f in held)
    assert all(abs(f.frequency_hz - 330.0) < 0.1 for f in held)
    # The warm-up calls (the window's length, an early read's) are the engine's own; then about
    # one window in MODEL_EVERY_FRAMES.
    assert stats.model_calls == model.calls - 2
    assert stats.frames_emitted == len(frames)
    assert len(frames) / MODEL_EVERY_FRAMES <= stats.model_calls
    assert stats.model_calls < (1 / MODEL_EVERY_FRAMES + 0.1) * len(frames)


def test_without_refinement_the_model_sees_every_window(tmp_path):
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(330.0, 1.0, 16000, amplitude=0.3),
                     16000)
    frames, stats = run(path, tone_model(331.0), Settings(refine=False))
    assert stats.model_calls == stats.frames_emitted == len(frames)


@pytest.mark.model
def test_standing_in_on_held_notes_changes_no_reading(spice_model, tmp_path, soundfont_path,
                                                     monkeypatch):
    notes = melody_notes([43, 55, 59, 62, 67, 71, 74, 84, 72, 69, 66, 62], note_s=0.5)
    audio = render_midi(notes, PROGRAM_VIOLIN, 44100)
    audio = audio + 0.003 * np.random.default_rng(2).standard_normal(audio.size)
    path = write_wav(tmp_path / "violin.wav", audio.astype(np.float32), 44100)
    settings = Settings(smoothing=False)
    frames, stats = run(path, spice_model, settings)
    assert stats.model_calls < 0.8 * stats.frames_emitted
    monkeypatch.setattr(LiveTracker, "model_stand_in", lambda self, *args: None)
    every, every_stats = run(path, spice_model, settings)
    assert every_stats.model_calls == every_stats.frames_emitted == len(every) == len(frames)
    voiced = np.array([f.voiced for f in frames])
    voiced_every = np.array([f.voiced for f in every])
    assert np.mean(voiced == voiced_every) >= 0.99
    both = voiced & voiced_every
    cents = 100 * np.abs(hz_to_midi(np.array([f.frequency_hz for f in frames])[both])
                         - hz_to_midi(np.array([f.frequency_hz for f in every])[both]))
    assert np.mean(cents < 1.0) >= 0.99 and np.max(cents) < 50
