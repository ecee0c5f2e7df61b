"""The take strip above the views: Record, Save, Transcribe, Export, Play, Stop and a state line.

It only shows the TakeController's state and forwards clicks to it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from pitchlive.ui.take_controller import TakeController
from pitchlive.ui.take_state import StripState


class TakeStrip(QWidget):
    """Buttons and the state line of the takes."""

    def __init__(self, controller: TakeController, parent: QWidget | None = None) -> None:
        super().__init__(parent)

        def button(text: str, tip: str, action) -> QPushButton:
            b = QPushButton(text)
            b.setToolTip(tip)
            b.clicked.connect(lambda _checked=False: action())
            return b

        c = controller
        self.record_button = button("● Record", "Record a take of what is being tracked (R)",
                                    c.toggle_recording)
        self.record_button.setCheckable(True)
        self.save_button = button("Save take…", "Save the take as WAV + pitch CSV (Ctrl+Shift+S)",
                                  c.save_take_dialog)
        self.transcribe_button = button("Transcribe", "Turn the take, or the recording shown in "
                                        "the Recording view, into notes (Ctrl+T)", c.transcribe)
        self.export_button = button("Export…", "Save the notes as MIDI, MusicXML or CSV (Ctrl+E)",
                                    c.export_dialog)
        self.play_take_button = button("▶ Play take", "Play the take, or the recording in the "
                                       "Recording view", c.play_take)
        self.play_notes_button = button("▶ Play notes", "Play the transcribed notes as tones",
                                        c.play_notes)
        self.stop_button = button("■ Stop", "Stop playback", c.stop_playback)
        self.state_label = QLabel()
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long summary must not widen the window and squeeze the controls: it is cut instead
        # (the whole line is in the tooltip and the status bar).
        self.state_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.state_label.setMinimumWidth(120)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for b in (self.record_button, self.save_button, self.transcribe_button,
                  self.export_button, self.play_take_button, self.play_notes_button,
                  self.stop_button):
            layout.addWidget(b)
        layout.addWidget(self.state_label, 1)
        controller.state_changed.connect(self._show_state)
        controller.strip_changed.connect(self._show_buttons)
        self._show_state(controller.state_text())
        self._show_buttons(controller.strip_state())

    def _show_state(self, text: str) -> None:
        self.state_label.setText(text)
        self.state_label.setToolTip(text)

    def _show_buttons(self, state: StripState) -> None:
        self.record_button.setChecked(state.recording)
        self.record_button.setText("■ Stop recording" if state.recording else "● Record")
        self.save_button.setEnabled(state.can_save)
        self.transcribe_button.setEnabled(state.can_transcribe)
        self.export_button.setEnabled(state.can_export)
        self.play_take_button.setEnabled(state.can_play)
        self.play_notes_button.setEnabled(state.can_play_notes)
        self.stop_button.setEnabled(state.can_stop)
