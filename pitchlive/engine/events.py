"""What leaves the engine besides frames: events, counters, and what it needs of a model.

All immutable, so subscribers may keep them or hand them to another thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from pitchlive.frames import InputLevel, PitchFrame
from pitchlive.model import ModelError

log = logging.getLogger(__name__)


class PitchModel(Protocol):
    """What the engine needs of a model (pitchlive.model.SpiceModel has it)."""

    def infer(self, audio_16k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Frequency (Hz) and confidence (0-1) per 512-sample hop of 16 kHz mono audio."""
        ...


@dataclass(frozen=True)
class EngineStats:
    """A snapshot of the engine's counters (safe to read from any thread)."""

    frames_emitted: int
    overflows: int            # audio lost before it reached us (PortAudio input overflow flags)
    skipped_windows: int      # stale windows the worker skipped to stay current
    latency_s: float          # last frame: emitted minus its centre sample's arrival (NaN before)
    input_level_dbfs: float   # level of the last frame (-inf for silence, NaN before the first)
    device_name: str
    device_rate_hz: float
    running: bool
    ring_overruns: int = 0    # times the worker fell a whole ring buffer behind (audio lost)
    underflows: int = 0       # PortAudio input underflow flags
    model_calls: int = 0      # SPICE calls made


@dataclass(frozen=True)
class EngineEvent:
    """Something that happened to the engine; message is a user-facing sentence."""

    kind: str                 # 'started' | 'stopped' | 'error' | 'overflow'
    message: str


FrameCallback = Callable[[PitchFrame], None]
LevelCallback = Callable[[InputLevel], None]
EventCallback = Callable[[EngineEvent], None]
# (block: float32 (n,) mono as analysed at the source's native rate, sample_rate_hz)
AudioCallback = Callable[[np.ndarray, float], None]


def failure_message(exc: BaseException) -> str:
    """User-facing text for an exception raised by the model."""
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, ModelError):
        return text
    return (f"Pitch tracking stopped: the model failed while running ({type(exc).__name__}: "
            f"{text.splitlines()[0]}).")


class Subscribers:
    """Callbacks called in order; add() and its unsubscribe work from any thread.

    A callback that raises is logged and does not stop the others (or the engine).
    """

    def __init__(self, what: str) -> None:
        self._what = what
        self._callbacks: tuple[Callable, ...] = ()
        self._lock = threading.Lock()

    def add(self, callback: Callable) -> Callable[[], None]:
        """Subscribe callback; returns a function that unsubscribes it."""
        with self._lock:
            self._callbacks = self._callbacks + (callback,)

        def unsubscribe() -> None:
            with self._lock:
                self._callbacks = tuple(cb for cb in self._callbacks if cb is not callback)
        return unsubscribe

    def __bool__(self) -> bool:
        return bool(self._callbacks)

    def call(self, *args) -> None:
        """Call every callback with args (on the calling thread)."""
        for callback in self._callbacks:
            try:
                callback(*args)
            except Exception:  # noqa: BLE001 - a broken subscriber must not stop the engine
                log.exception("%s subscriber failed", self._what)
