"""The microphone's reader thread: PortAudio blocking reads of what the worker waits for next.

A thread that wakes pays most of its CPU on the first steps after the wake (cold caches: a
first numpy call cost ~35 us here, the next ones ~1 us), so the reader wakes once for each
target of the worker (CaptureSink.awaited_samples) and does few, fixed steps per wake.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pitchlive.audio.capture import CaptureSink


class PreallocatedRead:
    """stream.read(frames) into one buffer allocated up front: (frames, channels) float32.

    sounddevice's read() allocates and zero-fills a new buffer and wraps it on every call
    (~0.1 ms of CPU a read here, twice the cost of PortAudio's own read); this calls
    Pa_ReadStream on a buffer of most_frames made once. Streams without sounddevice's handles
    (another version, a test's stand-in) are read with stream.read().
    The returned array is overwritten by the next read.
    """

    def __init__(self, sd, stream, channels: int, most_frames: int) -> None:
        self._stream = stream
        self._buffer = np.zeros((most_frames, channels), dtype=np.float32)
        lib, ffi, handle = (getattr(sd, "_lib", None), getattr(sd, "_ffi", None),
                            getattr(stream, "_ptr", None))
        check = getattr(sd, "_check", None)
        self._raw = None
        if None not in (lib, ffi, handle, check) and getattr(stream, "dtype", None) == "float32":
            self._raw = (lib.Pa_ReadStream, handle, ffi.from_buffer(self._buffer),
                         lib.paInputOverflowed, check)

    @property
    def preallocated(self) -> bool:
        """True when reads go into the buffer allocated up front."""
        return self._raw is not None

    def read(self, frames: int) -> tuple[np.ndarray, bool]:
        """(frames x channels samples, whether input overflowed before them); blocks until
        they have arrived; raises sounddevice.PortAudioError when the device fails."""
        if self._raw is None:
            return self._stream.read(frames)
        read, handle, buffer, overflowed, check = self._raw
        frames = min(frames, self._buffer.shape[0])
        err = read(handle, buffer, frames)       # cffi releases the GIL while it waits
        if err != overflowed:
            check(err)
        return self._buffer[:frames], err == overflowed


def read_into_sink(reader: PreallocatedRead, sink: CaptureSink, block: int, most: int,
                   closing: Callable[[], bool]) -> None:
    """Read what the worker waits for (at least block, at most most frames) into sink until
    closing() is true; lets the device's errors (PortAudioError) through."""
    while not closing():
        awaited = sink.awaited_samples()
        wanted = awaited - sink.ring.written_samples if awaited else block
        wanted = min(max(block, wanted), most)
        # One blocking read that waits inside PortAudio, never a sleep in Python first: a read
        # begun after the sound server died hangs in PortAudio for good (its poll never fires),
        # and so does the exit behind it, while one already waiting returns the error at once
        # (tests/test_engine_mic.py, the daemon killed mid-stream on a loaded machine).
        data, overflowed = reader.read(wanted)
        if overflowed:
            sink.note_status(True, False)
        if closing():
            return
        sink.write_block(data)
