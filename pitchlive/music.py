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
# A key names the sounding pitch of a written C: A clarinet (minor third down), D trumpet (tone
# up), G alto flute (fourth down); 8va sounds an octave above written (piccolo), 8vb an octave
# below (guitar, tenor voice, double bass).
TRANSPOSITIONS_SEMITONES = {"C": 0, "Bb": 2, "Eb": 9, "F": 7, "A": 3, "D": -2, "G": 5,
                            "8va": -12, "8vb": 12}
MAX_CUSTOM_TRANSPOSITION = 24     # a custom transposition is "+N" or "-N" semitones, |N| <= this
_CUSTOM_TRANSPOSITION_RE = re.compile(r"^[+-]?\d{1,2}$")

_NOTE_RE = re.compile(r"^\s*([A-Ga-g])([#b♯♭]{0,2})(-?\d+)\s*$")
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


class NearestNote(NamedTuple):
    """The equal-tempered note closest to a frequency, and the deviation from it."""

    midi: int
    cents: float


def hz_to_midi(frequency_hz, a4_hz: float = DEFAULT_A4_HZ):
    """Fractional MIDI number of a frequency.

    Parameters
    ----------
    frequency_hz : float or np.ndarray, shape (n,)
        Frequency in Hz.
    a4_hz : float
        The frequency of A4 (MIDI 69), in Hz.

    Returns
    -------
    float or np.ndarray, shape (n,)
        MIDI number (60 = C4, 1 per semitone); NaN for non-positive or NaN input.
    """
    if isinstance(frequency_hz, float):
        # One frame (the live worker names and logs ~30 a second): the same float64 steps,
        # numpy's own log2 (math.log2 differs in the last bit now and then), ~6x cheaper.
        if not frequency_hz > 0:
            return math.nan
        return A4_MIDI + 12.0 * float(np.log2(frequency_hz / a4_hz))
    f = np.asarray(frequency_hz, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        midi = A4_MIDI + 12.0 * np.log2(np.where(f > 0, f, np.nan) / a4_hz)
    return float(midi) if midi.ndim == 0 else midi


def midi_to_hz(midi, a4_hz: float = DEFAULT_A4_HZ):
    """Frequency of a (fractional) MIDI number.

    Parameters
    ----------
    midi : float or np.ndarray, shape (n,)
        MIDI number (60 = C4).
    a4_hz : float
        The frequency of A4 (MIDI 69), in Hz.

    Returns
    -------
    float or np.ndarray, shape (n,)
        Frequency in Hz.
    """
    m = np.asarray(midi, dtype=np.float64)
    hz = a4_hz * np.power(2.0, (m - A4_MIDI) / 12.0)
    return float(hz) if hz.ndim == 0 else hz


def cents_between(frequency_hz, reference_hz):
    """Interval from reference_hz up to frequency_hz.

    Parameters
    ----------
    frequency_hz, reference_hz : float or np.ndarray, broadcastable shapes
        Frequencies in Hz.

    Returns
    -------
    float or np.ndarray
        Interval in cents (1200 per octave; negative when frequency_hz is lower).
    """
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
    """Vectorised nearest_note.

    Parameters
    ----------
    frequency_hz : np.ndarray, shape (n,)
        Frequency in Hz.
    a4_hz : float
        The frequency of A4, in Hz.
    offset_cents : float
        Shift of the reference grid in cents.

    Returns
    -------
    midi : np.ndarray, shape (n,)
        Nearest MIDI note as float, NaN where there is no pitch.
    cents : np.ndarray, shape (n,)
        Deviation from it in cents, -50..+50.
    """
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


def transposition_semitones(transposition: str) -> int:
    """Semitones from concert to written pitch for a key of TRANSPOSITIONS_SEMITONES or a custom
    signed count such as '+3' or '-14'; ValueError saying what is accepted."""
    if transposition in TRANSPOSITIONS_SEMITONES:
        return TRANSPOSITIONS_SEMITONES[transposition]
    text = str(transposition).strip()
    if _CUSTOM_TRANSPOSITION_RE.match(text) and abs(int(text)) <= MAX_CUSTOM_TRANSPOSITION:
        return int(text)
    raise ValueError(f"transposition must be one of {', '.join(TRANSPOSITIONS_SEMITONES)} or a "
                     f"signed number of semitones from -{MAX_CUSTOM_TRANSPOSITION} to "
                     f"+{MAX_CUSTOM_TRANSPOSITION} (e.g. +3), got {transposition!r}")


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
    rms = math.sqrt(float(np.add.reduce(x * x, axis=None) / x.size))   # np.mean, unwrapped
    return 20.0 * math.log10(rms) if rms > 0 else float("-inf")


def offset_reference_a4_hz(a4_hz: float, offset_cents: float | None) -> float:
    """A4 of the grid shifted by a tuning offset in cents (None or NaN: the A4 grid itself)."""
    if offset_cents is None or not math.isfinite(offset_cents):
        return a4_hz
    return a4_hz * 2.0 ** (offset_cents / 1200.0)


def median_of(values) -> float:
    """Median of a few finite floats (a deque, a list), as np.median gives it, in plain Python.

    For the live worker's per-frame bookkeeping: np.median costs ~20 us a call on a few dozen
    values, sorted() about a tenth of that. Returns 0.0 for no values.
    """
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return 0.0
    mid = n // 2
    return float(ordered[mid]) if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def within_cents(frequency_hz: float, other_hz: float, cents: float) -> bool:
    """True when both are positive finite frequencies at most cents apart."""
    return (frequency_hz > 0 and other_hz > 0 and math.isfinite(frequency_hz)
            and math.isfinite(other_hz)
            and abs(1200.0 * math.log2(frequency_hz / other_hz)) <= cents)
