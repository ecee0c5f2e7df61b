"""The Live tab: the scrolling pitch trace beside the current-note panel, fed the same frames."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter

from pitchlive.frames import InputLevel, PitchFrame
from pitchlive.ui.history import PitchHistory
from pitchlive.ui.note_panel import NotePanel
from pitchlive.ui.pitch_view import PitchView
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.theme import DARK, Theme


class LivePage(QSplitter):
    """PitchHistory + PitchView + NotePanel: frames in, trace and note out."""

    def __init__(self, model: SettingsModel, theme: Theme = DARK) -> None:
        super().__init__(Qt.Orientation.Horizontal)
        self.history = PitchHistory()
        self.pitch_view = PitchView(self.history, model, theme)
        self.note_panel = NotePanel(model, theme)
        self.addWidget(self.pitch_view)
        self.addWidget(self.note_panel)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 1)
        self.setSizes([900, 320])

    def show_level(self, level: InputLevel) -> None:
        """The input level while the model loads: the note panel says whether there is sound."""
        self.note_panel.show_frame(level.as_unvoiced_frame())

    def show_frames(self, frames: list[PitchFrame]) -> None:
        """New frames from the engine, in order."""
        for frame in frames:
            self.history.append(frame)
            self.note_panel.show_frame(frame)
        self.pitch_view.notify_new_data()

    def set_stream_active(self, active: bool) -> None:
        """Frames flow (the trace scrolls) or stopped (no note on display)."""
        self.pitch_view.set_stream_active(active)
        if not active:
            self.note_panel.clear()

    def set_theme(self, theme: Theme) -> None:
        """Recolour both views."""
        self.pitch_view.set_theme(theme)
        self.note_panel.set_theme(theme)
