"""Note naming (pitchlive.tracking.naming): grid, cents, written names, scalar and vectorised."""

import math

import numpy as np
import pytest

from pitchlive.music import midi_to_hz
from pitchlive.settings import Settings
from pitchlive.tracking.naming import (name_frequencies, name_frequency, naming_a4_hz,
                                       written_name)


def test_the_naming_a4_follows_the_offset_only_when_correcting():
    assert naming_a4_hz(Settings(a4_hz=442.0), -30.0) == 442.0
    corrected = Settings(a4_hz=442.0, correct_tuning_offset=True)
    assert naming_a4_hz(corrected, -30.0) == pytest.approx(442.0 * 2 ** (-30 / 1200))
    assert naming_a4_hz(corrected, None) == 442.0                 # offset not known yet


def test_written_names_follow_transposition_and_flats():
    assert written_name(61, Settings()) == "C#4"
    assert written_name(61, Settings(prefer_flats=True)) == "Db4"
    assert written_name(60, Settings(transposition="Bb")) == "D4"
    assert written_name(60, Settings(transposition="Eb")) == "A4"


def test_one_frequency():
    assert name_frequency(midi_to_hz(69.2), 440.0, Settings()) == (69, pytest.approx(20.0), "A4")
    assert name_frequency(math.nan, 440.0, Settings()) is None
    assert name_frequency(0.0, 440.0, Settings()) is None
    midi, cents, name = name_frequency(440.0, 415.0, Settings())  # baroque pitch: A4 reads A#4
    assert (midi, name) == (70, "A#4") and cents == pytest.approx(1.3, abs=0.1)


def test_many_frequencies_agree_with_one_at_a_time():
    rng = np.random.default_rng(1)
    frequency = midi_to_hz(rng.uniform(30, 100, 200))
    voiced = rng.random(200) > 0.3
    settings = Settings(transposition="F", prefer_flats=True)
    midi, cents, names = name_frequencies(frequency, voiced, 443.0, settings)
    assert midi.shape == cents.shape == (200,) and len(names) == 200
    for k in range(200):
        if voiced[k]:
            one = name_frequency(frequency[k], 443.0, settings)
            assert (int(midi[k]), names[k]) == (one[0], one[2])
            assert cents[k] == pytest.approx(one[1], abs=1e-9)
        else:
            assert math.isnan(midi[k]) and math.isnan(cents[k]) and names[k] is None
