"""A transcription as a MusicXML 4.0 partwise score (opens in MuseScore, Finale, Sibelius...).

Written with the standard library's ElementTree: one part, 4 divisions per quarter note (the
transcription's grid is a sixteenth), notes split at bar lines and into plain or dotted values
with ties. Pitches are written for the chosen transposition, with a <transpose> element so
notation programs play them at concert pitch. Each note spells its pitch in the key and carries
the written accidental a reader needs (<accidental>): where the key signature, or an earlier
note on the same line in the bar, does not already give its alteration. A note tied over from
the bar before carries none and leaves the bar's alterations as they are.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from pitchlive import __version__
from pitchlive.exports.atomic import write_bytes_atomically
from pitchlive.music import FLAT_NAMES, SHARP_NAMES
from pitchlive.notation.key import Key, spell_in_key, spelled_name
from pitchlive.tracking.notes import Transcription

DIVISIONS = 4            # per quarter note: the score grid is a sixteenth
DOCTYPE = ('<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" '
           '"http://www.musicxml.org/dtds/partwise.dtd">')
# (length in sixteenths, type, dotted), longest first
VALUES = ((16, "whole", False), (12, "half", True), (8, "half", False), (6, "quarter", True),
          (4, "quarter", False), (3, "eighth", True), (2, "eighth", False), (1, "16th", False))
BASS_CLEF_BELOW_MIDI = 55   # written median below G3: bass clef
# Written = concert + semitones; MusicXML <transpose> gives written -> sounding. Letter steps of
# each interval within an octave, by its size in semitones (the tritone as an augmented fourth).
DIATONIC_STEPS = (0, 1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 6)
SHARP_ORDER = "FCGDAEB"        # the order sharps enter a key signature (flats: reversed)
ACCIDENTALS = {-2: "flat-flat", -1: "flat", 0: "natural", 1: "sharp", 2: "double-sharp"}


@dataclass(frozen=True)
class Piece:
    """One written note or rest inside a bar: start and length in sixteenths, tie flags."""

    start: int
    length: int
    midi: int | None
    tie_start: bool = False
    tie_stop: bool = False


def note_values(position: int, length: int) -> list[int]:
    """Split a length (sixteenths) starting at a position in the bar into writable values.

    Quarter notes and longer start on a beat, dotted quarters on an eighth, so rhythms read
    clearly; anything left is made of shorter values.
    """
    out = []
    while length > 0:
        for value, _, _ in VALUES:
            if value > length:
                continue
            if value >= 8 and position % 4:
                continue
            if value in (4, 6) and position % (4 if value == 4 else 2):
                continue
            if value == 16 and position:
                continue
            break
        out.append(value)
        position += value
        length -= value
    return out


def bar_pieces(starts: list[int], lengths: list[int], midis: list[int | None],
               bar_length: int) -> list[list[Piece]]:
    """Cut consecutive events (sixteenths) into bars of written values with ties between them.

    The events must be contiguous from 0; the last bar is filled with rests.
    """
    bars: list[list[Piece]] = [[]]
    for start, length, midi in zip(starts, lengths, midis):
        position, remaining = start, length
        pieces: list[Piece] = []
        while remaining > 0:
            in_bar = position % bar_length
            chunk = min(remaining, bar_length - in_bar)
            for value in note_values(in_bar, chunk):
                pieces.append(Piece(position, value, midi))
                position += value
            remaining -= chunk
        for k, piece in enumerate(pieces):
            tied = midi is not None
            pieces[k] = Piece(piece.start, piece.length, midi,
                              tie_start=tied and k < len(pieces) - 1, tie_stop=tied and k > 0)
        for piece in pieces:
            while piece.start >= len(bars) * bar_length:
                bars.append([])
            bars[piece.start // bar_length].append(piece)
    end = max((p.start + p.length for bar in bars for p in bar), default=0)
    if end % bar_length or end == 0:
        fill = bar_length - end % bar_length
        if end == 0:
            bars[0].append(Piece(0, bar_length, None))
        else:
            position = end
            for value in note_values(end % bar_length, fill):
                bars[-1].append(Piece(position, value, None))
                position += value
    return bars


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def written_key(transcription: Transcription) -> Key | None:
    """The key as written for the transposition (None when the transcription has none)."""
    if transcription.key is None:
        return None
    return transcription.key.transposed(transcription.transpose_semitones)


def spelled_pitch(written_midi: int, key: Key | None, prefer_flats: bool
                  ) -> tuple[str, int, int]:
    """(step, alter, octave) of a written MIDI note: spelled in the key when there is one."""
    if key is None:
        name = (FLAT_NAMES if prefer_flats else SHARP_NAMES)[written_midi % 12]
        alter = 0 if len(name) == 1 else (1 if name[1] == "#" else -1)
    else:
        position = spell_in_key(written_midi % 12, key)
        name = spelled_name(position)
        alter = (position + 1) // 7
    # B# belongs to the octave below its sound, Cb to the octave above.
    octave = (written_midi - alter) // 12 - 1
    return name[0], alter, octave


def key_alters(fifths: int) -> dict[str, int]:
    """The alteration (semitones) a key signature of `fifths` gives each step letter."""
    if fifths >= 0:
        return {step: 1 for step in SHARP_ORDER[:fifths]}
    return {step: -1 for step in SHARP_ORDER[::-1][:-fifths]}


class BarAccidentals:
    """Which written accidentals a bar needs, note by note (call `start_bar` at each bar)."""

    def __init__(self, fifths: int) -> None:
        self.key = key_alters(fifths)
        self.in_bar: dict[tuple[str, int], int] = {}

    def start_bar(self) -> None:
        """A bar line: only the key signature holds again."""
        self.in_bar = {}

    def accidental(self, step: str, alter: int, octave: int, tied_over: bool) -> str | None:
        """The <accidental> a note needs ("sharp", "natural"...), or None."""
        if tied_over:
            return None
        line = (step, octave)
        expected = self.in_bar.get(line, self.key.get(step, 0))
        self.in_bar[line] = alter
        return ACCIDENTALS.get(alter) if alter != expected else None


def _pitch(parent: ET.Element, written_midi: int, prefer_flats: bool,
           key: Key | None = None) -> tuple[str, int, int]:
    step, alter, octave = spelled_pitch(written_midi, key, prefer_flats)
    pitch = _sub(parent, "pitch")
    _sub(pitch, "step", step)
    if alter:
        _sub(pitch, "alter", str(alter))
    _sub(pitch, "octave", str(octave))
    return step, alter, octave


def _note(measure: ET.Element, piece: Piece, bar_length: int, transcription: Transcription,
          whole_bar_rest: bool, bar: BarAccidentals) -> None:
    note = _sub(measure, "note")
    accidental = None
    if piece.midi is None:
        if whole_bar_rest:
            _sub(note, "rest", measure="yes")
        else:
            _sub(note, "rest")
    else:
        step, alter, octave = _pitch(note, piece.midi + transcription.transpose_semitones,
                                     transcription.prefer_flats, written_key(transcription))
        accidental = bar.accidental(step, alter, octave, piece.tie_stop)
    _sub(note, "duration", str(piece.length))
    if piece.tie_stop:
        _sub(note, "tie", type="stop")
    if piece.tie_start:
        _sub(note, "tie", type="start")
    _sub(note, "voice", "1")
    value = next((v for v in VALUES if v[0] == piece.length), None)
    if not whole_bar_rest and value is not None:
        _sub(note, "type", value[1])
        if value[2]:
            _sub(note, "dot")
    if accidental is not None:          # MusicXML's order: after <type> and <dot>
        _sub(note, "accidental", accidental)
    if piece.tie_start or piece.tie_stop:
        notations = _sub(note, "notations")
        if piece.tie_stop:
            _sub(notations, "tied", type="stop")
        if piece.tie_start:
            _sub(notations, "tied", type="start")


def _attributes(measure: ET.Element, transcription: Transcription) -> None:
    attributes = _sub(measure, "attributes")
    _sub(attributes, "divisions", str(DIVISIONS))
    key = _sub(attributes, "key")
    signature_key = written_key(transcription)
    _sub(key, "fifths", str(signature_key.fifths if signature_key else 0))
    _sub(key, "mode", signature_key.mode if signature_key else "major")
    time = _sub(attributes, "time")
    _sub(time, "beats", str(transcription.beats_per_bar))
    _sub(time, "beat-type", str(transcription.beat_type))
    written = sorted(n.midi + transcription.transpose_semitones for n in transcription.notes)
    clef = _sub(attributes, "clef")
    if written and written[len(written) // 2] < BASS_CLEF_BELOW_MIDI:
        _sub(clef, "sign", "F")
        _sub(clef, "line", "4")
    else:
        _sub(clef, "sign", "G")
        _sub(clef, "line", "2")
    diatonic, chromatic, octaves = transpose_steps(transcription.transpose_semitones)
    if chromatic or octaves:
        transpose = _sub(attributes, "transpose")
        _sub(transpose, "diatonic", str(diatonic))
        _sub(transpose, "chromatic", str(chromatic))
        if octaves:
            _sub(transpose, "octave-change", str(octaves))


def transpose_steps(transpose_semitones: int) -> tuple[int, int, int]:
    """MusicXML <transpose> (diatonic, chromatic, octave-change) from written to sounding pitch,
    for notes written transpose_semitones above concert pitch."""
    sounding = -int(transpose_semitones)
    octaves = int(sounding / 12)                       # towards zero: D trumpet is +2, not -10+8ve
    chromatic = sounding - 12 * octaves
    diatonic = DIATONIC_STEPS[abs(chromatic)] * (1 if chromatic >= 0 else -1)
    return diatonic, chromatic, octaves


def _tempo(measure: ET.Element, tempo_bpm: float) -> None:
    direction = _sub(measure, "direction", placement="above")
    metronome = _sub(_sub(direction, "direction-type"), "metronome")
    _sub(metronome, "beat-unit", "quarter")
    _sub(metronome, "per-minute", f"{tempo_bpm:.0f}")
    _sub(direction, "sound", tempo=f"{tempo_bpm:.2f}")


def score_element(transcription: Transcription, title: str = "pitchlive transcription",
                  part_name: str = "Melody") -> ET.Element:
    """The <score-partwise> element of a transcription (a bar of rest when it has no notes)."""
    units = [round(e.start_beats * DIVISIONS) for e in transcription.events]
    lengths = [max(1, round(e.duration_beats * DIVISIONS)) for e in transcription.events]
    midis = [e.midi for e in transcription.events]
    # Events are contiguous from their first start; a leading gap is a rest from beat 0.
    if units and units[0] > 0:
        units, lengths, midis = [0] + units, [units[0]] + lengths, [None] + midis
    for k in range(1, len(units)):   # keep them contiguous whatever rounding did
        units[k] = units[k - 1] + lengths[k - 1]
    bar_length = transcription.time_signature.bar_sixteenths * DIVISIONS // 4
    bars = bar_pieces(units, lengths, midis, bar_length)

    root = ET.Element("score-partwise", version="4.0")
    _sub(_sub(root, "work"), "work-title", title)
    encoding = _sub(_sub(root, "identification"), "encoding")
    _sub(encoding, "software", f"pitchlive {__version__}")
    _sub(encoding, "encoding-date", datetime.date.today().isoformat())
    score_part = _sub(_sub(root, "part-list"), "score-part", id="P1")
    _sub(score_part, "part-name", part_name)
    part = _sub(root, "part", id="P1")
    signature_key = written_key(transcription)
    accidentals = BarAccidentals(signature_key.fifths if signature_key else 0)
    for number, pieces in enumerate(bars, start=1):
        measure = _sub(part, "measure", number=str(number))
        accidentals.start_bar()
        if number == 1:
            _attributes(measure, transcription)
            _tempo(measure, transcription.tempo_bpm)
        whole_rest = len(pieces) == 1 and pieces[0].midi is None and \
            pieces[0].length == bar_length
        for piece in pieces:
            _note(measure, piece, bar_length, transcription, whole_rest, accidentals)
    return root


def musicxml_string(transcription: Transcription, **kwargs) -> str:
    """The MusicXML document as text (see score_element for the options)."""
    root = score_element(transcription, **kwargs)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n{DOCTYPE}\n{body}\n'


def save_musicxml(path: Path, transcription: Transcription, **kwargs) -> None:
    """Save a transcription as .musicxml (UTF-8), atomically."""
    write_bytes_atomically(Path(path), musicxml_string(transcription, **kwargs).encode("utf-8"))
