"""Correcting a transcription by hand: split, merge, move by semitones, delete, add; with undo.

Pure and Qt-free. A transcription is immutable, so each edit makes a new one: the notes that
changed get new score positions on the transcription's own beat grid (tempo and beat 0 stay as
they were), the untouched ones keep theirs, and the rests are rebuilt from the gaps. The editor
keeps every state it has been in, which is what undo and redo step through; a state is a tuple
of small frozen notes, so the history costs little.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from pitchlive.music import note_name
from pitchlive.tracking.notes import Note, Transcription
from pitchlive.tracking.tempo import SUBDIVISIONS_PER_BEAT

MIN_PIECE_S = 0.03          # split / add: no piece shorter than one model frame or so
LOWEST_MIDI, HIGHEST_MIDI = 0, 127
GRID_BEATS = 1.0 / SUBDIVISIONS_PER_BEAT


class EditError(ValueError):
    """An edit that cannot apply (says why, in words for the user)."""


def _beats_at(transcription: Transcription, time_s: float) -> float:
    """Score position (beats, on the sixteenth grid) of a time in seconds."""
    beat_s = 60.0 / transcription.tempo_bpm
    units = round((time_s - transcription.score_start_s) / beat_s / GRID_BEATS)
    return units * GRID_BEATS


def _note(t: Transcription, onset_s: float, end_s: float, midi: int, cents: float,
          start_beats: float, end_beats: float) -> Note:
    name = note_name(midi, t.prefer_flats, t.transpose_semitones)
    return Note(onset_s, end_s - onset_s, midi, name, cents, start_beats,
                max(end_beats - start_beats, GRID_BEATS))


def with_notes(transcription: Transcription, notes: list[Note] | tuple[Note, ...]
               ) -> Transcription:
    """The transcription with these notes (sorted by onset) and rests rebuilt between them.

    Score positions are made to follow each other: a note starts no earlier than the one before
    ends, so the score stays a single line.
    """
    ordered = sorted(notes, key=lambda n: n.onset_s)
    events: list[Note] = []
    previous: Note | None = None
    for note in ordered:
        if previous is not None:
            start = max(note.start_beats, previous.end_beats)
            if start != note.start_beats:
                note = replace(note, start_beats=start,
                               duration_beats=max(note.end_beats - start, GRID_BEATS))
            if note.start_beats > previous.end_beats:
                events.append(Note(previous.end_s, max(note.onset_s - previous.end_s, 0.0),
                                   None, None, math.nan, previous.end_beats,
                                   note.start_beats - previous.end_beats))
        events.append(note)
        previous = note
    return replace(transcription, events=tuple(events))


@dataclass(frozen=True)
class EditState:
    """One state of the editor: the transcription and what led to it (for the undo menu)."""

    transcription: Transcription
    label: str


def split_note(t: Transcription, index: int, at_s: float) -> Transcription:
    """Split note `index` (of t.notes) in two at a time inside it."""
    note = _get(t, index)
    if not note.onset_s + MIN_PIECE_S <= at_s <= note.end_s - MIN_PIECE_S:
        raise EditError("Split inside the note: put the cursor between its start and end.")
    split_beats = _beats_at(t, at_s)
    lo, hi = note.start_beats + GRID_BEATS, note.end_beats - GRID_BEATS
    split_beats = min(max(split_beats, lo), hi) if lo <= hi else \
        note.start_beats + note.duration_beats / 2
    first = _note(t, note.onset_s, at_s, note.midi, note.cents, note.start_beats, split_beats)
    second = _note(t, at_s, note.end_s, note.midi, note.cents, split_beats, note.end_beats)
    notes = list(t.notes)
    notes[index:index + 1] = [first, second]
    return with_notes(t, notes)


def merge_with_next(t: Transcription, index: int) -> Transcription:
    """Join note `index` and the next one into one note at the pitch of the longer."""
    note = _get(t, index)
    if index + 1 >= len(t.notes):
        raise EditError("The last note has no next note to merge with.")
    nxt = t.notes[index + 1]
    keep = note if note.duration_s >= nxt.duration_s else nxt
    merged = _note(t, note.onset_s, nxt.end_s, keep.midi, keep.cents, note.start_beats,
                   nxt.end_beats)
    notes = list(t.notes)
    notes[index:index + 2] = [merged]
    return with_notes(t, notes)


def shift_pitch(t: Transcription, index: int, semitones: int) -> Transcription:
    """Move note `index` up (positive) or down by whole semitones.

    Its cents stay the measured deviation, now from the new note (100 cents per semitone).
    """
    note = _get(t, index)
    midi = note.midi + int(semitones)
    if not LOWEST_MIDI <= midi <= HIGHEST_MIDI:
        raise EditError("The note cannot go further: MIDI notes run from 0 to 127.")
    cents = note.cents - 100.0 * semitones if math.isfinite(note.cents) else note.cents
    notes = list(t.notes)
    notes[index] = _note(t, note.onset_s, note.end_s, midi, cents, note.start_beats,
                         note.end_beats)
    return with_notes(t, notes)


def delete_note(t: Transcription, index: int) -> Transcription:
    """Remove note `index` (it becomes part of a rest)."""
    _get(t, index)
    notes = list(t.notes)
    del notes[index]
    return with_notes(t, notes)


def add_note(t: Transcription, onset_s: float, end_s: float, midi: int) -> Transcription:
    """A new note from onset_s to end_s; it may not overlap another note."""
    onset_s, end_s = float(min(onset_s, end_s)), float(max(onset_s, end_s))
    if end_s - onset_s < MIN_PIECE_S:
        raise EditError(f"A new note must last at least {MIN_PIECE_S * 1000:.0f} ms: drag "
                        "further.")
    if not LOWEST_MIDI <= int(midi) <= HIGHEST_MIDI:
        raise EditError("A new note must be between MIDI 0 and 127.")
    if any(n.onset_s < end_s and onset_s < n.end_s for n in t.notes):
        raise EditError("The new note overlaps another one: drag over empty space only.")
    if onset_s < 0.0:
        raise EditError("A new note cannot start before the recording does.")
    start = _beats_at(t, onset_s)
    end = max(_beats_at(t, end_s), start + GRID_BEATS)
    before = [n for n in t.notes if n.end_s <= onset_s]
    after = [n for n in t.notes if n.onset_s >= end_s]
    if before:
        start = max(start, before[-1].end_beats)
    if after:
        end = min(end, after[0].start_beats)
    if start < 0.0 and not before:
        # Earlier than beat 0 of the score: the score cannot start before its first beat.
        start, end = 0.0, max(end, GRID_BEATS)
    new = _note(t, onset_s, end_s, int(midi), 0.0, start, max(end, start + GRID_BEATS))
    return with_notes(t, list(t.notes) + [new])


def _get(t: Transcription, index: int) -> Note:
    if not 0 <= index < len(t.notes):
        raise EditError(f"There is no note {index + 1}: choose a note first.")
    return t.notes[index]


class NoteEditor:
    """A transcription under correction: edits, undo and redo (see the module doc)."""

    def __init__(self, transcription: Transcription) -> None:
        self._states: list[EditState] = [EditState(transcription, "transcription")]
        self._position = 0

    @property
    def transcription(self) -> Transcription:
        """The transcription as edited so far."""
        return self._states[self._position].transcription

    @property
    def original(self) -> Transcription:
        """The transcription before any edit."""
        return self._states[0].transcription

    @property
    def can_undo(self) -> bool:
        """True when there is an edit to undo."""
        return self._position > 0

    @property
    def can_redo(self) -> bool:
        """True when an undone edit can be done again."""
        return self._position < len(self._states) - 1

    @property
    def undo_label(self) -> str | None:
        """What undo would take back ('split', 'merge', ...), or None."""
        return self._states[self._position].label if self.can_undo else None

    @property
    def redo_label(self) -> str | None:
        """What redo would do again, or None."""
        return self._states[self._position + 1].label if self.can_redo else None

    def _apply(self, label: str, new: Transcription) -> Transcription:
        del self._states[self._position + 1:]        # a new edit drops what was undone
        self._states.append(EditState(new, label))
        self._position += 1
        return new

    def split(self, index: int, at_s: float) -> Transcription:
        """Split note `index` at at_s (raises EditError)."""
        return self._apply("split", split_note(self.transcription, index, at_s))

    def merge_next(self, index: int) -> Transcription:
        """Merge note `index` with the next (raises EditError)."""
        return self._apply("merge", merge_with_next(self.transcription, index))

    def shift(self, index: int, semitones: int) -> Transcription:
        """Move note `index` by semitones (raises EditError)."""
        return self._apply("pitch change", shift_pitch(self.transcription, index, semitones))

    def delete(self, index: int) -> Transcription:
        """Delete note `index` (raises EditError)."""
        return self._apply("delete", delete_note(self.transcription, index))

    def add(self, onset_s: float, end_s: float, midi: int) -> Transcription:
        """Add a note (raises EditError)."""
        return self._apply("add", add_note(self.transcription, onset_s, end_s, midi))

    def undo(self) -> Transcription:
        """Take the last edit back (nothing happens when there is none)."""
        if self.can_undo:
            self._position -= 1
        return self.transcription

    def redo(self) -> Transcription:
        """Do the last undone edit again (nothing happens when there is none)."""
        if self.can_redo:
            self._position += 1
        return self.transcription
