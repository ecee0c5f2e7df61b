"""Where sources deliver audio: a real-time-safe sink in front of the engine's ring buffer.

CaptureSink.write_block() (or write_blocks()) runs on the microphone's reader thread (or a file
feeder thread). It only copies into memory allocated up front (ring buffer, mixing scratch,
arrival clock), bumps counters and queues a wake-up for the worker; it never waits for it.
"""

from __future__ import annotations

import array
import bisect
import math
import queue
import time

import numpy as np

from pitchlive.audio.ringbuffer import RingBuffer

# Native-rate audio kept for the worker; it reads every few ms, so 4 s is a wide margin
# (also the budget a stalled worker has before audio is lost).
RING_SECONDS = 4.0
# Largest block mixed in one step; larger blocks are mixed in pieces.
MIX_SCRATCH_SAMPLES = 16384
# Arrival times of this many recent blocks are kept (~80 s of 10 ms blocks).
CLOCK_ENTRIES = 8192


class ArrivalClock:
    """When each block of samples entered the ring buffer (time.monotonic()), for latency.

    Two typed arrays of the standard library (allocated once), searched with bisect:
    record() runs on the source's thread right after it woke, where a store into a numpy
    array cost ~30 us of CPU (numpy's cold path to convert a Python number), one into an
    array.array a few.
    """

    def __init__(self, entries: int = CLOCK_ENTRIES) -> None:
        self._ends = array.array("q", bytes(8 * entries))    # global index one past each block
        self._times = array.array("d", bytes(8 * entries))
        self._size = entries
        self._count = 0

    def record(self, end_sample: int, when: float) -> None:
        """Note that samples up to end_sample (exclusive) had arrived at time when."""
        slot = self._count % self._size
        self._ends[slot] = end_sample
        self._times[slot] = when
        self._count += 1

    def arrival_time(self, sample_index: int) -> float:
        """Arrival time of the block that held sample_index; NaN if not arrived or forgotten."""
        count = self._count
        size = self._size
        if count == 0:
            return math.nan
        # The slots in time order are [count % size:] then [:count % size] once the ring has
        # wrapped; each part is sorted, so each is searched where it lies (no reordering copy).
        first = count % size if count > size else 0
        older_end = min(count, size)
        i = bisect.bisect_right(self._ends, sample_index, first, older_end)
        if i < older_end:
            return math.nan if i == first and count > size else float(self._times[i])
        j = bisect.bisect_right(self._ends, sample_index, 0, first)
        return float(self._times[j]) if j < first else math.nan


class CaptureSink:
    """Receives raw blocks from a source, makes them mono and writes them to the ring buffer."""

    def __init__(self) -> None:
        self.channel: int | None = None
        self.sample_rate_hz = 0.0
        self.channels = 0
        self.ring = RingBuffer(1)
        self.clock = ArrivalClock()
        self.overflows = 0
        self.underflows = 0
        self.consumed_samples = 0        # set by the worker: how far it has read
        self.end_of_stream = False       # set by a source with a finite length
        self.end_reason: str | None = None
        self.failure: str | None = None  # set by a source that broke (user-facing message)
        # The worker is woken only once the ring holds this many samples (the end of its next
        # window): 100 blocks a second arrive, but only ~31 windows are due.
        self.wake_at_samples = 0
        # ...and it will want this many next (the window after; 0: unknown), set with it.
        self.then_wake_at_samples = 0
        # The worker's wake-up: a queue with at most one item (a C call to put or take; the
        # Event it replaces ran ~15 lines of Python per set(), ~40 us of CPU on the source's
        # thread right after it woke). _woken: an item is queued, so none is added.
        self._wake_up: queue.SimpleQueue[None] = queue.SimpleQueue()
        self._woken = False
        self._scratch = np.zeros(MIX_SCRATCH_SAMPLES, dtype=np.float32)
        self._scale = 1.0

    def configure(self, sample_rate_hz: float, channels: int, channel: int | None) -> None:
        """Allocate everything for a stream of this rate and channel count (before it starts).

        channel picks one channel of each block; None mixes all of them.
        """
        if channel is not None and not 0 <= channel < channels:
            raise ValueError(f"channel {channel} outside 0-{channels - 1}")
        self.channel = channel
        self.sample_rate_hz = float(sample_rate_hz)
        self.channels = int(channels)
        self.ring = RingBuffer(int(RING_SECONDS * sample_rate_hz))
        self._scale = 1.0 / channels

    def awaited_samples(self) -> int:
        """How many samples the ring must hold for the worker's next step; 0 when unknown.

        The worker's wake-up target while it sleeps, else (it is working the last one off)
        the one it announced after that. A source that writes blocks no one waits for together
        with the next awaited one (FileSource) wakes once a window instead of once a block.
        """
        written = self.ring.written_samples
        for target in (self.wake_at_samples, self.then_wake_at_samples):
            if target > written:
                return target
        return 0

    def write_block(self, block: np.ndarray, arrived_at: float | None = None) -> None:
        """Append a block (n,) or (n, channels) as mono; real-time safe (no waits, no buffers).

        arrived_at: when the block was recorded (time.monotonic()), for a block written after
        that; None: now.
        """
        if block.ndim == 1:
            self.ring.write(block)
        elif self.channel is not None:
            self.ring.write(block[:, self.channel])
        elif block.shape[1] == 1:
            self.ring.write(block[:, 0])
        else:
            self.ring.write_sum(block, self._scale, self._scratch)
        self.clock.record(self.ring.written_samples,
                          time.monotonic() if arrived_at is None else arrived_at)
        if self.ring.written_samples >= self.wake_at_samples:
            self._wake_worker()

    def write_blocks(self, samples: np.ndarray, ends: list[int],
                     arrived_at: list[float | None]) -> None:
        """Append consecutive mono blocks in one write: samples (n,) float32 holds the blocks
        ending at ends (ascending offsets into samples, the last n), each of which arrived at
        its arrived_at (time.monotonic(); None: now). Real-time safe, like write_block.

        One ring write and one wake-up check for the blocks a source held back (FileSource:
        those no one waited for), each block's arrival still on the clock for latency.
        """
        first = self.ring.written_samples
        self.ring.write(samples)
        record = self.clock.record
        for end, when in zip(ends, arrived_at):
            record(first + end, time.monotonic() if when is None else when)
        if self.ring.written_samples >= self.wake_at_samples:
            self._wake_worker()

    def note_status(self, input_overflow: bool, input_underflow: bool) -> None:
        """Count PortAudio's status flags for one callback."""
        if input_overflow:
            self.overflows += 1
        if input_underflow:
            self.underflows += 1

    def space_samples(self) -> int:
        """Samples that can be written without overwriting audio the worker has not read."""
        return self.ring.capacity_samples - (self.ring.written_samples - self.consumed_samples)

    def finish(self, reason: str) -> None:
        """The source has no more audio (end of file)."""
        self.end_reason = reason
        self.end_of_stream = True
        self._wake_worker()

    def fail(self, message: str) -> None:
        """The source broke; message says so to the user."""
        self.failure = message
        self._wake_worker()

    def wake(self) -> None:
        """Wake the worker (for stop requests)."""
        self._wake_worker()

    def wait_for_data(self, timeout_s: float) -> None:
        """Worker side: sleep until a block arrives or timeout_s passes."""
        try:
            self._wake_up.get(timeout=timeout_s)
        except queue.Empty:
            return
        # Cleared before the worker looks at the ring: a source that writes meanwhile and
        # sees _woken still set queues nothing, but its audio is in the ring already.
        self._woken = False

    def _wake_worker(self) -> None:
        """Wake the worker (or keep it from sleeping at its next wait_for_data)."""
        if not self._woken:
            self._woken = True
            self._wake_up.put(None)
