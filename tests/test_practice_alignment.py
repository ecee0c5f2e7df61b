"""The global offset between a take and its target."""

import numpy as np
import pytest

from pitchlive.practice.alignment import find_time_offset, target_pitch_at
from pitchlive.practice.target import Target, TargetNote
from sung_tracks import sung_notes

MELODY = [(0.5, 0.4, 60), (1.0, 0.4, 64), (1.5, 0.4, 67), (2.0, 0.9, 65), (3.0, 0.4, 62)]
TARGET = Target(tuple(TargetNote(s, d, float(m)) for s, d, m in MELODY), "t", "test")


def take(offset_s, transpose=0.0):
    return sung_notes([(s + offset_s, s + d + offset_s, m + transpose) for s, d, m in MELODY],
                      6.0)


@pytest.mark.parametrize("offset_s", [0.0, 0.37, -0.21, 1.4])
def test_finds_the_offset(offset_s):
    found = find_time_offset(TARGET, take(offset_s), max_offset_s=2.0)
    assert found.offset_s == pytest.approx(offset_s, abs=0.02)
    assert found.reliable and found.match_share > 0.8


def test_octave_lower_singer_aligns():
    assert find_time_offset(TARGET, take(0.25, -12.0)).offset_s == pytest.approx(0.25, abs=0.02)


def test_unrelated_take_is_unreliable():
    noise = sung_notes([(0.0, 5.0, 61.5)], 6.0)   # a quarter tone off every target note
    assert not find_time_offset(TARGET, noise).reliable


def test_target_pitch_at():
    glide = Target((TargetNote(0.0, 1.0, 60.0, glide_to_midi=62.0),
                    TargetNote(1.0, 1.0, 64.0, freestyle=True), TargetNote(2.0, 1.0, 67.0)),
                   "g", "test")
    pitch = target_pitch_at(glide, np.array([-0.5, 0.5, 1.5, 2.5, 3.5]))
    assert np.isnan(pitch[[0, 2, 4]]).all()
    assert pitch[1] == pytest.approx(61.0) and pitch[3] == 67.0
