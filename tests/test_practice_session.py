"""A live practice run: count-in timing, frames scored after it, the end of the run."""

import pytest

from pitchlive.frames import PitchFrame
from pitchlive.practice.session import CountIn, PracticeSession
from pitchlive.practice.target import Target, TargetNote
from sung_tracks import sung_notes

TARGET = Target((TargetNote(0.0, 0.5, 60.0), TargetNote(0.5, 0.5, 62.0)), "t", "test",
                tempo_bpm=120.0)


def test_count_in_beats():
    count = CountIn(4, 0.5)
    assert count.duration_s == 2.0
    assert [count.beat_at(t) for t in (-0.1, 0.0, 0.49, 0.5, 1.99, 2.0)] == [
        None, 1, 1, 2, 4, None]


def test_frames_after_the_count_in_are_scored():
    session = PracticeSession(TARGET, count_in_beats=4, stream_start_s=1.0)
    assert session.target_start_s == 3.0
    assert session.count_in_beat(1.6) == 2 and session.count_in_beat(3.1) is None
    sung = sung_notes([(3.0, 3.5, 60.2), (3.5, 4.0, 61.9)], 6.0, envelope=False)
    for t, hz, v in zip(sung.times_s, sung.frequency_hz, sung.voiced):
        frame = PitchFrame(float(t), float(hz), 0.95 if v else 0.1, -20.0 if v else -90.0,
                           bool(v))
        session.push(frame)
    assert not session.is_over(4.9) and session.is_over(5.0)
    result = session.result()
    assert [round(s.mean_cents) for s in result.notes] == [20, -10]


def test_targets_without_tempo_and_bad_count_in():
    siren = Target((TargetNote(0.0, 2.0, 55.0, glide_to_midi=67.0),), "s", "test")
    assert PracticeSession(siren, count_in_beats=2).target_start_s == pytest.approx(60 / 90 * 2)
    with pytest.raises(ValueError, match="0-16 beats"):
        PracticeSession(TARGET, count_in_beats=20)
