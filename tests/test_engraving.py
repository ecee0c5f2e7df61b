"""Engraving a transcription with Verovio: notes matched to SVG elements, SVG that Qt's
renderer draws whole. (The written accidentals it draws: test_musicxml_accidentals.py.)"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("verovio")

from pitchlive.exports.engraving import (  # noqa: E402
    engrave,
    engrave_musicxml,
    group_written_notes,
    qt_svg,
    save_svg_pages,
)
from pitchlive.tracking.notes import Note, Transcription  # noqa: E402
from pitchlive.tracking.tuning import TuningOffset  # noqa: E402


def test_verovio_reads_a_plain_musicxml_and_qt_gets_flat_svg():
    notes = "".join(
        f"<note><pitch><step>{step}</step><octave>4</octave></pitch><duration>1</duration>"
        "<voice>1</voice><type>quarter</type></note>" for step in "CDEF")
    engraved = engrave_musicxml(
        '<?xml version="1.0" encoding="UTF-8"?><score-partwise version="4.0"><part-list>'
        '<score-part id="P1"><part-name>M</part-name></score-part></part-list><part id="P1">'
        '<measure number="1"><attributes><divisions>1</divisions><key><fifths>0</fifths></key>'
        "<time><beats>4</beats><beat-type>4</beat-type></time><clef><sign>G</sign><line>2</line>"
        f"</clef></attributes>{notes}</measure></part></score-partwise>")
    page = engraved.pages[0]
    flat = qt_svg(page)
    assert flat.count("<svg") == 1 and "<tspan" not in flat
    assert engraved.svg_note_count() == 4 and len(engraved.note_ids) == 4


def test_tied_pieces_group_into_one_sounding_note():
    assert group_written_notes(["a", "b", "c", "d"], [False, True, False, True]) == \
        [("a", "b"), ("c", "d")]


def test_a_transcription_engraves_with_its_notes_matched(tmp_path):
    events = (Note(0.0, 1.5, 66, "F#4", 0.0, 0.0, 3.0), Note(1.5, 1.5, 69, "A4", 0.0, 3.0, 3.0))
    t = Transcription(events, 120.0, True, TuningOffset(0.0, 1.0, 10), True)
    engraved = engrave(t, title="two notes")
    assert len(engraved.note_ids) == 2                    # the second is tied over the bar
    assert engraved.svg_note_count() == 3
    assert engraved.note_pages == (0, 0)
    files = save_svg_pages(tmp_path / "s.svg", engraved)
    assert files == [tmp_path / "s.svg"] and ET.parse(files[0]).getroot().tag.endswith("svg")
