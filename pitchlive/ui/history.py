"""The pitch history the live view draws: a bounded, append-only store of frames in time order.

Frames are kept on one continuous display timeline. Each engine run restarts its audio clock at
zero, so a new run is placed after the previous one (by the wall-clock time in between) and a
break marker keeps the trace from joining across the gap.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from pitchlive.frames import HOP_S, PitchFrame

DEFAULT_CAPACITY_S = 600.0   # 10 minutes: the issue asks for at least 5 to scroll back through


class HistorySlice(NamedTuple):
    """Frames between two display times; arrays of shape (n,)."""

    times_s: np.ndarray
    frequency_hz: np.ndarray   # NaN where the frame is unvoiced or a run break
    confidence: np.ndarray     # NaN at run breaks
    level_dbfs: np.ndarray


class PitchHistory:
    """Ring store of the last capacity_s seconds of frames, appended from the GUI thread."""

    def __init__(self, capacity_s: float = DEFAULT_CAPACITY_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = math.ceil(capacity_s / HOP_S)
        self._clock = clock
        # Twice the capacity so the newest `capacity` rows are always one contiguous slice;
        # when the end is reached the newest half is moved to the front (amortised O(1)).
        size = 2 * self.capacity
        self._t = np.zeros(size)
        self._f = np.zeros(size)
        self._c = np.zeros(size)
        self._l = np.zeros(size)
        self._start = 0
        self._end = 0
        self._offset_s = 0.0            # display time = frame time + offset
        self._last_wall = None          # wall clock of the latest frame
        self._new_run = False

    def __len__(self) -> int:
        return self._end - self._start

    @property
    def latest_time_s(self) -> float | None:
        """Display time of the newest frame, or None when empty."""
        return float(self._t[self._end - 1]) if len(self) else None

    @property
    def earliest_time_s(self) -> float | None:
        """Display time of the oldest frame kept, or None when empty."""
        return float(self._t[self._start]) if len(self) else None

    @property
    def display_offset_s(self) -> float | None:
        """Display time minus engine time for the current run's frames (None when empty)."""
        return self._offset_s if len(self) else None

    def wall_age_s(self) -> float | None:
        """Seconds of wall-clock time since the newest frame arrived."""
        return None if self._last_wall is None else self._clock() - self._last_wall

    def begin_run(self) -> None:
        """The next frame starts a new engine run whose audio clock restarts at zero."""
        self._new_run = True

    def clear(self) -> None:
        """Forget every frame."""
        self._start = self._end = 0
        self._offset_s = 0.0
        self._last_wall = None
        self._new_run = False

    def _push(self, t: float, f: float, c: float, level: float) -> None:
        if self._end == self._t.size:
            keep = self.capacity - 1
            for array in (self._t, self._f, self._c, self._l):
                array[:keep] = array[self._end - keep:self._end]
            self._start, self._end = 0, keep
        i = self._end
        self._t[i], self._f[i], self._c[i], self._l[i] = t, f, c, level
        self._end += 1
        if self._end - self._start > self.capacity:
            self._start = self._end - self.capacity

    def append(self, frame: PitchFrame) -> float:
        """Store a frame and return its display time."""
        now = self._clock()
        if self._new_run and len(self):
            gap_s = max(HOP_S, now - (self._last_wall or now))
            self._offset_s = self.latest_time_s + gap_s - frame.time_s
            self._push(self.latest_time_s + HOP_S / 2, math.nan, math.nan, -math.inf)
        elif len(self) and frame.time_s + self._offset_s <= self.latest_time_s:
            # A clock that did not move forward: keep times increasing for searchsorted.
            self._offset_s = self.latest_time_s + HOP_S - frame.time_s
        self._new_run = False
        t = frame.time_s + self._offset_s
        f = frame.frequency_hz if frame.is_pitch else math.nan
        self._push(t, f, frame.confidence, frame.level_dbfs)
        self._last_wall = now
        return t

    def between(self, t0: float, t1: float, margin: int = 1) -> HistorySlice:
        """Frames with display times in [t0, t1], plus `margin` frames either side."""
        times = self._t[self._start:self._end]
        lo = max(0, int(np.searchsorted(times, t0)) - margin)
        hi = min(times.size, int(np.searchsorted(times, t1, side="right")) + margin)
        a, b = self._start + lo, self._start + hi
        return HistorySlice(self._t[a:b], self._f[a:b], self._c[a:b], self._l[a:b])

    def recent_frequencies(self, seconds: float) -> np.ndarray:
        """Voiced frequencies (Hz) of the last `seconds` of frames."""
        latest = self.latest_time_s
        if latest is None:
            return np.zeros(0)
        f = self.between(latest - seconds, latest, margin=0).frequency_hz
        return f[np.isfinite(f)]
