"""The live tracking stage (pitchlive.tracking.live): ModelFrame in, PitchFrame out."""

import math

import numpy as np
import pytest

from pitchlive.frames import HOP_S, ModelFrame, PitchTrack
from pitchlive.music import midi_to_hz
from pitchlive.settings import Settings
from pitchlive.tracking.labels import label_track
from pitchlive.tracking.live import LiveTracker

WINDOW = np.zeros(2304, np.float32)
WINDOW.flags.writeable = False
RAW = Settings(smoothing=False)


def model_frame(k: int, frequency_hz: float, confidence: float = 0.95,
                level_dbfs: float = -20.0) -> ModelFrame:
    return ModelFrame(time_s=k * HOP_S, frequency_hz=frequency_hz, confidence=confidence,
                      level_dbfs=level_dbfs, window_16k=WINDOW, centre_index=2048)


def test_a_voiced_frame_is_named_and_keeps_the_model_values():
    tracker = LiveTracker(RAW)
    frame = tracker.process(model_frame(3, midi_to_hz(69.1), 0.93, -12.5), RAW)
    assert frame.voiced and frame.midi == 69 and frame.note == "A4"
    assert frame.cents == pytest.approx(10.0, abs=1e-6)
    assert (frame.time_s, frame.confidence, frame.level_dbfs) == (3 * HOP_S, 0.93, -12.5)
    clarinet = RAW.replace(transposition="Bb", prefer_flats=True)
    assert tracker.process(model_frame(4, midi_to_hz(68.0)), clarinet).note == "Bb4"


@pytest.mark.parametrize("frequency, confidence, level", [
    (440.0, 0.5, -20.0),        # not confident
    (440.0, 0.95, -75.0),       # below the level gate
    (math.nan, 0.95, -20.0),    # no pitch
    (0.0, 0.95, -20.0),
])
def test_unvoiced_frames_carry_no_note(frequency, confidence, level):
    frame = LiveTracker(RAW).process(model_frame(0, frequency, confidence, level), RAW)
    assert not frame.voiced and frame.midi is None and frame.cents is None and frame.note is None


def test_smoothing_is_switched_by_the_settings_and_forgets_after_a_skip():
    blip = midi_to_hz(69.4)
    on = Settings(smoothing=True)
    tracker = LiveTracker(on)
    seen = [tracker.process(model_frame(k, blip if k == 5 else 440.0), on).frequency_hz
            for k in range(10)]
    assert seen[5] == pytest.approx(440.0)                  # the steady-note median hides it
    off = [LiveTracker(RAW).process(model_frame(5, blip), RAW).frequency_hz]
    assert off == [pytest.approx(blip)]
    tracker.skip()                                          # frames were lost: no history
    assert tracker.process(model_frame(20, blip), on).frequency_hz == pytest.approx(blip)


def test_the_running_offset_names_on_the_performers_grid_and_restarts():
    flat = midi_to_hz(69 - 0.3)                              # 30 cents flat A4
    settings = RAW.replace(correct_tuning_offset=True)
    tracker = LiveTracker(settings)
    frames = [tracker.process(model_frame(k, flat), settings) for k in range(40)]
    assert frames[0].tuning_offset_cents is None             # not enough frames yet
    assert frames[-1].tuning_offset_cents == pytest.approx(-30.0, abs=0.5)
    assert frames[-1].note == "A4" and abs(frames[-1].cents) < 1.0
    plain = tracker.process(model_frame(40, flat), RAW)      # correction off: the A4 grid
    assert plain.cents == pytest.approx(-30.0, abs=0.01) and plain.tuning_offset_cents is not None
    tracker.start_stream(settings)                           # a new stream: a new estimate
    assert tracker.process(model_frame(0, flat), settings).tuning_offset_cents is None
    for k in range(30):
        tracker.process(model_frame(k, flat), settings)
    moved = settings.replace(a4_hz=442.0)                    # a new A4: the old frames go
    assert tracker.process(model_frame(31, flat), moved).tuning_offset_cents is None


def test_live_frames_are_labelled_as_the_whole_track_labels_them():
    rng = np.random.default_rng(0)
    n = 300
    track = PitchTrack(np.arange(n) * HOP_S, midi_to_hz(rng.uniform(40, 90, n)),
                       rng.uniform(0.6, 1.0, n))
    level = rng.uniform(-80, -10, n)
    level[::17] = -np.inf
    for settings in (RAW, RAW.replace(transposition="Eb", prefer_flats=True, a4_hz=443.0,
                                      confidence_threshold=0.8, level_gate_dbfs=-40.0)):
        tracker = LiveTracker(settings)
        live = [tracker.process(model_frame(k, f, c, l), settings)
                for k, (f, c, l) in enumerate(zip(track.frequency_hz, track.confidence, level))]
        labels = label_track(track, settings, level)
        assert [f.voiced for f in live] == labels.voiced.tolist()
        assert 0 < labels.voiced.sum() < n
        assert [f.note for f in live] == list(labels.names)
        voiced = labels.voiced
        assert [f.midi for f in live if f.voiced] == labels.midi[voiced].astype(int).tolist()
        np.testing.assert_allclose([f.cents for f in live if f.voiced], labels.cents[voiced],
                                   atol=1e-9)


def test_the_running_offset_is_known_at_once_then_refreshed_every_few_frames():
    from pitchlive.tracking.live import OFFSET_REFRESH_FRAMES
    from pitchlive.tracking.tuning import RunningOffset

    settings = RAW.replace(correct_tuning_offset=True)
    tracker = LiveTracker(settings)
    reference = RunningOffset(a4_hz=settings.a4_hz)
    seen, truth = [], []
    for k in range(80):
        hz = midi_to_hz(69 - 0.1 - 0.004 * k)                # drifting flat, 0.4 cent a frame
        seen.append(tracker.process(model_frame(k, hz), settings).tuning_offset_cents)
        reference.push(k * HOP_S, hz, True)
        estimate = reference.current
        truth.append(estimate.offset_cents if estimate.valid else None)
    first = truth.index(next(t for t in truth if t is not None))
    assert seen[:first] == truth[:first] and seen[first] == truth[first]   # valid at once
    refreshed = [k for k in range(first + 1, 80) if seen[k] != seen[k - 1]]
    assert refreshed and all((k - first) % OFFSET_REFRESH_FRAMES == 0 for k in refreshed)
    for k in refreshed:
        assert seen[k] == truth[k]                             # a refresh is the estimate then


def test_only_a_clear_pitch_the_model_agreed_on_carries_to_the_next_frame(monkeypatch):
    import pitchlive.tracking.live as live
    from pitchlive.tracking.refine import Refinement

    seen, reads = [], iter([(220.0, 0.97), (220.0, 0.97), (660.0, 0.95), (220.0, 0.6),
                            (220.0, 0.97), (220.0, 0.97)])

    def refine(window, centre, model_hz, model_confidence, noise_power=None, previous=None):
        seen.append(previous)
        hz, clarity = next(reads)
        one = lambda v: np.array([v], np.float64)    # noqa: E731
        return Refinement(one(hz), one(0.99), one(clarity), one(model_hz),
                          one(model_confidence))

    monkeypatch.setattr(live, "refine_live_frame", refine)
    tracker = LiveTracker(RAW)
    for k, model_hz in enumerate([221.0, 221.0, 221.0, 221.0, 221.0]):
        tracker.process(model_frame(k, model_hz), RAW)
    assert seen[0] is None                          # a new stream: nothing before
    assert seen[1] == (220.0, 0.97)                 # clear, and the model said so
    assert seen[2] == (220.0, 0.97)
    assert seen[3] == (660.0, 0.0)                  # the signal overruled the model
    assert seen[4] == (220.0, 0.0)                  # not clearly periodic
    tracker.skip()
    tracker.process(model_frame(9, 221.0), RAW)
    assert seen[5] is None                          # frames were lost


def test_a_clear_pitch_whose_harmonic_the_model_named_carries(monkeypatch):
    # A low sung vowel: the model names the formant's harmonic (17x) on every frame; a frame
    # that clearly reads the note carries it. An octave (2x) is the model's own slip: not.
    import pitchlive.tracking.live as live
    from pitchlive.tracking.refine import Refinement

    seen = []

    def refine(window, centre, model_hz, model_confidence, noise_power=None, previous=None):
        seen.append(previous)
        one = lambda v: np.array([v], np.float64)    # noqa: E731
        return Refinement(one(41.2), one(0.99), one(0.97), one(model_hz), one(model_confidence))

    monkeypatch.setattr(live, "refine_live_frame", refine)
    tracker = LiveTracker(RAW)
    for k, model_hz in enumerate([700.0, 82.4, 700.0]):
        tracker.process(model_frame(k, model_hz), RAW)
    assert seen == [None, (41.2, 0.97), (41.2, 0.0)]
