"""A take in the making: its spool WAV, the sidecar of its frames, and the lock that marks it in
use. The spool folder is the per-user cache; a take lives there until it is saved or discarded.
"""

from __future__ import annotations

import fcntl
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from pitchlive.frames import MODEL_SAMPLE_RATE_HZ, PitchTrack

SPOOL_SUBTYPE = "FLOAT"          # exact copy of what was analysed; no clipping or rounding
STEM_FORMAT = "take-%Y%m%d-%H%M%S"
# Sidecar of a spool: float64 rows of FRAME_FIELDS, one per frame, appended as they come.
FRAME_FIELDS = ("time_s", "frequency_hz", "confidence", "level_dbfs")
FRAMES_SUFFIX = ".frames2"
LEGACY_FRAMES_SUFFIX = ".frames"   # older versions: time_s, frequency_hz, confidence


class TakeError(Exception):
    """A take could not be recorded or saved; the message says what to do."""


# Spools this process holds: path -> fd carrying an advisory lock, kept from the start of the
# recording (or its recovery) until the take is discarded. The kernel drops the lock if the
# process dies, which is how find_unsaved_takes() tells a crashed take from one in use.
_spool_locks: dict[str, int] = {}
_spool_locks_guard = threading.Lock()


def hold_spool(path: Path, fd: int | None = None) -> bool:
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


def held_here(path: Path) -> bool:
    """True when this process holds the spool (a take it records or recovered)."""
    with _spool_locks_guard:
        return str(path) in _spool_locks


def release_spool(path: Path) -> None:
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
    # Input level of each frame (dBFS, shape (n_frames,)) as the live path measured it; None
    # for a take recovered from an older version's frames, whose level was not kept.
    level_dbfs: np.ndarray | None = None

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
        legacy_frames_path(self.audio_path).unlink(missing_ok=True)
        release_spool(Path(self.audio_path))


def frames_path(spool_path: Path) -> Path:
    """The sidecar file that keeps a spool's pitch frames on disk while it records."""
    return Path(f"{spool_path}{FRAMES_SUFFIX}")


def legacy_frames_path(spool_path: Path) -> Path:
    """The sidecar an older version wrote (FRAME_FIELDS without the level)."""
    return Path(f"{spool_path}{LEGACY_FRAMES_SUFFIX}")




def frames_until(data: np.ndarray, end_s: float) -> tuple[PitchTrack, np.ndarray]:
    """(track, level_dbfs) of frames (rows of FRAME_FIELDS, as columns) centred by end_s."""
    keep = data[0] <= end_s
    time_s, frequency_hz, confidence, level_dbfs = (np.array(row[keep]) for row in data)
    return PitchTrack(time_s, frequency_hz, confidence), level_dbfs


def read_frames(spool_path: Path, end_s: float) -> tuple[PitchTrack, np.ndarray | None]:
    """The frames a crashed recording left beside its spool: (track, level_dbfs or None).

    A torn last row (the crash came mid-write) is dropped. Raises OSError.
    """
    sidecar, fields = frames_path(spool_path), len(FRAME_FIELDS)
    if not sidecar.is_file() and legacy_frames_path(spool_path).is_file():
        sidecar, fields = legacy_frames_path(spool_path), 3
    raw = sidecar.read_bytes() if sidecar.is_file() else b""
    row_bytes = 8 * fields
    data = np.frombuffer(raw[:len(raw) // row_bytes * row_bytes], np.float64)
    data = data.reshape(-1, fields).T
    if fields == len(FRAME_FIELDS):
        return frames_until(data, end_s)
    keep = data[0] <= end_s
    return PitchTrack(*(np.array(row[keep]) for row in data)), None
