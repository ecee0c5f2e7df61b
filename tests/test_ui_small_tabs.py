"""Every tab usable in an 800×500 window, and the Practice texts a user reads (paths, wrapping).

Each test here failed before its fix: at 800×500 the Practice and Score tabs needed more width
than the window gives them, so Qt squeezed their widgets on top of each other.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QRect

from pitchlive.practice.history import DailyAccuracy, FlatNote
from pitchlive.practice.take_files import SavedPractice
from pitchlive.ui.practice_progress import Progress, ProgressPanel
from pitchlive.ui.practice_summary import (FeedbackLabel, home_relative, keep_brackets_whole,
                                           saved_text)
from test_ui_window import make_window, store  # noqa: F401  (fixtures)

pytestmark = pytest.mark.gui


def inside(widget, outer) -> bool:
    """widget is shown and lies wholly inside outer."""
    rect = QRect(widget.mapTo(outer, QPoint(0, 0)), widget.size())
    return widget.isVisible() and outer.rect().contains(rect)


def small_window(qtbot, make_window, tab: str):
    window = make_window()
    window.resize(800, 500)
    (index,) = [i for i in range(window.tabs.count())
                if window.tabs.tabText(i).replace("&", "") == tab]
    window.tabs.setCurrentIndex(index)
    view = window.tabs.currentWidget()
    qtbot.wait(50)
    assert window.size().toTuple() == (800, 500)
    return window, view


def test_practice_tab_fits_an_800_by_500_window(qtbot, make_window):
    window, view = small_window(qtbot, make_window, "Practice")
    # nothing asks for more room than the tab has (else Qt overlaps the columns)
    assert view.minimumSizeHint().width() <= view.width()
    controls_area, pages = view.splitter.widget(0), view.splitter.widget(1)
    assert controls_area.geometry().right() < pages.geometry().left()
    for widget in (controls_area, pages, view.roll, view.feedback):
        assert inside(widget, window), widget
    assert view.roll.width() >= 200
    # the controls scroll sideways and down rather than being cut off
    assert controls_area.horizontalScrollBar().maximum() >= 0
    view.build_exercise()
    qtbot.wait(20)
    assert view.feedback.fontMetrics().horizontalAdvance(view.feedback.text()) \
        <= view.feedback.width()


def test_score_tab_header_scrolls_sideways_at_800_by_500(qtbot, make_window):
    window, view = small_window(qtbot, make_window, "Score")
    assert view.minimumSizeHint().width() <= view.width()
    assert inside(view.header_scroll, window)
    # every header control keeps its natural width (none squeezed to "Au" or "ort SVG")
    for widget in (view.key_box, view.signature_box, view.prev_button, view.next_button,
                   view.fit_button, view.svg_button, view.pdf_button):
        assert widget.width() >= widget.minimumSizeHint().width(), widget
    bar = view.header_scroll.horizontalScrollBar()
    assert bar.maximum() > 0
    view.header_scroll.ensureWidgetVisible(view.pdf_button)
    qtbot.wait(20)
    assert inside(view.pdf_button, window) or bar.value() == bar.maximum()


@pytest.mark.parametrize("tab", ["Live", "Recording", "Practice", "Tuner", "Score"])
def test_every_tab_leaves_the_window_800_by_500(qtbot, make_window, tab):
    window, view = small_window(qtbot, make_window, tab)
    assert inside(view, window)
    assert inside(window.take_row, window)


def test_feedback_type_shrinks_to_fit_a_narrow_roll(qtbot):
    label = FeedbackLabel()
    qtbot.addWidget(label)
    label.resize(300, 40)        # the roll at 800×500 is about 270 px wide
    label.show()
    label.show_text("note 12: sharp +38 cents · 45% of the note so far")
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
    label.resize(1200, 40)
    qtbot.wait(10)
    assert label.font().pixelSize() == label.full_pixel_size


def test_saved_paths_read_from_the_home_folder(monkeypatch, tmp_path):
    home = tmp_path / "maria"
    monkeypatch.setenv("HOME", str(home))
    data = home / ".local" / "share" / "pitchlive"
    assert home_relative(data / "takes") == "~/.local/share/pitchlive/takes"
    assert home_relative(Path("/srv/takes")) == "/srv/takes"
    saved = SavedPractice({"wav": data / "takes" / "take-1.wav"}, 3, data / "history.sqlite3")
    text = saved_text(saved)
    assert "in ~/.local/share/pitchlive/takes." in text
    assert "(~/.local/share/pitchlive/history.sqlite3)" in text and str(tmp_path) not in text


def test_worst_notes_wrap_between_notes_not_inside_them():
    text = keep_brackets_whole("worst notes: #7 G4 (62%, -15 c), #1 G4 (0%, -40 c)")
    assert "(62%,\u00a0-15\u00a0c)" in text and "#7 G4 (" in text


def test_progress_spells_notes_with_glyphs_and_the_path_from_home(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    panel = ProgressPanel(lambda: None, lambda *_: None)
    qtbot.addWidget(panel)
    progress = Progress([DailyAccuracy(date(2026, 11, 30), "k", "Song", 50.0, 1)],
                        [FlatNote("F#4", 66.0, -30.0, 1.0, 3, 3),
                         FlatNote("#3 blue", 67.0, -20.0, 1.0, 3, 3)],
                        None, str(tmp_path / "data" / "history.sqlite3"))
    panel.show_progress(progress)
    assert panel.flat_table.item(0, 0).text() == "F\u266f4"
    assert panel.flat_table.item(1, 0).text() == "#3 blue"     # a lyric is left alone
    assert panel.status.text() == "1 scored session in ~/data/history.sqlite3"
    assert panel.status.wordWrap()


def test_recording_hint_is_wholly_readable_at_800_by_500(qtbot, make_window):
    window, view = small_window(qtbot, make_window, "Recording")
    hint = window.recording_tools.transport.hint
    assert inside(hint, window)
    fits = hint.fontMetrics().horizontalAdvance(hint.text()) <= hint.width()
    assert fits or (hint.wordWrap() and hint.heightForWidth(hint.width()) <= hint.height())
