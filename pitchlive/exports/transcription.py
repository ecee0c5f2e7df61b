"""Saving a transcription in the format its file extension names: MIDI, MusicXML or note CSV.

Pure: no CLI code, so the GUI and the command line share one lookup and one writer. Every writer
writes atomically (temp file in the same folder, then rename), so a failed write leaves any old
file as it was.
"""

from __future__ import annotations

from pathlib import Path

# Output suffix -> format name; the writers are imported only when used.
FORMATS = {".mid": "midi", ".midi": "midi", ".musicxml": "musicxml", ".xml": "musicxml",
           ".csv": "csv"}
# The suffixes to offer users (file dialogs, messages); FORMATS also accepts .midi and .xml.
TRANSCRIPTION_SUFFIXES = (".mid", ".musicxml", ".csv")


def transcription_format(path: Path | str) -> str | None:
    """The format name ('midi', 'musicxml', 'csv') for a path's extension, or None if unknown."""
    return FORMATS.get(Path(path).suffix.lower())


def save_transcription(path: Path | str, transcription,
                       title: str = "pitchlive transcription", quantize: bool = False) -> None:
    """Write a transcription in the format its extension names (atomically).

    MIDI lines up with the recording (notes at their measured times, a tempo map from the
    estimate) unless quantize is True, which writes the grid-exact notes of the score.
    Raises ValueError for an unknown extension and OSError when the file cannot be written.
    """
    path = Path(path)
    kind = transcription_format(path)
    if kind == "midi":
        from pitchlive.exports.midi import save_midi

        save_midi(path, transcription, title=title,
                  timing="score" if quantize else "performance")
    elif kind == "musicxml":
        from pitchlive.exports.musicxml import save_musicxml

        save_musicxml(path, transcription, title=title)
    elif kind == "csv":
        from pitchlive.exports.notes_csv import save_notes_csv

        save_notes_csv(path, transcription)
    else:
        raise ValueError(f"unknown transcription format for {path.name}: use one of the "
                         f"extensions {' '.join(TRANSCRIPTION_SUFFIXES)}.")
