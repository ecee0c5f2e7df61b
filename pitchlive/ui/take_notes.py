"""The notes of a take or a recording: transcribed in the background, drawn as bars, exported.

The bars go to the view the notes belong to (a take's to the live view, at the take's place on
the live timeline; a recording's to the Recording view), at the A4 in use now, so they move with
the trace when A4 changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from pitchlive.ui import take_texts as texts
from pitchlive.ui.background import BackgroundJobs, BackgroundTask
from pitchlive.ui.notes_overlay import note_bars
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.take_state import LIVE_VIEW, RECORDING_VIEW
from pitchlive.ui.take_texts import ERROR, INFO, Notice

TAKE, RECORDING = "take", "recording"        # what a transcription is of


class TakeNotes(QObject):
    """The current transcription, what it is of, its title for exports, and its bars."""

    bars_changed = Signal(object, object)  # (bars on the live view, bars on the Recording view)
    notice = Signal(object)                # Notice for the banner
    status = Signal(str, int)              # (message, milliseconds) for the status bar
    view_wanted = Signal(str)              # LIVE_VIEW or RECORDING_VIEW
    transcribed = Signal(object)           # Transcription (also when it has no notes)
    failed = Signal(object)                # the exception

    def __init__(self, settings: SettingsModel, jobs: BackgroundJobs,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings, self._jobs = settings, jobs
        self.transcription = None
        self.of: str | None = None               # TAKE or RECORDING
        self.title = "pitchlive transcription"   # export title: the take's time or file's name
        self._offset_s = 0.0                     # live-view time of a take's first sample
        settings.settings_changed.connect(lambda _s: self.draw())

    @property
    def has_notes(self) -> bool:
        """True when there is a transcription with at least one note."""
        return self.transcription is not None and bool(self.transcription.notes)

    def options(self):
        """Transcription options from the window's settings."""
        from pitchlive.tracking.transcription import TranscriptionOptions

        # One switch for the whole window: the Tuning group's "Correct for my tuning".
        return TranscriptionOptions(
            correct_offset=self._settings.settings.correct_tuning_offset)

    def transcribe_take(self, take, offset_s: float) -> BackgroundTask | None:
        """Notes of a take (its audio is read from the spool in the background)."""
        title = take.started_at.strftime("take %Y-%m-%d %H:%M")
        return self._transcribe(take.track, take.audio_16k, TAKE, title, take.duration_s,
                                offset_s)

    def transcribe_recording(self, path: Path, analysis) -> BackgroundTask | None:
        """Notes of the recording in the Recording view (its kept track and audio)."""
        return self._transcribe(analysis.track, lambda: analysis.audio_16k, RECORDING,
                                path.stem, analysis.duration_s, 0.0)

    def _transcribe(self, track, audio_16k: Callable[[], np.ndarray | None], of: str,
                    title: str, duration_s: float, offset_s: float) -> BackgroundTask | None:
        settings, options = self._settings.settings, self.options()

        def work():
            from pitchlive.tracking.transcription import transcribe

            return transcribe(track, settings, options, audio_16k=audio_16k())

        def done(transcription) -> None:
            self.show(transcription, of, title, offset_s)
            if not transcription.notes:
                self.notice.emit(Notice(INFO, "No notes found", texts.no_notes_message(
                    duration_s, transcription.offset.valid, options.min_note_s)))
            else:
                if not self._settings.prefs.large_type:
                    # Show the bars where they are drawn.
                    self.view_wanted.emit(LIVE_VIEW if of == TAKE else RECORDING_VIEW)
                self.status.emit(
                    f"Transcribed: {texts.transcription_summary(transcription)}", 8000)
            self.transcribed.emit(transcription)

        def failed(exc: BaseException) -> None:
            self.notice.emit(Notice(ERROR, "The notes could not be transcribed",
                                    texts.transcription_failure(exc)))
            self.failed.emit(exc)

        return self._jobs.run(work, "pitchlive-transcribe", done, failed)

    def show(self, transcription, of: str, title: str, offset_s: float = 0.0) -> None:
        """Make this the current transcription and draw it."""
        self.transcription, self.of, self.title = transcription, of, title
        self._offset_s = offset_s
        self.draw()

    def rewrite(self, transcription) -> None:
        """The same notes written differently (another key or time signature): what they are
        of, their title and place stay; the exports use the new one."""
        self.transcription = transcription
        self.draw()

    def draw(self) -> None:
        """Bars on the view the notes belong to (at the current A4); none on the other."""
        t = self.transcription
        if t is None or not t.notes:
            self.bars_changed.emit([], [])
            return
        a4_hz = self._settings.settings.a4_hz
        if self.of == TAKE:
            self.bars_changed.emit(note_bars(t, self._offset_s, a4_hz), [])
        else:
            self.bars_changed.emit([], note_bars(t, 0.0, a4_hz))

    def clear(self, of: str | None = None) -> bool:
        """Forget the transcription (only one of `of`, when given); True if it was cleared."""
        if of is not None and self.of != of:
            return False
        self.transcription, self.of = None, None
        self.bars_changed.emit([], [])
        return True

    def export_dialog(self, ask_path: Callable[[Path], Path | None], folder: Path) -> None:
        """Ctrl+E: ask for a file in folder (its type sets the format) and export the notes."""
        if not self.has_notes:
            self.notice.emit(Notice(INFO, "No notes to export",
                                    "Transcribe a take or a recording first (Ctrl+T)."))
            return
        path = ask_path(folder / f"{self.title}.mid")
        if path is not None:
            self.export(path, lambda: self.export_dialog(ask_path, folder))

    def export(self, path: Path, choose_again: Callable[[], None] | None = None
               ) -> BackgroundTask | None:
        """Write the transcription to path (.mid, .musicxml or .csv) in the background.

        A failure is a notice whose button (choose_again) lets the user pick another file.
        """
        transcription = self.transcription
        if transcription is None:
            return None
        from pitchlive.exports.transcription import save_transcription

        title, path = self.title, Path(path)
        actions = (("Export elsewhere…", choose_again),) if choose_again else ()
        return self._jobs.run(
            lambda: save_transcription(path, transcription, title=title), "pitchlive-export",
            lambda _r: self.status.emit(f"Notes exported to {path}", 8000),
            lambda exc: self.notice.emit(Notice(ERROR, "The notes could not be exported",
                                                texts.export_failure(path, exc), actions)))
