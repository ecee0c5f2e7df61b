"""Hand corrections of a transcription: every operation, its undo and redo, and the exports."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET

import mido
import pytest

from pitchlive.exports.midi import midi_bytes
from pitchlive.exports.musicxml import musicxml_string
from pitchlive.exports.notes_csv import notes_csv_string
from pitchlive.tracking.note_edits import (
    EditError,
    NoteEditor,
    add_note,
    delete_note,
    merge_with_next,
    shift_pitch,
    split_note,
    with_notes,
)
from pitchlive.tracking.notes import Note, Transcription
from pitchlive.tracking.tuning import TuningOffset


def melody() -> Transcription:
    """C4 D4 E4 (each a beat at 120 BPM from 1.0 s), a beat of rest, then G4 for two beats."""
    notes = [(1.0, 60, 0.0), (1.5, 62, 1.0), (2.0, 64, 2.0), (3.0, 67, 4.0)]
    events = []
    for onset, midi, beats in notes:
        length = 2.0 if midi == 67 else 1.0
        events.append(Note(onset, 0.45 * length, midi, None, 5.0, beats, length))
    events.insert(3, Note(2.45, 3.0 - 2.45, None, None, math.nan, 3.0, 1.0))
    return Transcription(tuple(events), 120.0, True, TuningOffset(0.0, 3.0, 100), True,
                         score_start_s=1.0, duration_s=4.5)


def pitches(t: Transcription) -> list[int]:
    return [n.midi for n in t.notes]


def check_contiguous_score(t: Transcription) -> None:
    for a, b in zip(t.events, t.events[1:]):
        assert b.start_beats == pytest.approx(a.end_beats)
        assert b.onset_s >= a.onset_s


def test_with_notes_rebuilds_the_same_rests():
    t = melody()
    again = with_notes(t, t.notes)
    assert again.events == t.events


def test_split_makes_two_notes_at_the_cursor_on_the_grid():
    t = split_note(melody(), 3, 3.5)           # G4 from 3.0 s (beat 4) to 3.9 s
    assert pitches(t) == [60, 62, 64, 67, 67]
    first, second = t.notes[3], t.notes[4]
    assert (first.onset_s, first.end_s) == (3.0, 3.5)
    assert (second.onset_s, second.end_s) == pytest.approx((3.5, 3.9))
    assert (first.start_beats, first.end_beats, second.end_beats) == (4.0, 5.0, 6.0)
    assert first.name == second.name == "G4"
    check_contiguous_score(t)
    with pytest.raises(EditError):
        split_note(t, 0, 0.5)                    # outside the note
    with pytest.raises(EditError):
        split_note(t, 9, 1.2)                    # no such note


def test_merge_joins_with_the_next_at_the_longer_ones_pitch():
    t = merge_with_next(melody(), 1)             # D4 + E4
    assert pitches(t) == [60, 62, 67]
    merged = t.notes[1]
    assert (merged.onset_s, merged.end_s) == pytest.approx((1.5, 2.45))
    assert (merged.start_beats, merged.end_beats) == (1.0, 3.0)
    check_contiguous_score(t)
    with pytest.raises(EditError):
        merge_with_next(t, 2)                    # the last note


def test_shift_moves_by_semitones_and_renames():
    t = shift_pitch(melody(), 0, 1)
    assert pitches(t) == [61, 62, 64, 67]
    assert t.notes[0].name == "C#4" and t.notes[0].cents == pytest.approx(-95.0)
    assert t.notes[0].start_beats == 0.0 and t.notes[0].onset_s == 1.0
    flats = shift_pitch(Transcription(melody().events, 120.0, True, TuningOffset.none(), True,
                                      prefer_flats=True, score_start_s=1.0), 0, 1)
    assert flats.notes[0].name == "Db4"
    assert pitches(shift_pitch(melody(), 3, -2)) == [60, 62, 64, 65]
    with pytest.raises(EditError):
        shift_pitch(melody(), 3, 100)


def test_delete_turns_the_note_into_rest():
    t = delete_note(melody(), 1)
    assert pitches(t) == [60, 64, 67]
    rests = [e for e in t.events if e.is_rest]
    assert [(r.start_beats, r.duration_beats) for r in rests] == [(1.0, 1.0), (3.0, 1.0)]
    check_contiguous_score(t)


def test_add_places_a_note_in_a_gap_and_refuses_overlaps():
    t = add_note(melody(), 2.5, 2.95, 65)        # in the rest, beat 3
    assert pitches(t) == [60, 62, 64, 65, 67]
    new = t.notes[3]
    assert (new.start_beats, new.end_beats, new.name) == (3.0, 4.0, "F4")
    assert not any(e.is_rest for e in t.events)
    check_contiguous_score(t)
    with pytest.raises(EditError):
        add_note(melody(), 1.2, 1.6, 70)         # over C4 and D4
    with pytest.raises(EditError):
        add_note(melody(), 2.5, 2.51, 65)        # too short
    backwards = add_note(melody(), 4.4, 4.1, 72)  # dragged right to left
    assert backwards.notes[-1].onset_s == pytest.approx(4.1)


def test_editor_undo_and_redo_every_operation():
    editor = NoteEditor(melody())
    original = editor.transcription
    steps = [("split", lambda: editor.split(3, 3.5)), ("merge", lambda: editor.merge_next(0)),
             ("pitch change", lambda: editor.shift(0, -1)), ("delete", lambda: editor.delete(1)),
             ("add", lambda: editor.add(4.2, 4.4, 72))]
    states = [original]
    for label, step in steps:
        states.append(step())
        assert editor.undo_label == label and editor.transcription is states[-1]
    for k in range(len(steps), 0, -1):
        assert editor.redo_label == (steps[k][0] if k < len(steps) else None)
        assert editor.undo() == states[k - 1]
    assert not editor.can_undo and editor.transcription == original
    assert editor.undo() == original             # nothing more to undo
    for k in range(1, len(steps) + 1):
        assert editor.redo() == states[k]
    assert not editor.can_redo
    editor.undo()
    editor.undo()
    editor.delete(0)                             # a new edit drops the undone ones
    assert not editor.can_redo and editor.undo_label == "delete"
    assert editor.original == original


def test_a_failed_edit_changes_nothing():
    editor = NoteEditor(melody())
    with pytest.raises(EditError):
        editor.merge_next(3)
    assert not editor.can_undo and editor.transcription == melody()


def test_edits_flow_to_csv_midi_and_musicxml():
    t = NoteEditor(melody())
    t.shift(0, 2)                                 # C4 -> D4
    t.delete(3)                                   # no G4
    edited = t.add(3.0, 3.4, 71)                  # B4 instead
    rows = [r for r in notes_csv_string(edited).strip().splitlines() if r.startswith("note,")]
    assert len(rows) == 4 and "D4" in rows[0] and "B4" in rows[-1]
    midi = mido.MidiFile(file=io.BytesIO(midi_bytes(edited)))
    ons = [m.note for m in midi.tracks[0] if m.type == "note_on" and m.velocity]
    assert ons == [62, 62, 64, 71]
    root = ET.fromstring(musicxml_string(edited).split("\n", 2)[2])
    steps = [n.findtext("pitch/step") + n.findtext("pitch/octave")
             for n in root.iter("note") if n.find("pitch") is not None]
    assert steps[0] == "D4" and steps[-1] == "B4" and "G4" not in steps
    assert math.isclose(edited.notes[-1].onset_s, 3.0)
