"""Suggesting a transposition from a singer's range."""

import pytest

from pitchlive.practice.exercises import ExerciseSpec, build_exercise
from pitchlive.practice.range_fit import suggest_transposition
from pitchlive.practice.target import Target, TargetError, TargetNote


def melody(low, high, key="G major"):
    return Target((TargetNote(0, 1, low), TargetNote(1, 1, high)), "Tune", "test", key=key)


def test_fits_as_written():
    fit = suggest_transposition(melody(60, 72), 55, 76)
    assert (fit.semitones, fit.fits, fit.key) == (0, True, "G major")
    assert "as written" in fit.message


def test_prefers_whole_octave_for_low_voice():
    fit = suggest_transposition(melody(67, 79), 48, 67)
    assert (fit.semitones, fit.fits, fit.key) == (-12, True, "G major")


def test_smallest_shift_when_no_octave_fits():
    fit = suggest_transposition(melody(62, 70), 55, 65)
    assert (fit.semitones, fit.fits) == (-5, True)
    assert fit.key == "D major" and "-5" in fit.message and "D major" in fit.message


def test_too_wide_is_centred_and_says_so():
    fit = suggest_transposition(melody(55, 80), 57, 72)
    assert not fit.fits
    assert fit.semitones == round((57 + 72) / 2 - (55 + 80) / 2)
    assert "more than your range" in fit.message


def test_exercise_key_follows_and_bad_range_rejected():
    scale = build_exercise(ExerciseSpec("scale", "C", "major", 80, "C4", "C5"))
    fit = suggest_transposition(scale, 64, 76)
    assert fit.fits and fit.semitones == 4 and fit.key == "E major"
    with pytest.raises(TargetError, match="lower to a higher"):
        suggest_transposition(scale, 70, 60)
