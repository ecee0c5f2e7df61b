"""Targets from UltraStar ``.txt`` karaoke files (UltraStar Deluxe, Vocaluxe, Performous).

Format: ``#TAG:value`` header lines, then note lines ``T beat length pitch syllable`` where T is
``:`` (normal), ``*`` (golden), ``F`` (freestyle), ``R`` (rap) or ``G`` (golden rap); ``- beat``
ends a lyric line; ``E`` ends the song. One UltraStar beat lasts 60 / (BPM * 4) s (the #BPM tag
counts quarter beats); times start at #GAP milliseconds; pitch 0 is C4 (MIDI 60). With
#RELATIVE:yes, beats count from the start of each line and ``- a b`` moves the line start on by
b beats (by a when b is missing). Duets (``P1``/``P2``) use the chosen player's notes.
"""

from __future__ import annotations

import re
from pathlib import Path

from pitchlive.practice.target import Target, TargetError, TargetNote, require_notes

C4_MIDI = 60
NOTE_KINDS = {":": {}, "*": {"golden": True}, "F": {"freestyle": True}, "R": {"rap": True},
              "G": {"rap": True, "golden": True}}
_NOTE_RE = re.compile(r"^([:*FRG])\s+(-?\d+)\s+(\d+)\s+(-?\d+)(?:[ \t](.*))?$")
_BREAK_RE = re.compile(r"^-\s*(-?\d+)(?:\s+(-?\d+))?\s*$")


def _number(text: str, tag: str, path: Path, line_no: int) -> float:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        raise TargetError(f"{path}:{line_no}: #{tag} must be a number, got {text.strip()!r}."
                          ) from None


def _read_lines(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TargetError(f"the target file {path} does not exist.") from None
    except OSError as exc:
        raise TargetError(f"cannot read {path} ({exc.strerror}).") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")   # older songs are often Windows-1252
    return text.splitlines()


def load_ultrastar(path: Path, player: int = 1) -> Target:
    """The target of an UltraStar song file.

    Parameters
    ----------
    path : Path
        The song's ``.txt``.
    player : int
        For duets, which singer's part (1 or 2).

    Raises
    ------
    TargetError
        Missing #BPM, a malformed line (the message gives its number), or no notes.
    """
    path = Path(path)
    lines = _read_lines(path)
    headers: dict[str, str] = {}
    header_lines: dict[str, int] = {}
    body_start = len(lines)
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            body_start = index
            break
        tag, sep, value = line[1:].partition(":")
        if not sep:
            raise TargetError(f"{path}:{index + 1}: a header line must look like #TAG:value, "
                              f"got {line!r}.")
        headers.setdefault(tag.strip().upper(), value.strip())
        header_lines.setdefault(tag.strip().upper(), index + 1)
    if "BPM" not in headers:
        raise TargetError(f"{path} has no #BPM line; an UltraStar song needs one (e.g. #BPM:300).")
    bpm = _number(headers["BPM"], "BPM", path, header_lines["BPM"])
    if bpm <= 0:
        raise TargetError(f"{path}:{header_lines['BPM']}: #BPM must be positive, got {bpm:g}.")
    gap_s = _number(headers["GAP"], "GAP", path, header_lines["GAP"]) / 1000.0 \
        if "GAP" in headers else 0.0
    relative = headers.get("RELATIVE", "").strip().lower() in ("yes", "true", "1")
    beat_s = 60.0 / (bpm * 4.0)
    notes, breaks, line_offset, current_player, players = [], [], 0, 1, set()
    for index in range(body_start, len(lines)):
        line_no, line = index + 1, lines[index].rstrip("\r\n")
        stripped = line.strip()
        if not stripped:
            continue
        if stripped == "E" or stripped.startswith("E "):
            break
        if re.fullmatch(r"P\s*\d", stripped):
            current_player = int(stripped[-1])
            players.add(current_player)
            continue
        if current_player != player and players:
            continue
        match = _NOTE_RE.match(line.lstrip())
        if match:
            kind, start, length, pitch, lyric = match.groups()
            onset_beats = line_offset + int(start)
            if int(length) == 0:
                continue   # zero-length notes exist in the wild and have nothing to sing
            notes.append(TargetNote(gap_s + onset_beats * beat_s, int(length) * beat_s,
                                    float(C4_MIDI + int(pitch)), lyric or "",
                                    **NOTE_KINDS[kind]))
            continue
        match = _BREAK_RE.match(stripped)
        if match:
            first = int(match.group(1))
            breaks.append(gap_s + (line_offset + first) * beat_s)
            if relative:
                line_offset += int(match.group(2)) if match.group(2) is not None else first
            continue
        if stripped.startswith("#"):
            continue   # a stray header line among the notes: ignored as players do
        raise TargetError(f"{path}:{line_no}: cannot read this line: {stripped!r}. Note lines "
                          "look like ': 12 4 5 la' (kind, start beat, length, pitch, syllable).")
    where = f"{path.name}" + (f" (player {player})" if players else "")
    require_notes(notes, where)
    notes.sort(key=lambda n: n.onset_s)
    warnings = []
    if players and player not in players:
        raise TargetError(f"{path.name} has no player {player}; it has "
                          f"{', '.join(f'P{p}' for p in sorted(players))}.")
    if len(players) > 1:
        warnings.append(f"{path.name} is a duet; scoring player {player}'s part.")
    backing = None
    audio_name = headers.get("AUDIO") or headers.get("MP3")
    if audio_name:
        candidate = path.parent / audio_name
        if candidate.is_file():
            backing = candidate
        else:
            warnings.append(f"the song's audio {audio_name!r} is not next to {path.name}; "
                            "practise without the backing track, or put the file there.")
    else:
        warnings.append(f"{path.name} names no audio file (#MP3 or #AUDIO); no backing track.")
    title = headers.get("TITLE") or path.stem
    artist = headers.get("ARTIST")
    return Target(tuple(notes), title=f"{artist} - {title}" if artist else title,
                  source=f"UltraStar {where}", tempo_bpm=bpm,
                  line_breaks_s=tuple(breaks), backing_audio=backing, warnings=tuple(warnings))
