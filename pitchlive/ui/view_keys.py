"""A view's own keys: actions that work while the focus is inside the view, listed in Help.

Each key is a QAction on the view with a widget-with-children context, so the same key can
mean something else elsewhere in the window, and Help → Keyboard shortcuts lists it (the
window collects every action marked VIEW_KEY).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

VIEW_KEY = "pitchlive_view_key"     # the property that marks a view's key action


def add_view_keys(view: QWidget, where: str,
                  rows: tuple[tuple[str | list[str], str, Callable[[], None]], ...]
                  ) -> list[QAction]:
    """One action per (keys, what it does, slot) on `view`; `where` names the view in Help."""
    actions = []
    for keys, text, slot in rows:
        action = QAction(f"{where}: {text}", view)
        action.setShortcuts([QKeySequence(k) for k in (keys if isinstance(keys, list)
                                                        else [keys])])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setProperty(VIEW_KEY, True)
        action.triggered.connect(lambda _checked=False, s=slot: s())
        view.addAction(action)
        actions.append(action)
    return actions


def view_key_actions(window: QWidget) -> list[QAction]:
    """Every view key action inside the window, for Help."""
    return [a for a in window.findChildren(QAction) if a.property(VIEW_KEY)]
