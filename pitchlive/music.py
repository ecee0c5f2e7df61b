"""Pure musical maths: Hz <-> MIDI <-> note names, cents, A4 reference and transposition.

Every function accepts scalars or numpy arrays where it makes sense and never touches audio
devices, TensorFlow or Qt.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

import numpy as np

A4_MIDI = 69
DEFAULT_A4_HZ = 440.0

SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
BLACK_KEY_PITCH_CLASSES = frozenset({1, 3, 6, 8, 10})
# A pitch axis shows at least a few notes and at most eight octaves.
MIN_SPAN_SEMITONES, MAX_SPAN_SEMITONES = 3.0, 96.0

# Written pitch = concert pitch + this many semitones (a B-flat clarinet reads a tone higher).
TRANSPOSITIONS_SEMITONES = {"C": 0, "Bb": 2, "Eb": 9, "F": 7}

_NOTE_RE = re.compile(r"^\s*([A-Ga-g])([#b♯♭]{0,2})(-?\d+)\s*$")
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


class NearestNote(NamedTuple):
    """The equal-tempered note closest to a frequency, and the deviation from it."""

    midi: int
    cents: float


def hz_to_midi(frequency_hz, a4_hz: float = DEFAULT_A4_HZ):
    """Fractional MIDI number of a frequency (NaN for non-positive or NaN input)."""
    f = np.asarray(frequency_hz, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        midi = A4_MIDI + 12.0 * np.log2(np.where(f > 0, f, np.nan) / a4_hz)
    return float(midi) if midi.ndim == 0 else midi


def midi_to_hz(midi, a4_hz: float = DEFAULT_A4_HZ):
    """Frequency in Hz of a (fractional) MIDI number."""
    m = np.asarray(midi, dtype=np.float64)
    hz = a4_hz * np.power(2.0, (m - A4_MIDI) / 12.0)
    return float(hz) if hz.ndim == 0 else hz


def cents_between(frequency_hz, reference_hz):
    """Interval from reference_hz up to frequency_hz in cents (1200 per octave)."""
    f = np.asarray(frequency_hz, dtype=np.float64)
    r = np.asarray(reference_hz, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = 1200.0 * np.log2(f / r)
    return float(c) if c.ndim == 0 else c


def nearest_note(frequency_hz: float, a4_hz: float = DEFAULT_A4_HZ,
                 offset_cents: float = 0.0) -> NearestNote | None:
    """Nearest note to a frequency and its deviation in cents (-50..+50); None if not a pitch.

    offset_cents shifts the reference grid, e.g. to follow a singer who is 30 cents flat.
    """
    midi = hz_to_midi(frequency_hz, a4_hz)
    if not math.isfinite(midi):
        return None
    midi -= offset_cents / 100.0
    rounded = int(round(midi))
    return NearestNote(rounded, (midi - rounded) * 100.0)


def nearest_notes(frequency_hz: np.ndarray, a4_hz: float = DEFAULT_A4_HZ,
                  offset_cents: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised nearest_note: (midi as float with NaN where no pitch, cents), shapes (n,)."""
    midi = np.asarray(hz_to_midi(frequency_hz, a4_hz), dtype=np.float64) - offset_cents / 100.0
    rounded = np.round(midi)
    return rounded, (midi - rounded) * 100.0


def note_name(midi: int, prefer_flats: bool = False, transpose_semitones: int = 0) -> str:
    """Scientific pitch name of a MIDI note, e.g. 69 -> 'A4', 61 -> 'C#4' or 'Db4'.

    transpose_semitones gives the written name for a transposing instrument (see
    TRANSPOSITIONS_SEMITONES); MIDI 60 is C4.
    """
    m = int(midi) + int(transpose_semitones)
    names = FLAT_NAMES if prefer_flats else SHARP_NAMES
    return f"{names[m % 12]}{m // 12 - 1}"


def parse_note_name(name: str) -> int:
    """MIDI number of a note name such as 'A4', 'C#3', 'Bb-1' or 'E♭5'; ValueError if malformed."""
    match = _NOTE_RE.match(name)
    if not match:
        raise ValueError(f"not a note name: {name!r} (expected e.g. A4, C#3, Bb2)")
    letter, accidentals, octave = match.groups()
    shift = sum(1 if a in "#♯" else -1 for a in accidentals)
    return (int(octave) + 1) * 12 + _LETTER_PC[letter.upper()] + shift


def is_black_key(midi: int, transpose_semitones: int = 0) -> bool:
    """True for the five black keys of each octave (of the written note, when transposed)."""
    return (int(midi) + int(transpose_semitones)) % 12 in BLACK_KEY_PITCH_CLASSES


def clamp_span_semitones(span_semitones: float) -> float:
    """A pitch axis height in semitones, kept within MIN_SPAN_SEMITONES..MAX_SPAN_SEMITONES."""
    return float(min(max(span_semitones, MIN_SPAN_SEMITONES), MAX_SPAN_SEMITONES))


def level_dbfs(samples: np.ndarray) -> float:
    """RMS level of a block in dB relative to full scale (-inf for digital silence)."""
    x = np.asarray(samples, dtype=np.float64)
    if x.size == 0:
        return float("-inf")
    rms = math.sqrt(float(np.mean(x * x)))
    return 20.0 * math.log10(rms) if rms > 0 else float("-inf")


def offset_reference_a4_hz(a4_hz: float, offset_cents: float | None) -> float:
    """A4 of the grid shifted by a tuning offset in cents (None or NaN: the A4 grid itself)."""
    if offset_cents is None or not math.isfinite(offset_cents):
        return a4_hz
    return a4_hz * 2.0 ** (offset_cents / 1200.0)
