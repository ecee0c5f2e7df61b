"""Scoring one note on exact synthetic tracks."""

import math

import numpy as np
import pytest

from pitchlive.practice.note_score import ScoringSettings, score_note
from pitchlive.practice.target import TargetNote
from sung_tracks import sung_notes

NOTE = TargetNote(1.0, 1.0, 60.0)


def test_constant_offset_and_band():
    sung = sung_notes([(1.0, 2.0, 60.3)], 3.0)
    score = score_note(NOTE, sung)
    assert score.mean_cents == pytest.approx(30.0)
    assert score.vibrato_cents == pytest.approx(30.0)
    assert score.in_tune_share == 0.0
    assert score_note(NOTE, sung, ScoringSettings(band_cents=35)).in_tune_share == 1.0
    assert score.voiced_share == 1.0 and score.octave == 0
    assert score.onset_ms == pytest.approx(0.0, abs=1.0)


def test_attack_scoop_is_left_out():
    sung = sung_notes([(1.0, 1.064, 59.6), (1.064, 2.0, 60.05)], 3.0)
    score = score_note(NOTE, sung)
    assert score.mean_cents == pytest.approx(5.0)
    assert score.in_tune_share == 1.0


def test_late_onset_from_the_level_envelope():
    sung = sung_notes([(1.137, 2.0, 60.0)], 3.0)
    assert score_note(NOTE, sung).onset_ms == pytest.approx(137.0, abs=2.0)
    early = sung_notes([(0.93, 2.0, 60.0)], 3.0)
    assert score_note(NOTE, early).onset_ms == pytest.approx(-70.0, abs=2.0)


def test_onset_without_envelope_uses_frames():
    sung = sung_notes([(1.137, 2.0, 60.0)], 3.0, envelope=False)
    assert score_note(NOTE, sung).onset_ms == pytest.approx(137.0, abs=33.0)


def test_legato_onset_from_the_pitch_change():
    sung = sung_notes([(0.0, 1.05, 57.0), (1.05, 2.0, 60.0)], 3.0)
    sung = sung._replace(envelope_db=np.full(sung.envelope_db.shape, -20.0))  # no level dip
    assert score_note(NOTE, sung).onset_ms == pytest.approx(50.0, abs=20.0)


def test_vibrato_centre():
    sung = sung_notes([(1.0, 2.0, 60.1)], 3.0, vibrato_cents=40.0)
    score = score_note(NOTE, sung)
    assert score.vibrato_cents == pytest.approx(10.0, abs=1.5)


def test_octave_below_is_folded_and_reported():
    sung = sung_notes([(1.0, 2.0, 48.1)], 3.0)
    score = score_note(NOTE, sung)
    assert score.octave == -1 and score.mean_cents == pytest.approx(10.0)
    unfolded = score_note(NOTE, sung, ScoringSettings(fold_octaves=False))
    assert unfolded.octave == 0 and unfolded.mean_cents == pytest.approx(-1190.0)


def test_octave_slips_are_outliers():
    sung = sung_notes([(1.0, 1.5, 60.0), (1.5, 1.6, 72.0), (1.6, 2.0, 60.0)], 3.0)
    assert score_note(NOTE, sung).mean_cents == pytest.approx(0.0)


def test_silence_freestyle_and_rap():
    silent = sung_notes([], 3.0)
    score = score_note(NOTE, silent)
    assert score.in_tune_share == 0.0 and not score.sung
    assert math.isnan(score.mean_cents) and math.isnan(score.onset_ms)
    sung = sung_notes([(1.05, 2.0, 64.0)], 3.0)
    free = score_note(TargetNote(1.0, 1.0, 60.0, freestyle=True), sung)
    assert math.isnan(free.in_tune_share) and math.isnan(free.mean_cents)
    rap = score_note(TargetNote(1.0, 1.0, 60.0, rap=True), sung)
    assert math.isnan(rap.mean_cents) and rap.onset_ms == pytest.approx(50.0, abs=2.0)


def test_glide_is_followed():
    glide = TargetNote(1.0, 1.0, 60.0, glide_to_midi=66.0)
    times = np.arange(0, 3, 0.032)
    midi = np.where((times >= 1) & (times < 2), 60 + 6 * (times - 1) + 0.2, np.nan)
    from pitchlive.music import midi_to_hz
    from pitchlive.practice.sung import SungPitch

    sung = SungPitch(times, midi_to_hz(np.nan_to_num(midi)), np.isfinite(midi))
    score = score_note(glide, sung)
    assert score.mean_cents == pytest.approx(20.0) and score.in_tune_share == 1.0


def test_settings_are_validated():
    with pytest.raises(ValueError, match="band"):
        ScoringSettings(band_cents=0)
    with pytest.raises(ValueError, match="A4"):
        ScoringSettings(a4_hz=300)
