"""Score a whole take: align it, score every note, and summarise (overall, worst notes)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pitchlive.practice.alignment import DEFAULT_MAX_OFFSET_S, Alignment, find_time_offset
from pitchlive.practice.note_score import NoteScore, ScoringSettings, score_note
from pitchlive.practice.sung import SungPitch
from pitchlive.practice.target import Target

WORST_NOTES = 5
MIN_ONSETS_TO_REFINE = 3
REFINE_LIMIT_S = 0.15
REFINE_PASSES = 2


@dataclass(frozen=True)
class TakeScore:
    """The scores of one take against one target.

    Attributes
    ----------
    target : Target
    notes : tuple of NoteScore
        One per target note, in order.
    offset_s : float
        Time shift applied to the target (+ = the take was late).
    alignment : Alignment or None
        The search result when the offset was searched, None when given.
    settings : ScoringSettings
    """

    target: Target
    notes: tuple[NoteScore, ...]
    offset_s: float
    alignment: Alignment | None
    settings: ScoringSettings

    @property
    def overall_percent(self) -> float:
        """In-tune share over all pitch-scored notes, weighted by note length, in percent."""
        graded = [(s.in_tune_share, s.note.duration_s) for s in self.notes
                  if math.isfinite(s.in_tune_share)]
        total = sum(d for _, d in graded)
        return 100.0 * sum(v * d for v, d in graded) / total if total > 0 else float("nan")

    @property
    def mean_cents(self) -> float:
        """Mean of the per-note mean offsets (cents; + = sharp overall), NaN if none."""
        values = [s.mean_cents for s in self.notes if math.isfinite(s.mean_cents)]
        return float(np.mean(values)) if values else float("nan")

    @property
    def mean_abs_onset_ms(self) -> float:
        """Mean absolute onset error (ms) over the notes whose onset was found."""
        values = [abs(s.onset_ms) for s in self.notes if math.isfinite(s.onset_ms)]
        return float(np.mean(values)) if values else float("nan")

    @property
    def notes_missed(self) -> int:
        """Pitch-scored notes during which nothing was sung."""
        return sum(1 for s in self.notes if s.note.pitch_scored and not s.sung)

    def worst_notes(self, count: int = WORST_NOTES) -> list[NoteScore]:
        """The least in-tune notes (then the furthest off), worst first."""
        graded = [s for s in self.notes if math.isfinite(s.in_tune_share)]
        return sorted(graded, key=lambda s: (s.in_tune_share, -abs(np.nan_to_num(
            s.mean_cents, nan=1e9))))[:count]


def score_take(target: Target, sung: SungPitch, settings: ScoringSettings = ScoringSettings(),
               offset_s: float | None = None, max_offset_s: float = DEFAULT_MAX_OFFSET_S
               ) -> TakeScore:
    """Score every note of target against a take.

    Parameters
    ----------
    target : Target
    sung : SungPitch
        The take on its own timeline (0 = start of the recording).
    settings : ScoringSettings
    offset_s : float or None
        Known shift of the target in the take (s, + = later); None searches ±max_offset_s.
    """
    if offset_s is not None:
        return TakeScore(target, _score_notes(target, sung, settings, offset_s), float(offset_s),
                         None, settings)
    alignment = find_time_offset(target, sung, max_offset_s, settings.a4_hz)
    scores = _score_notes(target, sung, settings, alignment.offset_s)
    # The pitch match lands late when notes turn voiced slowly (soft attacks: the plateau of
    # matching lags centres on the voiced part of each note). The sung onsets, timed on the
    # level envelope, do not: moving the target by their median error puts the typical note
    # exactly on time, so onsets read relative to the singer's own timing. Twice, since the
    # onsets found depend a little on where the notes are looked for.
    for _ in range(REFINE_PASSES):
        onsets = [s.onset_ms for s in scores if math.isfinite(s.onset_ms)]
        if len(onsets) < MIN_ONSETS_TO_REFINE:
            break
        step_s = float(np.median(onsets)) / 1000.0
        if abs(step_s) > REFINE_LIMIT_S or abs(step_s) < 1e-4:
            break
        alignment = alignment._replace(offset_s=alignment.offset_s + step_s)
        scores = _score_notes(target, sung, settings, alignment.offset_s)
    return TakeScore(target, scores, float(alignment.offset_s), alignment, settings)


def _score_notes(target: Target, sung: SungPitch, settings: ScoringSettings, offset_s: float
                 ) -> tuple[NoteScore, ...]:
    aligned = sung.shifted(-offset_s)
    midi = aligned.midi(settings.a4_hz)
    return tuple(score_note(note, aligned, settings, i, midi)
                 for i, note in enumerate(target.notes))
