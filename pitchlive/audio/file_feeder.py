"""A recording delivered at real-time pace, as a microphone would deliver it.

Each block of the recording is due when its last sample would have been recorded. Blocks the
worker does not wait for (CaptureSink.awaited_samples) are written together with the next one
it waits for, in one write, each stamped with its own due time: the same audio reaches the
worker at the same moments, and the feeder wakes about once a window instead of 100 times a
second. A thread pays most of its CPU on the first steps after a wake (cold caches), so a
wake does few, fixed steps: one decision, one sleep, one write per decoded chunk it spans.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Iterable

import numpy as np

from pitchlive.audio.capture import CaptureSink

# The feeder sleeps up to this long between writes without watching for a stop (time.sleep
# costs ~20 us less CPU than Event.wait; it wakes about once a window, ~31 ms).
SLEEP_MAX_S = 0.05


def block_ends(first: int, length: int, block_frames: int) -> list[int]:
    """Sample indices one past each block of a chunk of length samples starting at first:
    blocks of block_frames, the last one shorter when the chunk is."""
    ends = list(range(first + block_frames, first + length, block_frames))
    ends.append(first + length)
    return ends


class RealTimeFeed:
    """Writes decoded chunks (mono float32) to a sink in real time from start() on."""

    def __init__(self, sink: CaptureSink, rate_hz: float, block_frames: int,
                 stop: threading.Event) -> None:
        self.sink = sink
        self.rate_hz = rate_hz
        self.block_frames = block_frames
        self.stop = stop
        self.started = 0.0
        self._pending: list[np.ndarray] = []   # decoded, not written yet (in order)
        self._ends: list[int] = []             # sample index one past each pending block
        self._written = 0                      # samples of the recording written to the sink

    def run(self, chunks: Iterable[np.ndarray]) -> bool:
        """Deliver every chunk (their blocks when due); False on a stop."""
        self.started = time.monotonic()
        decoded = 0
        for chunk in chunks:
            if chunk.shape[0] == 0:
                continue
            self._pending.append(chunk)
            self._ends.extend(block_ends(decoded, chunk.shape[0], self.block_frames))
            decoded += chunk.shape[0]
            while self._ends:
                if self.stop.is_set():
                    return False
                awaited = self.sink.awaited_samples()
                # The block that completes the awaited sample; the next block when none is.
                last = bisect.bisect_left(self._ends, awaited) if awaited else 0
                if last == len(self._ends):
                    break       # it lies in a chunk not decoded yet: hold these blocks
                if not self._write_when_due(last + 1):
                    return False
        return self._write_when_due(len(self._ends)) if self._ends else True

    def _write_when_due(self, blocks: int) -> bool:
        """Sleep until the blocks-th pending block is due, then write the first blocks pending
        blocks, each stamped with its due time (the last: now); False on a stop."""
        ends = self._ends[:blocks]
        delay = self.started + ends[-1] / self.rate_hz - time.monotonic()
        if delay > SLEEP_MAX_S:
            if self.stop.wait(delay):
                return False
        elif delay > 0:
            time.sleep(delay)    # cheaper than Event.wait; a stop is seen at the next wake
        stamps: list[float | None] = [self.started + end / self.rate_hz for end in ends[:-1]]
        stamps.append(None)
        first = 0               # of ends / stamps, written with the chunks before
        while first < blocks:
            chunk = self._pending[0]
            end = self._written + chunk.shape[0]
            last = bisect.bisect_right(ends, end, lo=first)   # the blocks this chunk holds
            take = ends[last - 1] - self._written
            self.sink.write_blocks(chunk[:take], [e - self._written for e in ends[first:last]],
                                   stamps[first:last])
            self._written += take
            if take == chunk.shape[0]:
                self._pending.pop(0)
            else:
                self._pending[0] = chunk[take:]
            first = last
        del self._ends[:blocks]
        return True
