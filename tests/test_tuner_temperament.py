"""Targets and nearest notes in a temperament: A4 kept, tonic respected, any scale size."""

import math

import pytest

from pitchlive.music import midi_to_hz, parse_note_name
from pitchlive.tuner.temperament import (Temperament, nearest_scale_note, note_target_hz,
                                         parse_pitch_class, tonic_hz)
from pitchlive.tuner.temperaments import temperament


def cents(a, b):
    return 1200 * math.log2(a / b)


def test_equal_temperament_targets_are_the_usual_frequencies():
    equal = temperament("equal")
    for midi in (28, 40, 57, 60, 69, 88, 100):
        assert note_target_hz(equal, midi, 442.0) == pytest.approx(midi_to_hz(midi, 442.0))


@pytest.mark.parametrize("name", ["just", "pythagorean", "meantone", "werckmeister3",
                                  "kirnberger3", "vallotti"])
@pytest.mark.parametrize("tonic", [0, 2, 7, 9, 10])
def test_a4_keeps_the_reference_in_every_temperament_and_tonic(name, tonic):
    t = temperament(name, tonic)
    assert note_target_hz(t, 69, 440.0) == pytest.approx(440.0)
    assert note_target_hz(t, 69, 415.0) == pytest.approx(415.0)
    assert note_target_hz(t, 57, 440.0) == pytest.approx(220.0)    # octaves stay pure


def test_just_intonation_on_d_makes_f_sharp_a_pure_third_above_d():
    on_d = temperament("just", parse_pitch_class("D"))
    d4, fs4, a4 = (note_target_hz(on_d, parse_note_name(n)) for n in ("D4", "F#4", "A4"))
    assert cents(fs4, d4) == pytest.approx(386.31, abs=0.01)
    assert cents(a4, d4) == pytest.approx(701.955, abs=0.001)
    assert a4 == pytest.approx(440.0)
    on_c = temperament("just")
    assert cents(note_target_hz(on_c, 64), note_target_hz(on_c, 60)) == \
        pytest.approx(386.31, abs=0.01)


def test_meantone_targets_relative_to_a():
    meantone = temperament("meantone")
    # C4 lies 889.735 cents below A4 in quarter-comma meantone.
    assert cents(440.0, note_target_hz(meantone, 60)) == pytest.approx(889.735, abs=0.001)
    assert cents(note_target_hz(meantone, 64), note_target_hz(meantone, 60)) == \
        pytest.approx(386.314, abs=0.001)


def test_nearest_note_and_deviation_in_a_temperament():
    werck = temperament("werckmeister3")
    e4 = note_target_hz(werck, 64)
    note = nearest_scale_note(werck, e4 * 2 ** (3.5 / 1200))
    assert (note.midi, note.degree, note.period_index) == (64, 4, 0)
    assert note.cents == pytest.approx(3.5) and note.target_hz == pytest.approx(e4)
    # An equal-tempered E4 reads 1.96 cents flat in Werckmeister III (A4 = 440).
    assert nearest_scale_note(werck, midi_to_hz(64)).cents == pytest.approx(-1.955, abs=0.001)
    low = nearest_scale_note(werck, note_target_hz(werck, 40) * 2 ** (-20 / 1200))
    assert low.midi == 40 and low.period_index == -2 and low.cents == pytest.approx(-20.0)


def test_nearest_across_the_octave_boundary():
    equal = temperament("equal")
    below_c5 = nearest_scale_note(equal, midi_to_hz(71.8))      # B4 + 80 c: nearest is C5
    assert below_c5.midi == 72 and below_c5.cents == pytest.approx(-20.0)


@pytest.mark.parametrize("bad", [0.0, -3.0, float("nan"), float("inf"), None, "x"])
def test_no_pitch_has_no_nearest_note(bad):
    assert nearest_scale_note(temperament("equal"), bad) is None


def test_scales_of_other_sizes_use_the_nearest_degree():
    edo19 = Temperament("19-EDO", tuple(1200.0 * k / 19 for k in range(19)))
    assert not edo19.chromatic
    assert tonic_hz(edo19) == pytest.approx(midi_to_hz(60))
    note = nearest_scale_note(edo19, midi_to_hz(60) * 2 ** ((5 * 1200 / 19 + 4) / 1200))
    assert note.degree == 5 and note.cents == pytest.approx(4.0)
    # E4 (400 c above C4) snaps to degree 6 (378.9 c), the nearest of 19-EDO.
    assert cents(note_target_hz(edo19, 64), midi_to_hz(60)) == pytest.approx(6 * 1200 / 19)
    with pytest.raises(ValueError, match="only a 12-degree scale"):
        edo19.offsets_from_equal_cents()


def test_invalid_temperaments_are_rejected():
    with pytest.raises(ValueError, match="no degrees"):
        Temperament("x", ())
    with pytest.raises(ValueError, match="degree 0 must be 0"):
        Temperament("x", (5.0, 100.0))
    with pytest.raises(ValueError, match="within one period"):
        Temperament("x", (0.0, 1300.0))
    with pytest.raises(ValueError, match="period must be a positive"):
        Temperament("x", (0.0,), period_cents=0.0)


@pytest.mark.parametrize("name,pc", [("C", 0), ("F#", 6), ("Bb", 10), ("e♭", 3), (" B ", 11)])
def test_pitch_classes(name, pc):
    assert parse_pitch_class(name) == pc


@pytest.mark.parametrize("bad", ["H", "C4", "", "Cx", "#"])
def test_bad_pitch_classes(bad):
    with pytest.raises(ValueError, match="not a pitch class"):
        parse_pitch_class(bad)
