"""The take's dialogs: where to save a take, where to export its notes, and the quit question.

TakeDialogs is handed to the take controller; tests hand it a stand-in that answers at once.
(The offer of a take an earlier run left unsaved is a banner, not a dialog: see take_texts.)
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from pitchlive.takes.names import SaveTarget, existing_folder, safe_take_name
from pitchlive.ui.take_texts import clock

EXPORT_FILTERS = {".mid": "MIDI (*.mid)", ".musicxml": "MusicXML (*.musicxml)",
                  ".csv": "Note list CSV (*.csv)"}


def default_take_dir() -> Path:
    """Where Save take… starts: the user's Music folder, else the home folder."""
    music = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MusicLocation)
    return Path(music) if music else Path.home()


def take_start_dir(*remembered: Path | None) -> Path:
    """Where a take's Save or Export dialog starts: the first remembered folder that still
    exists, else the Music folder, else home (a dialog never opens on a folder that is gone)."""
    return existing_folder(*remembered, default_take_dir())


class SaveTakeDialog(QDialog):
    """Save take: a name (default: the take's time) and a folder that exists."""

    def __init__(self, parent: QWidget | None, folder: Path, default_name: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save take")
        self.default_name = default_name
        self.name_edit = QLineEdit(default_name)
        self.name_edit.selectAll()
        self.name_edit.setToolTip("The take is saved as NAME.wav and NAME.pitch.csv")
        self.folder_edit = QLineEdit(str(folder))
        self.folder_edit.setReadOnly(True)
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose_folder)
        self.file_label = QLabel()
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(choose)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Name", self.name_edit)
        form.addRow("Folder", folder_row)
        form.addRow("", self.file_label)
        form.addRow(self.buttons)
        self.name_edit.textChanged.connect(self._show_file)
        self._show_file()

    def stem(self) -> str:
        """The name as it will be written (safe for file names)."""
        return safe_take_name(self.name_edit.text(), self.default_name)

    def target(self) -> SaveTarget:
        """The folder and name chosen."""
        return SaveTarget(Path(self.folder_edit.text()), self.stem())

    def _show_file(self) -> None:
        self.file_label.setText(f"Saved as {self.stem()}.wav (and .pitch.csv)")

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save the take in…",
                                                  self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)


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
        self.last_folder: Path | None = None    # where the last take went, while it exists

    def save_folder(self, start: Path, default_name: str = "take") -> SaveTarget | None:
        """The folder and name chosen for the take, or None when the user cancels."""
        dialog = SaveTakeDialog(self._parent, take_start_dir(self.last_folder, start),
                                default_name)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        target = dialog.target()
        self.last_folder = target.folder
        return target

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
