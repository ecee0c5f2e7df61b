"""Pitch candidates from periodicity and the choice among them with the model's prior."""

import numpy as np
import pytest

from pitchlive.tracking.candidates import (GRID_CENTS, HIGHEST_HZ, LOWEST_HZ, candidate_scores,
                                           frequency_grid, pick_candidates,
                                           subharmonic_penalty)


def test_grid_spans_e1_to_c7_in_even_cent_steps():
    grid = frequency_grid()
    assert grid[0] == pytest.approx(LOWEST_HZ) and grid[0] < 41.2
    assert 2093 < grid[-1] <= HIGHEST_HZ
    np.testing.assert_allclose(np.diff(1200 * np.log2(grid)), GRID_CENTS)


def test_pick_candidates_returns_the_strongest_maxima_first():
    grid = np.array([100.0, 110, 120, 130, 140, 150, 160])
    values = np.array([[0.1, 0.5, 0.2, 0.9, 0.3, 0.6, 0.0]])
    hz, strength = pick_candidates(values, grid, n_candidates=3)
    np.testing.assert_array_equal(hz[0], [130.0, 150.0, 110.0])
    np.testing.assert_array_equal(strength[0], [0.9, 0.6, 0.5])
    hz, strength = pick_candidates(values, grid, n_candidates=5)
    assert np.isnan(hz[0, 3:]).all() and np.isneginf(strength[0, 3:]).all()


def test_subharmonic_grade():
    hz = np.array([[200.0, 400.0, 300.0]])
    # 200 Hz is a subharmonic of 400 (as periodic) but not of 300 (no multiple).
    grade = subharmonic_penalty(hz, np.array([[0.95, 0.96, 0.99]]))
    np.testing.assert_allclose(grade[0], [1.0, 0.0, 0.0])
    # A clearly weaker octave (a strong harmonic, not the note) does not set 200 Hz aside.
    grade = subharmonic_penalty(hz, np.array([[1.0, 0.85, 0.5]]))
    assert grade[0, 0] == 0.0


def test_the_model_decides_between_unrelated_near_equal_candidates():
    hz = np.array([[300.0, 450.0]] * 3)
    strength = np.array([[0.9, 0.92]] * 3)
    prior_hz = np.array([300.0, 450.0, 300.0])
    confidence = np.array([0.9, 0.9, 0.0])
    best = np.argmax(candidate_scores(hz, strength, prior_hz, confidence), axis=1)
    np.testing.assert_array_equal(hz[np.arange(3), best], [300.0, 450.0, 450.0])


def test_the_signal_overrules_a_model_an_octave_low():
    # A high note: the model says f/2 with confidence, the NSDF says f and f/2 equally well.
    hz = np.array([[1760.0, 880.0, 586.7]])
    strength = np.array([[0.98, 0.98, 0.97]])
    scores = candidate_scores(hz, strength, np.array([880.0]), np.array([0.95]))
    assert hz[0, np.argmax(scores[0])] == 1760.0
