"""A message strip inside the window: loading state and errors with what to do about them.

Errors never open modal dialogs: the strip sits above the views, the rest of the window stays
usable, and its buttons offer the next step (retry, open a file, choose another device).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout

from pitchlive.ui.status_bar import devices_found_text
from pitchlive.ui.theme import DARK, Theme

ERROR, INFO = "error", "info"


def rescan_texts(devices: Sequence, chosen: str | None) -> tuple[str, str]:
    """(title, message) saying what a device rescan found; devices are InputDevice-like.

    chosen is the device the user picked (None: the system default, which the list marks).
    """
    if not devices:
        return ("Still no microphone",
                "The rescan found no input device. Connect or enable a microphone (and check "
                "that the sound server runs), then press Try again.")
    default = next((d.name for d in devices if d.is_default), devices[0].name)
    return devices_found_text(devices), f"Starting on '{chosen or default}'…"


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
        self._rescanning = False   # 'Try again' asked for a rescan that has not answered yet
        self._found = ""           # what the last rescan found, until tracking starts or fails
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

    def show_rescanning(self) -> None:
        """'Try again' after 'no microphone': the devices are being looked for again."""
        self.show_info("Looking for microphones…", "Rescanning the input devices.")
        self._rescanning = True

    def show_rescan(self, devices: Sequence, chosen: str | None,
                    retry_actions: list[tuple[str, Callable[[], None]]]) -> bool:
        """What the rescan found (rescan_texts); True when there is an input to start on.

        Does nothing (False) unless show_rescanning asked for it. With no device, an error
        offers retry_actions again. What was found stays in view: the next error (the input
        cannot be opened) or started() adds to it.
        """
        if not self._rescanning:
            return False
        self._rescanning = False
        title, message = rescan_texts(devices, chosen)
        if not devices:
            self.show_error(title, message, retry_actions)
            return False
        self.show_info(title, message)
        self._found = title
        return True

    def show_rescan_failed(self, message: str,
                           retry_actions: list[tuple[str, Callable[[], None]]]) -> None:
        """The rescan asked for by show_rescanning could not list the devices."""
        if self._rescanning:
            self._rescanning = False
            self.show_error("The input devices could not be listed", message, retry_actions)

    def started(self, message: str) -> None:
        """Tracking started: a rescan's result names the input now listened to."""
        if self._found and self.kind == INFO:
            self._message.setText(message)
        self._found = ""

    def clear(self) -> None:
        """Hide the strip."""
        self.kind = None
        self._found, self._rescanning = "", False
        self.hide()

    def _show(self, kind: str, title: str, message: str, actions, busy: bool) -> None:
        if self._found and kind == ERROR:     # 'Found 2 inputs: …' then why none could open
            message, self._found = f"{self._found}. {message}", ""
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
