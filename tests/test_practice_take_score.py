"""Scoring a whole take: offsets, onset refinement, overall figures, worst notes."""

import math

import pytest

from pitchlive.practice.note_score import ScoringSettings
from pitchlive.practice.take_score import score_take
from pitchlive.practice.target import Target, TargetNote
from sung_tracks import sung_notes

MELODY = [(0.5, 0.4, 60), (1.0, 0.4, 64), (1.5, 0.4, 67), (2.0, 0.9, 65), (3.0, 0.4, 62)]
TARGET = Target(tuple(TargetNote(s, d, float(m)) for s, d, m in MELODY), "t", "test")
CENTS = [0, 40, -10, 0, 0]


def sung(offset_s=0.0, late=(0, 0, 0, 0, 0), skip=()):
    return sung_notes([(s + offset_s + lag, s + d + offset_s, m + c / 100.0)
                       for i, ((s, d, m), c, lag) in enumerate(zip(MELODY, CENTS, late))
                       if i not in skip], 6.0)


def test_given_offset_and_per_note_figures():
    score = score_take(TARGET, sung(0.3), offset_s=0.3)
    assert score.alignment is None and score.offset_s == 0.3
    assert [round(s.mean_cents) for s in score.notes] == CENTS
    assert [s.onset_ms for s in score.notes] == pytest.approx([0] * 5, abs=2.0)
    # note 2 (0.4 s) is out of tune after its 0.1 s attack: 0.3 s of the graded 2.2 s
    total = sum(d - min(0.1, d / 4) for _, d, _ in MELODY)
    assert score.overall_percent == pytest.approx(100 * (1 - 0.3 / total), abs=3.0)
    assert score.worst_notes(1)[0].index == 1
    assert score.mean_cents == pytest.approx(6.0)


def test_searched_offset_puts_the_typical_note_on_time():
    score = score_take(TARGET, sung(0.213, late=(0, 0, 0.1, 0, 0)))
    assert score.offset_s == pytest.approx(0.213, abs=0.003)
    assert [s.onset_ms for s in score.notes] == pytest.approx([0, 0, 100, 0, 0], abs=3.0)
    assert score.alignment.reliable


def test_missed_notes_count_and_rank_worst():
    score = score_take(TARGET, sung(skip=(3,)), offset_s=0.0)
    assert score.notes_missed == 1
    assert score.worst_notes(1)[0].index == 3
    assert math.isnan(score.notes[3].mean_cents)
    narrow = score_take(TARGET, sung(skip=(3,)), ScoringSettings(band_cents=50), offset_s=0.0)
    assert narrow.overall_percent > score.overall_percent
