"""The centre of a note with vibrato."""

import numpy as np
import pytest

from pitchlive.practice.vibrato import upward_crossings, vibrato_centre_cents

T = np.arange(0, 1.2, 0.032)


@pytest.mark.parametrize("phase", [0.0, 1.0, 2.5])
def test_whole_cycles_remove_the_bias_of_a_partial_cycle(phase):
    cents = 12.0 + 40.0 * np.sin(2 * np.pi * 5.5 * T + phase)
    plain = float(np.mean(cents))
    centred = vibrato_centre_cents(T, cents)
    assert centred == pytest.approx(12.0, abs=1.0)
    assert abs(plain - 12.0) > abs(centred - 12.0) or abs(plain - 12.0) < 1.0


def test_short_notes_use_a_sine_fit():
    t = T[:8]   # 0.22 s: about one cycle, at most one upward crossing
    cents = -30.0 + 30.0 * np.sin(2 * np.pi * 5.0 * t + 1.5)
    assert abs(np.mean(cents) + 30.0) > 3.0
    assert vibrato_centre_cents(t, cents) == pytest.approx(-30.0, abs=1.0)


def test_no_vibrato_and_empty():
    steady = np.full(T.shape, 7.0) + np.random.default_rng(0).normal(0, 1, T.size)
    assert vibrato_centre_cents(T, steady) == pytest.approx(np.mean(steady))
    assert np.isnan(vibrato_centre_cents(np.zeros(0), np.zeros(0)))


def test_upward_crossings_are_interpolated():
    t = np.array([0.0, 1.0, 2.0, 3.0])
    assert upward_crossings(t, np.array([-1.0, 1.0, -1.0, 3.0]), 0.0).tolist() == [0.5, 2.25]
