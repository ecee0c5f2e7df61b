"""Small layout helpers for the window: a vertical stack, a scrolling dock, sane sizes."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


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


def clamp_to_screen(window: QWidget) -> None:
    """Shrink and move a top-level window so that all of it lies on its screen's free area.

    A geometry stored on a larger screen (or a full-screen size saved by mistake) would
    otherwise open taller than the screen, with the status bar out of reach.
    """
    if window.isFullScreen() or window.isMaximized():
        return
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    free = screen.availableGeometry()
    frame, inner = window.frameGeometry(), window.geometry()
    extra_w, extra_h = frame.width() - inner.width(), frame.height() - inner.height()
    width = min(inner.width(), free.width() - extra_w)
    height = min(inner.height(), free.height() - extra_h)
    if (width, height) != (inner.width(), inner.height()):
        window.resize(max(width, window.minimumWidth()), max(height, window.minimumHeight()))
    frame = window.frameGeometry()
    x = min(max(frame.x(), free.left()), free.right() + 1 - frame.width())
    y = min(max(frame.y(), free.top()), free.bottom() + 1 - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        window.move(max(x, free.left()), max(y, free.top()))


def keep_dock_width(window: QMainWindow, dock: QDockWidget, content: QWidget) -> None:
    """Give a dock the width its content needs, and never less (also after restoreState)."""
    scroll = dock.widget()
    bar = scroll.verticalScrollBar().sizeHint().width() if isinstance(scroll, QScrollArea) else 0
    width = content.minimumSizeHint().width() + bar + 4
    dock.setMinimumWidth(width)
    if dock.isVisible() and dock.width() < width:
        window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)


def scrolling_row(content: QWidget) -> QScrollArea:
    """A one-line row of buttons that scrolls sideways in a narrow window instead of widening it."""
    scroll = QScrollArea()
    scroll.setWidget(content)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    scroll.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    scroll.setFixedHeight(content.sizeHint().height()
                          + scroll.horizontalScrollBar().sizeHint().height())
    return scroll


def restore_layout(window: QMainWindow, geometry: QByteArray | None, state: QByteArray | None,
                   dock: QDockWidget, content: QWidget) -> None:
    """A stored geometry and dock layout, made sane: on the screen, the dock wide enough."""
    if geometry is not None:
        window.restoreGeometry(geometry)
    if state is not None:
        window.restoreState(state)
    clamp_to_screen(window)
    keep_dock_width(window, dock, content)
