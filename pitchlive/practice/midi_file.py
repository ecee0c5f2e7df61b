"""Targets from Standard MIDI Files: one track, the whole tempo map, top voice if polyphonic."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from pitchlive.practice.target import (Target, TargetError, TargetNote, polyphony_warning,
                                       require_notes, top_voice)

DRUM_CHANNEL = 9   # General MIDI channel 10, counted from 0
DEFAULT_TEMPO_US = 500_000   # 120 BPM, the MIDI default before any set_tempo


@dataclass(frozen=True)
class MidiTrackInfo:
    """A track as users choose it: number (from 1), name, note count, drums only or not."""

    number: int
    name: str
    n_notes: int
    drums_only: bool

    def describe(self) -> str:
        """e.g. "2 'Melody' (48 notes)"."""
        name = f" '{self.name}'" if self.name else ""
        drums = ", drums" if self.drums_only else ""
        return f"{self.number}{name} ({self.n_notes} notes{drums})"


class TempoMap:
    """Ticks -> seconds under a list of tempo changes (type 0/1 files: one shared map)."""

    def __init__(self, ticks_per_beat: int, changes: list[tuple[int, int]]):
        self.ticks_per_beat = ticks_per_beat
        changes = sorted(changes)
        self._ticks = [0]
        self._tempo_us = [changes[0][1] if changes and changes[0][0] == 0 else DEFAULT_TEMPO_US]
        self._seconds = [0.0]
        for tick, tempo in changes:
            if tick == 0:
                self._tempo_us[0] = tempo
                continue
            self._seconds.append(self.seconds(tick))
            self._ticks.append(tick)
            self._tempo_us.append(tempo)

    def seconds(self, tick: int) -> float:
        """Time in seconds of a tick."""
        i = bisect.bisect_right(self._ticks, tick) - 1
        return self._seconds[i] + (tick - self._ticks[i]) * self._tempo_us[i] / (
            1e6 * self.ticks_per_beat)

    @property
    def first_bpm(self) -> float:
        """Tempo in force at the start, in quarter notes per minute."""
        return 60e6 / self._tempo_us[0]


def _read(path: Path):
    import mido

    try:
        return mido.MidiFile(str(path))
    except FileNotFoundError:
        raise TargetError(f"the target file {path} does not exist.") from None
    except (OSError, EOFError, ValueError, KeyError, IndexError) as exc:
        raise TargetError(f"{path} is not a readable MIDI file ({exc}). Export it again as a "
                          "Standard MIDI File (.mid).") from None


def _track_notes(track, tempo: TempoMap) -> tuple[list[TargetNote], bool, str]:
    """(notes, drums only, track name) of one mido track; unmatched note-ons end at track end."""
    tick, name, sounding = 0, "", {}
    notes, channels = [], set()
    for message in track:
        tick += message.time
        if message.type == "track_name" and not name:
            name = message.name.strip()
        elif message.type == "note_on" and message.velocity > 0:
            sounding.setdefault((message.channel, message.note), []).append(tick)
            channels.add(message.channel)
        elif message.type in ("note_off", "note_on"):
            starts = sounding.get((message.channel, message.note))
            if starts:
                start = starts.pop(0)
                notes.append((start, tick, message.note))
    for (_, pitch), starts in sounding.items():
        notes.extend((start, tick, pitch) for start in starts)
    result = []
    for start, end, pitch in notes:
        onset_s = tempo.seconds(start)
        duration_s = tempo.seconds(end) - onset_s
        if duration_s > 0:
            result.append(TargetNote(onset_s, duration_s, float(pitch)))
    result.sort(key=lambda n: (n.onset_s, -n.midi))
    return result, bool(channels) and channels == {DRUM_CHANNEL}, name


def _key_name(midi_file) -> str | None:
    for track in midi_file.tracks:
        for message in track:
            if message.type == "key_signature":
                key = message.key
                return f"{key[:-1]} minor" if key.endswith("m") else f"{key} major"
    return None


def load_midi(path: Path, track: int | None = None) -> Target:
    """The target in one track of a MIDI file.

    Parameters
    ----------
    path : Path
        A Standard MIDI File.
    track : int or None
        Track number counted from 1 as ``list_tracks`` shows them; None takes the first track
        with notes that is not drums only (and warns, listing them, when there are several).

    Raises
    ------
    TargetError
        Unreadable file, no such track, or no notes.
    """
    path = Path(path)
    midi_file = _read(path)
    changes = [(tick, msg.tempo) for tr in midi_file.tracks[:1 if midi_file.type == 2 else None]
               for tick, msg in _absolute(tr) if msg.type == "set_tempo"]
    tempo = TempoMap(midi_file.ticks_per_beat, changes)
    parsed = [_track_notes(tr, tempo) for tr in midi_file.tracks]
    infos = [MidiTrackInfo(i + 1, name, len(notes), drums)
             for i, (notes, drums, name) in enumerate(parsed)]
    with_notes = [info for info in infos if info.n_notes]
    listing = "; ".join(info.describe() for info in with_notes)
    require_notes([n for notes, _, _ in parsed for n in notes], str(path))
    warnings = []
    if track is None:
        candidates = [info for info in with_notes if not info.drums_only] or with_notes
        chosen = candidates[0]
        if len(with_notes) > 1:
            warnings.append(f"{path.name} has {len(with_notes)} tracks with notes: {listing}. "
                            f"Using track {chosen.number}; choose another with --track N.")
    else:
        if not 1 <= track <= len(infos):
            raise TargetError(f"{path.name} has no track {track}; its tracks with notes are: "
                              f"{listing}.")
        chosen = infos[track - 1]
        require_notes(parsed[track - 1][0], f"track {track} of {path.name}")
    notes, n_polyphonic = top_voice(parsed[chosen.number - 1][0])
    where = f"{path.name}, track {chosen.describe()}"
    if n_polyphonic:
        warnings.append(polyphony_warning(f"track {chosen.number} of {path.name}", n_polyphonic,
                                          len(notes)))
    return Target(tuple(notes), title=path.stem, source=f"MIDI file {where}",
                  tempo_bpm=round(tempo.first_bpm, 3), key=_key_name(midi_file),
                  warnings=tuple(warnings))


def list_tracks(path: Path) -> list[MidiTrackInfo]:
    """Every track of a MIDI file with its note count (for a track chooser)."""
    midi_file = _read(Path(path))
    tempo = TempoMap(midi_file.ticks_per_beat, [])
    return [MidiTrackInfo(i + 1, name, len(notes), drums)
            for i, (notes, drums, name) in
            enumerate(_track_notes(tr, tempo) for tr in midi_file.tracks)]


def _absolute(track):
    tick = 0
    for message in track:
        tick += message.time
        yield tick, message
