"""Targets: notes, glides, top voice, transposition, key names and loading by extension."""

import numpy as np
import pytest

from pitchlive.practice.loading import load_target
from pitchlive.practice.target import (Target, TargetError, TargetNote, key_pitch_class,
                                       top_voice, transpose, transpose_key_name)


def test_glide_pitch_moves_linearly_in_midi():
    note = TargetNote(1.0, 2.0, 60.0, glide_to_midi=72.0)
    assert note.midi_at(np.array([0.5, 1.0, 2.0, 3.0, 4.0])).tolist() == [60, 60, 66, 72, 72]
    assert TargetNote(0, 1, 64.5).midi_at(np.array([0.2])).tolist() == [64.5]


def test_top_voice_keeps_highest_of_chords_and_trims_lower_notes():
    notes = [TargetNote(0.0, 1.0, 60), TargetNote(0.0, 1.0, 64), TargetNote(0.0, 1.0, 67),
             TargetNote(1.0, 1.0, 62), TargetNote(1.5, 1.0, 70),   # higher note cuts in
             TargetNote(1.6, 0.3, 55)]                              # starts under a higher note
    voice, polyphonic = top_voice(notes)
    assert [(n.onset_s, n.duration_s, n.midi) for n in voice] == [
        (0.0, 1.0, 67), (1.0, 0.5, 62), (1.5, 1.0, 70)]
    assert polyphonic == 4


def test_legato_overlap_is_trimmed_not_polyphony():
    voice, polyphonic = top_voice([TargetNote(0.0, 0.52, 60), TargetNote(0.5, 0.5, 59)])
    assert polyphonic == 0
    assert [(round(n.duration_s, 3), n.midi) for n in voice] == [(0.5, 60), (0.5, 59)]


def test_transpose_moves_notes_glides_and_key():
    target = Target((TargetNote(0, 1, 62.0), TargetNote(1, 1, 60.0, glide_to_midi=67.0)), "t",
                    "test", key="D major")
    up = transpose(transpose(target, 3), -1)
    assert [n.midi for n in up.notes] == [64.0, 62.0]
    assert up.notes[1].glide_to_midi == 69.0
    assert up.key == "E major" and up.transpose_semitones == 2
    assert target.notes[0].midi == 62.0   # the original is untouched


def test_key_names():
    assert transpose_key_name("Bb major", 2) == "C major"
    assert transpose_key_name("F major", 1) == "Gb major"
    assert transpose_key_name("A minor", 3) == "C minor"
    assert key_pitch_class("bb") == 10 and key_pitch_class("F#") == 6
    with pytest.raises(TargetError, match="not a key"):
        key_pitch_class("H")


def test_pitch_range_ignores_freestyle_and_needs_pitched_notes():
    target = Target((TargetNote(0, 1, 50, freestyle=True), TargetNote(1, 1, 60),
                     TargetNote(2, 1, 65)), "t", "test")
    assert target.pitch_range == (60, 65)
    with pytest.raises(TargetError, match="no notes with a pitch"):
        Target((TargetNote(0, 1, 50, rap=True),), "t", "test").pitch_range


@pytest.mark.parametrize("name, message", [
    ("missing.mid", "does not exist"), ("song.wav", "unknown target type"),
    ("folder", "is a folder")])
def test_load_target_bad_paths(tmp_path, name, message):
    path = tmp_path / name
    if name == "song.wav":
        path.write_bytes(b"RIFF")
    if name == "folder":
        path.mkdir()
    with pytest.raises(TargetError, match=message):
        load_target(path)


def test_load_target_rejects_bad_ultrastar_player(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("#BPM:100\n: 0 4 0 la\nE\n")
    with pytest.raises(TargetError, match="P1 and P2"):
        load_target(path, part="P3")
