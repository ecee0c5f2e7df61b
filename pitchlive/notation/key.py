"""The key of a melody: Krumhansl-Schmuckler with Temperley's profiles, and spelling in a key.

A key is its place on the line of fifths (`fifths`, as MusicXML writes it: -7 = Cb major /
Ab minor ... +7 = C# major / A# minor) and its mode. The estimate correlates the melody's
duration-weighted pitch-class histogram with the 24 rotations of a major and a minor profile
(Krumhansl & Schmuckler's method) and keeps the best.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

MODES = ("major", "minor")
# Temperley's revision of the Krumhansl-Kessler profiles ("What's key for key?", 1999), tonic
# first: fewer false minor keys on melodies than the probe-tone ratings.
MAJOR_PROFILE = np.array([5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0])
MINOR_PROFILE = np.array([5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0])
# Line-of-fifths position of each natural letter (C = 0).
LETTER_FIFTHS = {"F": -1, "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5}
LETTERS = "FCGDAEB"


class KeyNameError(ValueError):
    """A key name that cannot be read (message says what is accepted)."""


@dataclass(frozen=True)
class Key:
    """A key signature and mode: fifths in -7..7 (negative = flats), "major" or "minor"."""

    fifths: int
    mode: str = "major"
    correlation: float = float("nan")   # of the estimate; NaN when given by the user

    def __post_init__(self) -> None:
        if not -7 <= self.fifths <= 7 or self.mode not in MODES:
            raise ValueError(f"a key needs fifths in -7..7 and a mode in {MODES}, "
                             f"got {self.fifths}, {self.mode!r}")

    @property
    def tonic_fifths(self) -> int:
        """Line-of-fifths position of the tonic (the relative minor lies 3 fifths up)."""
        return self.fifths + (3 if self.mode == "minor" else 0)

    @property
    def tonic_pc(self) -> int:
        """Pitch class of the tonic, 0 = C."""
        return (7 * self.tonic_fifths) % 12

    @property
    def tonic_name(self) -> str:
        """The tonic spelled in its key, e.g. "F#", "Bb"."""
        return spelled_name(self.tonic_fifths)

    @property
    def name(self) -> str:
        """E.g. "D major", "F# minor"."""
        return f"{self.tonic_name} {self.mode}"

    def spell(self, pitch_class: int) -> str:
        """A pitch class spelled in this key: "C", "F#", "Bb" (see spell_in_key)."""
        return spelled_name(spell_in_key(pitch_class, self))

    def transposed(self, semitones: int) -> Key:
        """The key written semitones higher (a transposing instrument's written key)."""
        if semitones % 12 == 0:
            return self
        fifths = (self.fifths + 7 * semitones + 6) % 12 - 6   # -6..5: Gb rather than F#
        if self.mode == "minor" and fifths == -6:
            fifths = 6                                        # D# minor rather than Eb minor
        return Key(fifths, self.mode)


def spelled_name(fifths_position: int) -> str:
    """Name of a line-of-fifths position: 0 = C, 6 = F#, -2 = Bb, 13 = F##."""
    letter = LETTERS[(fifths_position + 1) % 7]
    alter = (fifths_position + 1) // 7
    return letter + ("#" * alter if alter > 0 else "b" * -alter)


def spell_in_key(pitch_class: int, key: Key) -> int:
    """Line-of-fifths position spelling a pitch class in a key.

    Each key names twelve consecutive positions of the line of fifths: its seven notes and the
    five chromatic notes music in it uses most. In major, the flat third, sixth and seventh and
    the sharp fourth and first (C major: Eb, Ab, Bb, F#, C#); in minor, the raised sixth and
    seventh, the sharp fourth, the flat second and the major third (A minor: F#, G#, D#, Bb, C#).
    """
    start = key.fifths - (4 if key.mode == "major" else 2)
    return start + (7 * pitch_class - start) % 12   # 7 is its own inverse mod 12


def duration_histogram(midi: np.ndarray, durations_s: np.ndarray) -> np.ndarray:
    """Total duration per pitch class, shape (12,), from notes' MIDI numbers and durations."""
    midi = np.asarray(midi, dtype=np.int64)
    weights = np.asarray(durations_s, dtype=np.float64)
    return np.bincount(midi % 12, weights=weights, minlength=12)[:12]


def key_correlations(histogram: np.ndarray, major: np.ndarray = MAJOR_PROFILE,
                     minor: np.ndarray = MINOR_PROFILE) -> np.ndarray:
    """Pearson correlation of a pitch-class histogram with each key, shape (2, 12).

    Row 0 is major, row 1 minor; column = tonic pitch class.
    """
    histogram = np.asarray(histogram, dtype=np.float64)
    out = np.zeros((2, 12))
    if np.ptp(histogram) == 0:
        return out
    for row, profile in enumerate((major, minor)):
        for tonic in range(12):
            out[row, tonic] = np.corrcoef(histogram, np.roll(profile, tonic))[0, 1]
    return out


def key_from_tonic(tonic_pc: int, mode: str) -> Key:
    """The usual signature for a tonic pitch class: fifths in -5..6 (major), -6..5 (minor)."""
    if mode == "major":
        fifths = (7 * tonic_pc + 5) % 12 - 5      # Db, Ab, Eb, Bb, F, C ... B, F#
    else:
        fifths = (7 * tonic_pc - 3 + 6) % 12 - 6  # Eb minor (-6) ... G# minor (5)
    return Key(fifths, mode)


def estimate_key(midi: np.ndarray, durations_s: np.ndarray) -> Key | None:
    """The most likely key of notes (MIDI numbers, durations in seconds); None without notes.

    Parameters
    ----------
    midi : np.ndarray of int, shape (n,)
        Concert pitches of the notes.
    durations_s : np.ndarray, shape (n,)
        Their durations: long notes weigh more than passing ones.
    """
    histogram = duration_histogram(midi, durations_s)
    if histogram.sum() <= 0 or np.count_nonzero(histogram) < 2:
        if histogram.sum() <= 0:
            return None
        return key_from_tonic(int(np.argmax(histogram)), "major")
    correlations = key_correlations(histogram)
    mode_index, tonic = np.unravel_index(int(np.argmax(correlations)), correlations.shape)
    key = key_from_tonic(int(tonic), MODES[int(mode_index)])
    return Key(key.fifths, key.mode, float(correlations[mode_index, tonic]))


_KEY_PATTERN = re.compile(r"^\s*([A-Ga-g])\s*(#{1,2}|b{1,2}|♯|♭|sharp|flat)?\s*"
                          r"(major|minor|maj|min|m|M)?\s*$")


def parse_key(text: str) -> Key:
    """A key from text such as "D major", "F# minor", "Bb", "ebm", "C# min".

    Raises KeyNameError (a ValueError) with a message that says what is accepted.
    """
    match = _KEY_PATTERN.match(text or "")
    if not match:
        raise KeyNameError(f"cannot read the key {text!r}: write a tonic A-G with an optional # or "
                        "b and major or minor, e.g. \"D major\", \"F# minor\", \"Bb major\".")
    letter, accidental, mode_text = match.groups()
    accidental = (accidental or "").replace("♯", "#").replace("♭", "b")
    accidental = {"sharp": "#", "flat": "b"}.get(accidental, accidental)
    mode = "minor" if mode_text in ("minor", "min", "m") else "major"
    tonic = LETTER_FIFTHS[letter.upper()] + 7 * (accidental.count("#") - accidental.count("b"))
    fifths = tonic - (3 if mode == "minor" else 0)
    if not -7 <= fifths <= 7:
        raise KeyNameError(f"{text.strip()} needs {abs(fifths)} "
                        f"{'sharps' if fifths > 0 else 'flats'}; a key signature has at most 7. "
                        f"Use its enharmonic twin, e.g. "
                        f"{Key(fifths - 12 if fifths > 0 else fifths + 12, mode).name}.")
    return Key(fifths, mode)
