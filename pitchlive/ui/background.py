"""Slow work off the GUI thread: a plain thread whose result comes back as a Qt signal.

Used for loading TensorFlow and the model, and for analysing whole files, so the window keeps
painting and answering while they run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)


class BackgroundTask(QObject):
    """Runs fn() on a daemon thread; emits succeeded(result) or failed(exception) on the GUI thread."""

    succeeded = Signal(object)
    failed = Signal(object)
    _done = Signal(bool, object)

    def __init__(self, fn: Callable[[], object], name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self.finished = False

    def start(self) -> BackgroundTask:
        """Start the thread; returns self."""
        self._thread.start()
        return self

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait for the thread (tests, shutdown); True when it has ended."""
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            result, ok = self._fn(), True
        except Exception as exc:
            log.debug("%s failed", self._thread.name, exc_info=True)
            result, ok = exc, False
        try:
            self._done.emit(ok, result)
        except RuntimeError:
            pass  # the window was closed meanwhile; nobody is waiting for the result

    def _deliver(self, ok: bool, result: object) -> None:
        self.finished = True
        (self.succeeded if ok else self.failed).emit(result)
