"""The mini window: the note, its needle and the cents in a small always-on-top window.

For use beside a score or a DAW. It is its own top-level window (not a child of the main one,
so minimising pitchlive leaves it on screen), fed the same frames as the Live tab. Without a
title bar (the default) it is moved by dragging it anywhere and resized from the corner grip;
its context menu switches the frame and closes it. Closing it changes nothing in the main window.
Its place and size are remembered (DisplayPrefs.mini_geometry, written when it closes) and
brought back onto the screen when it opens on a smaller one.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QCloseEvent, QMouseEvent
from PySide6.QtWidgets import QMenu, QSizeGrip, QVBoxLayout, QWidget

from pitchlive.frames import PitchFrame
from pitchlive.ui.note_panel import NotePanel
from pitchlive.ui.prefs import DisplayPrefs, stepped_font_scale
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.theme import DARK, Theme
from pitchlive.ui.window_layout import clamp_to_screen

MINI_SIZE = (280, 200)


class MiniWindow(QWidget):
    """A compact, always-on-top note panel (see the module doc)."""

    closed = Signal()

    def __init__(self, model: SettingsModel, theme: Theme = DARK) -> None:
        super().__init__(None)
        self.setWindowTitle("pitchlive mini")
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.model = model
        self.panel = NotePanel(model, theme, self, compact=True)
        self.panel.setMinimumSize(80, 60)
        self.grip = QSizeGrip(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.panel, 1)
        self._drag_from: QPoint | None = None
        self._frameless: bool | None = None
        self.setMinimumSize(120, 80)
        self.resize(*MINI_SIZE)
        model.prefs_changed.connect(self._apply_prefs)
        self._apply_prefs(model.prefs)

    @property
    def frameless(self) -> bool:
        """True while shown without a title bar."""
        return bool(self.windowFlags() & Qt.WindowType.FramelessWindowHint)

    def attach(self, action, frames, running_changed) -> None:
        """Follow a checkable menu action and the live session's frames and running signals."""
        action.setChecked(self.isVisible())
        self.closed.connect(lambda: action.setChecked(False))
        frames.connect(self.show_frames)
        running_changed.connect(lambda running: None if running else self.clear())

    def set_shown(self, shown: bool) -> None:
        """Open (on top, where it last was) or close the mini window."""
        if shown and not self.isVisible():
            stored = stored_rect(self.model.prefs.mini_geometry)
            if stored is not None:
                self.setGeometry(stored)
            self.show()
            clamp_to_screen(self)        # stored on a larger screen, or a screen since removed
            self.raise_()
        elif not shown and self.isVisible():
            self.close()

    def show_frames(self, frames: list[PitchFrame]) -> None:
        """New frames from the engine, in order (ignored while hidden)."""
        if self.isVisible():
            for frame in frames:
                self.panel.show_frame(frame)

    def clear(self) -> None:
        """No note (the stream stopped)."""
        self.panel.clear()

    def set_theme(self, theme: Theme) -> None:
        """Recolour."""
        self.panel.set_theme(theme)

    def _apply_prefs(self, prefs: DisplayPrefs) -> None:
        self.panel.set_font_scale(prefs.font_scale)
        self.panel.set_background(prefs.chroma_key or None)
        if prefs.mini_frameless != self._frameless:
            self._frameless = prefs.mini_frameless
            flags = Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint
            if prefs.mini_frameless:
                flags |= Qt.WindowType.FramelessWindowHint
            visible = self.isVisible()
            self.setWindowFlags(flags)   # hides the window; show it again where it was
            if visible:
                self.show()

    # ---- moving, menu, closing --------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Start dragging the window by its body."""
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.globalPosition().toPoint() - self.frameGeometry().topLeft()
            event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Drag."""
        if self._drag_from is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move(event.globalPosition().toPoint() - self._drag_from)
            event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Stop dragging."""
        self._drag_from = None

    def context_menu(self) -> QMenu:
        """Note size, frame on/off and Close (the right-click menu)."""
        menu = QMenu(self)
        for text, steps in (("Larger note", 1), ("Smaller note", -1)):
            menu.addAction(text, lambda s=steps: self.model.update_prefs(
                font_scale=stepped_font_scale(self.model.prefs.font_scale, s)))
        menu.addSeparator()
        frame = menu.addAction("Title bar")
        frame.setCheckable(True)
        frame.setChecked(not self.frameless)
        frame.toggled.connect(lambda on: self.model.update_prefs(mini_frameless=not on))
        menu.addAction("Close", self.close)
        return menu

    def contextMenuEvent(self, event) -> None:
        """Right click: context_menu."""
        self.context_menu().exec(event.globalPos())

    def resizeEvent(self, event) -> None:
        """Keep the size grip in the bottom-right corner."""
        super().resizeEvent(event)
        self.grip.move(self.width() - self.grip.width(), self.height() - self.grip.height())
        self.grip.raise_()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Hide, remembering where; the main window's View menu opens it again."""
        if self.isVisible():
            g = self.geometry()
            self.model.update_prefs(mini_geometry=f"{g.x()},{g.y()},{g.width()},{g.height()}")
        super().closeEvent(event)
        self.closed.emit()


def stored_rect(text: str) -> QRect | None:
    """DisplayPrefs.mini_geometry ('x,y,width,height') as a QRect; None when there is none."""
    if not text:
        return None
    x, y, width, height = (int(part) for part in text.split(","))
    return QRect(x, y, max(width, 1), max(height, 1))
