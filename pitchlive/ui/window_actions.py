"""The window's menus and keyboard shortcuts, as a table.

Each row names the window attribute that keeps the action (or None), its text, its keys, what
it calls (a function of the window, so the table needs no window to be written) and whether it
is a check box. Every action is also added to the window itself, so its shortcut works while the
menu bar is hidden (presentation mode), and listed in Help → Keyboard shortcuts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from pitchlive.ui.help_dialog import ShortcutsDialog, show_about
from pitchlive.ui.prefs import CHROMA_PRESETS
from pitchlive.ui.theme import THEMES
from pitchlive.ui.view_keys import view_key_actions

LIVE_TAB, FILE_TAB = 0, 1


@dataclass(frozen=True)
class ActionRow:
    """One menu entry: see the module doc."""

    attribute: str | None
    text: str
    keys: object                       # a key string, a list of them, a StandardKey, or None
    slot: Callable[[QMainWindow], Callable]
    checkable: bool = False


SEPARATOR = None

MENUS: tuple[tuple[str, tuple[ActionRow | None, ...]], ...] = (
    ("&File", (
        ActionRow("open_action", "&Open recording…", QKeySequence.StandardKey.Open,
                  lambda w: w.open_recording_dialog),
        ActionRow("track_file_action", "&Track recording live", "Ctrl+P",
                  lambda w: w.track_current_file),
        ActionRow("mic_action", "Use &microphone", "Ctrl+M", lambda w: w.use_microphone),
        SEPARATOR,
        ActionRow("snapshot_action", "&Save snapshot (PNG)", "Ctrl+S",
                  lambda w: w.snapshot_from_menu),
        ActionRow("save_take_action", "Save &take…", "Ctrl+Shift+S",
                  lambda w: w.takes.save_take_dialog),
        ActionRow("export_action", "&Export notes…", "Ctrl+E", lambda w: w.takes.export_dialog),
        SEPARATOR,
        ActionRow(None, "&Quit", "Ctrl+Q", lambda w: w.close),
    )),
    ("&Audio", (
        ActionRow("run_action", "&Start/stop tracking", "Ctrl+R", lambda w: w.toggle_running),
        ActionRow(None, "&Refresh input devices", "F5", lambda w: w.refresh_devices),
        SEPARATOR,
        ActionRow("record_action", "R&ecord / stop recording", "R",
                  lambda w: w.takes.toggle_recording),
        ActionRow("transcribe_action", "&Transcribe into notes", "Ctrl+T",
                  lambda w: w.takes.transcribe),
        ActionRow("play_take_action", "&Play take or recording", "P", lambda w: w.takes.play_take),
        ActionRow("play_notes_action", "Play &notes", "N", lambda w: w.takes.play_notes),
        ActionRow("stop_playback_action", "Stop p&layback", "S", lambda w: w.takes.stop_playback),
    )),
    ("&View", (
        ActionRow("pause_action", "&Pause (look back)", "Space",
                  lambda w: w.pitch_view.set_paused, checkable=True),
        ActionRow(None, "Scroll &back", "Left", lambda w: lambda: w.pitch_view.scroll_time(-0.25)),
        ActionRow(None, "Scroll &forward", "Right",
                  lambda w: lambda: w.pitch_view.scroll_time(0.25)),
        ActionRow("follow_action", "&Follow the voice", "F", lambda w: w.pitch_view.set_follow,
                  checkable=True),
        ActionRow(None, "Zoom &in (pitch)", ["+", "="],
                  lambda w: lambda: w.pitch_view.zoom_pitch(1 / 1.25)),
        ActionRow(None, "Zoom &out (pitch)", "-", lambda w: lambda: w.pitch_view.zoom_pitch(1.25)),
        ActionRow(None, "&Reset view", "Home", lambda w: w.pitch_view.reset_view),
        SEPARATOR,
        ActionRow(None, "&Live view", "Ctrl+1", lambda w: lambda: w.tabs.setCurrentIndex(LIVE_TAB)),
        ActionRow(None, "Re&cording view", "Ctrl+2",
                  lambda w: lambda: w.tabs.setCurrentIndex(FILE_TAB)),
        ActionRow("controls_action", "Show &controls", "Ctrl+K",
                  lambda w: w.set_controls_visible, checkable=True),
        SEPARATOR,
        ActionRow("large_action", "Presentation &mode", "Ctrl+L",
                  lambda w: lambda on: w.presentation.set_active(on), checkable=True),
        ActionRow(None, "Larger note", ["Ctrl+=", "Ctrl++"],
                  lambda w: lambda: w.presentation.zoom_font(1)),
        ActionRow(None, "Smaller note", "Ctrl+-", lambda w: lambda: w.presentation.zoom_font(-1)),
        ActionRow(None, "Normal note size", "Ctrl+0", lambda w: lambda: w.presentation.reset_font()),
        ActionRow("full_screen_action", "F&ull screen", "F11",
                  lambda w: lambda on: w.presentation.set_full_screen(on), checkable=True),
        ActionRow(None, "Leave full screen / presentation", "Esc",
                  lambda w: lambda: w.presentation.escape()),
        ActionRow("mini_action", "Mini &window (always on top)", "Ctrl+Shift+M",
                  lambda w: lambda on: w.mini.set_shown(on), checkable=True),
    )),
)


def make_action(window: QMainWindow, menu: QMenu, row: ActionRow) -> QAction:
    """The QAction for one row, in menu and on the window."""
    action = QAction(row.text, window)
    if row.keys is not None:
        keys = row.keys if isinstance(row.keys, (list, tuple)) else [row.keys]
        action.setShortcuts([QKeySequence(k) for k in keys])
    action.setCheckable(row.checkable)
    slot = row.slot(window)
    if row.checkable:
        action.toggled.connect(slot)
    else:
        action.triggered.connect(lambda _checked=False: slot())
    window.addAction(action)
    menu.addAction(action)
    return action


def chroma_menu(window: QMainWindow, menu: QMenu) -> dict[str, QAction]:
    """Off, the presets and Custom… for presentation mode and the mini window; by colour."""
    group = QActionGroup(window)
    actions = {}
    for label, colour in (("Off", ""), *CHROMA_PRESETS.items(), ("Custom…", None)):
        action = QAction(label, window, checkable=colour is not None)
        if colour is None:
            action.triggered.connect(lambda _c=False: window.presentation.choose_chroma_key())
        else:
            action.triggered.connect(lambda _c=False, c=colour: window.presentation.set_chroma_key(c))
            group.addAction(action)
            actions[colour] = action
        menu.addAction(action)
    return actions


def build_menus(window: QMainWindow) -> list[QAction]:
    """Menus from MENUS plus Theme and Help; returns the actions that have shortcuts, in order.

    Rows with an attribute are also set on the window under that name.
    """
    actions: list[QAction] = []
    bar = window.menuBar()
    menus = {}
    for title, rows in MENUS:
        menu = menus[title] = bar.addMenu(title)
        for row in rows:
            if row is SEPARATOR:
                menu.addSeparator()
                continue
            action = make_action(window, menu, row)
            actions.append(action)
            if row.attribute:
                setattr(window, row.attribute, action)
    theme_menu = menus["&View"].addMenu("&Theme")
    group = QActionGroup(window)
    window.theme_actions = {}
    for name in THEMES:
        action = QAction(name.capitalize(), window, checkable=True)
        action.triggered.connect(lambda _c=False, n=name: window.set_theme(n))
        group.addAction(action)
        theme_menu.addAction(action)
        window.theme_actions[name] = action
    actions.append(make_action(window, theme_menu, ActionRow(
        None, "Switch theme", "Ctrl+Shift+T", lambda w: w.switch_theme)))
    window.chroma_actions = chroma_menu(window, menus["&View"].addMenu("C&hroma-key background"))
    help_menu = bar.addMenu("&Help")
    actions.append(make_action(window, help_menu, ActionRow(
        None, "&Keyboard shortcuts", "F1",
        lambda w: lambda: ShortcutsDialog(w.shortcut_actions + view_key_actions(w), w).exec())))
    about = QAction("&About pitchlive", window)
    about.triggered.connect(lambda _checked=False: show_about(window))
    help_menu.addAction(about)
    return actions
