"""Continuity among pitch candidates: the Viterbi path of whole signals (tracking/decoding.py)."""

import numpy as np

from pitchlive.tracking.decoding import (GAP_COST, GAP_SCORE, JUMP_CAP_OCTAVES,
                                         JUMP_COST_PER_OCTAVE, transition_scores, viterbi_path)


def chosen_hz(candidate_hz, scores):
    path = viterbi_path(candidate_hz, scores)
    return candidate_hz[np.arange(len(path)), path]


def test_jump_costs_grow_with_the_interval_up_to_the_cap():
    candidate_hz = np.array([[220.0, np.nan, 100.0, 100.0],
                             [220.0, 233.08, 440.0, 880.0]])
    cost = -transition_scores(candidate_hz)[1]              # (K + 1, K + 1), the gap last
    np.testing.assert_allclose(cost[0, :2], [0.0, JUMP_COST_PER_OCTAVE / 12], rtol=1e-3)
    # An octave and two octaves cost the same: a new note, whatever the interval.
    assert cost[0, 2] == cost[0, 3] == JUMP_COST_PER_OCTAVE * JUMP_CAP_OCTAVES
    assert np.isinf(cost[1, :4]).all()
    assert np.all(cost[4, :4] == GAP_COST) and np.all(cost[:4, 4] == GAP_COST)
    assert cost[4, 4] == 0.0


def test_a_brief_octave_slip_inside_a_note_is_bridged():
    # Ten frames of A3; in frames 4-5 the octave above scores a little higher.
    n = 10
    candidate_hz = np.tile([220.0, 440.0], (n, 1))
    scores = np.tile([0.8, 0.5], (n, 1))
    scores[4:6] = [0.7, 0.8]
    np.testing.assert_array_equal(chosen_hz(candidate_hz, scores), np.full(n, 220.0))
    # Frame by frame the slip would show.
    assert (candidate_hz[np.arange(n), np.argmax(scores, axis=1)] == 440.0).sum() == 2


def test_a_real_change_of_note_is_followed_at_once():
    n = 12
    candidate_hz = np.tile([220.0, 330.0], (n, 1))
    scores = np.tile([0.9, 0.3], (n, 1))
    scores[6:] = [0.3, 0.9]
    expected = np.where(np.arange(n) < 6, 220.0, 330.0)
    np.testing.assert_array_equal(chosen_hz(candidate_hz, scores), expected)


def test_frames_with_no_good_candidate_keep_their_own_best():
    # Weak, unrelated candidates between two notes: the path rests in the gap there, and those
    # frames report their own best candidate rather than one forced by continuity.
    candidate_hz = np.array([[220.0, 500.0]] * 3 + [[900.0, 150.0]] * 2 + [[220.0, 500.0]] * 3)
    scores = np.array([[0.9, 0.1]] * 3 + [[0.2, 0.1]] * 2 + [[0.9, 0.1]] * 3)
    assert scores[3:5].max() < GAP_SCORE
    np.testing.assert_array_equal(chosen_hz(candidate_hz, scores)[3:5], [900.0, 900.0])


def test_missing_candidates_and_empty_input():
    candidate_hz = np.array([[220.0, np.nan], [np.nan, np.nan], [220.0, 440.0]])
    scores = np.array([[0.9, -np.inf], [-np.inf, -np.inf], [0.9, 0.2]])
    path = viterbi_path(candidate_hz, scores)
    assert path[0] == 0 and path[2] == 0
    assert viterbi_path(np.zeros((0, 5)), np.zeros((0, 5))).shape == (0,)
