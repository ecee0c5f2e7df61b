"""Whole-track tracking stage (pitchlive.tracking.labels): voicing, offset and naming of tracks."""

import numpy as np
import pytest

from pitchlive.frames import HOP_S, PitchTrack
from pitchlive.music import midi_to_hz
from pitchlive.settings import Settings
from pitchlive.tracking.labels import label_track


def steady(midi: float, n: int = 100, confidence: float = 0.95) -> PitchTrack:
    return PitchTrack(np.arange(n) * HOP_S, np.full(n, midi_to_hz(midi)), np.full(n, confidence))


def test_the_level_gate_applies_to_whole_tracks():
    track = steady(69.0)
    level = np.full(track.n_frames, -20.0)
    level[40:60] = -75.0                          # confident, but too quiet
    labels = label_track(track, Settings(), level)
    assert not labels.voiced[40:60].any() and labels.voiced[:40].all()
    assert labels.names[50] is None and np.isnan(labels.midi[50]) and np.isnan(labels.cents[50])
    assert labels.names[10] == "A4" and labels.midi[10] == 69
    assert label_track(track, Settings(level_gate_dbfs=-80.0), level).voiced.all()
    assert label_track(track, Settings(), None).voiced.all()     # level unknown: no gate


def test_correct_tuning_offset_names_against_the_takes_own_grid():
    # 45 cents flat of A4 with vibrato: on the A4 grid the names flip between G#4 and A4.
    t = np.arange(200) * HOP_S
    midi = 69 - 0.45 + 0.3 * np.sin(2 * np.pi * 5.5 * t)
    track = PitchTrack(t, midi_to_hz(midi), np.full(t.size, 0.95))
    plain = label_track(track, Settings(), None)
    assert set(plain.names) == {"G#4", "A4"} and not plain.offset.valid
    corrected = label_track(track, Settings(correct_tuning_offset=True), None)
    assert set(corrected.names) == {"A4"} and np.nanmax(np.abs(corrected.cents)) < 35
    assert corrected.offset.offset_cents == pytest.approx(-45.0, abs=2.0)
    given = label_track(track, Settings(correct_tuning_offset=True), None, offset_cents=0.0)
    assert set(given.names) == {"G#4", "A4"}
