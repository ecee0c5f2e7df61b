"""The Recording view's working tools and the window's NotesFeed, wired in one place.

The window makes one RecordingTools with the FileView and the TakeController; it adds the
transport row (playhead, seek, loop, speed) and note editing to the view, and publishes the
current transcription (as corrected) and the playback position to `feed`, which the Score tab
follows (ViewContext.notes). Edits go back into the take controller's notes, so the bars and
every export use the corrected notes. The key and time signature chosen on the Score tab
(feed.notation_changed) re-write the notes (pitchlive.tracking.transcription.renotate, no new
transcription): the score, the MIDI and the MusicXML follow. The playback position reaches the
feed only while the audio the notes were transcribed from plays.
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
        self._written = None      # the notes as transcribed and corrected, before notation choices
        self.feed = NotesFeed(self)
        self.transport = RecordingTransport(file_view, takes, self.feed, self, self.notes_source)
        self.editing = NoteEditView(file_view, self.transport, self)
        self.transport.row.insertWidget(4, self.editing.edit_check)
        file_view.layout().insertLayout(1, self.transport.row)
        takes.transcribed.connect(self._on_transcribed)
        takes.notes.bars_changed.connect(self._on_bars_changed)
        file_view.loaded.connect(lambda _result: self._on_recording_loaded())
        self.editing.edited.connect(self._on_edited)
        self.editing.refused.connect(lambda text: takes.status.emit(text, 5000))
        self.feed.notation_changed.connect(lambda _key, _signature: self._on_notation())

    def notes_source(self):
        """The audio file the current notes were transcribed from (None: no notes or no file)."""
        notes = self._takes.notes
        if notes.transcription is None:
            return None
        if notes.of == RECORDING:
            return self._view.path
        take = self._takes.take
        return getattr(take, "audio_path", None)

    def _notated(self, transcription):
        """The notes in the key and time signature chosen on the Score tab."""
        key, signature = self.feed.key, self.feed.time_signature
        if transcription is None or (key is None and signature is None):
            return transcription
        from pitchlive.tracking.transcription import renotate

        return renotate(transcription, key, signature)

    def _on_transcribed(self, transcription) -> None:
        notes = self._takes.notes
        self._written = transcription
        # Notes of the recording are edited where they are drawn: on the Recording view.
        self.editing.set_transcription(transcription if notes.of == RECORDING else None,
                                       TAKE_NOTES)
        shown = self._notated(transcription)
        if shown is not transcription:
            notes.rewrite(shown)
        self.feed.publish(shown, notes.title)

    def _on_edited(self, transcription) -> None:
        notes = self._takes.notes
        self._written = transcription
        shown = self._notated(transcription)
        notes.show(shown, RECORDING, notes.title)
        self.editing.select(self.editing.selected)     # the bars were redrawn
        self.feed.publish(shown, notes.title)
        label = self.editing.editor.undo_label if self.editing.editor else None
        self._takes.status.emit(f"Notes corrected ({label or 'as transcribed'}); "
                                "Ctrl+Z undoes, Ctrl+E exports them.", 4000)

    def _on_notation(self) -> None:
        notes = self._takes.notes
        if self._written is None or notes.transcription is None:
            return
        shown = self._notated(self._written)
        notes.rewrite(shown)
        self.feed.publish(shown, notes.title)
        key = shown.key.name if shown.key is not None else "no key"
        self._takes.status.emit(f"Notes written in {key}, {shown.time_signature}; "
                                "Ctrl+E exports them so.", 4000)

    def _on_bars_changed(self, _live, _recording) -> None:
        if self._takes.transcription is None and self.feed.transcription is not None:
            self._written = None
            self.editing.set_transcription(None)
            self.feed.publish(None)

    def _on_recording_loaded(self) -> None:
        self.transport.recording_changed()
        self._view.set_playhead(0.0)
