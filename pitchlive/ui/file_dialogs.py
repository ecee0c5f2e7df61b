"""Choosing a recording: the Open dialog and files dropped on the window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QFileDialog, QWidget

from pitchlive.audio.files import supported_extensions


def ask_recording(parent: QWidget) -> Path | None:
    """File → Open: the audio file chosen, or None when the user cancels."""
    patterns = " ".join(f"*{ext}" for ext in supported_extensions())
    path, _ = QFileDialog.getOpenFileName(parent, "Open a recording", str(Path.home()),
                                          f"Audio files ({patterns});;All files (*)")
    return Path(path) if path else None


def local_files(mime: QMimeData) -> list[Path]:
    """The local files in a drag (remote URLs left out), in order."""
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
