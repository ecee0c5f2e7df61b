"""Recording what the engine hears (audio and pitch) as a take.

A TakeRecorder subscribes to an Engine's audio blocks and frames. Audio goes straight to a spool
WAV in a cache folder, block by block on the engine's worker thread, so memory stays bounded
however long the take (a block write costs tens of microseconds; bench/take_memory.py measures
it). Pitch frames go into small numpy buffers that grow geometrically (32 bytes per 32 ms frame)
and, for crash recovery, into a sidecar file next to the spool. stop() returns a Take: the spool
file plus the pitch track and levels, with times from the take's start.
"""

from __future__ import annotations

import errno
import logging
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import soundfile as sf

from pitchlive.frames import MODEL_SAMPLE_RATE_HZ, PitchFrame, PitchTrack
from pitchlive.takes.spool import (
    FRAME_FIELDS,
    SPOOL_SUBTYPE,
    STEM_FORMAT,
    Take,
    TakeError,
    default_spool_dir,
    frames_path,
    frames_until,
    hold_spool,
)

log = logging.getLogger(__name__)

INITIAL_FRAME_CAPACITY = 1024    # ~33 s of frames; doubled when full


class _FrameBuffer:
    """Columns of FRAME_FIELDS that grow by doubling (amortised O(1) append)."""

    def __init__(self, capacity: int = INITIAL_FRAME_CAPACITY) -> None:
        self._data = np.empty((len(FRAME_FIELDS), capacity), dtype=np.float64)
        self.size = 0

    def append(self, row: np.ndarray) -> None:
        """Add one frame: float64 values of FRAME_FIELDS."""
        if self.size == self._data.shape[1]:
            grown = np.empty((len(FRAME_FIELDS), 2 * self._data.shape[1]), dtype=np.float64)
            grown[:, :self.size] = self._data[:, :self.size]
            self._data = grown
        self._data[:, self.size] = row
        self.size += 1

    def frames(self, end_s: float) -> tuple[PitchTrack, np.ndarray]:
        """(track, level_dbfs) of the frames whose centre lies inside the recorded audio."""
        return frames_until(self._data[:, :self.size], end_s)


class TakeRecorder:
    """Records an engine's input and pitch as one take: start(), then stop() -> Take.

    The engine may be running or not yet started; the take holds what the worker analyses from
    start() to stop(). If the engine is restarted in between, the streams are joined end to end.
    """

    def __init__(self, engine, spool_dir: Path | None = None) -> None:
        self._engine = engine
        self._spool_dir = Path(spool_dir) if spool_dir is not None else None
        self._lock = threading.Lock()        # the worker's writes against stop() closing
        self._recording = False
        self._unsubscribe: list = []
        self._file: sf.SoundFile | None = None
        self._path: Path | None = None
        self._rate_hz = 0.0
        self._samples = 0                    # samples written to the spool
        self._stream_zero = 0                # take sample index of the current stream's sample 0
        self._next_stream_sample = None      # where the next block should start in the stream
        self._frames = _FrameBuffer()
        self._started_at = datetime.now()
        self._problem: str | None = None
        self._frames_file = None             # unbuffered sidecar of the frames
        self.write_times_s: list[float] = []  # per-block write durations, kept when measuring
        self.measure_writes = False

    # -- state -------------------------------------------------------------------------------

    @property
    def recording(self) -> bool:
        """True between start() and stop()."""
        return self._recording

    @property
    def elapsed_s(self) -> float:
        """Seconds of audio recorded so far."""
        rate = self._rate_hz
        return self._samples / rate if rate else 0.0

    @property
    def spool_path(self) -> Path | None:
        """The spool WAV of the current (or last) take."""
        return self._path

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Begin a take; raises TakeError when the spool folder cannot be used."""
        if self._recording:
            return
        spool_dir = self._spool_dir or default_spool_dir()
        try:
            spool_dir.mkdir(parents=True, exist_ok=True)
            started_at = datetime.now()
            fd, name = tempfile.mkstemp(prefix=started_at.strftime(STEM_FORMAT) + "-",
                                        suffix=".wav", dir=spool_dir)
            hold_spool(Path(name), fd)
            frames_file = open(frames_path(Path(name)), "wb", buffering=0)  # noqa: SIM115
        except OSError as exc:
            raise TakeError(f"Cannot record: the folder for recordings in progress, {spool_dir}, "
                            f"cannot be used ({exc.strerror or exc}). Free some disk space or "
                            "check that folder's permissions.") from exc
        self._path = Path(name)
        self._frames_file = frames_file
        self._file = None
        self._rate_hz = 0.0
        self._samples = 0
        self._next_stream_sample = None
        self._frames = _FrameBuffer()
        self._problem = None
        self.write_times_s = []
        self._started_at = started_at
        self._recording = True
        self._unsubscribe = [self._engine.subscribe_audio(self._on_audio),
                             self._engine.subscribe(self._on_frame)]

    def stop(self) -> Take:
        """End the take and return it (its audio in the spool file until saved or discarded)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        with self._lock:
            self._recording = False
            handle, self._file = self._file, None
            if handle is not None:
                try:
                    handle.close()
                except (sf.SoundFileError, RuntimeError, OSError) as exc:
                    self._problem = self._problem or _write_problem(exc, self.elapsed_s,
                                                                    self._path)
            frames_file, self._frames_file = self._frames_file, None
        if self._path is None:
            raise TakeError("No take was started.")
        if handle is None:
            # No audio arrived: leave a valid, empty WAV so the take can still be saved.
            rate = self._rate_hz or float(getattr(self._engine.source, "sample_rate_hz", 0)
                                          or MODEL_SAMPLE_RATE_HZ)
            self._rate_hz = rate
            try:
                sf.SoundFile(str(self._path), "w", int(round(rate)), 1, SPOOL_SUBTYPE,
                             format="WAV").close()
            except (sf.SoundFileError, RuntimeError, OSError) as exc:
                self._problem = self._problem or _write_problem(exc, 0.0, self._path)
        if frames_file is not None:
            frames_file.close()
        duration_s = self._samples / self._rate_hz
        track, level_dbfs = self._frames.frames(duration_s)
        return Take(audio_path=self._path, sample_rate_hz=self._rate_hz, duration_s=duration_s,
                    track=track, started_at=self._started_at, problem=self._problem,
                    level_dbfs=level_dbfs)

    # -- worker-thread callbacks --------------------------------------------------------------

    def _on_audio(self, block: np.ndarray, sample_rate_hz: float) -> None:
        with self._lock:
            if not self._recording or self._problem:
                return
            position = self._engine.audio_position_samples
            if self._file is None:
                self._rate_hz = float(sample_rate_hz)
                try:
                    self._file = sf.SoundFile(str(self._path), "w",
                                              int(round(sample_rate_hz)), 1, SPOOL_SUBTYPE,
                                              format="WAV")
                except (sf.SoundFileError, RuntimeError, OSError) as exc:
                    self._problem = _write_problem(exc, 0.0, self._path)
                    log.warning("%s", self._problem)
                    return
            elif sample_rate_hz != self._rate_hz:
                self._problem = (f"Recording stopped at {self.elapsed_s:.1f} s: the input "
                                 f"changed its sample rate ({self._rate_hz:.0f} to "
                                 f"{sample_rate_hz:.0f} Hz). Start a new take.")
                return
            if position != self._next_stream_sample:
                # First block, or a new stream (engine restarted): map stream time onto the take.
                self._stream_zero = self._samples - position
            started = time.perf_counter() if self.measure_writes else 0.0
            try:
                self._file.write(block)
            except (sf.SoundFileError, RuntimeError, OSError) as exc:
                self._problem = _write_problem(exc, self.elapsed_s, self._path)
                log.warning("%s", self._problem)
                return
            if self.measure_writes:
                self.write_times_s.append(time.perf_counter() - started)
            self._samples += block.shape[0]
            self._next_stream_sample = position + block.shape[0]

    def _on_frame(self, frame: PitchFrame) -> None:
        if not self._recording or self._next_stream_sample is None:
            return      # frames of audio from before the take began
        time_s = frame.time_s + self._stream_zero / self._rate_hz
        if time_s < 0:
            return
        row = np.array((time_s, frame.frequency_hz, frame.confidence, frame.level_dbfs),
                       np.float64)
        self._frames.append(row)
        sidecar = self._frames_file
        if sidecar is not None:
            try:
                sidecar.write(row.tobytes())
            except (OSError, ValueError):
                pass     # the in-memory frames still make the take; only crash recovery loses


def _write_problem(exc: BaseException, at_s: float, path: Path | None) -> str:
    full = isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "space" in str(exc).lower()
    why = "the disk is full" if full else f"the recording could not be written ({exc})"
    return (f"Recording stopped at {at_s:.1f} s because {why}. The audio recorded until then is "
            f"in {path}. Free some disk space before recording again.")


