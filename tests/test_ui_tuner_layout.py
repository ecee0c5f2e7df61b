"""The Tuner tab in a small window: the displays always fit, the settings fold away (issue 12)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QRect, QRectF  # noqa: E402
from PySide6.QtGui import QFontMetricsF  # noqa: E402

from pitchlive.frames import HOP_S, PitchFrame  # noqa: E402
from test_ui_window import make_window, store  # noqa: E402,F401  (fixtures)

pytestmark = pytest.mark.gui


def rect_in(widget, ancestor) -> QRect:
    """widget's rectangle in ancestor's coordinates."""
    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


def show_tuner(qtbot, window, width: int, height: int, instrument: str = "guitar",
               hz: float = 110.0 * 2 ** (-3.0 / 1200)):
    """The Tuner tab in a width x height window, reading hz (by default A2, 3 cents flat)."""
    window.resize(width, height)
    window.tabs.setCurrentWidget(window.views["Tuner"])
    view = window.views["Tuner"]
    view.settings_model.update_prefs(tuner_instrument=instrument)   # guitar: the tallest layout
    qtbot.waitUntil(lambda: view.isVisible(), timeout=3000)
    for i in range(20):
        view.show_frames([PitchFrame(i * HOP_S, hz, 0.95, -20.0, True)])
    qtbot.wait(30)
    return view


def texts_fit(label) -> bool:
    """The label's text is drawn whole (not cut off at its edge)."""
    if label.wordWrap():
        return label.heightForWidth(label.contentsRect().width()) <= label.height()
    return label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()


@pytest.mark.parametrize("instrument, hz, note, cents", [
    ("guitar", 110.0 * 2 ** (-3.0 / 1200), "A2", "−3.0 ¢"),
    ("chromatic", 329.63 * 2 ** (48.8 / 1200), "E4", "+48.8 ¢"),   # the longest texts
])
def test_needle_note_and_cents_are_inside_an_800_by_500_window(qtbot, make_window, instrument,
                                                               hz, note, cents):
    window = make_window()
    view = show_tuner(qtbot, window, 800, 500, instrument, hz)
    assert view.note_text() == note and view.cents_text() == cents
    for widget in (view.gauge, view.strobe, view.note_label, view.cents_label, view.turn_label,
                   view.hz_label):
        assert widget.isVisible(), widget
        assert window.rect().contains(rect_in(widget, window)), widget
        assert view.rect().contains(rect_in(widget, view)), widget     # not under the tab's edge
    for label in (view.note_label, view.cents_label, view.turn_label, view.hz_label,
                  view.lock_label, view.target_label):
        assert texts_fit(label), label.text()
    assert view.gauge.width() >= view.gauge.minimumWidth()


def test_narrow_tab_folds_the_settings_into_their_own_window(qtbot, make_window):
    window = make_window()
    view = show_tuner(qtbot, window, 800, 500)
    assert not view.fold.column.isVisible() and view.settings_button.isVisible()
    view.settings_button.click()
    qtbot.waitUntil(lambda: view.fold.window.isVisible(), timeout=3000)
    assert view.panel.isVisible() and view.panel.window() is view.fold.window
    view.panel.instrument_combo.setCurrentIndex(view.panel.instrument_combo.findData("violin"))
    assert view.settings_model.prefs.tuner_instrument == "violin"
    assert view.gauge.isVisible()                        # the needle still reads meanwhile
    gauge = QRect(view.gauge.mapToGlobal(QPoint(0, 0)), view.gauge.size())
    for widget in (view.gauge, view.note_label, view.cents_label):
        shown = QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
        assert not view.fold.window.frameGeometry().intersects(shown), widget   # not covered
    assert gauge.isValid()
    view.fold.window.close()
    assert not view.settings_button.isChecked()
    window.tabs.setCurrentIndex(0)                       # leaving the tab closes the window
    window.tabs.setCurrentWidget(view)
    view.settings_button.click()
    window.tabs.setCurrentIndex(0)
    assert not view.fold.window.isVisible()


def test_wide_tab_shows_the_settings_beside_the_needle(qtbot, make_window):
    window = make_window()
    view = show_tuner(qtbot, window, 800, 500)
    view.settings_button.click()                         # folded and opened, then widened
    window.resize(1400, 800)
    qtbot.waitUntil(lambda: view.fold.column.isVisible(), timeout=3000)
    assert not view.settings_button.isVisible() and not view.fold.window.isVisible()
    assert view.panel.window() is window and view.panel.isVisible()
    assert rect_in(view.fold.column, view).left() >= rect_in(view.gauge, view).right()
    assert view.rect().contains(rect_in(view.fold.column, view))


@pytest.mark.parametrize("size", [(260, 140), (474, 140), (520, 260), (916, 540), (1400, 900)])
def test_needle_scale_labels_are_whole_and_clear_of_the_arc(qtbot, size):
    from pitchlive.ui.theme import DARK
    from pitchlive.ui.tuner_widgets import NeedleGauge

    gauge = NeedleGauge(DARK)
    qtbot.addWidget(gauge)
    gauge.resize(*size)
    rects = gauge.label_rects()
    assert [text for text, _ in rects] == ["−50", "−25", "0", "+25", "+50"]
    for text, rect in rects:
        assert QRectF(gauge.rect()).contains(rect), (size, text)
    for (_, a), (_, b) in zip(rects, rects[1:]):
        assert not a.intersects(b), size
    # The arc and its ticks (radius 0.86-1.0 across the sweep) pass through no label.
    centre, radius = gauge._layout(QFontMetricsF(gauge._scale_font()))
    for degrees in range(-50, 51):
        for fraction in (0.86, 0.93, 1.0):
            point = gauge._point(centre, radius * fraction, float(degrees))
            for text, rect in rects:
                assert not rect.contains(point), (size, text, degrees)
