"""Onset detection: stable runs, level rises, legato pitch crossings."""

import numpy as np
import pytest

from pitchlive.practice.onset import first_stable_frame, level_onset, pitch_crossing_onset

T = np.arange(20) * 0.032


def test_first_stable_frame_skips_blips_and_runs_from_before():
    on = np.zeros(20, bool)
    on[[3]] = True          # a blip: not three in a row
    on[6:12] = True
    assert first_stable_frame(T, on, 0.0, 0.5) == 6
    assert first_stable_frame(T, on, 0.25, 0.5) is None     # the run began before the window
    assert first_stable_frame(T, on, 0.0, 0.15) is None     # nothing stable in the window
    on[18:] = True
    assert first_stable_frame(T, on, 0.4, 0.64) is None     # too short at the end


def test_level_onset_interpolates_the_rise():
    env_t = np.arange(0.0, 1.0, 0.002)
    env_db = np.where(env_t >= 0.4, -20.0, -80.0)
    # threshold -32 dB is crossed between 0.398 (-80) and 0.400 (-20): 80% of the way.
    assert level_onset(env_t, env_db, 0.35, -20.0) == pytest.approx(0.398 + 0.0016)
    # no quiet stretch within the look-back before the coarse onset: not a level onset
    assert level_onset(env_t, env_db, 0.6, -20.0) is None
    # quiet at the anchor (the note is not loud yet): no answer
    assert level_onset(env_t, env_db, 0.2, -20.0) is None


def test_pitch_crossing_between_frames():
    midi = np.array([60.0, 60.0, 61.0, 62.0, 62.0])
    # from frame 1 (60) to the note (62) the halfway 61 is reached exactly at frame 2
    assert pitch_crossing_onset(T[:5], midi, 2, 62.0) == pytest.approx(T[2])
    # from frame 2 (61): halfway 61.5 lies midway between frames 2 and 3
    assert pitch_crossing_onset(T[:5], midi, 3, 62.0) == pytest.approx((T[2] + T[3]) / 2)
    assert pitch_crossing_onset(T[:5], np.array([np.nan, 62, 62, 62, 62]), 1, 62.0) is None
    assert pitch_crossing_onset(T[:5], np.full(5, 62.0), 2, 62.0) is None
