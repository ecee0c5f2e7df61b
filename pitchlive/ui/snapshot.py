"""Pictures of the window (Ctrl+S, --screenshot)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QWidget


def default_snapshot_dir() -> Path:
    """Where Ctrl+S saves pictures: the user's Pictures folder, else the home folder."""
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return Path(pictures) if pictures else Path.home()


def timestamped_path(folder: Path) -> Path:
    """folder/pitchlive-YYYYmmdd-HHMMSS.png."""
    return Path(folder) / f"pitchlive-{datetime.now().strftime('%Y%m%d-%H%M%S')}.png"


def save_png(widget: QWidget, path: Path) -> Path:
    """Save a PNG of the widget as drawn; returns the path. OSError if it cannot be written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    return path
