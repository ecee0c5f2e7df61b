"""Standing in for the model on a held note (pitchlive.tracking.steady, via LiveTracker)."""

import numpy as np
import pytest

from pitchlive.frames import HOP_S, ModelFrame
from pitchlive.settings import Settings
from pitchlive.tracking import live
from pitchlive.tracking.live import LiveTracker
from pitchlive.tracking.refine import refine_live_frame
from pitchlive.tracking.steady import MODEL_EVERY_FRAMES, SteadyNote
from synth import harmonic_tone

WINDOW, CENTRE = 2304, 2048
SETTINGS = Settings(smoothing=False)


def window_at(audio: np.ndarray, k: int) -> np.ndarray:
    """The live window of frame k (ends 256 samples after the frame's centre)."""
    end = k * 512 + WINDOW
    window = np.array(audio[end - WINDOW:end], np.float32)
    window.flags.writeable = False
    return window


def run(audio: np.ndarray, n_frames: int, model_hz, model_confidence: float = 0.95,
        level_dbfs=-20.0, tracker: LiveTracker | None = None, settings: Settings = SETTINGS):
    """Frames k = 0.. n_frames - 1 as the engine runs them: the stand-in first, else the model.

    model_hz / level_dbfs: a value or a function of k. Returns (stood in per frame, frames)."""
    tracker = tracker or LiveTracker(settings)
    stood, frames = [], []
    for k in range(n_frames):
        window = window_at(audio, k)
        level = level_dbfs(k) if callable(level_dbfs) else level_dbfs
        answer = tracker.model_stand_in(window, CENTRE, level)
        if answer is None:
            hz = model_hz(k) if callable(model_hz) else model_hz
            frame = ModelFrame(k * HOP_S, hz, model_confidence, level, window, CENTRE)
        else:
            frame = ModelFrame(k * HOP_S, answer[0], answer[1], level, window, CENTRE,
                               model_ran=False)
        stood.append(answer is not None)
        frames.append(tracker.process(frame, settings))
    return stood, frames


def tone(hz: float, seconds: float = 1.0, **kwargs) -> np.ndarray:
    return harmonic_tone(hz, seconds, 16000, amplitude=0.3, **kwargs)


def test_a_held_note_asks_the_model_every_few_frames_and_reads_the_same(monkeypatch):
    audio = tone(220.0)
    searched = []
    monkeypatch.setattr(live, "refine_live_frame",
                        lambda *args, **kwargs: searched.append(1) or refine_live_frame(*args, **kwargs))
    stood, frames = run(audio, 20, 221.0)
    assert stood == [k % MODEL_EVERY_FRAMES != 0 for k in range(20)]
    # Only the first frame was searched for candidates: the others reuse the period the check
    # read, the frames the model saw too, since it agreed.
    assert len(searched) == 1
    # A model that disagrees when it is asked again gets the full search, from then on.
    searched.clear()
    n_frames = MODEL_EVERY_FRAMES + 1
    stood, _ = run(audio, n_frames, lambda k: 221.0 if k < MODEL_EVERY_FRAMES else 110.0)
    assert len(searched) == 1 + n_frames - MODEL_EVERY_FRAMES
    assert not any(stood[MODEL_EVERY_FRAMES:])
    monkeypatch.undo()
    # The frames stood in for read as the model's do: voiced, the exact pitch, the same note.
    _, asked = run(audio, 20, 221.0, tracker=_never_standing_in())
    for mine, model in zip(frames, asked):
        assert mine.voiced and model.voiced and mine.note == model.note == "A3"
        assert mine.frequency_hz == pytest.approx(model.frequency_hz, rel=1e-9)
        assert mine.frequency_hz == pytest.approx(220.0, abs=0.05)
        assert mine.confidence == pytest.approx(model.confidence, abs=0.02)


def test_an_unsure_model_on_a_clear_note_is_stood_in_for_and_voices_the_same():
    # The frame is voiced by its clarity (>= STEADY_CLARITY, the default threshold) whatever
    # the model's confidence, so the stale confidence changes no voicing.
    audio = tone(220.0)
    stood, frames = run(audio, 12, 221.0, model_confidence=0.4)
    _, asked = run(audio, 12, 221.0, model_confidence=0.4, tracker=_never_standing_in())
    assert any(stood)
    assert [f.voiced for f in frames] == [f.voiced for f in asked] == [True] * 12


def _never_standing_in() -> LiveTracker:
    tracker = LiveTracker(SETTINGS)
    tracker.model_stand_in = lambda window, centre, level: None
    return tracker


@pytest.mark.parametrize("new_hz", [220.0 * 1.5, 220.0 * 2, 220.0 * 3, 220.0 * 2 ** (1 / 12),
                                    110.0 * 1.01])
def test_a_new_note_is_always_asked_about(new_hz):
    # Frame 9's window (samples 4608..6912) holds the new note from sample 6400 on; the frame
    # the refinement reads ends at the window's end, so it is the first that may differ.
    audio = np.concatenate((tone(220.0, 0.4), tone(new_hz, 0.6)))
    without_changes = SETTINGS.replace(fast_note_changes=False)
    stood, frames = run(audio, 16, lambda k: 221.0 if k < 9 else new_hz,
                        settings=without_changes)
    changed = [k for k in range(16) if abs(frames[k].frequency_hz - 220.0) > 2.0]
    first = changed[0]
    assert not stood[first], f"frame {first} of the new note was not shown to the model"
    assert abs(frames[-1].frequency_hz - new_hz) < 0.01 * new_hz
    # With fast note changes the newest audio may show the new note on a frame stood in for
    # (tracking/note_change.py reads it without the model); the model sees the next window.
    stood, frames = run(audio, 16, lambda k: 221.0 if k < 9 else new_hz)
    changed = [k for k in range(16) if abs(frames[k].frequency_hz - 220.0) > 2.0]
    assert changed[0] <= first
    assert not stood[changed[0]] or not stood[changed[0] + 1]
    assert abs(frames[-1].frequency_hz - new_hz) < 0.01 * new_hz


def test_doubt_asks_the_model():
    audio = tone(220.0)
    # The model an octave off (the signal overruled it): its answer is not reused.
    assert not any(run(audio, 10, 110.0)[0])
    # A threshold above the clarity a held note needs: the model's own confidence must reach it.
    strict = SETTINGS.replace(confidence_threshold=0.95)
    assert not any(run(audio, 10, 221.0, model_confidence=0.93, settings=strict)[0])
    assert any(run(audio, 10, 221.0, model_confidence=0.96, settings=strict)[0])
    # A jump of level (an onset on the same note).
    stood, _ = run(audio, 10, 221.0, level_dbfs=lambda k: -20.0 if k < 5 else -10.0)
    assert stood[5] is False and stood[:5] == [k % MODEL_EVERY_FRAMES != 0 for k in range(5)]
    # Noise: no period to confirm.
    noise = (0.1 * np.random.default_rng(0).standard_normal(16000)).astype(np.float32)
    assert not any(run(noise, 10, 221.0)[0])
    # Refinement off: nothing reads the signal.
    assert not any(run(audio, 10, 221.0, settings=SETTINGS.replace(refine=False))[0])


def test_lost_frames_and_a_new_stream_forget_the_note():
    audio = tone(220.0)
    tracker = LiveTracker(SETTINGS)
    run(audio, 2, 221.0, tracker=tracker)
    window = window_at(audio, 2)
    assert tracker.model_stand_in(window, CENTRE, -20.0) is not None
    tracker.skip()
    assert tracker.model_stand_in(window, CENTRE, -20.0) is None
    run(audio, 2, 221.0, tracker=tracker)
    tracker.start_stream(SETTINGS)
    assert tracker.model_stand_in(window, CENTRE, -20.0) is None


def test_the_model_is_asked_at_least_every_n_frames():
    audio = tone(330.0)
    tracker = LiveTracker(SETTINGS)
    tracker._steady = SteadyNote(model_every_frames=5)
    stood, _ = run(audio, 15, 331.0, tracker=tracker)
    assert stood == [k % 5 != 0 for k in range(15)]


def test_the_harmonic_check_reads_the_curve_as_values_at_lags_bit_for_bit():
    from pitchlive.tracking.periodicity import values_at_lags
    from pitchlive.tracking.steady import _value_at_lag

    rng = np.random.default_rng(7)
    curve = rng.uniform(-1, 1, (1, 401))
    for lag in np.concatenate((rng.uniform(2.0, 399.0, 200), [2.0, 17.0, 398.5])):
        expected = values_at_lags(curve, np.array([[lag]]))[0, 0]
        assert _value_at_lag(curve[0], float(lag)) == expected


def test_the_noise_estimate_is_read_once_a_window(monkeypatch):
    # The stand-in and the tracker read a window with the same noise estimate: it is looked up
    # once per window (a new estimate or a new window looks again), and the frames are those of
    # a tracker that looks it up every time.
    from pitchlive.tracking.denoise import RunningNoise
    rng = np.random.default_rng(6)
    audio = np.concatenate((0.01 * rng.standard_normal(16000),
                            tone(330.0) + 0.01 * rng.standard_normal(16000))).astype(np.float32)
    looked = []
    audible = RunningNoise.audible
    monkeypatch.setattr(RunningNoise, "audible",
                        lambda self, window: looked.append(window) or audible(self, window))
    _, frames = run(audio, 50, 331.0)
    assert len(looked) == 50 and len({id(window) for window in looked}) == 50
    monkeypatch.setattr(LiveTracker, "_noise_power",
                        lambda self, window: self._noise.audible(window))
    _, again = run(audio, 50, 331.0)
    assert len(looked) > 100
    assert [f.frequency_hz for f in frames] == [f.frequency_hz for f in again]
    assert sum(f.voiced for f in frames) > 10
