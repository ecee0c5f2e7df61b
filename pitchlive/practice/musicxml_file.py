"""Targets from MusicXML (.musicxml, .xml, compressed .mxl) with the standard library only.

Handles partwise scores: divisions, tempo marks (``<sound tempo>``, metronome marks), ties,
rests, chords and several voices (reduced to the top voice), backup/forward, grace notes
(skipped) and lyrics. Repeats are not unfolded: the score is sung as written once through.
"""

from __future__ import annotations

import bisect
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from pitchlive.practice.target import (Target, TargetError, TargetNote, polyphony_warning,
                                       require_notes, top_voice)

DEFAULT_TEMPO_BPM = 120.0
_STEP_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_FIFTHS_MAJOR = ("Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#",
                 "C#")
_FIFTHS_MINOR = ("Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#",
                 "A#")


@dataclass(frozen=True)
class _Event:
    start_q: float      # in quarter notes from the start
    end_q: float
    midi: float
    lyric: str
    tie_start: bool
    tie_stop: bool


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element, name: str):
    return [c for c in element if _local(c.tag) == name]


def _child(element, name: str):
    for c in element:
        if _local(c.tag) == name:
            return c
    return None


def _text(element, name: str, default: str | None = None) -> str | None:
    c = _child(element, name) if element is not None else None
    return c.text.strip() if c is not None and c.text else default


def _read_root(path: Path):
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
                rootfile = next(e for e in container.iter() if _local(e.tag) == "rootfile")
                return ElementTree.fromstring(archive.read(rootfile.get("full-path")))
        return ElementTree.parse(path).getroot()
    except FileNotFoundError:
        raise TargetError(f"the target file {path} does not exist.") from None
    except (ElementTree.ParseError, KeyError, StopIteration, zipfile.BadZipFile, OSError) as exc:
        raise TargetError(f"{path} is not a readable MusicXML file ({exc}). Export it again as "
                          "MusicXML from your notation program.") from None


def list_parts(path: Path) -> list[tuple[str, str]]:
    """(id, name) of every part in a MusicXML score, in score order."""
    root = _read_root(Path(path))
    return _part_names(root)


def _part_names(root) -> list[tuple[str, str]]:
    part_list = _child(root, "part-list")
    parts = [] if part_list is None else _children(part_list, "score-part")
    return [(p.get("id", ""), _text(p, "part-name", "") or p.get("id", "")) for p in parts]


def _pitch_midi(pitch) -> float:
    step = _text(pitch, "step", "C").upper()
    alter = float(_text(pitch, "alter", "0") or 0)
    octave = int(_text(pitch, "octave", "4"))
    return (octave + 1) * 12 + _STEP_PC[step] + alter


def _measure_events(part):
    """Note events in quarter notes, the tempo changes [(quarter, bpm)] and the key name."""
    divisions, measure_start, events, tempi, key = 1.0, 0.0, [], [], None
    for measure in _children(part, "measure"):
        position, measure_length = 0.0, 0.0
        last_onset = 0.0
        for element in measure:
            tag = _local(element.tag)
            if tag == "attributes":
                divisions = float(_text(element, "divisions", str(divisions)))
                key_el = _child(element, "key")
                if key_el is not None and key is None and _text(key_el, "fifths") is not None:
                    fifths = max(-7, min(7, int(_text(key_el, "fifths"))))
                    minor = (_text(key_el, "mode", "major") or "major").lower() == "minor"
                    key = (f"{_FIFTHS_MINOR[fifths + 7]} minor" if minor
                           else f"{_FIFTHS_MAJOR[fifths + 7]} major")
            elif tag in ("backup", "forward"):
                amount = float(_text(element, "duration", "0")) / divisions
                position += -amount if tag == "backup" else amount
            elif tag in ("direction", "sound"):
                for sound in ([element] if tag == "sound" else element.iter()):
                    if _local(sound.tag) == "sound" and sound.get("tempo"):
                        tempi.append((measure_start + position, float(sound.get("tempo"))))
                    elif _local(sound.tag) == "metronome" and tag == "direction":
                        per_minute = _text(sound, "per-minute")
                        unit = _text(sound, "beat-unit", "quarter")
                        if per_minute and unit in _UNIT_QUARTERS:
                            factor = _UNIT_QUARTERS[unit] * (
                                1.5 if _child(sound, "beat-unit-dot") is not None else 1.0)
                            tempi.append((measure_start + position,
                                          float(per_minute) * factor))
            elif tag == "note":
                if _child(element, "grace") is not None or _child(element, "cue") is not None:
                    continue
                duration = float(_text(element, "duration", "0")) / divisions
                chord = _child(element, "chord") is not None
                onset = last_onset if chord else position
                if not chord:
                    position += duration
                    last_onset = onset
                measure_length = max(measure_length, position)
                pitch = _child(element, "pitch")
                if pitch is None:   # rest or unpitched
                    continue
                ties = [t.get("type") for t in _children(element, "tie")]
                lyric = next((_text(ly, "text", "") for ly in _children(element, "lyric")), "")
                events.append(_Event(measure_start + onset, measure_start + onset + duration,
                                     _pitch_midi(pitch), lyric or "", "start" in ties,
                                     "stop" in ties))
            measure_length = max(measure_length, position)
        measure_start += measure_length
    return events, tempi, key


_UNIT_QUARTERS = {"whole": 4.0, "half": 2.0, "quarter": 1.0, "eighth": 0.5, "16th": 0.25}


def _join_ties(events: list[_Event]) -> list[_Event]:
    """Merge tied notes into one event."""
    joined: list[_Event] = []
    open_ties: dict[float, int] = {}
    for event in sorted(events, key=lambda e: (e.start_q, -e.midi)):
        index = open_ties.get(event.midi)
        if event.tie_stop and index is not None and \
                abs(joined[index].end_q - event.start_q) < 1e-6:
            previous = joined[index]
            joined[index] = _Event(previous.start_q, event.end_q, previous.midi, previous.lyric,
                                   event.tie_start, False)
            if not event.tie_start:
                del open_ties[event.midi]
            continue
        joined.append(event)
        if event.tie_start:
            open_ties[event.midi] = len(joined) - 1
    return joined


class _QuarterClock:
    """Quarter notes -> seconds under tempo changes."""

    def __init__(self, tempi: list[tuple[float, float]]):
        tempi = sorted(tempi)
        if not tempi or tempi[0][0] > 0:
            tempi.insert(0, (0.0, tempi[0][1] if tempi else DEFAULT_TEMPO_BPM))
        self._q = [q for q, _ in tempi]
        self._bpm = [bpm for _, bpm in tempi]
        self._s = [0.0]
        for i in range(1, len(tempi)):
            self._s.append(self._s[-1] + (self._q[i] - self._q[i - 1]) * 60.0 / self._bpm[i - 1])

    @property
    def first_bpm(self) -> float:
        """Tempo at the start in quarter notes per minute."""
        return self._bpm[0]

    def seconds(self, quarter: float) -> float:
        """Time in seconds of a position in quarter notes."""
        i = max(0, bisect.bisect_right(self._q, quarter) - 1)
        return self._s[i] + (quarter - self._q[i]) * 60.0 / self._bpm[i]


def load_musicxml(path: Path, part: str | None = None) -> Target:
    """The target in one part of a partwise MusicXML score.

    Parameters
    ----------
    path : Path
        ``.musicxml``, ``.xml`` or compressed ``.mxl``.
    part : str or None
        Part name or id (case-insensitive) or number from 1; None takes the first part with
        notes and warns, listing the parts, when several have notes.

    Raises
    ------
    TargetError
        Unreadable file, a timewise score, no such part, or no notes.
    """
    path = Path(path)
    root = _read_root(path)
    if _local(root.tag) == "score-timewise":
        raise TargetError(f"{path.name} is a timewise MusicXML score; export it as a partwise "
                          "score (the usual kind) and try again.")
    if _local(root.tag) != "score-partwise":
        raise TargetError(f"{path.name} is XML but not a MusicXML score (its root is "
                          f"<{_local(root.tag)}>).")
    names = _part_names(root)
    parts = {p.get("id", ""): p for p in _children(root, "part")}
    warnings: list[str] = []
    parsed = {}
    for part_id, _ in names:
        if part_id in parts:
            parsed[part_id] = _measure_events(parts[part_id])
    with_notes = [(pid, name) for pid, name in names if pid in parsed and parsed[pid][0]]
    listing = "; ".join(f"{i + 1} '{name}'" for i, (_, name) in enumerate(names))
    require_notes([e for pid in parsed for e in parsed[pid][0]], str(path))
    if part is None:
        chosen_id, chosen_name = with_notes[0]
        if len(with_notes) > 1:
            warnings.append(f"{path.name} has {len(with_notes)} parts with notes: {listing}. "
                            f"Using '{chosen_name}'; choose another with --part NAME.")
    else:
        chosen = [(pid, name) for i, (pid, name) in enumerate(names)
                  if part.strip().lower() in (pid.lower(), name.lower(), str(i + 1))]
        if not chosen:
            raise TargetError(f"{path.name} has no part {part!r}; its parts are: {listing}.")
        chosen_id, chosen_name = chosen[0]
        if chosen_id not in parsed:
            raise TargetError(f"part {part!r} of {path.name} has no music in the file.")
    events, tempi, key = parsed[chosen_id]
    require_notes(events, f"part '{chosen_name}' of {path.name}")
    if not tempi:
        warnings.append(f"{path.name} marks no tempo; using {DEFAULT_TEMPO_BPM:g} BPM.")
    clock = _QuarterClock(tempi)
    notes = []
    for event in _join_ties(events):
        onset_s = clock.seconds(event.start_q)
        notes.append(TargetNote(onset_s, clock.seconds(event.end_q) - onset_s, event.midi,
                                event.lyric))
    voice, n_polyphonic = top_voice(notes)
    if n_polyphonic:
        warnings.append(polyphony_warning(f"part '{chosen_name}' of {path.name}", n_polyphonic,
                                          len(voice)))
    title = _score_title(root) or path.stem
    return Target(tuple(voice), title=title, source=f"MusicXML {path.name}, part '{chosen_name}'",
                  tempo_bpm=clock.first_bpm, key=key,
                  warnings=tuple(warnings))


def _score_title(root) -> str | None:
    work = _child(root, "work")
    title = _text(work, "work-title") if work is not None else None
    return title or _text(root, "movement-title")
