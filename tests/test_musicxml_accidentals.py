"""Written accidentals in the exported MusicXML: where the key signature or an earlier note of the
bar does not give a note's alteration (read back by music21, drawn by Verovio)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from pitchlive.exports.musicxml import BarAccidentals, key_alters, musicxml_string
from pitchlive.notation.key import Key
from pitchlive.tracking.notes import Note, Transcription
from pitchlive.tracking.tuning import TuningOffset


def melody(notes: list[tuple[int, float, float]], key: Key | None, transpose: int = 0
           ) -> Transcription:
    """(midi, start beat, beats) notes at 60 BPM, 4/4."""
    events = tuple(Note(start, beats, midi, None, 0.0, start, beats) for midi, start, beats in notes)
    return Transcription(events, 60.0, True, TuningOffset(0.0, 1.0, 10), True, key=key,
                         transpose_semitones=transpose)


# D major. Bar 1: F#4, F4, F#4, G#4 (tied into bar 2). Bar 2: G#4 (tie), G#4, Bb4, Bb4, A4.
# Bar 3: F4, F#4, F5, A4 (held).
D_MAJOR = [(66, 0, 1), (65, 1, 1), (66, 2, 1), (68, 3, 2), (68, 5, 1), (70, 6, 1), (70, 7, 1),
           (65, 8, 1), (66, 9, 1), (77, 10, 1), (69, 11, 1)]
EXPECTED = [None, "natural", "sharp", "sharp",      # bar 1
            None, "sharp", "flat", None,             # bar 2: the tied G# gives the bar nothing
            "natural", "sharp", "natural", None]     # bar 3: F5 is another line than F4


def written(musicxml: str) -> list[tuple[str, str | None]]:
    root = ET.fromstring(musicxml.split("\n", 2)[2].encode())
    return [(n.findtext("pitch/step") + (n.findtext("pitch/alter") or ""),
             n.findtext("accidental")) for n in root.iter("note") if n.find("pitch") is not None]


def test_key_signatures_alter_their_letters():
    assert key_alters(2) == {"F": 1, "C": 1}
    assert key_alters(-2) == {"B": -1, "E": -1}
    assert key_alters(0) == {}


def test_a_bar_remembers_its_alterations_per_line_and_forgets_them_at_the_bar_line():
    bar = BarAccidentals(-1)                                         # F major: Bb
    assert bar.accidental("B", -1, 4, False) is None
    assert bar.accidental("B", 0, 4, False) == "natural"
    assert bar.accidental("B", 0, 4, False) is None
    assert bar.accidental("B", 0, 3, False) == "natural"             # another octave
    assert bar.accidental("C", 1, 5, True) is None                   # tied over: none
    bar.start_bar()
    assert bar.accidental("B", 0, 4, False) == "natural"


def test_the_musicxml_writes_the_accidentals_a_reader_needs():
    text = musicxml_string(melody(D_MAJOR, Key(2, "major")))
    assert [a for _, a in written(text)] == EXPECTED
    root = ET.fromstring(text.split("\n", 2)[2].encode())
    order = [c.tag for c in next(n for n in root.iter("note") if n.find("accidental") is not None)]
    assert order.index("accidental") == order.index("type") + 1     # MusicXML's element order
    # Without a key: C major, sharps where the notes are sharp.
    assert [a for _, a in written(musicxml_string(melody([(66, 0, 1), (66, 1, 1)], None)))] == \
        ["sharp", None]
    # Written for a Bb instrument (+2): D major sounds, E major is written (F#, C#, G#, D#).
    text = musicxml_string(melody([(65, 0, 1), (66, 1, 1), (64, 2, 1)], Key(2, "major"),
                                  transpose=2))
    assert written(text) == [("G", "natural"), ("G1", "sharp"), ("F1", None)]


def test_music21_reads_the_written_accidentals_back():
    music21 = pytest.importorskip("music21")
    score = music21.converter.parseData(musicxml_string(melody(D_MAJOR, Key(2, "major"))),
                                        format="musicxml")
    notes = list(score.recurse().notes)
    shown = [n.pitch.accidental.name if n.pitch.accidental is not None
             and n.pitch.accidental.displayStatus else None for n in notes]
    assert shown == EXPECTED
    assert [n.pitch.nameWithOctave for n in notes][:4] == ["F#4", "F4", "F#4", "G#4"]
    assert score.recurse().getElementsByClass("KeySignature")[0].sharps == 2


def test_verovio_draws_the_written_accidentals():
    pytest.importorskip("verovio")
    from pitchlive.exports.engraving import engrave

    engraved = engrave(melody(D_MAJOR, Key(2, "major")))
    drawn = sum(len(re.findall(r'class="accid"[^/]*?>\s*<use', page)) for page in engraved.pages)
    assert drawn == sum(a is not None for a in EXPECTED)
    assert engraved.svg_note_count() == len(EXPECTED)
