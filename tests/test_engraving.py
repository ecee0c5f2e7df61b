"""Engraving a transcription with Verovio: written accidentals, notes matched to SVG elements,
SVG that Qt's renderer draws whole."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("verovio")

from pitchlive.exports.engraving import (  # noqa: E402
    engrave,
    engrave_musicxml,
    group_written_notes,
    key_alters,
    qt_svg,
    save_svg_pages,
    with_accidentals,
)
from pitchlive.tracking.notes import Note, Transcription  # noqa: E402
from pitchlive.tracking.tuning import TuningOffset  # noqa: E402


def score(fifths: int, notes: list[tuple[str, int, int, str]]) -> str:
    """One-part MusicXML: (step, alter, measure number, tie) per quarter note."""
    measures: dict[int, list[str]] = {}
    for step, alter, number, tie in notes:
        ties = f'<tie type="{tie}"/>' if tie else ""
        measures.setdefault(number, []).append(
            f"<note><pitch><step>{step}</step><alter>{alter}</alter><octave>4</octave></pitch>"
            f"<duration>1</duration>{ties}<voice>1</voice><type>quarter</type></note>")
    body = "".join(
        f'<measure number="{n}">' + (f"<attributes><divisions>1</divisions><key><fifths>{fifths}"
                                      "</fifths></key><time><beats>4</beats><beat-type>4"
                                      "</beat-type></time><clef><sign>G</sign><line>2</line>"
                                      "</clef></attributes>" if n == 1 else "")
        + "".join(m) + "</measure>" for n, m in sorted(measures.items()))
    return ('<?xml version="1.0" encoding="UTF-8"?><score-partwise version="4.0"><part-list>'
            '<score-part id="P1"><part-name>M</part-name></score-part></part-list>'
            f'<part id="P1">{body}</part></score-partwise>')


def accidentals(musicxml: str) -> list[str | None]:
    root = ET.fromstring(with_accidentals(musicxml).encode())
    return [n.findtext("accidental") for n in root.iter("note")]


def test_key_signatures_alter_their_letters():
    assert key_alters(2) == {"F": 1, "C": 1}
    assert key_alters(-2) == {"B": -1, "E": -1}
    assert key_alters(0) == {}


def test_accidentals_are_written_where_key_and_bar_do_not_give_them():
    # D major: F# needs nothing; F natural does; then F# again in that bar does.
    d_major = score(2, [("F", 1, 1, ""), ("F", 0, 1, ""), ("F", 1, 1, ""), ("G", 1, 1, ""),
                        ("G", 1, 2, ""), ("G", 1, 2, "stop"), ("B", -1, 2, ""), ("B", -1, 2, "")])
    assert accidentals(d_major) == [None, "natural", "sharp", "sharp", "sharp", None, "flat", None]
    c_major = score(0, [("F", 1, 1, "start"), ("F", 1, 2, "stop")])
    assert accidentals(c_major) == ["sharp", None]          # tied over the bar line: none
    root = ET.fromstring(with_accidentals(d_major).encode())
    order = [child.tag for child in next(n for n in root.iter("note")
                                         if n.find("accidental") is not None)]
    assert order.index("accidental") == order.index("type") + 1


def test_verovio_draws_the_accidentals_and_qt_gets_flat_svg():
    engraved = engrave_musicxml(score(0, [("F", 1, 1, ""), ("C", 1, 1, ""), ("D", 0, 1, ""),
                                          ("E", -1, 1, "")]))
    page = engraved.pages[0]
    drawn = re.findall(r'class="accid"[^/]*?>\s*<use', page)
    assert len(drawn) == 3
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
