"""Whole files written atomically: a temporary file in the same folder, then a rename.

A crash or a full disk never leaves a half-written file under the final name, and the finished
file gets the permissions a plain open() would give it (mkstemp alone makes it private, 0600).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def _process_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Read once at import: os.umask can only be read by setting it, which would race other threads.
_UMASK = _process_umask()


def temp_file_in(directory: Path, name: str) -> tuple[int, str]:
    """A new hidden temporary file for name in directory: (open fd, path); OSError on failure."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)
    except OSError:
        pass   # file systems without Unix permissions keep their own
    return fd, tmp


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write a whole binary file via a temp file and rename, so no half-written file remains."""
    path = Path(path)
    fd, tmp = temp_file_in(path.parent, path.name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str) -> None:
    """Write a whole text file (UTF-8, newlines as given) atomically."""
    write_bytes_atomically(path, text.encode("utf-8"))


@contextlib.contextmanager
def open_atomically(path: Path, mode: str = "wb", **kwargs) -> Iterator[IO]:
    """An open temporary file beside path, renamed to path when the block ends without error
    (and removed otherwise): large outputs stream to disk instead of memory, still atomically.
    """
    path = Path(path)
    fd, tmp = temp_file_in(path.parent, path.name)
    try:
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
