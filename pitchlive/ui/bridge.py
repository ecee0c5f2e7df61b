"""Engine subscribers -> Qt signals. Engine callbacks run on its worker thread; Qt widgets may
only be touched on the GUI thread, so frames are queued here and handed over in batches.

Only one wake-up is queued at a time however fast frames arrive (a file analysed faster than
real time cannot flood the event loop), and frames of an engine that was detached are dropped
even if they were already queued.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal

from pitchlive.frames import InputLevel, PitchFrame

if TYPE_CHECKING:   # the engine module pulls in SciPy; the window starts without it
    from pitchlive.engine import Engine, EngineEvent


class EngineBridge(QObject):
    """Subscribes to one engine at a time and re-emits its frames and events on the GUI thread."""

    frames = Signal(list)      # list[PitchFrame], in order
    level = Signal(object)     # InputLevel, the newest, while the engine has no model yet
    event = Signal(object)     # EngineEvent
    _wake = Signal()
    _event_from_worker = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: list[PitchFrame] = []
        self._pending_level: InputLevel | None = None
        self._generation = 0
        self._unsubscribers: list = []
        self._wake.connect(self._drain, Qt.ConnectionType.QueuedConnection)
        self._event_from_worker.connect(self._deliver_event, Qt.ConnectionType.QueuedConnection)

    def attach(self, engine: Engine) -> None:
        """Start relaying this engine (and stop relaying any previous one)."""
        self.detach()
        generation = self._generation

        def on_frame(frame: PitchFrame) -> None:   # worker thread
            with self._lock:
                if generation != self._generation:
                    return
                self._pending.append(frame)
                first = len(self._pending) == 1
            if first:
                self._emit_safely(self._wake)

        def on_level(level: InputLevel) -> None:   # worker thread; only the newest is shown
            with self._lock:
                if generation != self._generation:
                    return
                first = self._pending_level is None and not self._pending
                self._pending_level = level
            if first:
                self._emit_safely(self._wake)

        def on_event(event: EngineEvent) -> None:  # worker thread (or the caller of start())
            self._emit_safely(self._event_from_worker, generation, event)

        self._unsubscribers = [engine.subscribe(on_frame), engine.subscribe_events(on_event),
                               engine.subscribe_levels(on_level)]

    def detach(self) -> None:
        """Stop relaying; frames and events still queued from the old engine are dropped."""
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers = []
        with self._lock:
            self._generation += 1
            self._pending.clear()
            self._pending_level = None

    @staticmethod
    def _emit_safely(signal, *args) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:
            pass  # the bridge was deleted while the engine was still running down

    def _drain(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
            level, self._pending_level = self._pending_level, None
        if level is not None:
            self.level.emit(level)
        if batch:
            self.frames.emit(batch)

    def _deliver_event(self, generation: int, event: EngineEvent) -> None:
        if generation == self._generation:
            self._drain()   # frames before the event are shown before it
            self.event.emit(event)
