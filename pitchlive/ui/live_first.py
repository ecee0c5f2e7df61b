"""The live view's first pitch before the recording view's whole-file analysis.

The recording view analyses a whole file with TensorFlow (import and run: seconds of CPU, most
of it holding the GIL). Started the moment the model is ready, it competed with the live engine
working off the audio heard while the model loaded: measured on `pitchlive --input demo.flac`
(bench/gui_startup.py), the first pitch on screen came 0.45-0.55 s later than without it. So
while the Live page is shown and tracking waits for its first voiced frame, the model waits here
before it reaches the recording view; the first voiced frame, tracking stopping, the Recording
page being shown, or HOLD_LIMIT_S (a recording that starts with a long silence) releases it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, SignalInstance
from PySide6.QtWidgets import QTabWidget, QWidget

from pitchlive.frames import PitchFrame

# The longest the recording view waits for the live view's first pitch (seconds).
HOLD_LIMIT_S = 2.0


class LiveFirst(QObject):
    """Hands a loaded model to deliver(model) at once, or after the live view's first pitch.

    frames: the session's frames signal (list[PitchFrame] on the GUI thread); running_changed:
    the session's; tabs and live_page: the model is held only while live_page is the current tab.
    """

    def __init__(self, deliver: Callable[[object], None], frames: SignalInstance,
                 running_changed: SignalInstance, tabs: QTabWidget, live_page: QWidget,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._deliver = deliver
        self._tabs = tabs
        self._live_page = live_page
        self._held: object | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.release)
        frames.connect(self._on_frames)
        running_changed.connect(self._on_running_changed)
        tabs.currentChanged.connect(self._on_tab)

    @property
    def holding(self) -> bool:
        """True while a model waits for the live view's first pitch."""
        return self._held is not None

    def model_ready(self, model, tracking: bool) -> None:
        """A model has loaded; tracking: the live engine is running or about to run."""
        if tracking and self._tabs.currentWidget() is self._live_page:
            self._held = model
            self._timer.start(int(HOLD_LIMIT_S * 1000))
        else:
            self._held = None
            self._timer.stop()
            self._deliver(model)

    def release(self) -> None:
        """Deliver a held model now (nothing if none is held)."""
        model, self._held = self._held, None
        self._timer.stop()
        if model is not None:
            self._deliver(model)

    def _on_frames(self, frames: list[PitchFrame]) -> None:
        if self._held is not None and any(frame.voiced for frame in frames):
            self.release()

    def _on_running_changed(self, running: bool) -> None:
        if not running:
            self.release()

    def _on_tab(self, _index: int) -> None:
        if self._tabs.currentWidget() is not self._live_page:
            self.release()
