"""A global time offset between a take and its target: the shift that lines up the most voice.

The score of a shift is the number of voiced frames whose pitch class is within half a
semitone of the target note sounding at that moment (octave-blind, so a man singing a melody
written an octave higher aligns too). The best shift is searched on the frame grid, then on a
fine grid around it; of equally good shifts the middle of the plateau is taken.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from pitchlive.frames import HOP_S
from pitchlive.music import DEFAULT_A4_HZ
from pitchlive.practice.sung import SungPitch
from pitchlive.practice.target import Target

DEFAULT_MAX_OFFSET_S = 2.0
FINE_STEP_S = 0.002
MATCH_CENTS = 50.0
MIN_MATCH_SHARE = 0.2     # below this share of the target's frames matched, alignment is a guess


class Alignment(NamedTuple):
    """offset_s: add to target times (+ = the take is late); match_share: 0-1 of the target's
    pitched time matched at that offset; reliable: match_share reached MIN_MATCH_SHARE."""

    offset_s: float
    match_share: float
    reliable: bool


def target_pitch_at(target: Target, times_s: np.ndarray) -> np.ndarray:
    """MIDI pitch of the pitch-scored target note sounding at each time, NaN where none.

    Parameters
    ----------
    times_s : ndarray, shape (n,)

    Returns
    -------
    ndarray, shape (n,)
    """
    times_s = np.asarray(times_s, float)
    notes = [n for n in target.notes if n.pitch_scored]
    result = np.full(times_s.shape, np.nan)
    if not notes:
        return result
    onsets = np.array([n.onset_s for n in notes])
    index = np.searchsorted(onsets, times_s, side="right") - 1
    valid = index >= 0
    ends = np.array([n.end_s for n in notes])
    valid[valid] &= times_s[valid] < ends[index[valid]]
    result[valid] = np.array([n.midi for n in notes])[index[valid]]
    for i in np.unique(index[valid]):
        if notes[i].glide_to_midi is not None:
            sel = valid & (index == i)
            result[sel] = notes[i].midi_at(times_s[sel])
    return result


def _matches(target: Target, times_s: np.ndarray, sung_midi: np.ndarray, offset_s: float) -> int:
    expected = target_pitch_at(target, times_s - offset_s)
    distance = np.abs(((sung_midi - expected) * 100.0 + 600.0) % 1200.0 - 600.0)
    return int(np.count_nonzero(distance <= MATCH_CENTS))


def _best(scores: np.ndarray, offsets: np.ndarray) -> float:
    """Middle of the widest-scoring plateau nearest to zero."""
    best = np.flatnonzero(scores == scores.max())
    runs = np.split(best, np.flatnonzero(np.diff(best) > 1) + 1)
    run = min(runs, key=lambda r: abs(offsets[r].mean()))
    return float(offsets[run].mean())


def find_time_offset(target: Target, sung: SungPitch, max_offset_s: float = DEFAULT_MAX_OFFSET_S,
                     a4_hz: float = DEFAULT_A4_HZ) -> Alignment:
    """The global shift of the target that best matches the take, within ±max_offset_s."""
    times = np.asarray(sung.times_s, float)
    midi = sung.midi(a4_hz)
    voiced = np.isfinite(midi)
    times, midi = times[voiced], midi[voiced]
    coarse = np.arange(-max_offset_s, max_offset_s + HOP_S / 2, HOP_S / 2)
    coarse_scores = np.array([_matches(target, times, midi, o) for o in coarse])
    centre = _best(coarse_scores, coarse)
    fine = np.arange(centre - HOP_S, centre + HOP_S + FINE_STEP_S / 2, FINE_STEP_S)
    fine_scores = np.array([_matches(target, times, midi, o) for o in fine])
    offset = _best(fine_scores, fine)
    pitched_s = sum(n.duration_s for n in target.notes if n.pitch_scored)
    share = min(1.0, fine_scores.max() * HOP_S / pitched_s) if pitched_s > 0 else 0.0
    return Alignment(offset, share, share >= MIN_MATCH_SHARE)
