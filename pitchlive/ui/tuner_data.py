"""The Tuner tab's data: what it tunes to (from the settings) and its readings, without Qt.

The view's choices live in DisplayPrefs (tuner_*), the A4, transposition and accidentals in
Settings; TunerChoice turns both into the tuner core's TunerConfig, and TunerFeed steps the core
(pitchlive.tuner.meter.step_tuner) with each live PitchFrame. The words the tab shows are here
too, so they are tested without a window.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pitchlive.frames import PitchFrame
from pitchlive.music import note_name, parse_note_name
from pitchlive.settings import Settings
from pitchlive.tracking.naming import display_note_name as display_name  # the window's one rule
from pitchlive.tuner.instruments import IN_TUNE, TUNE_DOWN, TUNE_UP, Instrument
from pitchlive.tuner.instruments import custom_instrument, preset
from pitchlive.tuner.meter import TunerConfig, TunerReading, step_tuner
from pitchlive.tuner.scala import ScalaError, read_scala, scale_to_temperament
from pitchlive.tuner.strobe import DISPLAY_BAND_HZ
from pitchlive.tuner.temperament import Temperament, note_target_hz
from pitchlive.tuner.temperaments import temperament
from pitchlive.ui.prefs import TUNER_CHROMATIC, DisplayPrefs

MINUS = "\u2212"          # a real minus sign: "−3.0", as wide as "+"


def cents_text(cents: float | None) -> str:
    """The reading to 0.1 cent with its sign, '+3.0 ¢' / '−0.5 ¢' ('0.0 ¢' in tune); '' if none."""
    if cents is None:
        return ""
    value = round(cents, 1)
    if value == 0:
        return "0.0 ¢"
    return f"{'+' if value > 0 else MINUS}{abs(value):.1f} ¢"


def turn_text(direction: str | None, strings: bool) -> str:
    """What to do: tighten / loosen a string, or play higher / lower; '' without a reading."""
    if direction == IN_TUNE:
        return "In tune"
    if direction == TUNE_UP:
        return "Tighten ↑  (flat)" if strings else "Tune up ↑  (flat)"
    if direction == TUNE_DOWN:
        return "Loosen ↓  (sharp)" if strings else "Tune down ↓  (sharp)"
    return ""


@dataclass(frozen=True)
class TunerChoice:
    """What the tab tunes to: instrument (None = chromatic), temperament and the naming."""

    instrument: Instrument | None
    config: TunerConfig
    problem: str | None = None      # why a stored choice could not be used (shown once)

    @property
    def strings(self) -> bool:
        """True when the tuner targets an instrument's strings."""
        return self.instrument is not None

    def string_label(self, index: int) -> str:
        """'String 6 · E2' for a 0-based index, counted from the highest (players' numbering)."""
        assert self.instrument is not None
        number = len(self.instrument.strings_midi) - index
        return f"String {number} · {self.written(self.instrument.strings_midi[index])}"

    def written(self, midi: int) -> str:
        """Display name of a concert-pitch note as the player reads it (transposition, ♯/♭)."""
        return display_name(note_name(midi, self.config.prefer_flats,
                                      self.config.transpose_semitones))

    def target_hz(self, midi: int) -> float:
        """A note's target in the chosen temperament and A4, Hz."""
        return note_target_hz(self.config.tuning, midi, self.config.a4_hz)


def load_temperament(spec: str, tonic_pc: int) -> Temperament:
    """A named temperament or a Scala .scl file on tonic_pc; ValueError/ScalaError saying why."""
    if spec.lower().endswith(".scl"):
        return scale_to_temperament(read_scala(Path(spec).expanduser()), tonic_pc)
    return temperament(spec, tonic_pc)


def tuner_choice(settings: Settings, prefs: DisplayPrefs,
                 tuning: Temperament | None = None) -> TunerChoice:
    """The TunerChoice for the settings; tuning overrides prefs.tuner_temperament (a loaded file).

    A stored choice that no longer works (a Scala file moved away) falls back to equal
    temperament, with the reason in .problem.
    """
    problem = None
    if tuning is None:
        try:
            tuning = load_temperament(prefs.tuner_temperament, prefs.tuner_tonic_pc)
        except (ValueError, ScalaError, OSError) as exc:
            problem = f"{exc} Using equal temperament instead."
            tuning = temperament("equal", prefs.tuner_tonic_pc)
    instrument = None
    if prefs.tuner_instrument == "custom":
        if prefs.tuner_strings:
            instrument = custom_instrument(prefs.tuner_strings)
    elif prefs.tuner_instrument != TUNER_CHROMATIC:
        instrument = preset(prefs.tuner_instrument)
    config = TunerConfig(tuning=tuning, a4_hz=settings.a4_hz,
                         strings_midi=instrument.strings_midi if instrument else (),
                         strobe_band_hz=DISPLAY_BAND_HZ, prefer_flats=settings.prefer_flats,
                         transpose_semitones=settings.transpose_semitones)
    return TunerChoice(instrument, config, problem)


def reference_midi(choice: TunerChoice, string_index: int | None, note: str) -> int:
    """The reference tone's note: the chosen string, else the note name; ValueError if bad."""
    if string_index is not None and choice.instrument is not None:
        return choice.instrument.strings_midi[string_index]
    return parse_note_name(note)


class TunerFeed:
    """Steps the tuner core with live frames; reset() when the target set or the clock changes."""

    def __init__(self, config: TunerConfig) -> None:
        self.config = config
        self.reading: TunerReading | None = None

    def reset(self, config: TunerConfig | None = None) -> None:
        """Start over (a new engine run restarts its clock), optionally with a new config."""
        if config is not None:
            self.config = config
        self.reading = None

    def feed(self, frames: list[PitchFrame]) -> TunerReading | None:
        """Step through the frames in order; the latest reading (None before any frame).

        The vibrato-centred reading_hz is used where the tracker set it, so a violinist's
        vibrato reads at its centre; unvoiced frames count as no pitch.
        """
        for frame in frames:
            if self.reading is not None and frame.time_s < self.reading.time_s:
                self.reading = None            # a new run: its clock started again at 0
            hz = None
            if frame.is_pitch:
                hz = frame.reading_hz if frame.reading_hz is not None else frame.frequency_hz
            self.reading = step_tuner(self.reading, self.config, frame.time_s, hz)
        return self.reading
