"""Small layout builders for the window: a vertical stack, a scrolling dock."""

from __future__ import annotations

from PySide6.QtWidgets import QDockWidget, QScrollArea, QVBoxLayout, QWidget


def stacked(*widgets: QWidget) -> QWidget:
    """Widgets one above the other; the last one takes the spare height."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(6, 6, 6, 0)
    layout.setSpacing(6)
    for widget in widgets[:-1]:
        layout.addWidget(widget)
    layout.addWidget(widgets[-1], 1)
    return holder


def scrolling_dock(parent: QWidget, title: str, content: QWidget) -> QDockWidget:
    """A movable, closable dock whose content scrolls when the window is short."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(content)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    dock = QDockWidget(title, parent)
    dock.setObjectName(f"{title}Dock")
    dock.setWidget(scroll)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetClosable)
    return dock
