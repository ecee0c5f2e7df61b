"""A transcription as a CSV note list: one row per note or rest, times in seconds and beats."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import TextIO

from pitchlive.exports.atomic import write_bytes_atomically
from pitchlive.tracking.notes import Note, Transcription

COLUMNS = ("kind", "onset_s", "duration_s", "midi", "note", "cents", "frequency_hz",
           "start_beats", "duration_beats")


def note_row(note: Note, transcription: Transcription) -> list[str]:
    """One CSV row as strings; pitch columns are empty for rests."""
    timing = [f"{note.onset_s:.3f}", f"{note.duration_s:.3f}"]
    beats = [f"{note.start_beats:g}", f"{note.duration_beats:g}"]
    if note.is_rest:
        return ["rest", *timing, "", "", "", "", *beats]
    cents = f"{note.cents:+.1f}" if math.isfinite(note.cents) else ""
    frequency = transcription.note_hz(note.midi) * 2.0 ** ((note.cents if cents else 0.0) / 1200)
    return ["note", *timing, str(note.midi), note.name or "", cents, f"{frequency:.2f}", *beats]


def write_notes_csv(out: TextIO, transcription: Transcription) -> None:
    """Write the header and one row per note or rest to an open text stream."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for note in transcription.events:
        writer.writerow(note_row(note, transcription))


def notes_csv_string(transcription: Transcription) -> str:
    """The note list as CSV text."""
    buffer = io.StringIO()
    write_notes_csv(buffer, transcription)
    return buffer.getvalue()


def save_notes_csv(path: Path, transcription: Transcription) -> None:
    """Save the note list as CSV (UTF-8), atomically."""
    write_bytes_atomically(Path(path), notes_csv_string(transcription).encode("utf-8"))
