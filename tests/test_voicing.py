"""The one voicing rule (pitchlive.tracking.voicing): scalar and vectorised, each condition."""

import itertools
import math

import numpy as np
import pytest

from pitchlive.settings import Settings
from pitchlive.tracking.voicing import voiced

SETTINGS = Settings(confidence_threshold=0.8, level_gate_dbfs=-50.0)
FREQUENCIES = (440.0, 0.0, -5.0, math.nan, math.inf, 41.0)
CONFIDENCES = (0.0, 0.79, 0.8, 0.95, math.nan)
LEVELS = (-math.inf, -60.0, -50.0, -49.9, -3.0, math.nan)


def test_each_condition_decides():
    assert voiced(440.0, 0.9, -20.0, SETTINGS) is True
    assert voiced(440.0, 0.79, -20.0, SETTINGS) is False         # not confident
    assert voiced(440.0, 0.8, -20.0, SETTINGS) is True           # the threshold itself counts
    assert voiced(440.0, 0.9, -50.1, SETTINGS) is False          # below the level gate
    assert voiced(440.0, 0.9, -50.0, SETTINGS) is True           # the gate itself counts
    assert voiced(440.0, 0.9, -math.inf, SETTINGS) is False      # digital silence
    for frequency in (0.0, -1.0, math.nan, math.inf):            # no real pitch
        assert voiced(frequency, 0.99, -20.0, SETTINGS) is False


def test_scalar_and_vectorised_agree_everywhere():
    grid = list(itertools.product(FREQUENCIES, CONFIDENCES, LEVELS))
    frequency, confidence, level = (np.array(column) for column in zip(*grid))
    mask = voiced(frequency, confidence, level, SETTINGS)
    assert mask.dtype == bool and mask.shape == (len(grid),)
    assert mask.tolist() == [voiced(f, c, l, SETTINGS) for f, c, l in grid]
    assert 0 < mask.sum() < len(grid)


def test_an_unknown_level_passes_the_gate_and_nothing_else():
    frequency = np.array([440.0, 440.0, math.nan])
    confidence = np.array([0.9, 0.5, 0.9])
    assert voiced(frequency, confidence, None, SETTINGS).tolist() == [True, False, False]
    strict = SETTINGS.replace(level_gate_dbfs=0.0)
    assert voiced(frequency, confidence, None, strict).tolist() == [True, False, False]
    assert not voiced(frequency, confidence, np.full(3, -1.0), strict).any()


def test_settings_move_the_rule():
    assert not voiced(440.0, 0.85, -20.0, SETTINGS.replace(confidence_threshold=0.9))
    assert voiced(440.0, 0.85, -70.0, SETTINGS.replace(level_gate_dbfs=-80.0))


@pytest.mark.parametrize("shape", [(0,), (7,)])
def test_shapes_are_kept(shape):
    mask = voiced(np.full(shape, 300.0), np.ones(shape), np.zeros(shape), SETTINGS)
    assert mask.shape == shape
