"""Audio decoded ahead of a speaker by its own thread, for a PortAudio callback to copy.

One mechanism for everything that plays a recording: `Player.play_file` (audio/playback.py) and
a `FileSource` played aloud (audio/sources.py). A decoder thread pulls blocks from an iterable
(reading a file, resampling) and writes them into a `RingBuffer` as fast as the reader makes
room; the reader (PortAudio's callback) only copies what is already there, so it never waits
on a disk or a lock. The ring is single-producer single-consumer: the decoder writes, one reader
takes, and each only moves its own counter.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

import numpy as np

from pitchlive.audio.files import AudioFileError
from pitchlive.audio.ringbuffer import RingBuffer

log = logging.getLogger(__name__)

PREFILL_TIMEOUT_S = 1.0   # wait_prefilled gives the decoder this long to fill half the ring
POLL_S = 0.005            # how often a waiting decoder (or prefill) looks again
JOIN_TIMEOUT_S = 3.0      # close() waits this long for the decoder thread


class DecodeAheadFeed:
    """Blocks decoded ahead into a ring by a thread, read out in order by one consumer.

    Parameters
    ----------
    blocks : Iterable[numpy.ndarray]
        Mono float blocks, each of shape (n,), in samples at the playback rate. Iterated on the
        decoder thread (so a generator that reads a file does its I/O there); an
        `AudioFileError` it raises ends the feed with `error` set.
    capacity_samples : int
        Ring size in samples (e.g. seconds ahead x rate in Hz). Blocks longer than half of it
        are written in pieces.
    on_error : Callable[[str], None], optional
        Called on the decoder thread with the message of an `AudioFileError`; by default the
        message is logged as a warning.
    name : str
        Name of the decoder thread.

    Attributes
    ----------
    finished : bool
        True once the decoder has ended: every block is in the ring, or it failed (`error`).
    error : str or None
        The `AudioFileError` message that ended decoding early, else None.

    The thread starts at construction; `close()` stops and joins it.
    """

    def __init__(self, blocks: Iterable[np.ndarray], capacity_samples: int,
                 on_error: Callable[[str], None] | None = None,
                 name: str = "pitchlive-decode-ahead") -> None:
        self._ring = RingBuffer(int(capacity_samples))
        self._taken = 0                 # samples the reader has copied out (reader's counter)
        self._stop = threading.Event()
        self._on_error = on_error
        self.finished = False
        self.error: str | None = None
        self._thread = threading.Thread(target=self._decode, args=(blocks,), name=name,
                                        daemon=True)
        self._thread.start()

    @property
    def available_samples(self) -> int:
        """Samples decoded and not yet read."""
        return self._ring.written_samples - self._taken

    @property
    def taken_samples(self) -> int:
        """Samples read out so far (the reader's position in the decoded stream)."""
        return self._taken

    def _decode(self, blocks: Iterable[np.ndarray]) -> None:
        """Decoder thread: write every block as room appears; record an AudioFileError."""
        try:
            for block in blocks:
                if not self._put(block):
                    return
        except AudioFileError as exc:
            self.error = str(exc)
            if self._on_error is not None:
                self._on_error(self.error)
            else:
                log.warning("%s", exc)
        finally:
            close = getattr(blocks, "close", None)   # a generator: release its file now
            if close is not None:
                close()
        self.finished = True

    def _put(self, block: np.ndarray) -> bool:
        """Write block once the reader has made room; False when stopped."""
        half = max(1, self._ring.capacity_samples // 2)
        for start in range(0, block.shape[0], half):
            piece = block[start:start + half]
            while self._ring.capacity_samples - self.available_samples < piece.shape[0]:
                if self._stop.wait(POLL_S):
                    return False
            self._ring.write(piece)
        return True

    def wait_prefilled(self, timeout_s: float = PREFILL_TIMEOUT_S) -> None:
        """Block until half the ring is decoded, the decoder ended, or timeout_s (seconds).

        Call before starting the output stream, so playback does not start with a gap.
        """
        for _ in range(max(1, int(timeout_s / POLL_S))):
            if self.finished or self._ring.written_samples >= self._ring.capacity_samples // 2:
                return
            self._stop.wait(POLL_S)

    def read_into(self, out: np.ndarray) -> int:
        """Copy the next decoded samples into out; real-time safe (for PortAudio's callback).

        Parameters
        ----------
        out : numpy.ndarray
            Float32 destination of shape (n,) (e.g. a column of PortAudio's outdata).

        Returns
        -------
        int
            Samples copied into out[:count]. Fewer than n means the decoder is behind or, when
            `finished` was already True before the call, the end of the audio.
        """
        n = min(out.shape[0], self.available_samples)
        if n:
            out[:n] = self._ring.window(self._taken + n, n)
            self._taken += n
        return n

    def close(self, timeout_s: float = JOIN_TIMEOUT_S) -> None:
        """Stop the decoder and join its thread (up to timeout_s seconds); idempotent."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout_s)
