"""A single-producer single-consumer float32 ring buffer whose recent windows are contiguous.

Every sample is stored twice, at ``i % capacity`` and ``i % capacity + capacity`` (as Friture
does), so the last n <= capacity samples are always one contiguous slice: a window is a view,
never a concatenation. Writing copies into preallocated memory and takes no lock, so a PortAudio
callback can write while the worker reads.

Consistency without locks: the writer announces the range it is about to overwrite
(``_writing_end``) before copying and publishes ``written_samples`` after. A reader copies what it
wants and then checks that the writer has not reached into it meanwhile; under CPython's GIL these
attribute stores are seen in program order.
"""

from __future__ import annotations

import numpy as np


class RingBufferOverrun(Exception):
    """The samples asked for were overwritten: the reader fell a whole buffer behind."""


class RingBuffer:
    """Mono float32 ring of capacity_samples; samples are indexed by their global position."""

    def __init__(self, capacity_samples: int) -> None:
        if capacity_samples < 1:
            raise ValueError(f"capacity must be at least one sample, got {capacity_samples}")
        self.capacity_samples = int(capacity_samples)
        self._buffer = np.zeros(2 * self.capacity_samples, dtype=np.float32)
        self._written = 0
        self._writing_end = 0

    @property
    def written_samples(self) -> int:
        """Samples written since creation (the global index one past the newest sample)."""
        return self._written

    def _slots(self, count: int) -> tuple[int, int]:
        """(first slot, length before wrapping) for the next count samples."""
        start = self._written % self.capacity_samples
        return start, min(count, self.capacity_samples - start)

    def write(self, block: np.ndarray) -> None:
        """Append a 1-D block (any float dtype); only its last capacity samples if longer."""
        count = block.shape[0]
        if count == 0:
            return
        if count > self.capacity_samples:
            skipped = count - self.capacity_samples
            block = block[skipped:]
            self._writing_end = self._written + count
            self._written += skipped
            count = self.capacity_samples
        cap = self.capacity_samples
        start, first = self._slots(count)
        self._writing_end = self._written + count
        buf = self._buffer
        # Both copies, split where the slot index wraps; slices of preallocated memory only.
        buf[start:start + first] = block[:first]
        buf[start + cap:start + cap + first] = block[:first]
        if first < count:
            rest = count - first
            buf[:rest] = block[first:]
            buf[cap:cap + rest] = block[first:]
        self._written += count

    def write_sum(self, block_2d: np.ndarray, scale: float, scratch: np.ndarray) -> None:
        """Append scale * (sum over the channels of block_2d (n, ch)), mixing in scratch.

        The channels are added column by column (np.add with out=): np.sum(axis=1) over a
        row of 2 channels cost 10 us a 10 ms block, 70 % of the PortAudio callback's own work.
        The same sums as np.sum's, bit for bit, below 8 channels (within float32 rounding above).
        """
        count, channels = block_2d.shape
        start = 0
        while start < count:
            n = min(count - start, scratch.shape[0])
            out = scratch[:n]
            rows = block_2d[start:start + n]
            if channels == 1:
                np.multiply(rows[:, 0], scale, out=out)
            else:
                np.add(rows[:, 0], rows[:, 1], out=out)
                for c in range(2, channels):
                    out += rows[:, c]
                out *= scale
            self.write(out)
            start += n

    def window(self, end: int, length: int) -> np.ndarray:
        """A read-only contiguous view of samples [end - length, end); see is_intact()."""
        if length > self.capacity_samples:
            raise ValueError(f"window of {length} samples exceeds capacity {self.capacity_samples}")
        if end > self._written or end < length:
            raise ValueError(f"window [{end - length}, {end}) is not in the written range "
                             f"[0, {self._written})")
        start = (end - length) % self.capacity_samples
        view = self._buffer[start:start + length]
        view.flags.writeable = False
        return view

    def is_intact(self, start: int) -> bool:
        """True if sample start has not been (and is not being) overwritten."""
        return self._writing_end - start <= self.capacity_samples

    def read(self, start: int, end: int) -> np.ndarray:
        """A copy of samples [start, end); raises RingBufferOverrun if they were overwritten."""
        if end - start > self.capacity_samples or not self.is_intact(start):
            raise RingBufferOverrun(f"samples from {start} were overwritten "
                                    f"(written: {self._written})")
        data = np.array(self.window(end, end - start))
        if not self.is_intact(start):
            raise RingBufferOverrun(f"samples from {start} were overwritten while being read")
        return data
