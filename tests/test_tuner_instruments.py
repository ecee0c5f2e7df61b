"""Instrument presets, custom string lists, the nearest string and which way to turn."""

import pytest

from pitchlive.music import midi_to_hz
from pitchlive.tuner.instruments import (IN_TUNE, INSTRUMENT_NAMES, PRESETS, TUNE_DOWN, TUNE_UP,
                                         custom_instrument, nearest_string, parse_strings, preset,
                                         turn_direction)
from pitchlive.tuner.temperament import note_target_hz
from pitchlive.tuner.temperaments import temperament


@pytest.mark.parametrize("key,names", [
    ("guitar", "E2 A2 D3 G3 B3 E4"), ("guitar-drop-d", "D2 A2 D3 G3 B3 E4"),
    ("guitar-dadgad", "D2 A2 D3 G3 A3 D4"), ("guitar-open-g", "D2 G2 D3 G3 B3 D4"),
    ("bass", "E1 A1 D2 G2"), ("bass-5", "B0 E1 A1 D2 G2"), ("violin", "G3 D4 A4 E5"),
    ("viola", "C3 G3 D4 A4"), ("cello", "C2 G2 D3 A3"), ("ukulele", "G4 C4 E4 A4"),
    ("mandolin", "G3 D4 A4 E5"),
])
def test_presets_have_their_standard_strings(key, names):
    assert " ".join(preset(key).string_names()) == names


def test_every_preset_is_listed_and_custom_is_offered():
    assert set(PRESETS) | {"custom"} == set(INSTRUMENT_NAMES)
    assert preset(" Violin ").key == "violin"
    with pytest.raises(ValueError, match="unknown instrument 'banjo'; choose one of guitar"):
        preset("banjo")


def test_custom_strings_parse_with_spaces_or_commas():
    assert parse_strings("E2 A2 D3 G3 B3 E4") == (40, 45, 50, 55, 59, 64)
    assert parse_strings(" C#3,Bb2 ; e♭4 ") == (49, 46, 63)
    assert custom_instrument("D2 A2").label == "Custom: D2 A2"


@pytest.mark.parametrize("text,message", [
    ("", "no strings given"), ("E2 X2", "string 2: 'X2' is not a note name"),
    ("E A D", "string 1: 'E' is not a note name with an octave"),
    (" ".join(["E2"] * 13), "at most 12"),
])
def test_bad_string_lists_say_which_string(text, message):
    with pytest.raises(ValueError, match=message):
        parse_strings(text)


@pytest.mark.parametrize("cents,direction", [(-20, TUNE_UP), (-3, TUNE_UP), (-1.01, TUNE_UP),
                                             (-0.5, IN_TUNE), (0, IN_TUNE), (0.5, IN_TUNE),
                                             (1.0, IN_TUNE), (3, TUNE_DOWN), (20, TUNE_DOWN)])
def test_turn_direction(cents, direction):
    assert turn_direction(cents) == direction


@pytest.mark.parametrize("offset", [-20, -3, -0.5, 0, 0.5, 3, 20])
@pytest.mark.parametrize("string", range(6))
def test_nearest_guitar_string_and_direction(string, offset):
    guitar = preset("guitar").strings_midi
    reading = nearest_string(midi_to_hz(guitar[string]) * 2 ** (offset / 1200), guitar)
    assert reading.index == string and reading.midi == guitar[string]
    assert reading.cents == pytest.approx(offset, abs=1e-9)
    assert reading.direction == (TUNE_UP if offset < -1 else TUNE_DOWN if offset > 1 else IN_TUNE)


def test_far_off_strings_pick_the_nearest_in_cents():
    guitar = preset("guitar").strings_midi
    # Halfway-ish between A2 (45) and D3 (50), nearer D3.
    reading = nearest_string(midi_to_hz(47.6), guitar)
    assert reading.index == 2 and reading.cents == pytest.approx(-240.0) and \
        reading.direction == TUNE_UP


def test_string_targets_follow_the_temperament():
    werck = temperament("werckmeister3")
    guitar = preset("guitar").strings_midi
    e2 = note_target_hz(werck, 40)
    assert e2 == pytest.approx(82.5)            # a pure fourth below A2 = 110 Hz (A-E is pure)
    reading = nearest_string(e2, guitar, werck)
    assert reading.index == 0 and reading.cents == pytest.approx(0.0, abs=1e-9)
    assert nearest_string(midi_to_hz(40), guitar, werck).cents == pytest.approx(-1.955, abs=0.001)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), None])
def test_no_pitch_no_string(bad):
    assert nearest_string(bad, (40, 45)) is None
    assert nearest_string(110.0, ()) is None
