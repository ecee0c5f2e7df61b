"""The Score tab: the demo engraved by Verovio, the sounding note lit, SVG and PDF exports."""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("pytestqt")
pytest.importorskip("verovio")

from pitchlive.exports.engraving import engrave, note_at, tie_continuations  # noqa: E402
from pitchlive.exports.musicxml import musicxml_string  # noqa: E402
from pitchlive.settings import Settings  # noqa: E402
from pitchlive.tracking.note_edits import NoteEditor  # noqa: E402
from pitchlive.tracking.notes import Note, Transcription  # noqa: E402
from pitchlive.tracking.tuning import TuningOffset  # noqa: E402
from pitchlive.ui import view_tabs  # noqa: E402
from pitchlive.ui.background import BackgroundJobs  # noqa: E402
from pitchlive.ui.notes_feed import NotesFeed  # noqa: E402
from pitchlive.ui.score_view import ScoreView  # noqa: E402
from pitchlive.ui.view_tabs import ViewContext  # noqa: E402

pytestmark = pytest.mark.gui
DEMO = Path(__file__).resolve().parent.parent / "assets" / "demo-ode-to-joy.flac"


def written_pitched_notes(transcription: Transcription) -> int:
    return len(tie_continuations(musicxml_string(transcription)))


def scale(n: int = 9) -> Transcription:
    """n crotchets up a C major scale at 120 BPM from 0.5 s."""
    steps = [0, 2, 4, 5, 7, 9, 11, 12, 14, 16]
    events = tuple(Note(0.5 + 0.5 * k, 0.45, 60 + steps[k % 10], None, 0.0, float(k), 1.0)
                   for k in range(n))
    return Transcription(events, 120.0, True, TuningOffset(0.0, 2.0, 50), True, score_start_s=0.5)


@pytest.fixture
def score_tab(qtbot):
    jobs, feed = BackgroundJobs(), NotesFeed()
    notices, statuses = [], []
    context = ViewContext(None, jobs, None, None, notices.append,
                          lambda text, ms: statuses.append(text), notes=feed)
    view = ScoreView(context)
    qtbot.addWidget(view)
    view.resize(1000, 500)
    view.show()
    view.feed, view.notices, view.statuses = feed, notices, statuses
    yield view
    jobs.shutdown(10)


def publish(qtbot, view: ScoreView, transcription: Transcription, title: str = "t") -> None:
    view.feed.publish(transcription, title)
    qtbot.waitUntil(lambda: view.score is not None and view.transcription is transcription
                    and view.status.text().startswith(title), timeout=20000)


def test_the_score_tab_is_a_view_tab_row_and_starts_empty(qtbot):
    assert "Score" in [row.title for row in view_tabs.VIEW_TABS]
    context = ViewContext(None, None, None, None, lambda n: None, lambda t, ms: None)
    row = next(r for r in view_tabs.VIEW_TABS if r.title == "Score")
    widget = row.build(context)
    qtbot.addWidget(widget)
    assert widget.score is None and "Transcribe" in widget.status.text()
    assert not widget.pdf_button.isEnabled()


def test_the_demo_score_holds_every_note(qtbot, score_tab, spice_model, tmp_path):
    from pitchlive.analysis.file import analyze_file
    from pitchlive.tracking.transcription import TranscriptionOptions, transcribe

    analysis = analyze_file(DEMO, spice_model, keep_audio=True)
    demo = transcribe(analysis.track, Settings(), TranscriptionOptions(),
                      audio_16k=analysis.audio_16k)
    # The demo is assets/make_demo.py's 30-note melody in D major, starting on a downbeat.
    truth = [66, 66, 67, 69, 69, 67, 66, 64, 62, 62, 64, 66, 66, 64, 64]
    truth = truth + truth[:12] + [64, 62, 62]
    assert [n.midi for n in demo.notes] == truth
    assert demo.key.name == "D major"
    bar = demo.bar_beats
    assert demo.notes[0].start_beats % bar == 0 and demo.notes[8].start_beats % bar == 0
    publish(qtbot, score_tab, demo, "demo-ode-to-joy")
    assert score_tab.key_box.itemText(0) == "Auto (D major)"
    score = score_tab.score
    # Every written note head is in the SVG (tied pieces apart), and each transcribed note is
    # matched to its pieces.
    assert score.svg_note_count() == written_pitched_notes(demo) >= 30
    assert len(score.note_ids) == len(demo.notes) == 30
    assert score_tab.canvas.renderer.isValid()
    assert f"{len(demo.notes)} notes" in score_tab.status.text()

    fourth = demo.notes[3]
    score_tab.feed.set_position(fourth.onset_s + 0.01)
    assert score_tab.lit_note == 3
    assert score_tab.page_svg().count("highlighted") == len(score.note_ids[3])
    assert score_tab.canvas.element_rect(score.note_ids[3][0]) is not None
    score_tab.feed.set_position(None)
    assert score_tab.lit_note is None and "highlighted" not in score_tab.page_svg()

    svg_files = score_tab.export(tmp_path / "demo.svg")
    pdf_files = score_tab.export(tmp_path / "demo.pdf")
    heads = sum(ET.parse(p).getroot().tag.endswith("svg") and p.read_text().count('class="note"')
                for p in svg_files)
    assert heads == written_pitched_notes(demo)
    pdf = pdf_files[0].read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page\r") + \
        pdf.count(b"/Type /Page ") + pdf.count(b"/Type /Page>") >= score.page_count
    assert score_tab.statuses and "Score exported" in score_tab.statuses[-1]


def test_corrections_reach_the_score(qtbot, score_tab):
    original = scale()
    publish(qtbot, score_tab, original)
    assert len(score_tab.score.note_ids) == 9
    editor = NoteEditor(original)
    editor.delete(8)
    publish(qtbot, score_tab, editor.split(0, 0.7))
    assert len(score_tab.score.note_ids) == 9
    assert score_tab.score.svg_note_count() == written_pitched_notes(editor.transcription)
    publish(qtbot, score_tab, editor.undo())
    assert len(score_tab.score.note_ids) == 8
    score_tab.feed.publish(None)
    assert score_tab.score is None and not score_tab.svg_button.isEnabled()


def test_a_long_score_has_pages_and_the_playhead_turns_them(qtbot, score_tab):
    long = scale(400)
    publish(qtbot, score_tab, long)
    assert score_tab.score.page_count > 1
    assert not score_tab.prev_button.isEnabled() and score_tab.next_button.isEnabled()
    last = long.notes[-1]
    score_tab.feed.set_position(last.onset_s + 0.1)
    assert score_tab.page == score_tab.score.page_count - 1
    assert "highlighted" in score_tab.page_svg()
    score_tab.show_page(0)
    assert score_tab.page_label.text() == f"1 / {score_tab.score.page_count}"
    # The page starts as wide as the tab; zooming leaves that, Fit comes back to it.
    viewport = score_tab.scroll.viewport().width()
    assert score_tab.fit_width and abs(score_tab.canvas.width() - viewport) <= 3
    zoom = score_tab.canvas.zoom
    score_tab.zoom_in_button.click()
    assert score_tab.canvas.zoom == pytest.approx(zoom * 1.25) and not score_tab.fit_width
    assert score_tab.canvas.width() > viewport
    score_tab.resize(1200, 500)
    assert score_tab.canvas.zoom == pytest.approx(zoom * 1.25)
    score_tab.fit_button.click()
    assert abs(score_tab.canvas.width() - score_tab.scroll.viewport().width()) <= 3


def test_note_at_finds_the_sounding_note():
    t = scale(3)
    assert [note_at(t, s) for s in (0.4, 0.5, 0.94, 0.96, 1.2, 9.0)] == [None, 0, 0, None, 1,
                                                                          None]
    assert math.isclose(engrave(t).svg_note_count(), 3)


def test_an_unwritable_export_is_a_message(qtbot, score_tab, tmp_path):
    publish(qtbot, score_tab, scale(4))
    assert score_tab.export(tmp_path / "missing" / "score.pdf") == []
    assert score_tab.notices and "could not be exported" in score_tab.notices[-1].title


def test_a_score_verovio_cannot_lay_out_is_a_message(qtbot, score_tab, monkeypatch):
    from pitchlive.exports import engraving

    def broken(_transcription, title=""):
        raise engraving.EngravingError("Verovio could not read the score's MusicXML.")

    monkeypatch.setattr(engraving, "engrave", broken)
    score_tab.feed.publish(scale(3), "broken")
    qtbot.waitUntil(lambda: bool(score_tab.notices), timeout=10000)
    assert score_tab.notices[-1].title == "The score could not be engraved"
    assert score_tab.score is None and "could not be engraved" in score_tab.status.text()
    assert not score_tab.pdf_button.isEnabled()


def test_key_and_time_choices_go_to_the_feed_and_auto_says_what_it_estimates(qtbot, score_tab):
    from pitchlive.notation.key import Key
    from pitchlive.notation.metre import TimeSignature
    from pitchlive.tracking.transcription import renotate

    auto = renotate(scale())                          # estimated: C major, and a metre
    publish(qtbot, score_tab, auto)
    assert score_tab.key_box.itemText(0) == "Auto (C major)"
    assert score_tab.signature_box.itemText(0) == f"Auto ({auto.time_signature})"
    assert not score_tab.key_box.isEditable() and not score_tab.signature_box.isEditable()
    chosen = []
    score_tab.feed.notation_changed.connect(lambda k, s: chosen.append((k, s)))
    score_tab.key_box.setCurrentIndex(score_tab.key_box.findText("Bb major"))
    score_tab.signature_box.setCurrentIndex(score_tab.signature_box.findText("6/8"))
    assert chosen[-1] == (Key(-2, "major"), TimeSignature(6, 8))
    assert (score_tab.feed.key, score_tab.feed.time_signature) == chosen[-1]
    # The score shows what the feed's owner re-wrote; Auto still names the estimate.
    written = renotate(auto, Key(-2, "major"), TimeSignature(6, 8))
    publish(qtbot, score_tab, written)
    assert score_tab.key_box.itemText(0) == "Auto (C major)"
    assert "Bb major, 6/8" in score_tab.status.text()
    # The feed's choice (set elsewhere) shows in the boxes; Auto again sends None.
    score_tab.feed.set_notation(Key(3, "minor"), None)
    assert score_tab.key_box.currentText() == "F# minor"
    assert score_tab.signature_box.currentIndex() == 0
    score_tab.key_box.setCurrentIndex(0)
    assert chosen[-1] == (None, None)
