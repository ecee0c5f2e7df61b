"""Note segmentation of a pitch track: where the pitch moves from one semitone to another.

Each voiced run is split by a Viterbi path over semitone states (cost: distance from the state,
capped; a fixed penalty per change), so vibrato and glides stay inside one note and a glide
between two notes splits at its middle. Too-short pieces merge into their neighbour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pitchlive.frames import HOP_S
from pitchlive.tracking.tuning import voiced_runs

# A note change must save this much (semitone-frames of distance) to be worth making.
CHANGE_PENALTY = 1.5
# Distance from a state counts at most this much, so a lone octave slip is cheaper to absorb.
COST_CAP_SEMITONES = 2.0
# A piece this short whose pitch slides this far is a glide, not a note.
GLIDE_MAX_S = 0.3
GLIDE_MIN_SEMITONES = 0.7
GLIDE_CORE_SEMITONES = 0.3
GLIDE_CORE_FRAMES = 3


@dataclass(frozen=True)
class Segment:
    """Frames [first, stop) of the track held on one semitone (offset grid)."""

    first: int
    stop: int
    midi: int


def viterbi_semitones(midi: np.ndarray, change_penalty: float = CHANGE_PENALTY,
                      cost_cap: float = COST_CAP_SEMITONES) -> np.ndarray:
    """Semitone per frame of a voiced run (finite fractional MIDI), with a cost per change."""
    midi = np.asarray(midi, dtype=np.float64)
    states = np.arange(math.floor(np.min(midi)) - 1, math.ceil(np.max(midi)) + 2)
    cost = np.minimum(np.abs(midi[:, None] - states[None, :]), cost_cap)
    n, n_states = cost.shape
    back = np.empty((n, n_states), dtype=np.int64)
    stay = np.arange(n_states)
    total = cost[0].copy()
    back[0] = stay
    for i in range(1, n):
        best = int(np.argmin(total))
        switch = total[best] + change_penalty
        moved = switch < total
        back[i] = np.where(moved, best, stay)
        total = np.where(moved, switch, total) + cost[i]
    path = np.empty(n, dtype=np.int64)
    path[-1] = int(np.argmin(total))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return states[path]


def _pieces(states: np.ndarray, offset: int) -> list[Segment]:
    """Runs of equal states as Segments, indices shifted by offset."""
    cuts = np.flatnonzero(np.diff(states)) + 1
    bounds = np.concatenate(([0], cuts, [states.size]))
    return [Segment(offset + int(a), offset + int(b), int(states[a]))
            for a, b in zip(bounds[:-1], bounds[1:])]


def merge_short(segments: list[Segment], midi: np.ndarray, min_frames: int) -> list[Segment]:
    """Merge pieces shorter than min_frames into the adjacent piece nearest in pitch; drop
    isolated ones."""
    pieces = list(segments)
    while True:
        short = [k for k, s in enumerate(pieces) if s.stop - s.first < min_frames]
        if not short:
            return pieces
        k = min(short, key=lambda j: pieces[j].stop - pieces[j].first)
        piece = pieces[k]
        neighbours = [j for j in (k - 1, k + 1) if 0 <= j < len(pieces)
                      and (pieces[j].stop == piece.first or pieces[j].first == piece.stop)]
        if not neighbours:
            del pieces[k]
            continue
        level = float(np.nanmean(midi[piece.first:piece.stop]))
        j = min(neighbours, key=lambda j: (abs(pieces[j].midi - level),
                                          -(pieces[j].stop - pieces[j].first)))
        other = pieces[j]
        merged = Segment(min(piece.first, other.first), max(piece.stop, other.stop), other.midi)
        lo = min(j, k)
        pieces[lo:lo + 2] = [merged]


def ramp_travel(midi: np.ndarray, pieces: list[Segment]) -> tuple[float, float, float]:
    """(travel, first, mean) in semitones of consecutive pieces that only slide; travel 0 if not.

    A slide travels GLIDE_MIN_SEMITONES or more from its first to its last frame and has no
    steady core: never GLIDE_CORE_FRAMES frames in a row within GLIDE_CORE_SEMITONES of their
    piece's semitone. A short real note has such a core even when transitions sit at both of
    its ends.
    """
    values = np.concatenate([midi[p.first:p.stop] for p in pieces])
    states = np.concatenate([np.full(p.stop - p.first, p.midi) for p in pieces])
    finite = np.isfinite(values)
    values, states = values[finite], states[finite]
    if values.size < 2:
        return 0.0, float("nan"), float("nan")
    travel = float(values[-1] - values[0])
    steady = np.abs(values - states) <= GLIDE_CORE_SEMITONES
    longest = max((b - a for a, b in voiced_runs(steady)), default=0)
    if abs(travel) < GLIDE_MIN_SEMITONES or longest >= GLIDE_CORE_FRAMES:
        travel = 0.0
    return travel, float(values[0]), float(np.mean(values))


def absorb_glides(segments: list[Segment], midi: np.ndarray, max_frames: int,
                  min_frames: int) -> list[Segment]:
    """Fold short sliding pieces into the notes they join, so a glide is never a note.

    A slide (one or more short pieces, max_frames in all) between two notes (pieces of at least
    min_frames) is split where it crosses the middle of their pitches; a slide into the first
    note of a run (a scoop) or out of the last (a fall) joins that note.
    """
    pieces = list(segments)

    def anchor(a: int, b: int) -> Segment | None:
        """Piece a if it touches piece b and is long enough to be a note."""
        if 0 <= a < len(pieces) and 0 <= b < len(pieces) and \
                (pieces[a].stop == pieces[b].first or pieces[b].stop == pieces[a].first) and \
                pieces[a].stop - pieces[a].first >= min_frames:
            return pieces[a]
        return None

    k = 0
    while k < len(pieces):
        j, frames = k, 0
        while j < len(pieces) and (j == k or pieces[j - 1].stop == pieces[j].first):
            length = pieces[j].stop - pieces[j].first
            if frames + length > max_frames:
                break
            frames += length
            j += 1
        if j == k:
            k += 1
            continue
        group = pieces[k:j]
        prev, nxt = anchor(k - 1, k), anchor(j, j - 1)
        travel, first, mean = ramp_travel(midi, group)
        if travel and prev and nxt and (nxt.midi - prev.midi) * travel > 0:
            middle = (prev.midi + nxt.midi) / 2.0
            values = midi[group[0].first:group[-1].stop]
            crossed = np.flatnonzero(np.sign(travel) * (values - middle) >= 0)
            cut = group[0].first + (int(crossed[0]) if crossed.size else values.size)
            pieces[k - 1:j + 1] = [Segment(prev.first, cut, prev.midi),
                                   Segment(cut, nxt.stop, nxt.midi)]
            continue
        if travel and nxt and prev is None and (nxt.midi - first) * travel > 0:
            pieces[k:j + 1] = [Segment(group[0].first, nxt.stop, nxt.midi)]   # a scoop
            continue
        if travel and prev and nxt is None and (mean - prev.midi) * travel > 0:
            pieces[k - 1:j] = [Segment(prev.first, group[-1].stop, prev.midi)]   # a fall
            k -= 1
            continue
        k += 1
    return pieces


def segment_notes(midi: np.ndarray, voiced: np.ndarray, min_note_s: float,
                  change_penalty: float = CHANGE_PENALTY) -> list[Segment]:
    """Note segments of a track: per voiced run, Viterbi over semitones, then clean-up.

    Parameters
    ----------
    midi : np.ndarray, shape (n,)
        Fractional MIDI number per frame (on the grid to quantise to).
    voiced : np.ndarray of bool, shape (n,)
        Voiced frames (pitchlive.tracking.voicing).
    min_note_s : float
        Shorter pieces merge into a neighbour or vanish, in seconds.
    change_penalty : float
        Cost of a note change, in semitone-frames.
    """
    midi = np.asarray(midi, dtype=np.float64)
    voiced = np.asarray(voiced, dtype=bool) & np.isfinite(midi)
    min_frames = max(1, int(round(min_note_s / HOP_S)))
    segments: list[Segment] = []
    for start, stop in voiced_runs(voiced):
        states = viterbi_semitones(midi[start:stop], change_penalty)
        segments.extend(_pieces(states, start))
    segments = absorb_glides(segments, midi, int(round(GLIDE_MAX_S / HOP_S)), min_frames)
    return merge_short(segments, midi, min_frames)


def segment_cents(midi: np.ndarray, segment: Segment) -> float:
    """Mean deviation in cents of a segment's frames from its semitone (transitions left out)."""
    deviation = (np.asarray(midi[segment.first:segment.stop]) - segment.midi) * 100.0
    deviation = deviation[np.isfinite(deviation)]
    if deviation.size >= 8:
        deviation = deviation[2:-2]   # transitions sit at the edges
    if not deviation.size:
        return float("nan")
    # Octave slips and other stray frames lie far from the bulk of the note.
    centre = float(np.median(deviation))
    kept = deviation[np.abs(deviation - centre) <= 100.0]
    return float(np.mean(kept)) if kept.size else centre
