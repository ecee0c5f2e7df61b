"""Fit a target to a singer's range: the transposition (and key) that keeps every note singable."""

from __future__ import annotations

import math
from dataclasses import dataclass

from pitchlive.music import note_name
from pitchlive.practice.target import Target, TargetError, transpose_key_name


@dataclass(frozen=True)
class RangeFit:
    """A suggested transposition.

    Attributes
    ----------
    semitones : int
        Move the target by this much (positive = up); see ``target.transpose``.
    fits : bool
        True when every pitch-scored note then lies in the singer's range.
    key : str or None
        The key after transposing, when the target's key is known.
    message : str
        One sentence for the user.
    """

    semitones: int
    fits: bool
    key: str | None
    message: str


def suggest_transposition(target: Target, low_midi: float, high_midi: float) -> RangeFit:
    """The smallest transposition that puts the target inside [low_midi, high_midi].

    Whole octaves are preferred when they fit (the key stays the same), then the candidate
    nearest to no transposition. When the target's span is wider than the range, the target is
    centred in it and ``fits`` is False.

    Parameters
    ----------
    target : Target
    low_midi, high_midi : float
        The lowest and highest comfortable pitches of the singer (MIDI numbers).
    """
    if not (math.isfinite(low_midi) and math.isfinite(high_midi)) or high_midi <= low_midi:
        raise TargetError(f"the singer's range must go from a lower to a higher note, got "
                          f"{low_midi:g}-{high_midi:g}.")
    lowest, highest = target.pitch_range
    smallest, largest = math.ceil(low_midi - lowest), math.floor(high_midi - highest)
    if smallest > largest:
        shift = round((low_midi + high_midi) / 2 - (lowest + highest) / 2)
        fits = False
    else:
        octaves = [s for s in range(smallest, largest + 1) if s % 12 == 0]
        pool = octaves or list(range(smallest, largest + 1))
        shift = min(pool, key=lambda s: (abs(s), s))
        fits = True
    key = transpose_key_name(target.key, shift) if target.key else None
    span = f"{note_name(round(lowest + shift))}-{note_name(round(highest + shift))}"
    where = f" into {key}" if key and shift % 12 else ""
    if not fits:
        message = (f"{target.title} spans {highest - lowest:.0f} semitones, more than your range "
                   f"{note_name(round(low_midi))}-{note_name(round(high_midi))}; transposed by "
                   f"{shift:+d}{where} it is centred in it ({span}).")
    elif shift == 0:
        message = f"{target.title} fits your range as written ({span})."
    else:
        message = f"transpose {target.title} by {shift:+d} semitones{where} to fit ({span})."
    return RangeFit(int(shift), fits, key, message)
