"""Key estimation (Krumhansl-Schmuckler, Temperley's profiles), key names and spelling."""

import numpy as np
import pytest

from pitchlive.notation.key import (
    Key,
    KeyNameError,
    estimate_key,
    key_from_tonic,
    parse_key,
    spell_in_key,
    spelled_name,
)

MAJOR = (0, 2, 4, 5, 7, 9, 11)
HARMONIC_MINOR = (0, 2, 3, 5, 7, 8, 11)
# (scale degree 1-7, beats): a tonal tune that opens and closes on the tonic, with the leading
# note below the tonic near the end.
TUNE = ((1, 1), (2, .5), (3, .5), (1, 1), (3, 1), (4, .5), (5, 1.5), (5, .5), (6, .5), (5, .5),
        (4, .5), (3, 1), (2, 1), (7, .5), (1, 2), (5, 1), (3, 1), (1, 2))
# Ode to Joy (the demo's tune) in scale degrees: five notes, no leading note, mostly steps.
ODE = ((3, 1), (3, 1), (4, 1), (5, 1), (5, 1), (4, 1), (3, 1), (2, 1), (1, 1), (1, 1), (2, 1),
       (3, 1), (3, 1.5), (2, .5), (2, 2), (3, 1), (3, 1), (4, 1), (5, 1), (5, 1), (4, 1), (3, 1),
       (2, 1), (1, 1), (1, 1), (2, 1), (3, 1), (2, 1.5), (1, .5), (1, 2))


def tonal_melody(tonic_pc: int, mode: str, tune=TUNE, octave_midi: int = 60):
    """(MIDI, durations) of a tune in a key; the seventh degree sits below the tonic."""
    scale = MAJOR if mode == "major" else HARMONIC_MINOR
    midi = [octave_midi + tonic_pc + scale[d - 1] - (12 if d == 7 else 0) for d, _ in tune]
    return np.array(midi), np.array([b for _, b in tune]) * 0.5


@pytest.mark.parametrize("mode", ["major", "minor"])
@pytest.mark.parametrize("tonic_pc", range(12))
def test_key_of_tonal_melodies_in_every_key(tonic_pc, mode):
    key = estimate_key(*tonal_melody(tonic_pc, mode))
    assert (key.tonic_pc, key.mode) == (tonic_pc, mode), key.name
    assert key.correlation > 0.5


@pytest.mark.parametrize("name", ["D major", "G major", "Bb major", "E major", "F major"])
def test_ode_to_joy_in_major_keys(name):
    key = parse_key(name)
    midi, durations = tonal_melody(key.tonic_pc, "major", ODE, octave_midi=48)
    assert estimate_key(midi, durations).name == name


def test_durations_weigh_the_pitch_classes():
    # C E G long and A C E passing: C major; the same notes with A long and C short: A minor.
    midi = np.array([60, 64, 67, 69, 72, 76, 68, 69])
    assert estimate_key(midi, np.array([2, 1, 2, .25, .25, .25, .25, .25])).name == "C major"
    assert estimate_key(midi, np.array([.25, 1, .25, 2, .25, 1, .5, 2])).name == "A minor"


def test_no_notes_no_key_and_one_pitch_is_its_major():
    assert estimate_key(np.array([], int), np.array([])) is None
    assert estimate_key(np.array([62, 62]), np.array([1.0, 1.0])).name == "D major"


@pytest.mark.parametrize("text, fifths, mode, name", [
    ("D major", 2, "major", "D major"), ("F# minor", 3, "minor", "F# minor"),
    ("Bb", -2, "major", "Bb major"), ("ebm", -6, "minor", "Eb minor"),
    ("C# min", 4, "minor", "C# minor"), ("Gb major", -6, "major", "Gb major"),
    ("c sharp minor", 4, "minor", "C# minor"), (" A  MINOR ".lower(), 0, "minor", "A minor"),
])
def test_key_names_are_read(text, fifths, mode, name):
    key = parse_key(text)
    assert (key.fifths, key.mode, key.name) == (fifths, mode, name)


@pytest.mark.parametrize("text, words", [
    ("H major", "cannot read the key"), ("", "cannot read the key"),
    ("D dorian", "cannot read the key"), ("Fb major", "8 flats"), ("G# major", "8 sharps"),
])
def test_bad_key_names_say_what_to_write(text, words):
    with pytest.raises(KeyNameError, match=words) as error:
        parse_key(text)
    assert "major" in str(error.value)


def test_spelling_follows_the_key():
    def spelled(name, pitch_classes):
        key = parse_key(name)
        return [spelled_name(spell_in_key(pc, key)) for pc in pitch_classes]

    assert spelled("D major", [6, 1, 8, 0]) == ["F#", "C#", "G#", "C"]
    assert spelled("F major", [10, 3, 6]) == ["Bb", "Eb", "F#"]
    assert spelled("A minor", [8, 6, 3, 10]) == ["G#", "F#", "D#", "Bb"]
    assert spelled("Eb minor", [2, 0, 9, 11]) == ["D", "C", "A", "Cb"]
    assert spelled("F# major", [5]) == ["E#"]
    assert spelled("C major", list(range(12))) == [
        "C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]


def test_transposed_keys_and_usual_signatures():
    assert parse_key("C major").transposed(2).name == "D major"     # B-flat instrument
    assert parse_key("Eb major").transposed(9).name == "C major"    # E-flat alto sax
    assert parse_key("G minor").transposed(2).name == "A minor"
    assert parse_key("D major").transposed(12) == parse_key("D major")
    assert [key_from_tonic(pc, "major").fifths for pc in (1, 6, 11)] == [-5, 6, 5]
    assert key_from_tonic(3, "minor").name == "Eb minor"
    with pytest.raises(ValueError):
        Key(8, "major")
