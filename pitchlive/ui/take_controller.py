"""Takes in the window: record, save, transcribe into notes, export them, play them back.

TakeController holds the state (the recorder, the take, whether it is saved, the transcription,
what plays) and does the work; the TakeStrip shows it and TakeDialogs asks the questions. It
knows no other part of the window: what it needs comes in as small callables (the running
engine, the recording on display, ...) and what it has to say goes out as signals (a banner
notice, a status message, note bars for a view, a view to show). Everything slow or that writes
files runs as a background job. Nothing recorded is thrown away unless the user says so: a new
take over an unsaved one asks first, and a take that could not be saved stays for another try.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from pitchlive.takes import STEM_FORMAT, SavedTake, SaveTarget, Take, TakeError, split_target
from pitchlive.ui import take_texts as texts
from pitchlive.ui.background import BackgroundJobs, BackgroundTask
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.take_notes import RECORDING, TAKE, TakeNotes
from pitchlive.ui.take_playback import TakePlayback
from pitchlive.ui.take_recording import LiveRecording
from pitchlive.ui.take_recovery import TakeRecovery
from pitchlive.ui.take_state import OpenRecording, StripState
from pitchlive.ui.take_texts import ERROR, INFO, Notice

ELAPSED_INTERVAL_MS = 200


class TakeController(QObject):
    """Recording, saving, transcription, export and playback of takes (see the module doc)."""

    recording_changed = Signal(bool)
    take_changed = Signal(object)          # Take or None
    transcribed = Signal(object)           # Transcription (also when it has no notes)
    playing_changed = Signal(bool)
    state_changed = Signal(str)            # the strip's line
    strip_changed = Signal(object)         # StripState
    notice = Signal(object)                # Notice for the banner
    notice_cleared = Signal()
    status = Signal(str, int)              # (message, milliseconds) for the status bar
    bars_changed = Signal(object, object)  # (bars on the live view, bars on the Recording view)
    view_wanted = Signal(str)              # LIVE_VIEW or RECORDING_VIEW
    open_recording_wanted = Signal(object)  # Path: a recovered take, shown as a recording

    def __init__(self, settings: SettingsModel, jobs: BackgroundJobs, dialogs,
                 engine: Callable[[], object | None], start_tracking: Callable[[], None],
                 recording: Callable[[], OpenRecording],
                 live_offset_s: Callable[[], float | None],
                 banner_busy: Callable[[], bool] = lambda: False,
                 spool_dir: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings, self._jobs, self._dialogs = settings, jobs, dialogs
        self._engine, self._start_tracking = engine, start_tracking
        self._recording, self._live_offset_s = recording, live_offset_s
        self._banner_busy = banner_busy
        self.spool_dir = spool_dir
        self.recorder: LiveRecording | None = None
        self.take: Take | None = None
        self.saved: SavedTake | None = None
        self.notes = TakeNotes(settings, jobs, self)
        self.notes.bars_changed.connect(self.bars_changed)
        self.notes.notice.connect(self.notice)
        self.notes.status.connect(self.status)
        self.notes.view_wanted.connect(self.view_wanted)
        self.notes.transcribed.connect(self._on_notes_done)
        self.notes.failed.connect(lambda _exc: self._on_notes_done(None))
        self._state = texts.NO_TAKE
        self._record_when_started = False
        self._take_display_offset_s = 0.0
        self.playback = TakePlayback(jobs, self)
        self.playback.started.connect(self._on_playback_started)
        self.playback.ended.connect(self._on_playback_ended)
        self.playback.failed.connect(self._on_playback_failed)
        self.recovery = TakeRecovery(jobs, lambda: self.spool_dir, self._may_offer, self)
        self.recovery.notice.connect(self.notice)
        self.recovery.notice_cleared.connect(self.notice_cleared)
        self.recovery.recovered.connect(self._on_recovered)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)

    # ---- state -------------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        """True while a take is being recorded."""
        return self.recorder is not None and self.recorder.recording

    @property
    def take_unsaved(self) -> bool:
        """True when there is a take that has not been saved."""
        return self.take is not None and self.saved is None

    @property
    def transcription(self):
        """The notes of the take or recording (a Transcription), or None."""
        return self.notes.transcription

    @property
    def playing(self) -> str | None:
        """'take' or 'notes' while playing (from the request on), else None."""
        return self.playback.playing

    def state_text(self) -> str:
        """The line describing the take, transcription or playback."""
        return self._state

    def strip_state(self) -> StripState:
        """Which buttons apply now."""
        return StripState.of(self.recording or self._record_when_started,
                             self.take is not None, self._recording().path is not None,
                             self.notes.has_notes, self.playing is not None)

    def wait(self, timeout_s: float = 30.0) -> bool:
        """Block until every background job started so far has ended (tests and scripts)."""
        return self._jobs.wait(timeout_s)

    # ---- recording ---------------------------------------------------------------------------
    def toggle_recording(self) -> None:
        """R: start a take, or stop the one being recorded."""
        if self.recording or self._record_when_started:
            self.stop_recording()
        else:
            self.start_recording()

    def start_recording(self, replace_unsaved: bool = False) -> None:
        """Record what the engine hears; starts tracking first if it is not running."""
        if self.recording:
            return
        if self.take_unsaved and not replace_unsaved:
            # Asked in the banner, not a modal dialog: the window stays usable meanwhile.
            title, message = texts.replace_unsaved_question(self.take.duration_s)
            self._notify(INFO, title, message, [("Save take…", self.save_take_dialog),
                                                ("Record anyway", self._record_anyway)])
            self.refresh()
            return
        engine = self._engine()
        if engine is None:
            self._record_when_started = True
            self._set_state(texts.WAITING_TO_RECORD)
            self._start_tracking()
            self.refresh()
            return
        self._begin(engine)

    def _record_anyway(self) -> None:
        self.notice_cleared.emit()
        self.start_recording(replace_unsaved=True)

    def tracking_started(self, _message: str = "") -> None:
        """The session made an engine (about to start): a take that waited for it begins."""
        engine = self._engine()
        if self._record_when_started and engine is not None:
            self._record_when_started = False
            self._begin(engine)

    def tracking_failed(self, _failure=None) -> None:
        """Tracking could not start (the banner says why): nothing to record."""
        if self._record_when_started:
            self._record_when_started = False
            self._show_take_state(refresh=True)

    def tracking_running_changed(self, running: bool) -> None:
        """The source stopped or changed (end of file, device lost): the take ends, and is kept."""
        if not running and self.recording:
            self.stop_recording()
            self.status.emit("Recording stopped because tracking stopped; the take is kept.",
                             6000)

    def _begin(self, engine) -> None:
        recording = LiveRecording(engine, self.spool_dir)
        try:
            recording.start()
        except TakeError as exc:
            self._notify(ERROR, "Cannot record", str(exc))
            self.refresh()
            return
        self.recorder = recording
        self._timer.start(ELAPSED_INTERVAL_MS)
        self._tick()
        self.refresh()
        self.recording_changed.emit(True)

    def stop_recording(self) -> Take | None:
        """Stop the take and keep it (an unsaved older take was already confirmed away)."""
        if self._record_when_started:
            self._record_when_started = False
            self._show_take_state(refresh=True)
            return None
        recording, self.recorder = self.recorder, None
        if recording is None or not recording.recording:
            return None
        if self.playing is None:
            self._timer.stop()
        try:
            take = recording.stop()
        except TakeError as exc:
            self._notify(ERROR, "The take could not be finished", str(exc))
            self.refresh()
            self.recording_changed.emit(False)
            return None
        old = self.take
        if old is not None and old.audio_path != take.audio_path:
            # Saved (copied elsewhere) or explicitly replaced by "Record anyway".
            old.discard()
        self.take, self.saved = take, None
        self._take_display_offset_s = recording.display_offset_s(self._live_offset_s())
        self.notes.clear(TAKE)
        self._show_take_state(refresh=True)
        if take.problem:
            self._notify(ERROR, "Recording stopped early", take.problem,
                         [("Save take…", self.save_take_dialog)])
        self.recording_changed.emit(False)
        self.take_changed.emit(take)
        return take

    def _tick(self) -> None:
        if self.recording:
            self._set_state(texts.recording_line(self.recorder.elapsed_s))
        elif self.playing and self.playback.player is not None:
            self._set_state(texts.playing_line(self.playing, self.playback.position_s))

    def _show_take_state(self, refresh: bool = False) -> None:
        duration = self.take.duration_s if self.take is not None else None
        saved_as = self.saved.wav_path.name if self.saved else None
        self._set_state(texts.take_line(duration, saved_as,
                                        texts.transcription_summary(self.transcription)))
        if refresh:
            self.refresh()

    # ---- saving ------------------------------------------------------------------------------
    def ask_save_folder(self) -> SaveTarget | Path | None:
        """The folder and name chosen for the take (a dialog), or None when the user cancels."""
        from pitchlive.ui.take_dialogs import take_start_dir

        return self._dialogs.save_folder(take_start_dir(self.saved and self.saved.wav_path.parent),
                                         self.take.started_at.strftime(STEM_FORMAT))

    def ask_unsaved_take(self) -> str:
        """Ask what to do with the unsaved take on quitting: 'save', 'discard' or 'cancel'."""
        return self._dialogs.unsaved_take(self.take.duration_s)

    def save_take_dialog(self) -> None:
        """Ctrl+Shift+S: choose a folder and save the take there."""
        if self.take is None:
            self._notify(INFO, "No take to save", "Record a take first (R).")
            return
        folder = self.ask_save_folder()
        if folder:
            self.save_take(*split_target(folder))

    def save_take(self, directory: Path, stem: str | None = None) -> BackgroundTask | None:
        """Save the take as <stem>.wav + pitch CSV in directory, on a background thread."""
        take = self.take
        if take is None:
            return None
        settings = self._settings.settings
        from pitchlive.takes import save_take

        self._set_state(texts.saving_line(directory))
        return self._jobs.run(lambda: save_take(take, Path(directory), settings, stem),
                              "pitchlive-save-take",
                              lambda saved, t=take: self._on_saved(t, saved),
                              lambda exc, t=take: self._on_save_failed(t, exc))

    def _on_saved(self, take: Take, saved: SavedTake) -> None:
        if take is not self.take:
            return
        self.saved = saved
        if not self._banner_busy():
            self.notice_cleared.emit()
        self.status.emit(f"Take saved: {saved.wav_path} and {saved.csv_path.name}", 8000)
        self._show_take_state()

    def _on_save_failed(self, take: Take, exc: BaseException) -> None:
        self._notify(ERROR, "The take could not be saved", texts.save_failure(exc),
                     [("Save elsewhere…", self.save_take_dialog)])
        if take is self.take:
            self._show_take_state()

    # ---- transcription -----------------------------------------------------------------------
    def transcribe(self) -> BackgroundTask | None:
        """Ctrl+T: notes of the recording (Recording view shown) or else of the current take."""
        shown = self._recording()
        if shown.shown and shown.result is not None:
            return self.transcribe_recording()
        if self.take is not None:
            return self.transcribe_take()
        if shown.result is not None:
            return self.transcribe_recording()
        self._notify(INFO, *texts.nothing_to_transcribe(shown.shown and shown.path is not None))
        return None

    def transcribe_take(self) -> BackgroundTask | None:
        """Transcribe the current take (its audio is read from the spool on the helper thread)."""
        if self.take is None:
            return None
        self._transcribing()
        return self.notes.transcribe_take(self.take, self._take_display_offset_s)

    def transcribe_recording(self) -> BackgroundTask | None:
        """Transcribe the recording open in the Recording view (its kept track and audio)."""
        shown = self._recording()
        if shown.result is None or shown.path is None:
            return None
        self._transcribing()
        return self.notes.transcribe_recording(shown.path, shown.result.analysis)

    def _transcribing(self) -> None:
        self._set_state(texts.TRANSCRIBING)
        self.strip_changed.emit(replace(self.strip_state(), can_transcribe=False))

    def _on_notes_done(self, transcription) -> None:
        self._show_take_state(refresh=True)
        if transcription is not None:
            self.transcribed.emit(transcription)

    def recording_opened(self) -> None:
        """Another recording is shown in the Recording view: its old notes no longer apply."""
        if self.notes.clear(RECORDING):
            self._show_take_state(refresh=True)

    # ---- export ------------------------------------------------------------------------------
    def export_dialog(self) -> None:
        """Ctrl+E: choose a file (its type sets the format) and export the notes."""
        from pitchlive.ui.take_dialogs import take_start_dir

        folder = take_start_dir(self.saved and self.saved.wav_path.parent)
        self.notes.export_dialog(self._dialogs.export_path, folder)

    def export(self, path: Path) -> BackgroundTask | None:
        """Write the transcription to path (.mid, .musicxml or .csv) on a background thread."""
        return self.notes.export(path, self.export_dialog)

    # ---- playback ----------------------------------------------------------------------------
    def play_take(self) -> None:
        """Play the take, or the recording when the Recording view is shown."""
        shown = self._recording()
        if shown.shown and shown.path is not None:
            path = shown.path
        elif self.take is not None:
            path = self.take.audio_path
        elif shown.path is not None:
            path = shown.path
        else:
            self._notify(INFO, "Nothing to play",
                         "Record a take (R) or open a recording (Ctrl+O).")
            return
        self._play(TAKE, lambda: self.playback.play_file(path))

    def play_notes(self) -> None:
        """Play the transcribed notes as synthesised tones."""
        transcription = self.transcription
        if transcription is None or not transcription.notes:
            self._notify(INFO, "No notes to play",
                         "Transcribe a take or a recording first (Ctrl+T).")
            return
        self._play("notes", lambda: self.playback.play_notes(transcription))

    def _play(self, what: str, start: Callable[[], None]) -> None:
        self.stop_playback()
        start()
        self.refresh()
        self._set_state(texts.starting_playback_line(what))

    def _on_playback_started(self) -> None:
        self._timer.start(ELAPSED_INTERVAL_MS)
        self.playing_changed.emit(True)
        self._tick()

    def _on_playback_failed(self, exc: BaseException) -> None:
        self._notify(ERROR, *texts.playback_failure(exc))
        self._show_take_state(refresh=True)

    def _on_playback_ended(self) -> None:
        if not self.recording:
            self._timer.stop()
        self._show_take_state(refresh=True)
        self.playing_changed.emit(False)

    def stop_playback(self) -> None:
        """Stop whatever is playing."""
        self.playback.stop()

    # ---- takes an earlier run left unsaved (self.recovery finds and offers them) ---------------
    def _may_offer(self) -> bool:
        return self.take is None and not self.recording and not self._banner_busy()

    def _on_recovered(self, take: Take) -> None:
        if self.take is not None or self.recording:
            return       # the user started something else meanwhile; the file stays for later
        self.take, self.saved = take, None
        self.notes.clear(TAKE)
        self._show_take_state(refresh=True)
        self.take_changed.emit(take)
        self.open_recording_wanted.emit(take.audio_path)

    # ---- quitting ----------------------------------------------------------------------------
    def settle_before_quit(self) -> bool:
        """Window closing: save or discard an unsaved take as the user says; False cancels."""
        if self.recording:
            self.stop_recording()
        if not self.take_unsaved:
            if self.take is not None:
                self.take.discard()      # saved elsewhere: the spool copy is not needed
            return True
        choice = self.ask_unsaved_take()
        if choice == "cancel":
            return False
        take = self.take
        if choice == "discard":
            take.discard()
            self.take = None
            return True
        folder = self.ask_save_folder()
        if folder is None:
            return False
        from pitchlive.takes import save_take

        directory, stem = split_target(folder)
        try:
            # Synchronous on purpose: the window is going away and must not leave a half save.
            self.saved = save_take(take, directory, self._settings.settings, stem)
        except TakeError as exc:
            self._on_save_failed(take, exc)
            return False
        take.discard()
        return True

    def shutdown(self) -> None:
        """Window closing: stop playback and recording (the take's audio stays in its spool)."""
        self.stop_playback()
        if self.recording:
            self.stop_recording()

    # ---- helpers -----------------------------------------------------------------------------
    def _set_state(self, text: str) -> None:
        self._state = text
        self.state_changed.emit(text)

    def _notify(self, kind: str, title: str, message: str, actions=()) -> None:
        self.notice.emit(Notice(kind, title, message, tuple(actions)))

    def refresh(self) -> None:
        """Re-evaluate which buttons apply (a recording was opened or closed)."""
        self.strip_changed.emit(self.strip_state())
