"""Saving a take: WAV + pitch CSV into a folder the user chose, atomically, never overwriting.

Each file is written to a temp file in the folder and then linked into place, so a failed save
loses nothing: the spool stays for another try, and the folder never holds a half-written file.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pitchlive.exports.atomic import temp_file_in
from pitchlive.settings import Settings
from pitchlive.takes.spool import STEM_FORMAT, Take, TakeError

PITCH_CSV_SUFFIX = ".pitch.csv"


@dataclass(frozen=True)
class SavedTake:
    """Where save_take put a take."""

    wav_path: Path
    csv_path: Path


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
    write_track_csv(buffer, take.track, label_track(take.track, settings, take.level_dbfs))
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
