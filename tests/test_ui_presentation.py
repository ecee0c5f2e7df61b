"""Presentation mode, full screen, Esc, the mini window and the chroma key (issue 12).

The window is built as `pitchlive` builds it (test_ui_window's make_window, a private settings
file); frames are synthetic and go through the window's own frame path.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtTest import QTest

from pitchlive.frames import HOP_S, PitchFrame
from pitchlive.settings import Settings
from pitchlive.ui.app import create_window
from pitchlive.ui.mini_window import MiniWindow
from pitchlive.ui.prefs import CHROMA_PRESETS, DisplayPrefs
from pitchlive.ui.settings_model import SettingsModel
from test_ui_window import feed_frames, make_window, store  # noqa: F401  (fixtures)

pytestmark = pytest.mark.gui

SIZES = ((800, 500), (1280, 800), (1600, 1000), (1920, 1080))


def inside(inner: QRect, outer: QRect) -> bool:
    """True when inner lies wholly within outer."""
    return outer.contains(inner.topLeft()) and outer.contains(inner.bottomRight())


def needle_on_window(window) -> QRect:
    """The needle's rectangle in the window's coordinates."""
    needle = window.note_panel.needle
    return QRect(needle.mapTo(window, QPoint(0, 0)), needle.size())


def wait_presenting(qtbot, window) -> None:
    """Until the note panel has the window's whole width (layouts apply on the next events)."""
    qtbot.waitUntil(lambda: window.note_panel.width() > 0.9 * window.width())


def assert_note_fits(window) -> None:
    panel = window.note_panel
    assert panel.needle.isVisible()
    assert inside(needle_on_window(window), window.rect())
    panel_rect = panel.rect()
    for name, rect in panel.text_rects().items():
        assert inside(rect.toAlignedRect(), panel_rect), name
    for text, rect in panel.needle.label_rects():
        assert 0 <= rect.left() and rect.right() <= panel.needle.width(), text


@pytest.mark.parametrize("size", SIZES)
def test_presentation_mode_fits_note_needle_and_reading_at_any_size(qtbot, make_window, size):
    window = make_window()
    window.resize(*size)
    feed_frames(window, 1.0)
    window.large_action.trigger()                       # Ctrl+L
    qtbot.waitUntil(lambda: window.note_panel.width() > 0.9 * window.width())
    assert window.size().toTuple() == size              # the window did not grow
    assert not window.pitch_view.isVisible() and not window.menuBar().isVisible()
    assert not window.controls_dock.isVisible() and not window.statusBar().isVisible()
    assert not window.take_row.isVisible()
    assert window.note_panel.note_text() == "A4" and window.note_panel.cents_text() == "0 cents"
    assert_note_fits(window)
    # The note is large: most of the space it may have (not the 28 px of the side panel).
    assert window.note_panel.note_font_size() > 0.25 * size[1]


def test_full_screen_presentation_fits_the_screen(qtbot, make_window):
    window = make_window()
    window.large_action.trigger()
    window.full_screen_action.trigger()                 # F11
    screen = window.screen().geometry()
    qtbot.waitUntil(lambda: window.isFullScreen() and window.size() == screen.size())
    wait_presenting(qtbot, window)
    needle = window.note_panel.needle
    assert inside(QRect(needle.mapToGlobal(QPoint(0, 0)), needle.size()), screen)
    assert_note_fits(window)


def test_esc_restores_exactly_the_window_from_before(qtbot, make_window):
    window = make_window()
    window.resize(700, 460)                             # smaller than an 800x500 screen
    qtbot.wait(20)
    geometry, dock_width = window.geometry(), window.controls_dock.width()
    window.large_action.trigger()                       # Ctrl+L
    window.full_screen_action.trigger()                 # F11
    window.large_action.trigger()                       # Ctrl+L: leaves presentation only
    assert window.isFullScreen() and window.menuBar().isVisible()
    window.presentation.escape()                        # Esc
    qtbot.waitUntil(lambda: not window.isFullScreen())
    assert not window.full_screen_action.isChecked() and not window.large_action.isChecked()
    assert window.geometry() == geometry
    assert window.controls_dock.isVisible() and window.controls_dock.width() == dock_width
    window.full_screen_action.trigger()                 # the next F11 works at once
    qtbot.waitUntil(window.isFullScreen)
    window.presentation.escape()
    qtbot.waitUntil(lambda: not window.isFullScreen())
    assert window.geometry() == geometry


def test_presentation_twice_or_closing_in_it_saves_nothing_the_user_did_not_choose(
        qtbot, make_window, store):
    window = make_window()
    window.large_action.trigger()
    window.large_action.trigger()                       # Ctrl+L twice
    assert window.controls_dock.isVisible() and window.prefs.show_controls
    window.large_action.trigger()
    window.full_screen_action.trigger()
    window.close()                                      # closed while presenting, full screen
    again = make_window()
    assert not again.presentation.active and not again.isFullScreen()
    assert again.controls_dock.isVisible() and again.menuBar().isVisible()
    screen = again.screen().availableGeometry()
    assert again.height() <= screen.height()


def test_font_scale_keys_grow_the_note_and_are_remembered(qtbot, make_window, store):
    window = make_window()
    window.resize(1280, 800)
    window.large_action.trigger()
    wait_presenting(qtbot, window)
    feed_frames(window, 0.5)
    before = window.note_panel.note_font_size()
    for _ in range(3):
        window.presentation.zoom_font(1)
    assert window.prefs.font_scale == pytest.approx(1.3)
    assert window.note_panel.note_font_size() > before
    assert_note_fits(window)
    window.presentation.zoom_font(-20)
    assert window.prefs.font_scale == pytest.approx(0.5)
    window.presentation.zoom_font(2)
    window.close()
    assert store.load_prefs().font_scale == pytest.approx(0.7)


def test_font_scale_shortcuts_are_ctrl_equals_and_ctrl_minus(make_window):
    window = make_window()
    keys = {a.text(): [k.toString() for k in a.shortcuts()] for a in window.shortcut_actions}
    assert "Ctrl+=" in keys["Larger note"] and keys["Smaller note"] == ["Ctrl+-"]
    assert keys["Presentation &mode"] == ["Ctrl+L"]


def test_chroma_key_colours_presentation_and_mini_window_only(qtbot, make_window):
    window = make_window()
    green = CHROMA_PRESETS["Green"]
    window.chroma_actions[green].trigger()
    assert window.prefs.chroma_key == green
    assert window.note_panel.background_colour().name() != green   # not in the normal window
    window.large_action.trigger()
    wait_presenting(qtbot, window)
    image = window.grab().toImage()
    assert QColor(image.pixel(3, 3)).name() == green
    assert QColor(image.pixel(image.width() - 4, image.height() // 2)).name() == green
    feed_frames(window, 0.5)                            # A4, in tune: the theme's green
    assert window.note_panel.note_colour().name() not in (green, window.theme.in_tune)
    window.mini_action.trigger()
    assert window.mini.panel.background_colour().name() == green
    window.chroma_actions[""].trigger()                 # Off
    assert window.note_panel.background_colour().name() == window.theme.panel
    assert window.note_panel.note_colour().name() == window.theme.in_tune


def test_chroma_key_preference_rejects_a_bad_colour():
    with pytest.raises(Exception, match="chroma key"):
        DisplayPrefs(chroma_key="green")


def test_mini_window_shows_the_live_note_on_top_and_closes_alone(qtbot, make_window):
    window = make_window()
    geometry = window.geometry()
    window.mini_action.trigger()                        # View → Mini window
    mini = window.mini
    qtbot.waitExposed(mini)
    assert mini.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert mini.frameless and mini.parent() is None
    window.session.frames.emit([PitchFrame(k * HOP_S, 446.0, 0.95, -20.0, True)
                                for k in range(10)])
    assert mini.panel.note_text() == "A4" and mini.panel.cents_text() == "+23 cents"
    assert inside(QRect(mini.panel.needle.mapTo(mini, QPoint(0, 0)), mini.panel.needle.size()),
                  mini.rect())
    start = mini.pos()
    press = QMouseEvent(QMouseEvent.Type.MouseButtonPress, QPointF(10, 10),
                        QPointF(mini.mapToGlobal(QPoint(10, 10))), Qt.MouseButton.LeftButton,
                        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    move = QMouseEvent(QMouseEvent.Type.MouseMove, QPointF(50, 40),
                       QPointF(mini.mapToGlobal(QPoint(50, 40))), Qt.MouseButton.NoButton,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    mini.mousePressEvent(press)
    mini.mouseMoveEvent(move)
    assert mini.pos() == start + QPoint(40, 30)        # dragged by its body
    mini.resize(420, 300)
    assert mini.size().toTuple() == (420, 300)
    window.model.update_prefs(mini_frameless=False)
    assert not mini.frameless and mini.isVisible()
    mini.close()
    assert not window.mini_action.isChecked()
    assert window.isVisible() and window.geometry() == geometry
    assert not window.presentation.active


def test_mini_window_alone_lays_out_at_small_sizes(qtbot):
    mini = MiniWindow(SettingsModel(Settings(), DisplayPrefs()))
    qtbot.addWidget(mini)
    mini.show()
    for size in ((120, 80), (280, 200), (600, 160)):
        mini.resize(*size)
        mini.show_frames([PitchFrame(0.0, 440.0, 0.95, -20.0, True)])
        for name, rect in mini.panel.text_rects().items():
            assert inside(rect.toAlignedRect(), mini.panel.rect()), (size, name)
        assert set(mini.panel.text_rects()) == {"note", "needle", "cents"}


def test_presentation_from_the_command_line_is_not_stored(qtbot, store, tmp_path):
    args = argparse.Namespace(model=None, calibration=None, device=None, input=None,
                              large_type=True)
    window = create_window(args, store, snapshot_dir=tmp_path)
    qtbot.addWidget(window)
    window.show()
    assert window.presentation.active and not window.controls_dock.isVisible()
    window.close()
    assert not store.load_prefs().large_type
    assert store.load_prefs().show_controls


def test_the_keys_themselves_drive_presentation_font_and_esc(qtbot, make_window):
    window = make_window()
    window.resize(700, 500)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    geometry = window.geometry()
    ctrl = Qt.KeyboardModifier.ControlModifier
    QTest.keyClick(window, Qt.Key.Key_L, ctrl)
    assert window.presentation.active and not window.menuBar().isVisible()
    QTest.keyClick(window, Qt.Key.Key_Equal, ctrl)
    QTest.keyClick(window, Qt.Key.Key_Equal, ctrl)
    QTest.keyClick(window, Qt.Key.Key_Minus, ctrl)
    assert window.prefs.font_scale == pytest.approx(1.1)
    QTest.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    QTest.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen())
    assert not window.presentation.active and window.menuBar().isVisible()
    assert window.controls_dock.isVisible() and window.geometry() == geometry


def test_mini_window_remembers_its_place_and_size_between_runs(qtbot, make_window):
    window = make_window()
    window.mini_action.trigger()
    qtbot.waitExposed(window.mini)
    window.mini.setGeometry(60, 70, 330, 210)          # dragged and resized there
    window.close()              # the main window closes the mini window and saves both
    again = make_window()
    assert again.prefs.mini_geometry == "60,70,330,210"
    again.mini_action.trigger()
    qtbot.waitExposed(again.mini)
    assert again.mini.geometry().getRect() == (60, 70, 330, 210)


def test_mini_window_stored_off_the_screen_opens_on_it(qtbot):
    from pitchlive.settings import SettingsError

    model = SettingsModel(Settings(), DisplayPrefs(mini_geometry="5000,4000,2600,1900"))
    mini = MiniWindow(model)
    qtbot.addWidget(mini)
    mini.set_shown(True)
    qtbot.waitExposed(mini)
    free = mini.screen().availableGeometry()
    assert inside(mini.frameGeometry(), free)
    with pytest.raises(SettingsError, match="x,y,width,height"):
        DisplayPrefs(mini_geometry="left,top")


def menu_action(menu, text: str):
    """The entry of a QMenu whose text starts with text."""
    return next(a for a in menu.actions() if a.text().startswith(text))


def test_note_size_is_reachable_with_the_mouse_while_presenting(qtbot, make_window):
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication, QMenu

    window = make_window()
    window.large_action.trigger()
    wait_presenting(qtbot, window)
    panel = window.note_panel
    at = QPoint(20, 20)
    QApplication.sendEvent(panel, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at,
                                                    panel.mapToGlobal(at)))
    opened = window.presentation.menu                  # the right click opened it
    assert opened is not None and opened.isVisible()
    assert {"Larger note", "Smaller note", "Leave presentation mode (Esc)"} <= {
        a.text() for a in opened.actions()}
    opened.close()
    menu = window.presentation.presentation_menu()
    menu_action(menu, "Larger note").trigger()
    menu_action(menu, "Larger note").trigger()
    assert window.prefs.font_scale == pytest.approx(1.2)
    assert menu_action(window.presentation.presentation_menu(),
                       "Normal note size").text() == "Normal note size (now 120%)"
    menu_action(window.presentation.presentation_menu(), "Smaller note").trigger()
    assert window.prefs.font_scale == pytest.approx(1.1)
    menu_action(window.presentation.presentation_menu(), "Normal note size").trigger()
    assert window.prefs.font_scale == 1.0
    menu_action(window.presentation.presentation_menu(), "Leave presentation").trigger()
    assert not window.presentation.active
    view_menu = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&View")
    assert {"Larger note", "Smaller note", "Normal note size"} <= {
        a.text() for a in view_menu.actions()}


def test_mini_window_menu_sizes_its_note(qtbot):
    model = SettingsModel(Settings(), DisplayPrefs())
    mini = MiniWindow(model)
    qtbot.addWidget(mini)
    menu_action(mini.context_menu(), "Larger note").trigger()
    assert model.prefs.font_scale == pytest.approx(1.1)
    menu_action(mini.context_menu(), "Smaller note").trigger()
    menu_action(mini.context_menu(), "Smaller note").trigger()
    assert model.prefs.font_scale == pytest.approx(0.9)


def test_full_screen_fills_the_screen_without_a_window_manager(qtbot, make_window, monkeypatch):
    window = make_window()
    # A bare X server (no window manager) takes the full-screen state but keeps the size.
    monkeypatch.setattr(window, "showFullScreen", lambda: None)
    monkeypatch.setattr(window, "isFullScreen", lambda: window.presentation.full_screen)
    window.resize(700, 450)
    qtbot.wait(20)
    window.full_screen_action.trigger()                 # F11
    screen = window.screen().geometry()
    qtbot.waitUntil(lambda: window.size() == screen.size(), timeout=3000)
    window.presentation.escape()
    assert window.size().toTuple() == (700, 450)
