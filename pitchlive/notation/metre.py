"""The metre of a melody: its time signature and where the first downbeat falls.

Notes on strong beats tend to be long, so the accent of each grid position (a sixteenth of a
quarter-note beat) is the length of the notes starting there (to the power 1.5). Each candidate
metre has a template of metrical weights (downbeat strongest, then the half bar, beats, eighths,
as in Lerdahl & Jackendoff's metrical grid); the metre and phase whose tiled template
correlates best with the accents on the eighth grid win. The phase is the anacrusis: how many
sixteenths of the melody come before its first downbeat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

BEAT_TYPES = (2, 4, 8, 16)


class TimeSignatureError(ValueError):
    """A time signature that cannot be read or written (message says what is accepted)."""


@dataclass(frozen=True)
class TimeSignature:
    """beats / beat_type, e.g. 3/4 or 6/8."""

    beats: int = 4
    beat_type: int = 4

    def __post_init__(self) -> None:
        if self.beat_type not in BEAT_TYPES or not 1 <= self.beats <= 32:
            raise TimeSignatureError(
                f"a time signature needs 1-32 beats of 2, 4, 8 or 16, got "
                f"{self.beats}/{self.beat_type}")

    @property
    def bar_sixteenths(self) -> int:
        """Length of a bar in sixteenths."""
        return self.beats * 16 // self.beat_type

    @property
    def bar_quarters(self) -> float:
        """Length of a bar in quarter notes."""
        return self.bar_sixteenths / 4.0

    def __str__(self) -> str:
        return f"{self.beats}/{self.beat_type}"


@dataclass(frozen=True)
class Metre:
    """An estimated (or given) time signature with the melody's first downbeat."""

    time_signature: TimeSignature
    pickup_sixteenths: int = 0      # notes before the first downbeat (0: starts on beat 1)
    estimated: bool = False


def parse_time_signature(text: str) -> TimeSignature:
    """A time signature from text such as "3/4", "6/8", "4/4"; TimeSignatureError if not."""
    match = re.match(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*$", text or "")
    if not match:
        raise TimeSignatureError(f"cannot read the time signature {text!r}: write beats/beat "
                                 "type, e.g. 4/4, 3/4, 2/4 or 6/8.")
    beats, beat_type = int(match.group(1)), int(match.group(2))
    if beat_type not in BEAT_TYPES:
        raise TimeSignatureError(f"the time signature {beats}/{beat_type} has a beat type "
                                 f"of {beat_type}; use 2, 4, 8 or 16 (e.g. 3/4, 6/8).")
    if not 1 <= beats <= 32 or (beats * 16) % beat_type:
        raise TimeSignatureError(f"the time signature {beats}/{beat_type} needs 1 to 32 beats "
                                 "(e.g. 3/4, 6/8).")
    return TimeSignature(beats, beat_type)


def _template(bar: int, weights: dict[int, float], eighth: float) -> np.ndarray:
    out = np.zeros(bar)
    out[::2] = eighth
    for position, weight in weights.items():
        out[position] = weight
    return out


# (time signature, metrical weight per sixteenth of the bar, prior added to its correlation)
CANDIDATES = (
    (TimeSignature(4, 4), _template(16, {0: 1.0, 8: 0.6, 4: 0.4, 12: 0.4}, 0.15), 0.03),
    (TimeSignature(2, 4), _template(8, {0: 1.0, 4: 0.4}, 0.15), 0.0),
    (TimeSignature(3, 4), _template(12, {0: 1.0, 4: 0.4, 8: 0.4}, 0.15), 0.0),
    (TimeSignature(6, 8), _template(12, {0: 1.0, 6: 0.6}, 0.3), 0.0),
)
# Accent of a note: its length (sixteenths, at most a whole note) to this power, so a half note
# on the downbeat outweighs the two eighths after it.
DURATION_EXPONENT = 1.5
MIN_NOTES = 6   # fewer notes say too little: 4/4 from the first note
# Melodies start on a downbeat or after a short anacrusis (up to a beat); a longer one is taken
# only when the accents clearly say so. Without this, a tune whose phrases end on a half note
# on beat 3 (Ode to Joy) reads half a bar late.
LONG_PICKUP_PENALTY = 0.08


def accent_profile(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Accent per sixteenth of the score: notes starting there, weighted by length.

    Parameters
    ----------
    starts, lengths : np.ndarray of int, shape (n,)
        Note starts and lengths in sixteenths from the score's first beat.
    """
    starts = np.asarray(starts, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.float64)
    size = int(starts.max()) + 1 if starts.size else 0
    weight = np.clip(lengths, 1, 16) ** DURATION_EXPONENT
    return np.bincount(starts, weights=weight, minlength=size)


def metre_template(signature: TimeSignature) -> np.ndarray:
    """Metrical weight per sixteenth of a bar: the candidates' own, else downbeat 1, each beat
    0.4, each eighth 0.15."""
    for candidate, template, _ in CANDIDATES:
        if candidate == signature:
            return template
    bar = signature.bar_sixteenths
    beat = max(1, 16 // signature.beat_type)
    return _template(bar, {0: 1.0, **{k: 0.4 for k in range(beat, bar, beat)}}, 0.15)


def estimate_metre(starts: np.ndarray, lengths: np.ndarray,
                   signatures: tuple[TimeSignature, ...] | None = None) -> Metre:
    """Time signature and first downbeat of notes on a sixteenth grid (see module docstring).

    Parameters
    ----------
    starts, lengths : np.ndarray of int, shape (n,)
        Note starts and lengths in sixteenths from the score's first beat.
    signatures : tuple of TimeSignature, optional
        The candidates; default 4/4, 2/4, 3/4 and 6/8. With one (given by the user) only the
        pickup is estimated, and the Metre says estimated=False.

    The pickup is a whole number of eighths shorter than a bar.
    """
    starts = np.asarray(starts, dtype=np.int64)
    given = signatures is not None and len(signatures) == 1
    default = signatures[0] if signatures else TimeSignature(4, 4)
    if starts.size < MIN_NOTES:
        return Metre(default, 0, False)
    if signatures is None:
        candidates = CANDIDATES
    else:
        candidates = tuple((s, metre_template(s), 0.0) for s in signatures)
    accents = accent_profile(starts, lengths)
    best: tuple[float, TimeSignature, int] | None = None
    for signature, template, prior in candidates:
        bar = template.size
        compound = signature.beat_type == 8 and signature.beats % 3 == 0
        beat = 6 if compound else max(1, 16 // signature.beat_type)
        padded = np.concatenate([accents, np.zeros((-accents.size) % bar + bar)])
        for pickup in range(0, bar, 2):
            # Phase: the first downbeat lies `pickup` sixteenths after the score's start.
            tiled = np.resize(np.roll(template, pickup), padded.size)
            if np.ptp(padded) == 0:
                continue
            # On the eighth grid: sixteenths say little about the bar.
            correlation = float(np.corrcoef(padded[::2], tiled[::2])[0, 1]) + prior
            if pickup > beat:
                correlation -= LONG_PICKUP_PENALTY
            if best is None or correlation > best[0] + 1e-9:
                best = (correlation, signature, pickup)
    if best is None:
        return Metre(default, 0, False)
    return Metre(best[1], best[2], not given)
