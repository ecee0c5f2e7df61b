"""The Recording view's working tools and the window's NotesFeed, wired in one place.

The window makes one RecordingTools with the FileView and the TakeController; it adds the
transport row (playhead, seek, loop, speed) and note editing to the view, and publishes the
current transcription (as corrected) and the playback position to `feed`, which the Score tab
follows (ViewContext.notes). Edits go back into the take controller's notes, so the bars and
every export use the corrected notes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from pitchlive.ui.note_edit_view import NoteEditView
from pitchlive.ui.notes_feed import NotesFeed
from pitchlive.ui.recording_transport import RecordingTransport
from pitchlive.ui.take_notes import RECORDING

TAKE_NOTES = ("These notes are the take's, drawn on the Live view. Save the take, open it here "
              "(Ctrl+O) and transcribe it (Ctrl+T) to correct its notes.")


class RecordingTools(QObject):
    """Transport and note editing on the Recording view, and the NotesFeed (module doc)."""

    def __init__(self, file_view, takes, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view, self._takes = file_view, takes
        self.feed = NotesFeed(self)
        self.transport = RecordingTransport(file_view, takes, self.feed, self)
        self.editing = NoteEditView(file_view, self.transport, self)
        self.transport.row.insertWidget(4, self.editing.edit_check)
        file_view.layout().insertLayout(1, self.transport.row)
        takes.transcribed.connect(self._on_transcribed)
        takes.notes.bars_changed.connect(self._on_bars_changed)
        file_view.loaded.connect(lambda _result: self._on_recording_loaded())
        self.editing.edited.connect(self._on_edited)
        self.editing.refused.connect(lambda text: takes.status.emit(text, 5000))

    def _on_transcribed(self, transcription) -> None:
        notes = self._takes.notes
        # Notes of the recording are edited where they are drawn: on the Recording view.
        self.editing.set_transcription(transcription if notes.of == RECORDING else None,
                                       TAKE_NOTES)
        self.feed.publish(transcription, notes.title)

    def _on_edited(self, transcription) -> None:
        notes = self._takes.notes
        notes.show(transcription, RECORDING, notes.title)
        self.editing.select(self.editing.selected)     # the bars were redrawn
        self.feed.publish(transcription, notes.title)
        label = self.editing.editor.undo_label if self.editing.editor else None
        self._takes.status.emit(f"Notes corrected ({label or 'as transcribed'}); "
                                "Ctrl+Z undoes, Ctrl+E exports them.", 4000)

    def _on_bars_changed(self, _live, _recording) -> None:
        if self._takes.transcription is None and self.feed.transcription is not None:
            self.editing.set_transcription(None)
            self.feed.publish(None)

    def _on_recording_loaded(self) -> None:
        self.transport.recording_changed()
        self._view.set_playhead(0.0)
