"""The Tuner tab's data without Qt: its words, its targets from the settings, its frame feed."""

from __future__ import annotations

import math

import pytest

from pitchlive.frames import HOP_S, PitchFrame
from pitchlive.settings import Settings
from pitchlive.settings import SettingsError
from pitchlive.tuner.instruments import IN_TUNE, TUNE_DOWN, TUNE_UP
from pitchlive.ui.prefs import DisplayPrefs
from pitchlive.ui.tuner_data import (TunerFeed, cents_text, display_name, reference_midi,
                                     tuner_choice, turn_text)


def test_words():
    assert display_name("C#4") == "C♯4" and display_name("Bb2") == "B♭2"
    assert display_name("B3") == "B3"
    assert cents_text(-3.04) == "−3.0 ¢" and cents_text(0.5) == "+0.5 ¢"
    assert cents_text(-0.04) == "0.0 ¢" and cents_text(None) == ""
    assert turn_text(TUNE_UP, True).startswith("Tighten")
    assert turn_text(TUNE_DOWN, True).startswith("Loosen")
    assert turn_text(TUNE_UP, False).startswith("Tune up")
    assert turn_text(IN_TUNE, True) == "In tune" and turn_text(None, True) == ""


def test_choice_follows_settings_and_prefs():
    settings = Settings(a4_hz=442.0, transposition="Bb", prefer_flats=True)
    choice = tuner_choice(settings, DisplayPrefs(tuner_instrument="violin"))
    assert choice.strings and choice.config.a4_hz == 442.0
    assert choice.config.strings_midi == (55, 62, 69, 76)
    assert choice.string_label(3) == "String 1 · G♭5"       # E5 written for a B♭ instrument
    assert choice.string_label(0) == "String 4 · A3"
    assert choice.target_hz(69) == pytest.approx(442.0)
    chromatic = tuner_choice(Settings(), DisplayPrefs())
    assert not chromatic.strings and chromatic.config.strings_midi == ()
    custom = tuner_choice(Settings(), DisplayPrefs(tuner_instrument="custom",
                                                   tuner_strings="D2 A2 D3 F#3 A3 D4"))
    assert custom.config.strings_midi == (38, 45, 50, 54, 57, 62)
    waiting = tuner_choice(Settings(), DisplayPrefs(tuner_instrument="custom"))
    assert not waiting.strings                     # no strings typed yet: chromatic meanwhile


def test_a_stored_scala_file_that_is_gone_falls_back_to_equal(tmp_path):
    prefs = DisplayPrefs(tuner_temperament=str(tmp_path / "gone.scl"))
    choice = tuner_choice(Settings(), prefs)
    assert choice.config.tuning.name == "equal"
    assert "gone.scl" in choice.problem and "equal temperament" in choice.problem


def test_bad_tuner_prefs_are_refused():
    for bad in ({"tuner_instrument": "banjo"}, {"tuner_strings": "E2 H2"},
                {"tuner_temperament": "wonky"}, {"tuner_tonic_pc": 12},
                {"tuner_timbre": "square"}, {"tuner_reference_note": "A"}):
        with pytest.raises(SettingsError):
            DisplayPrefs(**bad)


def test_reference_midi_is_the_string_or_the_note():
    choice = tuner_choice(Settings(), DisplayPrefs(tuner_instrument="guitar"))
    assert reference_midi(choice, 0, "A4") == 40
    assert reference_midi(choice, None, "Bb3") == 58
    with pytest.raises(ValueError):
        reference_midi(choice, None, "H3")


def frame(t: float, hz: float, reading_hz: float | None = None, voiced: bool = True):
    return PitchFrame(t, hz, 0.95, -20.0, voiced, reading_hz=reading_hz)


def test_feed_reads_the_vibrato_centre_and_restarts_with_the_clock():
    feed = TunerFeed(tuner_choice(Settings(), DisplayPrefs()).config)
    # The frame's own Hz swings; the tracker's reading (the vibrato centre) is A4 exactly.
    reading = feed.feed([frame(i * HOP_S, 440.0 * 2 ** (30 * math.sin(i) / 1200), 440.0)
                         for i in range(30)])
    assert reading.target.name == "A4" and reading.cents == pytest.approx(0.0, abs=1e-6)
    assert reading.locked
    reading = feed.feed([frame(0.0, 440.0, voiced=False)])
    assert reading.cents is None and not reading.locked and reading.time_s == 0.0
