"""Tempo from onsets and the beat grid (pitchlive.tracking.tempo)."""

import math

import numpy as np
import pytest

from pitchlive.tracking import tempo


@pytest.mark.parametrize("tempo_bpm", [80.0, 96.0, 112.0, 126.0, 150.0])
def test_tempo_from_onsets_with_jitter(tempo_bpm):
    rng = np.random.default_rng(int(tempo_bpm))
    beats = np.cumsum([0, 1, 1, 0.5, 0.5, 1, 2, 1, 0.5, 0.5, 1, 1.5, 0.5, 1, 1, 2, 1, 1])
    onsets = 0.7 + beats * 60.0 / tempo_bpm + rng.normal(0, 0.012, beats.size)
    estimate = tempo.estimate_tempo(onsets)
    assert estimate.estimated
    assert estimate.tempo_bpm == pytest.approx(tempo_bpm, rel=0.03)
    # The grid's beats pass through the onsets that fall on beats.
    phase = ((0.7 - estimate.origin_s) / estimate.beat_s) % 1.0
    assert min(phase, 1 - phase) < 0.1


def test_tempo_prefers_the_level_nearest_a_moderate_beat():
    # Only eighth notes at 100 BPM: 200 BPM quarters would fit too; 100 is preferred.
    onsets = np.arange(24) * 0.3
    assert tempo.estimate_tempo(onsets).tempo_bpm == pytest.approx(100.0, rel=0.01)


def test_grid_coherence_is_one_on_the_grid():
    onsets = np.array([0.0, 0.5, 1.0, 2.0, 2.5])
    assert tempo.grid_coherence(onsets, np.array([0.5]))[0] == pytest.approx(1.0)
    assert tempo.grid_coherence(onsets, np.array([0.37]))[0] < 0.7
    assert tempo.grid_coherence(np.array([]), np.array([0.5]))[0] == 0.0


def test_with_tempo_keeps_the_given_tempo_and_phases_to_the_notes():
    onsets = 0.3 + np.array([0.0, 0.5, 1.0, 1.25, 1.5])
    grid = tempo.with_tempo(onsets, 120.0)
    assert grid.tempo_bpm == 120.0 and not grid.estimated
    start = tempo.score_start(onsets, grid)
    assert start == pytest.approx(0.3, abs=0.01)
    assert list(tempo.quantize(onsets, start, grid.beat_s / 4)) == [0, 4, 8, 10, 12]


def test_few_onsets_fall_back_to_the_default():
    estimate = tempo.estimate_tempo(np.array([1.0, 1.4]))
    assert estimate.tempo_bpm == tempo.DEFAULT_TEMPO_BPM and not estimate.estimated
    assert estimate.origin_s == 1.0
    assert math.isclose(tempo.estimate_tempo(np.array([])).origin_s, 0.0)
