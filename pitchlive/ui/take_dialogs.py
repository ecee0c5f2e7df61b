"""The take's dialogs: where to save a take, where to export its notes, and the quit question.

TakeDialogs is handed to the take controller; tests hand it a stand-in that answers at once.
(The offer of a take an earlier run left unsaved is a banner, not a dialog: see take_texts.)
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from pitchlive.ui.take_texts import clock

EXPORT_FILTERS = {".mid": "MIDI (*.mid)", ".musicxml": "MusicXML (*.musicxml)",
                  ".csv": "Note list CSV (*.csv)"}


def default_take_dir() -> Path:
    """Where Save take… starts: the user's Music folder, else the home folder."""
    music = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MusicLocation)
    return Path(music) if music else Path.home()


def with_filter_suffix(path: Path, chosen_filter: str) -> Path:
    """path, with the chosen filter's extension added when it was typed without a known one."""
    if path.suffix.lower() in EXPORT_FILTERS:
        return path
    for suffix, name in EXPORT_FILTERS.items():
        if name == chosen_filter:
            return path.with_name(path.name + suffix)
    return path


class TakeDialogs:
    """Modal questions about takes, parented to the window."""

    def __init__(self, parent: QWidget) -> None:
        self._parent = parent

    def save_folder(self, start: Path) -> Path | None:
        """The folder chosen for the take, or None when the user cancels."""
        folder = QFileDialog.getExistingDirectory(self._parent, "Save the take in…", str(start))
        return Path(folder) if folder else None

    def export_path(self, start: Path) -> Path | None:
        """The file chosen for the notes (its type sets the format), or None."""
        from pitchlive.exports.transcription import TRANSCRIPTION_SUFFIXES

        names = [EXPORT_FILTERS.get(s, f"*{s}") for s in TRANSCRIPTION_SUFFIXES]
        path, chosen = QFileDialog.getSaveFileName(self._parent, "Export the notes", str(start),
                                                   ";;".join(names))
        return with_filter_suffix(Path(path), chosen) if path else None

    def unsaved_take(self, duration_s: float) -> str:
        """Ask what to do with the unsaved take on quitting: 'save', 'discard' or 'cancel'."""
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved take",
                          f"The take ({clock(duration_s)}) has not been saved.",
                          parent=self._parent)
        box.setInformativeText("Save it before quitting?")
        save = box.addButton("Save…", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return "save" if clicked is save else "discard" if clicked is discard else "cancel"
