"""Tuning systems as scale degrees above a tonic, and the target pitch of any note in them.

A Temperament is a list of degrees in cents above its tonic that repeats every period (1200
cents for an octave). With twelve degrees, degree k is the pitch class k semitones above the
tonic, so every MIDI note has one target; then A4 keeps the reference frequency (a4_hz), as on
every tuner that offers historical temperaments, and the other notes move around it. Scales of
another size have no note names: a note's target is the degree nearest its equal-tempered pitch,
and the tonic sits at its equal-tempered frequency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from pitchlive.music import A4_MIDI, DEFAULT_A4_HZ, cents_between, midi_to_hz, parse_note_name

TONIC_OCTAVE_MIDI = 60           # the tonic is anchored in the octave of middle C (C4 = 60)


@dataclass(frozen=True)
class Temperament:
    """A scale that repeats every period, rooted on a tonic pitch class.

    degrees_cents[k] is degree k in cents above the tonic (degree 0 is 0.0); every degree lies
    in [0, period_cents). tonic_pc is the tonic's pitch class (0 = C ... 11 = B).
    """

    name: str
    degrees_cents: tuple[float, ...]
    period_cents: float = 1200.0
    tonic_pc: int = 0

    def __post_init__(self) -> None:
        if not self.degrees_cents:
            raise ValueError(f"temperament {self.name!r} has no degrees")
        if not (math.isfinite(self.period_cents) and self.period_cents > 0):
            raise ValueError(f"temperament {self.name!r}: the period must be a positive number "
                             f"of cents, got {self.period_cents}")
        if self.degrees_cents[0] != 0.0:
            raise ValueError(f"temperament {self.name!r}: degree 0 must be 0 cents (the tonic)")
        if not all(math.isfinite(c) and 0.0 <= c < self.period_cents for c in self.degrees_cents):
            raise ValueError(f"temperament {self.name!r}: every degree must lie within one "
                             f"period (0 to {self.period_cents:g} cents)")
        if not 0 <= self.tonic_pc < 12:
            raise ValueError(f"tonic pitch class must be 0-11, got {self.tonic_pc}")

    @property
    def size(self) -> int:
        """Number of degrees per period."""
        return len(self.degrees_cents)

    @property
    def chromatic(self) -> bool:
        """True when degrees map one-to-one onto the twelve pitch classes (named notes)."""
        return self.size == 12

    @property
    def tonic_midi(self) -> int:
        """MIDI number of the tonic in the octave of middle C."""
        return TONIC_OCTAVE_MIDI + self.tonic_pc

    def on_tonic(self, tonic_pc: int) -> "Temperament":
        """The same intervals rooted on another pitch class (0 = C)."""
        return replace(self, tonic_pc=int(tonic_pc) % 12)

    def offsets_from_equal_cents(self) -> tuple[float, ...]:
        """Deviation of each degree from equal temperament, cents, shape (12,); chromatic only.

        Offsets are relative to the tonic (the tonic reads 0), as temperament tables print them.
        """
        if not self.chromatic:
            raise ValueError(f"{self.name!r} has {self.size} degrees: only a 12-degree scale has "
                             "an offset per pitch class")
        return tuple(c - 100.0 * k for k, c in enumerate(self.degrees_cents))


@dataclass(frozen=True)
class TunedNote:
    """The scale note nearest a frequency, and how far the frequency is from it."""

    midi: int               # the note it is named as (exact for chromatic scales, else nearest)
    degree: int             # scale degree, 0 = tonic
    period_index: int       # periods above the tonic's octave (negative below)
    target_hz: float        # the note's frequency in this temperament
    cents: float            # input minus target, cents (positive = sharp)


def as_pitch_hz(value) -> float | None:
    """value as a float frequency in Hz, or None when it is no pitch (None, NaN, <= 0, text)."""
    try:
        hz = float(value)
    except (TypeError, ValueError):
        return None
    return hz if math.isfinite(hz) and hz > 0 else None


def tonic_hz(temperament: Temperament, a4_hz: float = DEFAULT_A4_HZ) -> float:
    """Frequency in Hz of the tonic in the octave of middle C.

    Chromatic temperaments are placed so that A4 sounds at exactly a4_hz; other scales put the
    tonic at its equal-tempered frequency.
    """
    if not temperament.chromatic:
        return midi_to_hz(temperament.tonic_midi, a4_hz)
    return a4_hz / 2.0 ** (_chromatic_cents(temperament, A4_MIDI) / 1200.0)


def _chromatic_cents(temperament: Temperament, midi: int) -> float:
    """Cents of a MIDI note above the tonic (octave of C4) in a 12-degree temperament."""
    period_index, degree = divmod(int(midi) - temperament.tonic_midi, 12)
    return period_index * temperament.period_cents + temperament.degrees_cents[degree]


def note_target_hz(temperament: Temperament, midi: int, a4_hz: float = DEFAULT_A4_HZ) -> float:
    """Target frequency in Hz of a MIDI note (e.g. a string) in the temperament.

    For scales without twelve degrees the target is the degree nearest the note's equal-tempered
    pitch.
    """
    if temperament.chromatic:
        return tonic_hz(temperament, a4_hz) * 2.0 ** (_chromatic_cents(temperament, midi) / 1200.0)
    nearest = nearest_scale_note(temperament, midi_to_hz(midi, a4_hz), a4_hz)
    assert nearest is not None
    return nearest.target_hz


def nearest_scale_note(temperament: Temperament, frequency_hz: float,
                       a4_hz: float = DEFAULT_A4_HZ) -> TunedNote | None:
    """The temperament's note nearest a frequency and the deviation in cents; None if no pitch."""
    frequency_hz = as_pitch_hz(frequency_hz)
    if frequency_hz is None:
        return None
    base_hz = tonic_hz(temperament, a4_hz)
    above_tonic = cents_between(frequency_hz, base_hz)
    period = temperament.period_cents
    period_index = math.floor(above_tonic / period)
    within = above_tonic - period_index * period
    best = None
    for degree, degree_cents in enumerate(temperament.degrees_cents):
        for shift in (-1, 0, 1):                  # the nearest may lie across a period boundary
            distance = within - (degree_cents + shift * period)
            if best is None or abs(distance) < abs(best[0]):
                best = (distance, degree, period_index + shift)
    cents, degree, index = best
    target_hz = base_hz * 2.0 ** ((index * period + temperament.degrees_cents[degree]) / 1200.0)
    if temperament.chromatic:
        midi = temperament.tonic_midi + 12 * index + degree
    else:
        midi = int(round(A4_MIDI + 12.0 * math.log2(target_hz / a4_hz)))
    return TunedNote(midi, degree, index, target_hz, cents)


def parse_pitch_class(name: str) -> int:
    """Pitch class (0 = C) of a note name without octave, e.g. 'C', 'F#', 'Bb', 'E♭'.

    Raises ValueError with the accepted forms.
    """
    text = str(name).strip()
    try:
        if not text or text[-1].isdigit():
            raise ValueError
        return parse_note_name(text + "4") % 12
    except ValueError:
        raise ValueError(f"not a pitch class: {name!r} (expected a note name without octave, "
                         "e.g. C, F#, Bb)") from None
