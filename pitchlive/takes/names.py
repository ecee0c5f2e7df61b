"""Names and folders for saved takes: what the user typed, made safe as a file name.

Qt-free, so the rules are tested alone. A name keeps the user's words (spaces, accents, case)
and loses only what a file system refuses or misreads: path separators, control characters,
characters Windows forbids, leading dots and dashes (hidden files, options), trailing dots and
spaces, reserved device names; it is cut to a length every file system accepts, leaving room
for the -2, -3... and .pitch.csv that saving may add.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

MAX_NAME_BYTES = 200          # UTF-8 bytes; 255 is the common limit, minus suffixes
FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{k}" for k in range(1, 10)),
            *(f"LPT{k}" for k in range(1, 10))}


@dataclass(frozen=True)
class SaveTarget:
    """Where to save a take: a folder, and the file name without suffix (None: its time)."""

    folder: Path
    stem: str | None = None


def split_target(target: SaveTarget | Path | str) -> tuple[Path, str | None]:
    """(folder, stem) of a SaveTarget, or of a plain folder (stem None)."""
    if isinstance(target, SaveTarget):
        return Path(target.folder), target.stem
    return Path(target), None


def safe_take_name(name: str, default: str) -> str:
    """`name` made safe as a file name (see the module doc); `default` when nothing is left."""
    text = unicodedata.normalize("NFC", name or "")
    text = FORBIDDEN.sub("-", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = text.lstrip(".-").rstrip(". ")
    while len(text.encode("utf-8")) > MAX_NAME_BYTES:
        text = text[:-1]
    text = text.rstrip(". ")
    if text.lower().endswith(".wav"):
        text = text[:-4].rstrip(". ")
    if not text or text.split(".")[0].upper() in RESERVED:
        return default if not text else f"{text}-take"
    return text


def existing_folder(*candidates: Path | str | None) -> Path:
    """The first candidate that is an existing folder, else the home folder."""
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return Path.home()
