"""Takes: recording what the engine hears (audio and pitch) and saving it as WAV + pitch CSV.

A TakeRecorder subscribes to an Engine's audio blocks and frames. Audio goes straight to a spool
WAV in a cache folder, block by block on the engine's worker thread, so memory stays bounded
however long the take (a block write costs tens of microseconds; bench/take_memory.py measures
it). Pitch frames go into small numpy buffers that grow geometrically (24 bytes per 32 ms frame).
stop() returns a Take: the spool file plus the pitch track, with times from the take's start.
save_take() copies both into a folder the user chose, each file written atomically and never
over an existing one, so a failed save loses nothing: the spool stays for another try.

Crashes lose nothing either: each frame is also appended to a sidecar file next to the spool,
and a recording holds an advisory lock on its spool. find_unsaved_takes() lists the spools no
running recorder holds (left by a crash, a kill, or a failed `listen --record` save), and
recover_take() turns one back into a Take, mending the WAV header the crash never wrote.
"""

from __future__ import annotations

import errno
import fcntl
import io
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import soundfile as sf

from pitchlive.exports.atomic import temp_file_in
from pitchlive.frames import MODEL_SAMPLE_RATE_HZ, PitchFrame, PitchTrack
from pitchlive.settings import Settings

log = logging.getLogger(__name__)

SPOOL_SUBTYPE = "FLOAT"          # exact copy of what was analysed; no clipping or rounding
INITIAL_FRAME_CAPACITY = 1024    # ~33 s of frames; doubled when full
STEM_FORMAT = "take-%Y%m%d-%H%M%S"
PITCH_CSV_SUFFIX = ".pitch.csv"
FRAMES_SUFFIX = ".frames"        # sidecar of a spool: float64 (time_s, frequency_hz, confidence)


class TakeError(Exception):
    """A take could not be recorded or saved; the message says what to do."""


# Spools this process holds: path -> fd carrying an advisory lock, kept from the start of the
# recording (or its recovery) until the take is discarded. The kernel drops the lock if the
# process dies, which is how find_unsaved_takes() tells a crashed take from one in use.
_spool_locks: dict[str, int] = {}
_spool_locks_guard = threading.Lock()


def _hold_spool(path: Path, fd: int | None = None) -> bool:
    """Lock a spool for this process until its take is discarded; False if someone else has it."""
    if fd is None:
        fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False
    with _spool_locks_guard:
        old = _spool_locks.pop(str(path), None)
        _spool_locks[str(path)] = fd
    if old is not None:
        os.close(old)
    return True


def _release_spool(path: Path) -> None:
    with _spool_locks_guard:
        fd = _spool_locks.pop(str(path), None)
    if fd is not None:
        os.close(fd)


def default_spool_dir() -> Path:
    """Where unsaved takes are spooled: the per-user cache folder's takes/ subfolder."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("pitchlive")) / "takes"


@dataclass(frozen=True)
class Take:
    """A finished recording: the spool WAV and the pitch frames heard while it was made."""

    audio_path: Path          # the spool WAV (mono, float32, at sample_rate_hz)
    sample_rate_hz: float
    duration_s: float
    track: PitchTrack         # frame times in seconds from the take's first sample
    started_at: datetime      # wall-clock time (local) when recording started
    problem: str | None = None  # user-facing note when recording stopped early (disk full...)

    def audio_16k(self) -> np.ndarray:
        """The take's audio as mono float32 at 16 kHz (what the model analyses)."""
        from pitchlive.audio.files import AudioFileError, FileProblems, open_info, read_blocks
        from pitchlive.audio.resample import StreamingResampler

        try:
            info = open_info(self.audio_path)
        except AudioFileError as exc:
            if self.duration_s == 0:
                return np.zeros(0, np.float32)
            raise TakeError(f"The take's audio is gone ({exc})") from exc
        resampler = StreamingResampler(info.sample_rate_hz, MODEL_SAMPLE_RATE_HZ)
        # Resampled block by block so only the 16 kHz result is ever held whole.
        parts = [resampler.process(block) for block in read_blocks(info, FileProblems())]
        parts.append(resampler.flush())
        return np.concatenate(parts).astype(np.float32, copy=False)

    def discard(self) -> None:
        """Delete the spool file and its frames (after saving, or when the take is not wanted)."""
        Path(self.audio_path).unlink(missing_ok=True)
        frames_path(self.audio_path).unlink(missing_ok=True)
        _release_spool(Path(self.audio_path))


def frames_path(spool_path: Path) -> Path:
    """The sidecar file that keeps a spool's pitch frames on disk while it records."""
    return Path(f"{spool_path}{FRAMES_SUFFIX}")


@dataclass(frozen=True)
class SavedTake:
    """Where save_take put a take."""

    wav_path: Path
    csv_path: Path


class _FrameBuffer:
    """Time, frequency and confidence columns that grow by doubling (amortised O(1) append)."""

    def __init__(self, capacity: int = INITIAL_FRAME_CAPACITY) -> None:
        self._data = np.empty((3, capacity), dtype=np.float64)
        self.size = 0

    def append(self, time_s: float, frequency_hz: float, confidence: float) -> None:
        if self.size == self._data.shape[1]:
            grown = np.empty((3, 2 * self._data.shape[1]), dtype=np.float64)
            grown[:, :self.size] = self._data[:, :self.size]
            self._data = grown
        self._data[:, self.size] = (time_s, frequency_hz, confidence)
        self.size += 1

    def track(self, end_s: float) -> PitchTrack:
        """The frames whose centre lies inside the recorded audio, in time order."""
        data = self._data[:, :self.size]
        keep = data[0] <= end_s
        return PitchTrack(*(np.array(row[keep]) for row in data))


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
            _hold_spool(Path(name), fd)
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
        return Take(audio_path=self._path, sample_rate_hz=self._rate_hz, duration_s=duration_s,
                    track=self._frames.track(duration_s), started_at=self._started_at,
                    problem=self._problem)

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
        self._frames.append(time_s, frame.frequency_hz, frame.confidence)
        sidecar = self._frames_file
        if sidecar is not None:
            try:
                sidecar.write(np.array((time_s, frame.frequency_hz, frame.confidence),
                                       np.float64).tobytes())
            except (OSError, ValueError):
                pass     # the in-memory frames still make the take; only crash recovery loses


def _write_problem(exc: BaseException, at_s: float, path: Path | None) -> str:
    full = isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "space" in str(exc).lower()
    why = "the disk is full" if full else f"the recording could not be written ({exc})"
    return (f"Recording stopped at {at_s:.1f} s because {why}. The audio recorded until then is "
            f"in {path}. Free some disk space before recording again.")


# -- crash recovery ----------------------------------------------------------------------------

def find_unsaved_takes(spool_dir: Path | None = None) -> list[Path]:
    """Spool files of takes no recorder holds (a crash or a failed save left them), oldest first.

    Empty ones (the crash came before any audio) are deleted on the way.
    """
    spool_dir = Path(spool_dir) if spool_dir is not None else default_spool_dir()
    found = []
    for path in sorted(spool_dir.glob("take-*.wav"), key=_modified_time):
        with _spool_locks_guard:
            if str(path) in _spool_locks:
                continue                 # this process's own take
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue                     # being recorded right now (this or another process)
        finally:
            os.close(fd)
        try:
            empty = _spool_audio_layout(path)[2] == 0
        except OSError:
            continue                     # removed meanwhile
        if empty:
            path.unlink(missing_ok=True)
            frames_path(path).unlink(missing_ok=True)
            continue
        found.append(path)
    return found


def _modified_time(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0      # deleted meanwhile; the loop below skips it


def _spool_audio_layout(path: Path) -> tuple[int, int, int]:
    """(sample rate, byte offset of the samples, number of samples) of a spool WAV, header or not.

    A process that dies while recording never writes the WAV's final sizes, so the samples are
    counted from the file's length instead of the header.
    """
    with open(path, "rb") as handle:
        head = handle.read(4096)
    size = path.stat().st_size
    fmt = head.find(b"fmt ")
    data = head.find(b"data")
    if head[:4] != b"RIFF" or fmt < 0 or data < 0:
        return 0, 0, 0
    rate = int.from_bytes(head[fmt + 12:fmt + 16], "little")
    offset = data + 8
    return rate, offset, max(0, (size - offset) // 4)


def recover_take(path: Path) -> Take:
    """The Take a crash left in a spool file, its WAV header mended; raises TakeError."""
    path = Path(path)
    try:
        if not _hold_spool(path):
            raise TakeError(f"The take {path.name} is in use by another pitchlive window.")
        rate, offset, n_samples = _spool_audio_layout(path)
        if not rate:
            raise TakeError(f"{path} is not a recording pitchlive can recover.")
        # Rewrite the header: a correct WAV of the same samples, block by block.
        samples = np.memmap(path, dtype="<f4", mode="r", offset=offset, shape=(n_samples,))
        fd, tmp = temp_file_in(path.parent, path.name)
        os.close(fd)
        try:
            with sf.SoundFile(tmp, "w", rate, 1, SPOOL_SUBTYPE, format="WAV") as out:
                step = rate * 10
                for start in range(0, n_samples, step):
                    out.write(np.asarray(samples[start:start + step]))
            del samples
            os.replace(tmp, path)
            _hold_spool(path)            # the lock was on the file the rename replaced
        finally:
            Path(tmp).unlink(missing_ok=True)
        sidecar = frames_path(path)
        raw = sidecar.read_bytes() if sidecar.is_file() else b""
    except OSError as exc:
        raise TakeError(f"The unsaved take {path} could not be read ({exc.strerror or exc}).") \
            from exc
    frames = np.frombuffer(raw[:len(raw) // 24 * 24], dtype=np.float64).reshape(-1, 3)
    duration_s = n_samples / rate
    frames = frames[frames[:, 0] <= duration_s]
    track = PitchTrack(*(np.array(column) for column in frames.T))
    try:
        started_at = datetime.strptime(path.name[:len("take-YYYYmmdd-HHMMSS")], STEM_FORMAT)
    except ValueError:
        started_at = datetime.fromtimestamp(path.stat().st_mtime)
    return Take(audio_path=path, sample_rate_hz=float(rate), duration_s=duration_s, track=track,
                started_at=started_at)


# -- saving ------------------------------------------------------------------------------------

def save_take(take: Take, directory: Path, settings: Settings,
              stem: str | None = None) -> SavedTake:
    """Save a take as <stem>.wav and <stem>.pitch.csv in directory; raises TakeError.

    Never overwrites: an existing name gets -2, -3... Each file is written to a temp file in the
    folder and then renamed, and on any failure both are removed, so the folder never holds a
    half-written file. The take's spool file is left as it is (discard() it after saving).
    """
    from pitchlive.exports.csv import write_track_csv
    from pitchlive.tracking.labels import label_track

    directory = Path(directory)
    if not directory.is_dir():
        raise TakeError(f"Cannot save the take: the folder {directory} does not exist. Create it "
                        f"or choose another one. The recording is kept in {take.audio_path}.")
    if not Path(take.audio_path).is_file():
        raise TakeError(f"Cannot save the take: its recording {take.audio_path} is gone (it was "
                        "discarded or the cache folder was cleaned).")
    buffer = io.StringIO()
    write_track_csv(buffer, take.track, label_track(take.track, settings))
    csv_bytes = buffer.getvalue().encode("utf-8")
    base = stem or take.started_at.strftime(STEM_FORMAT)
    placed: list[Path] = []
    try:
        for attempt in range(1, 1000):
            name = base if attempt == 1 else f"{base}-{attempt}"
            wav_path = directory / f"{name}.wav"
            csv_path = directory / f"{name}{PITCH_CSV_SUFFIX}"
            if wav_path.exists() or csv_path.exists():
                continue
            if not _place(directory, wav_path, lambda out: _copy_file(take.audio_path, out)):
                continue                      # taken meanwhile by someone else: next name
            placed.append(wav_path)
            if not _place(directory, csv_path, lambda out: out.write(csv_bytes)):
                wav_path.unlink(missing_ok=True)
                placed.clear()
                continue
            placed.append(csv_path)
            return SavedTake(wav_path, csv_path)
        raise TakeError(f"Cannot save the take: too many takes named {base} in {directory}. "
                        "Choose another name or folder.")
    except OSError as exc:
        for path in placed:
            path.unlink(missing_ok=True)
        full = exc.errno == errno.ENOSPC
        why = "the disk is full" if full else (exc.strerror or str(exc))
        raise TakeError(f"Cannot save the take in {directory}: {why}. Nothing was written "
                        f"there; the recording is kept in {take.audio_path}. "
                        f"{'Free some space' if full else 'Choose a writable folder'} and save "
                        "again.") from exc


def _copy_file(source: Path, out) -> None:
    with open(source, "rb") as handle:
        shutil.copyfileobj(handle, out, 1 << 20)


def _place(directory: Path, path: Path, write) -> bool:
    """Write a file via a temp file in directory, then move it to path unless path exists.

    Returns False (and writes nothing) when path appeared meanwhile; raises OSError on failure.
    """
    fd, tmp = temp_file_in(directory, path.name)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        try:
            # A hard link fails if path exists: no overwrite even if another program races us.
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                                 errno.EMLINK):
                raise
            # File systems without hard links (FAT, some network shares): rename after a check.
            if path.exists():
                return False
            os.replace(tmp, path)
        return True
    finally:
        Path(tmp).unlink(missing_ok=True)
