"""Crash recovery: spools no running recorder holds, turned back into Takes.

Each frame is appended to a sidecar file next to the spool as it comes, and a recording holds an
advisory lock on its spool. find_unsaved_takes() lists the spools no running recorder holds
(left by a crash, a kill, or a failed `listen --record` save), and recover_take() turns one back
into a Take, mending the WAV header the crash never wrote.
"""

from __future__ import annotations

import fcntl
import os
from datetime import datetime
from pathlib import Path

import numpy as np
import soundfile as sf

from pitchlive.exports.atomic import temp_file_in
from pitchlive.takes.spool import (
    SPOOL_SUBTYPE,
    STEM_FORMAT,
    Take,
    TakeError,
    default_spool_dir,
    frames_path,
    held_here,
    hold_spool,
    legacy_frames_path,
    read_frames,
)


def find_unsaved_takes(spool_dir: Path | None = None) -> list[Path]:
    """Spool files of takes no recorder holds (a crash or a failed save left them), oldest first.

    Empty ones (the crash came before any audio) are deleted on the way.
    """
    spool_dir = Path(spool_dir) if spool_dir is not None else default_spool_dir()
    found = []
    for path in sorted(spool_dir.glob("take-*.wav"), key=_modified_time):
        if held_here(path):
            continue                     # this process's own take
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
            legacy_frames_path(path).unlink(missing_ok=True)
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
        if not hold_spool(path):
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
            hold_spool(path)            # the lock was on the file the rename replaced
        finally:
            Path(tmp).unlink(missing_ok=True)
        duration_s = n_samples / rate
        track, level_dbfs = read_frames(path, duration_s)
    except OSError as exc:
        raise TakeError(f"The unsaved take {path} could not be read ({exc.strerror or exc}).") \
            from exc
    try:
        started_at = datetime.strptime(path.name[:len("take-YYYYmmdd-HHMMSS")], STEM_FORMAT)
    except ValueError:
        started_at = datetime.fromtimestamp(path.stat().st_mtime)
    return Take(audio_path=path, sample_rate_hz=float(rate), duration_s=duration_s, track=track,
                started_at=started_at, level_dbfs=level_dbfs)
