"""Built-in exercises: pitches, timing, sirens as glides, and clear errors."""

import pytest

from pitchlive.practice.exercises import ExerciseSpec, build_exercise
from pitchlive.practice.target import TargetError


def midis(target):
    return [int(n.midi) for n in target.notes]


def test_major_scale_up_and_down_from_lowest_tonic_in_range():
    target = build_exercise(ExerciseSpec("scale", "D", "major", 120, "A3", "E5"))
    assert midis(target) == [62, 64, 66, 67, 69, 71, 73, 74, 73, 71, 69, 67, 66, 64, 62]
    assert [n.onset_s for n in target.notes[:3]] == [0.0, 0.5, 1.0]
    assert target.notes[0].duration_s == pytest.approx(0.45)
    assert target.notes[-1].duration_s == pytest.approx(0.9)   # the last note is held
    assert target.key == "D major" and target.tempo_bpm == 120


def test_minor_scale_arpeggio_intervals_sustained():
    assert midis(build_exercise(ExerciseSpec("scale", "A", "minor", 90, 57, 69)))[:8] == [
        57, 59, 60, 62, 64, 65, 67, 69]
    assert midis(build_exercise(ExerciseSpec("arpeggio", "C", "major", 90, "C4", "C5"))) == [
        60, 64, 67, 72, 67, 64, 60]
    intervals = midis(build_exercise(ExerciseSpec("intervals", "C", "major", 90, "C4", "C5")))
    assert intervals[:4] == [60, 62, 60, 64] and intervals[-3:] == [60, 72, 60]
    sustained = build_exercise(ExerciseSpec("sustained", "Bb", "major", 60, "A3", "F4"))
    assert midis(sustained) == [58, 62, 65]
    assert [n.duration_s for n in sustained.notes] == pytest.approx([3.6] * 3)
    assert sustained.key == "Bb major"


def test_siren_glides_over_the_range():
    target = build_exercise(ExerciseSpec("siren", "C", "major", 60, "G3", "G4"))
    up, down = target.notes
    assert (up.midi, up.glide_to_midi, down.midi, down.glide_to_midi) == (55, 67, 67, 55)
    assert up.midi_at([up.onset_s + up.duration_s / 2])[0] == pytest.approx(61)
    assert target.pitch_range == (55, 67)


@pytest.mark.parametrize("spec, message", [
    (ExerciseSpec("scale", "D", "major", 80, "A3", "C5"), "needs the notes D4-D5"),
    (ExerciseSpec("yodel"), "unknown exercise"),
    (ExerciseSpec(mode="dorian"), "major or minor"),
    (ExerciseSpec(tempo_bpm=5), "tempo must be"),
    (ExerciseSpec(low="C5", high="C4"), "must be above"),
    (ExerciseSpec(low="X9"), "not a note name"),
    (ExerciseSpec(high="C9"), "outside C1-C8"),
    (ExerciseSpec(key="H"), "not a key"),
])
def test_invalid_specs(spec, message):
    with pytest.raises(TargetError, match=message):
        build_exercise(spec)
