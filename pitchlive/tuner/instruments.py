"""Instrument presets with their open-string targets, and which way to turn a peg.

Strings are listed as players count them on the instrument from the lowest-sounding course
(re-entrant ukulele: G4 C4 E4 A4 as strung). Each string's target frequency comes from the
chosen temperament (equal by default), so a guitar can be tuned for a meantone consort too.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pitchlive.music import DEFAULT_A4_HZ, note_name, parse_note_name
from pitchlive.tuner.temperament import Temperament, as_pitch_hz, note_target_hz
from pitchlive.tuner.temperaments import temperament

IN_TUNE_CENTS = 1.0               # |cents| at or below this reads "in tune" (the lock's band)
TUNE_UP, TUNE_DOWN, IN_TUNE = "tune up", "tune down", "in tune"
MAX_STRINGS = 12


@dataclass(frozen=True)
class Instrument:
    """A named set of open strings; strings_midi in playing order, MIDI numbers."""

    key: str
    label: str
    strings_midi: tuple[int, ...]

    def string_names(self, prefer_flats: bool = False) -> tuple[str, ...]:
        """Scientific pitch names of the strings, e.g. ('E2', 'A2', ...)."""
        return tuple(note_name(m, prefer_flats) for m in self.strings_midi)


def _preset(key: str, label: str, names: str) -> Instrument:
    return Instrument(key, label, tuple(parse_note_name(n) for n in names.split()))


PRESETS = {i.key: i for i in (
    _preset("guitar", "Guitar, standard", "E2 A2 D3 G3 B3 E4"),
    _preset("guitar-drop-d", "Guitar, drop D", "D2 A2 D3 G3 B3 E4"),
    _preset("guitar-dadgad", "Guitar, DADGAD", "D2 A2 D3 G3 A3 D4"),
    _preset("guitar-open-g", "Guitar, open G", "D2 G2 D3 G3 B3 D4"),
    _preset("bass", "Bass, 4 strings", "E1 A1 D2 G2"),
    _preset("bass-5", "Bass, 5 strings", "B0 E1 A1 D2 G2"),
    _preset("violin", "Violin", "G3 D4 A4 E5"),
    _preset("viola", "Viola", "C3 G3 D4 A4"),
    _preset("cello", "Cello", "C2 G2 D3 A3"),
    _preset("ukulele", "Ukulele (GCEA)", "G4 C4 E4 A4"),
    _preset("mandolin", "Mandolin", "G3 D4 A4 E5"),
)}
INSTRUMENT_NAMES = tuple(PRESETS) + ("custom",)


def preset(key: str) -> Instrument:
    """The preset named key; ValueError listing the presets."""
    try:
        return PRESETS[key.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown instrument {key!r}; choose one of "
                         f"{', '.join(INSTRUMENT_NAMES)}") from None


def parse_strings(text: str) -> tuple[int, ...]:
    """MIDI numbers of a string list like 'E2 A2 D3 G3 B3 E4' (spaces or commas between).

    Raises ValueError naming the first bad note, or when there are no or too many strings.
    """
    names = [n for n in re.split(r"[\s,;]+", str(text).strip()) if n]
    if not names:
        raise ValueError("no strings given: list the open strings with their octave, "
                         "e.g. \"E2 A2 D3 G3 B3 E4\"")
    if len(names) > MAX_STRINGS:
        raise ValueError(f"{len(names)} strings given; at most {MAX_STRINGS} are supported")
    strings = []
    for position, name in enumerate(names, start=1):
        try:
            strings.append(parse_note_name(name))
        except ValueError:
            raise ValueError(f"string {position}: {name!r} is not a note name with an octave "
                             "(e.g. E2, F#3, Bb1)") from None
    return tuple(strings)


def custom_instrument(text: str) -> Instrument:
    """An instrument from a user's string list (see parse_strings)."""
    strings = parse_strings(text)
    return Instrument("custom", "Custom: " + " ".join(note_name(m) for m in strings), strings)


def turn_direction(cents: float, in_tune_cents: float = IN_TUNE_CENTS) -> str:
    """Which way to turn: TUNE_UP when flat beyond the band, TUNE_DOWN when sharp, else IN_TUNE."""
    if cents < -in_tune_cents:
        return TUNE_UP
    if cents > in_tune_cents:
        return TUNE_DOWN
    return IN_TUNE


@dataclass(frozen=True)
class StringReading:
    """The string nearest a frequency and how to reach it."""

    index: int              # position in the instrument's strings_midi, 0-based
    midi: int               # the string's note
    target_hz: float        # its target in the temperament
    cents: float            # input minus target, cents (positive = sharp)
    direction: str          # TUNE_UP, TUNE_DOWN or IN_TUNE


def nearest_string(frequency_hz: float, strings_midi: tuple[int, ...],
                   tuning: Temperament | None = None, a4_hz: float = DEFAULT_A4_HZ,
                   in_tune_cents: float = IN_TUNE_CENTS) -> StringReading | None:
    """The string whose target is nearest the frequency (in cents); None for no pitch/strings."""
    frequency_hz = as_pitch_hz(frequency_hz)
    if not strings_midi or frequency_hz is None:
        return None
    tuning = tuning or temperament("equal")
    best = None
    for index, midi in enumerate(strings_midi):
        target = note_target_hz(tuning, midi, a4_hz)
        cents = 1200.0 * math.log2(frequency_hz / target)
        if best is None or abs(cents) < abs(best[3]):
            best = (index, midi, target, cents)
    index, midi, target, cents = best
    return StringReading(index, midi, target, cents, turn_direction(cents, in_tune_cents))
