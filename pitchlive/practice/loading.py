"""Load a target from any supported file, chosen by its extension."""

from __future__ import annotations

from pathlib import Path

from pitchlive.practice.target import Target, TargetError

MIDI_SUFFIXES = (".mid", ".midi", ".smf")
MUSICXML_SUFFIXES = (".musicxml", ".xml", ".mxl")
ULTRASTAR_SUFFIXES = (".txt",)
SUPPORTED = MIDI_SUFFIXES + MUSICXML_SUFFIXES + ULTRASTAR_SUFFIXES


def load_target(path: Path, track: int | None = None, part: str | None = None) -> Target:
    """The target in a MIDI, MusicXML or UltraStar file.

    Parameters
    ----------
    path : Path
    track : int or None
        MIDI track number from 1 (MIDI only; None chooses the first melodic track).
    part : str or None
        MusicXML part name, id or number; for UltraStar duets "P1"/"P2" or "1"/"2".

    Raises
    ------
    TargetError
        Unknown type, unreadable file, bad choice of track/part, or no notes.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise TargetError(f"the target file {path} does not exist.")
    if path.is_dir():
        raise TargetError(f"{path} is a folder; give the target file itself.")
    if suffix in MIDI_SUFFIXES:
        from pitchlive.practice.midi_file import load_midi

        return load_midi(path, track)
    if suffix in MUSICXML_SUFFIXES:
        from pitchlive.practice.musicxml_file import load_musicxml

        return load_musicxml(path, part)
    if suffix in ULTRASTAR_SUFFIXES:
        from pitchlive.practice.ultrastar import load_ultrastar

        player = 1
        if part:
            digits = part.strip().upper().lstrip("P")
            if digits not in ("1", "2"):
                raise TargetError(f"an UltraStar duet has players P1 and P2, got {part!r}.")
            player = int(digits)
        return load_ultrastar(path, player)
    raise TargetError(f"{path.name}: unknown target type {suffix or '(no extension)'}; use a "
                      f"MIDI (.mid), MusicXML (.musicxml, .xml, .mxl) or UltraStar (.txt) file.")
