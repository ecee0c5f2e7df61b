"""Slow work off the GUI thread: one mechanism for every background job of the window.

A BackgroundTask runs fn() on its own thread and hands the result back as a Qt signal on the
GUI thread. Jobs are started through a BackgroundJobs, which the window owns and joins when it
closes. Several jobs may be inside TensorFlow (loading the model, analysing a recording); a
thread left running while the interpreter finalises is killed mid-call, and TensorFlow's C++
frames turn that into an abort (issue 15). So no job is a daemon: the window joins them on close
(already hidden, so the user waits for nothing), the app's exit path joins whatever is left
(wait_for_all), and Python itself joins any survivor before it finalises.

Jobs only compute: Qt objects are created and touched on the GUI thread, in the result handlers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)

_live: set[BackgroundTask] = set()     # every task started and not yet ended, process-wide
_live_lock = threading.Lock()


class BackgroundTask(QObject):
    """Runs fn() on its own thread; emits succeeded(result) or failed(exception) on the GUI thread.

    After abandon() the result is dropped instead (its owner has gone away).
    """

    succeeded = Signal(object)
    failed = Signal(object)
    _done = Signal(bool, object)

    def __init__(self, fn: Callable[[], object], name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self._thread = threading.Thread(target=self._run, name=name, daemon=False)
        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._abandoned = False
        self.finished = False

    @property
    def name(self) -> str:
        """The thread's name (pitchlive-...)."""
        return self._thread.name

    @property
    def running(self) -> bool:
        """True from start() until fn() has returned or raised."""
        return self._thread.is_alive()

    def start(self) -> BackgroundTask:
        """Start the thread; returns self."""
        with _live_lock:
            _live.add(self)
        self._thread.start()
        return self

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait for the thread; True when it has ended (or never started)."""
        if self._thread.ident is not None:
            self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def abandon(self) -> None:
        """Drop the result when it comes (the thread itself runs to its end)."""
        self._abandoned = True

    def _run(self) -> None:
        try:
            result, ok = self._fn(), True
        except Exception as exc:
            log.debug("%s failed", self._thread.name, exc_info=True)
            result, ok = exc, False
        finally:
            with _live_lock:
                _live.discard(self)
        if self._abandoned:
            return
        try:
            self._done.emit(ok, result)
        except RuntimeError:
            pass  # the owner was deleted meanwhile; nobody is waiting for the result

    def _deliver(self, ok: bool, result: object) -> None:
        self.finished = True
        if not self._abandoned:
            (self.succeeded if ok else self.failed).emit(result)


class BackgroundJobs(QObject):
    """The background jobs of one owner (the window): started here, waited for, joined on close."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: list[BackgroundTask] = []
        self._lanes: dict[str, BackgroundTask] = {}
        self._closed = False

    def run(self, fn: Callable[[], object], name: str,
            on_success: Callable[[object], None] | None = None,
            on_failure: Callable[[BaseException], None] | None = None) -> BackgroundTask | None:
        """Start fn() on a thread named name; the handlers run on the GUI thread.

        Returns the task, or None once the owner is shutting down (nothing is started then).
        """
        if self._closed:
            return None
        task = BackgroundTask(fn, name, self)
        if on_success is not None:
            task.succeeded.connect(on_success)
        if on_failure is not None:
            task.failed.connect(on_failure)
        self._tasks = [t for t in self._tasks if t.running or not t.finished] + [task]
        return task.start()

    def run_in_order(self, lane: str, fn: Callable[[], object], name: str,
                     on_success: Callable[[object], None] | None = None,
                     on_failure: Callable[[BaseException], None] | None = None
                     ) -> BackgroundTask | None:
        """Like run(), but after every job started earlier in the same lane has ended.

        For work that must not overlap or overtake (opening and closing audio devices).
        """
        previous = self._lanes.get(lane)

        def after_previous():
            if previous is not None:
                previous.join()
            return fn()

        task = self.run(after_previous, name, on_success, on_failure)
        if task is not None:
            self._lanes[lane] = task
        return task

    def wait_lane(self, lane: str, timeout_s: float = 30.0) -> bool:
        """Block until every job of the lane has ended; True if they did."""
        last = self._lanes.get(lane)
        return last is None or last.join(timeout_s)

    def running(self) -> list[str]:
        """Names of the jobs still running."""
        return [t.name for t in self._tasks if t.running]

    def wait(self, timeout_s: float = 30.0) -> bool:
        """Block until every job started so far has ended (tests, scripts); True if they all did."""
        deadline = time.monotonic() + timeout_s
        return all(t.join(max(0.0, deadline - time.monotonic())) for t in list(self._tasks))

    def shutdown(self, timeout_s: float = 30.0) -> bool:
        """Start nothing more, drop results still to come, and join every job.

        True when all have ended within timeout_s (a model download may not have).
        """
        self._closed = True
        for task in self._tasks:
            task.abandon()
        done = self.wait(timeout_s)
        if not done:
            log.warning("background jobs still running at shutdown: %s", ", ".join(self.running()))
        return done


def wait_for_all(timeout_s: float) -> bool:
    """Join every background task of the process (the app's exit path); True if none is left."""
    deadline = time.monotonic() + timeout_s
    while True:
        with _live_lock:
            tasks = list(_live)
        if not tasks:
            return True
        for task in tasks:
            task.join(max(0.0, deadline - time.monotonic()))
        if time.monotonic() >= deadline:
            with _live_lock:
                return not _live
