"""A message strip inside the window: loading state and errors with what to do about them.

Errors never open modal dialogs: the strip sits above the views, the rest of the window stays
usable, and its buttons offer the next step (retry, open a file, choose another device).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout

from pitchlive.ui.theme import DARK, Theme

ERROR, INFO = "error", "info"


class MessageBanner(QFrame):
    """Title, explanation and action buttons; hidden when there is nothing to say."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBanner")
        self._theme = DARK
        self.kind: str | None = None
        self._title = QLabel()
        self._title.setTextFormat(Qt.TextFormat.PlainText)
        font = self._title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self._title.setFont(font)
        self._message = QLabel()
        self._message.setWordWrap(True)
        self._message.setTextFormat(Qt.TextFormat.PlainText)
        self._message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._busy = QProgressBar()
        self._busy.setRange(0, 0)
        self._busy.setTextVisible(False)
        self._busy.setMaximumHeight(6)
        self._buttons = QHBoxLayout()
        self._buttons.addStretch(1)
        self._dismiss = QPushButton("Dismiss")
        self._dismiss.clicked.connect(self.clear)
        text = QVBoxLayout()
        text.addWidget(self._title)
        text.addWidget(self._message)
        text.addWidget(self._busy)
        text.addLayout(self._buttons)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addLayout(text, 1)
        self._action_buttons: list[QPushButton] = []
        self.hide()

    @property
    def busy(self) -> bool:
        """True while showing a 'please wait' message (such as the model loading)."""
        return self.kind is not None and not self._busy.isHidden()

    def title_text(self) -> str:
        """Title shown (empty when hidden)."""
        return self._title.text() if self.kind else ""

    def message_text(self) -> str:
        """Explanation shown (empty when hidden)."""
        return self._message.text() if self.kind else ""

    def action_texts(self) -> list[str]:
        """Labels of the action buttons."""
        return [b.text() for b in self._action_buttons]

    def trigger(self, text: str) -> None:
        """Press the action button labelled text (keyboard-free access for tests and scripts)."""
        for button in self._action_buttons:
            if button.text() == text:
                button.click()
                return
        raise KeyError(text)

    def set_theme(self, theme: Theme) -> None:
        """Recolour."""
        self._theme = theme
        self._restyle()

    def show_error(self, title: str, message: str,
                   actions: list[tuple[str, Callable[[], None]]] = ()) -> None:
        """An error with what to do; actions are (button label, callback)."""
        self._show(ERROR, title, message, actions, busy=False)

    def show_info(self, title: str, message: str, busy: bool = False,
                  actions: list[tuple[str, Callable[[], None]]] = ()) -> None:
        """A neutral message, e.g. 'Loading the model…' with a busy bar."""
        self._show(INFO, title, message, actions, busy)

    def clear(self) -> None:
        """Hide the strip."""
        self.kind = None
        self.hide()

    def _show(self, kind: str, title: str, message: str, actions, busy: bool) -> None:
        self.kind = kind
        self._title.setText(title)
        self._message.setText(message)
        self._message.setVisible(bool(message))
        self._busy.setVisible(busy)
        for button in self._action_buttons:
            self._buttons.removeWidget(button)
            button.deleteLater()
        self._action_buttons = []
        self._buttons.removeWidget(self._dismiss)
        for label, callback in actions:
            button = QPushButton(label)
            button.clicked.connect(callback)
            self._buttons.addWidget(button)
            self._action_buttons.append(button)
        # Anything but a 'please wait' message can be dismissed.
        if not busy:
            self._buttons.addWidget(self._dismiss)
        self._dismiss.setVisible(not busy)
        self._restyle()
        self.show()

    def _restyle(self) -> None:
        t = self._theme
        background = t.error_background if self.kind == ERROR else t.info_background
        self.setStyleSheet(f"#MessageBanner {{ background: {background}; border-radius: 6px; }}"
                           f"#MessageBanner QLabel {{ color: {t.text}; }}")
