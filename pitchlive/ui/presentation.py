"""Presentation mode and full screen for the main window, and Esc that undoes both exactly.

Presentation mode (Ctrl+L) hides the menus, status bar, tabs, take strip, trace and controls,
so the note panel fills the window; its rows are laid out from the size it gets, so the note,
the needle and the reading fit any window and any screen. Full screen (F11) is independent of
it. Each remembers what it changed when it starts and puts exactly that back when it ends, so
Esc returns to the window as it was. Neither is ever stored: while one is on, the window saves
the geometry and dock layout from before it (saved_geometry, saved_state). With the menus
hidden, a right click on the note offers the note size, the chroma key, full screen and the way
out, so all of it is reachable with the mouse alone (presentation_menu).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QColorDialog, QDockWidget, QLayout, QMainWindow, QMenu, QWidget

from pitchlive.ui.note_panel import NotePanel
from pitchlive.ui.prefs import (CHROMA_PRESETS, MAX_FONT_SCALE, MIN_FONT_SCALE, DisplayPrefs,
                                stepped_font_scale)
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.window_layout import clamp_to_screen

# Without a window manager (a bare X server, some kiosk set-ups) the full-screen request is
# ignored; after this long the window fills its screen itself.
FULL_SCREEN_CHECK_MS = 400


@dataclass(frozen=True)
class PresentationParts:
    """What presentation mode changes in the window, and how to show the live view."""

    window: QMainWindow
    chrome: Sequence[QWidget]         # hidden while presenting (tab bar, trace, take strip, ...)
    dock: QDockWidget                 # the Controls panel
    note_panel: NotePanel
    margins: QLayout                  # the central layout, edge to edge while presenting
    show_live: Callable[[], None]


class Presentation(QObject):
    """Presentation mode, full screen and Esc for one window."""

    changed = Signal(bool)     # presentation mode on or off

    def __init__(self, parts: PresentationParts, model: SettingsModel,
                 presentation_action: QAction, full_screen_action: QAction) -> None:
        super().__init__(parts.window)
        self.parts, self.model = parts, model
        self._presentation_action, self._full_screen_action = (presentation_action,
                                                               full_screen_action)
        self._state_before: QByteArray | None = None   # dock layout before presenting
        self._margins_before = parts.margins.contentsMargins()
        self._geometry_before: QByteArray | None = None  # window geometry before full screen
        self._rect_before = QRect()
        self._maximized_before = False
        self._shown = False
        self.menu: QMenu | None = None     # the right-click menu last opened
        model.prefs_changed.connect(self._apply_look)
        parts.window.installEventFilter(self)
        parts.note_panel.installEventFilter(self)

    # ---- state ---------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """True while presentation mode is on."""
        return self._state_before is not None

    @property
    def full_screen(self) -> bool:
        """True while full screen was asked for (F11) and not left."""
        return self._geometry_before is not None

    def saved_geometry(self) -> QByteArray:
        """The window geometry to remember: the one from before full screen while it is on."""
        return QByteArray(self._geometry_before) if self.full_screen else \
            self.parts.window.saveGeometry()

    def saved_state(self) -> QByteArray:
        """The dock layout to remember: the one from before presenting while it is on."""
        return QByteArray(self._state_before) if self.active else self.parts.window.saveState()

    # ---- presentation mode -----------------------------------------------------------------
    def set_active(self, on: bool) -> None:
        """Ctrl+L: the note panel alone fills the window, or everything back as it was."""
        if self._presentation_action.isChecked() != on:
            self._presentation_action.setChecked(on)   # re-enters through toggled
            return
        if on == self.active:
            return
        p, window = self.parts, self.parts.window
        if on:
            self._state_before = window.saveState()
            self._margins_before = p.margins.contentsMargins()
            self.model.update_prefs(large_type=True)
            p.show_live()
            for widget in (*p.chrome, window.menuBar(), window.statusBar(), p.dock):
                widget.setVisible(False)
            p.margins.setContentsMargins(0, 0, 0, 0)
        else:
            state, self._state_before = self._state_before, None
            self.model.update_prefs(large_type=False)
            for widget in (*p.chrome, window.menuBar(), window.statusBar()):
                widget.setVisible(True)
            p.margins.setContentsMargins(self._margins_before)
            window.restoreState(state)
            # Ctrl+K while presenting is the user's choice and wins over the layout from before.
            p.dock.setVisible(self.model.prefs.show_controls)
        self._apply_look(self.model.prefs)
        self.changed.emit(on)

    def zoom_font(self, steps: int) -> None:
        """Ctrl+= / Ctrl+-: make the note larger or smaller (a remembered preference)."""
        self.model.update_prefs(font_scale=stepped_font_scale(self.model.prefs.font_scale, steps))

    def reset_font(self) -> None:
        """Ctrl+0: the note at its normal size."""
        self.model.update_prefs(font_scale=1.0)

    def presentation_menu(self) -> QMenu:
        """The right-click menu while presenting: note size, chroma key, full screen, leave."""
        menu = QMenu(self.parts.window)
        scale = self.model.prefs.font_scale
        larger = menu.addAction("Larger note", lambda: self.zoom_font(1))
        larger.setEnabled(scale < MAX_FONT_SCALE)
        smaller = menu.addAction("Smaller note", lambda: self.zoom_font(-1))
        smaller.setEnabled(scale > MIN_FONT_SCALE)
        menu.addAction(f"Normal note size (now {scale:.0%})", self.reset_font)
        menu.addSeparator()
        chroma = menu.addMenu("Chroma-key background")
        for label, colour in (("Off", ""), *CHROMA_PRESETS.items()):
            action = chroma.addAction(label, lambda c=colour: self.set_chroma_key(c))
            action.setCheckable(True)
            action.setChecked(colour == self.model.prefs.chroma_key)
        menu.addAction(self._full_screen_action)
        menu.addSeparator()
        menu.addAction("Leave presentation mode (Esc)", self.escape)
        return menu

    def set_chroma_key(self, colour: str) -> None:
        """A background colour for keying ('' for the theme's), a remembered preference."""
        self.model.update_prefs(chroma_key=colour)

    def choose_chroma_key(self) -> None:
        """View → Chroma-key background → Custom…: any colour from a colour picker."""
        start = QColor(self.model.prefs.chroma_key or CHROMA_PRESETS["Green"])
        colour = QColorDialog.getColor(start, self.parts.window, "Chroma-key background")
        if colour.isValid():
            self.set_chroma_key(colour.name())
        self._check_chroma(self.model.prefs)

    def _check_chroma(self, prefs: DisplayPrefs) -> None:
        # The menu's check follows the colour in use; a custom colour checks none of them.
        actions = getattr(self.parts.window, "chroma_actions", {})
        for colour, action in actions.items():
            action.setChecked(colour == prefs.chroma_key)

    def _apply_look(self, prefs: DisplayPrefs) -> None:
        panel = self.parts.note_panel
        panel.set_font_scale(prefs.font_scale if self.active else 1.0)
        panel.set_background(prefs.chroma_key if self.active else None)
        self._check_chroma(prefs)

    # ---- full screen -------------------------------------------------------------------------
    def set_full_screen(self, on: bool) -> None:
        """F11: full screen, or back to the window's size and place from before."""
        if self._full_screen_action.isChecked() != on:
            self._full_screen_action.setChecked(on)
            return
        window = self.parts.window
        if on and self._geometry_before is None:
            self._geometry_before = window.saveGeometry()
            self._rect_before = window.geometry()
            self._maximized_before = window.isMaximized()
            window.showFullScreen()
            QTimer.singleShot(FULL_SCREEN_CHECK_MS, self.fill_screen)
        elif not on and self._geometry_before is not None:
            self._geometry_before = None
            if self._maximized_before:
                window.showMaximized()
            else:   # the same inner rectangle (a stored blob would be re-placed by Qt's rules)
                window.showNormal()
                window.setGeometry(self._rect_before)
                clamp_to_screen(window)

    def fill_screen(self) -> None:
        """In full screen, cover the whole screen if the window system left the window as it was."""
        window = self.parts.window
        screen = window.screen()
        if self.full_screen and window.isFullScreen() and screen is not None and \
                window.geometry() != screen.geometry():
            # The native window's geometry: QWidget.setGeometry would also drop the state.
            window.windowHandle().setGeometry(screen.geometry())

    def escape(self) -> None:
        """Esc: leave presentation mode and full screen, whichever are on."""
        self.set_active(False)
        self.set_full_screen(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Keep F11's check mark true when the window system leaves full screen by itself; on
        first showing, bring a stored size that the screen cannot hold onto it."""
        if event.type() == QEvent.Type.Show and watched is self.parts.window and \
                not self._shown:
            self._shown = True   # the frame's size is known only now
            clamp_to_screen(self.parts.window)
        if event.type() == QEvent.Type.ContextMenu and watched is self.parts.note_panel and \
                self.active:
            self.menu = self.presentation_menu()      # kept while it is open (not modal)
            self.menu.popup(event.globalPos())
            return True
        if event.type() == QEvent.Type.WindowStateChange and watched is self.parts.window:
            was_full = bool(event.oldState() & Qt.WindowState.WindowFullScreen)
            if self.full_screen and was_full and not self.parts.window.isFullScreen():
                self._geometry_before = None
                self._full_screen_action.setChecked(False)
        return False
