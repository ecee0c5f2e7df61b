"""Pitch candidates from periodicity and the choice among them with the model's prior."""

import numpy as np
import pytest

from pitchlive.tracking.candidates import (GRID_CENTS, HARMONIC_COST, HIGHEST_HZ, LOWEST_HZ,
                                           NOISY_SHARE_FULL, SUPPORT_MULTIPLES,
                                           candidate_scores, frequency_grid, harmonic_penalty,
                                           multiple_heights, names_a_harmonic, noisy_weight,
                                           pick_candidates,
                                           prior_closeness, repeated_strength,
                                           sharpen_candidates, subharmonic_penalty)


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


def _nsdf_of(audio):
    from pitchlive.tracking.periodicity import frames_around, nsdf
    return nsdf(frames_around(audio, np.array([4000]), 1024), 512)


def _formant_vowel(f0_hz=55.0, n=8000):
    # Harmonics 11-15 of 55 Hz around a 700 Hz "formant", the 13th strongest, and a weak
    # fundamental: the NSDF reads the 13th harmonic's period about as high as the true period.
    t = np.arange(n) / 16000
    weights = {1: 0.15, 11: 0.25, 12: 0.6, 13: 1.0, 14: 0.6, 15: 0.25}
    return sum(w * np.sin(2 * np.pi * k * f0_hz * t + k) for k, w in weights.items())


def test_a_real_period_repeats_a_strong_harmonic_does_not():
    from synth import exact_tone
    curve = _nsdf_of(exact_tone(220.0, 0.5, "saw"))
    heights = multiple_heights(curve, np.array([[220.0]]), 16000)
    assert heights.shape == (1, 1, SUPPORT_MULTIPLES)
    assert np.all(heights > 0.95)
    curve = _nsdf_of(_formant_vowel())
    heights = multiple_heights(curve, np.array([[55.0, 715.0]]), 16000)
    assert np.all(heights[0, 0] > 0.9)
    assert heights[0, 1, 0] > 0.5 and heights[0, 1, -1] < heights[0, 1, 0] - 0.3


def test_repeated_strength_lowers_a_harmonic_below_the_note():
    curve = _nsdf_of(_formant_vowel())
    hz = np.array([[715.0, 55.0]])
    hz, strength = sharpen_candidates(curve, hz, 16000)
    heights = multiple_heights(curve, hz, 16000)
    repeated = repeated_strength(strength, heights)
    assert repeated[0, 1] > repeated[0, 0]
    np.testing.assert_allclose(repeated[0, 1], strength[0, 1], atol=0.05)
    # The note is not set aside as a "subharmonic" of its harmonic once the multiples count.
    assert subharmonic_penalty(hz, strength, heights=heights)[0, 1] == 0.0


def test_the_vowel_note_wins_over_its_formant_harmonic_without_the_model():
    curve = _nsdf_of(_formant_vowel())
    hz, strength = sharpen_candidates(curve, np.array([[715.0, 55.0, 110.0]]), 16000)
    heights = multiple_heights(curve, hz, 16000)
    scores = candidate_scores(hz, repeated_strength(strength, heights), np.array([400.0]),
                              np.array([0.2]), heights=heights)
    assert abs(hz[0, np.argmax(scores[0])] - 55.0) < 1.0


def test_prior_closeness_is_a_gaussian_in_semitones():
    hz = np.array([[440.0, 440.0 * 2 ** (1 / 12), 880.0, np.nan]])
    closeness = prior_closeness(hz, np.array([440.0]))
    np.testing.assert_allclose(closeness[0, :3], [1.0, np.exp(-0.5), np.exp(-72.0)])
    assert closeness[0, 3] == 0.0
    assert prior_closeness(hz, np.array([440.0]), 2.0)[0, 1] == pytest.approx(np.exp(-0.125))
    assert not prior_closeness(hz, np.array([np.nan])).any()
    assert not prior_closeness(hz, np.array([0.0])).any()


def test_harmonic_penalty_grades_candidates_outread_by_a_subharmonic():
    # 699 Hz is 3x 233 Hz and reads 0.1 lower: a harmonic (1). 466 Hz (2x) is an octave, left
    # to the subharmonic rule (0); 233 itself has no subharmonic candidate (0). A 4x candidate
    # only 0.02 lower (a real period's subharmonic reads about as high): 0.
    hz = np.array([[233.0, 699.0, 466.0, np.nan], [100.0, 400.0, np.nan, np.nan]])
    height = np.array([[0.99, 0.89, 0.90, -np.inf], [0.95, 0.93, -np.inf, -np.inf]])
    np.testing.assert_allclose(harmonic_penalty(hz, height), [[0, 1, 0, 0], [0, 0, 0, 0]])
    halfway = harmonic_penalty(np.array([[233.0, 699.0]]), np.array([[0.99, 0.925]]))
    np.testing.assert_allclose(halfway, [[0.0, 0.5]], atol=1e-9)


def test_noisy_frames_pay_the_harmonic_penalty_clean_ones_do_not():
    hz = np.array([[233.0, 699.0]] * 2)
    strength = np.array([[0.99, 0.89]] * 2)
    heights = np.repeat(strength[..., None], SUPPORT_MULTIPLES, axis=2)
    prior_hz, confidence = np.array([699.0, 699.0]), np.array([0.8, 0.8])
    plain = candidate_scores(hz, strength, prior_hz, confidence, heights=heights)
    noisy = candidate_scores(hz, strength, prior_hz, confidence, heights=heights,
                             noise_share=np.array([0.0, NOISY_SHARE_FULL]))
    np.testing.assert_allclose(noisy[0], plain[0])
    np.testing.assert_allclose(noisy[1], plain[1] - [0.0, HARMONIC_COST])
    assert np.argmax(plain[1]) == 1 and np.argmax(noisy[1]) == 0


def test_names_a_harmonic_from_the_third_up_within_the_tolerance():
    assert names_a_harmonic(700.0, 41.2034, 50.0)         # 17x, 5 cents off
    assert names_a_harmonic(3 * 233.08, 233.08, 50.0)
    assert not names_a_harmonic(2 * 233.08, 233.08, 50.0)  # an octave: the model's own slip
    assert not names_a_harmonic(233.08, 233.08, 50.0)
    assert not names_a_harmonic(100.0, 300.0, 50.0)        # below the pitch
    assert not names_a_harmonic(3.3 * 100.0, 100.0, 50.0)  # 165 cents from 3x
    assert not names_a_harmonic(float("nan"), 100.0, 50.0)
    assert not names_a_harmonic(300.0, 0.0, 50.0)


def test_noisy_weight_grows_from_clean_to_noisy_frames():
    np.testing.assert_allclose(noisy_weight(np.array([0.0, 0.01, 0.055, NOISY_SHARE_FULL, 0.7])),
                               [0.0, 0.0, 0.5, 1.0, 1.0])


def test_noisy_frames_lose_the_models_prior_with_the_cut():
    # Two unrelated candidates, the model naming the slightly weaker one: it decides in a clean
    # frame; in a noisy frame with the full cut the stronger period wins, with half the cut
    # the prior counts half (0.3 x 0.8 x 0.5 = 0.12 > 0.05: it still decides).
    hz = np.array([[300.0, 450.0]] * 3)
    strength = np.array([[0.9, 0.85]] * 3)
    prior_hz, confidence = np.full(3, 450.0), np.full(3, 0.8)
    share = np.array([0.0, NOISY_SHARE_FULL, NOISY_SHARE_FULL])
    full = candidate_scores(hz, strength, prior_hz, confidence, noise_share=share,
                            noisy_prior_cut=1.0)
    assert list(np.argmax(full, axis=1)) == [1, 0, 0]
    np.testing.assert_allclose(full[1], strength[1] + 0.01 * np.log2(hz[1] / LOWEST_HZ))
    half = candidate_scores(hz, strength, prior_hz, confidence, noise_share=share,
                            noisy_prior_cut=0.5)
    np.testing.assert_allclose(half[1] - full[1], [0.0, 0.12], atol=1e-3)
    uncut = candidate_scores(hz, strength, prior_hz, confidence, noise_share=share)
    assert list(np.argmax(uncut, axis=1)) == [1, 1, 1]


def test_subharmonic_rule_reads_the_lower_candidates_own_peak():
    # A vibrato A#3 (232 Hz) and its formant harmonic (3x): the note's multiples drift (0.97,
    # 0.90, 0.81, 0.73), so its repeated strength (0.91) is near the harmonic's repeats (0.895);
    # its own peak (0.97) is not, and it is not set aside.
    hz = np.array([[232.0, 696.0]])
    heights = np.array([[[0.97, 0.90, 0.81, 0.73], [0.90, 0.89, 0.97, 0.86]]])
    strength = repeated_strength(heights[..., 0], heights)
    assert subharmonic_penalty(hz, strength, heights=heights)[0, 0] < 0.3
    assert subharmonic_penalty(hz, strength)[0, 0] > 0.5, "without heights: strengths compared"
