"""Takes in the window: record, save, transcribe into notes, export them, play them back.

One strip above the views holds the buttons and a line saying what there is (recording with its
elapsed time, the take, the transcription's summary, what is playing). Everything slow or that
writes files (reading the take's audio, transcribing, saving, exporting, synthesising tones,
opening the output device) runs on a BackgroundTask thread; results and failures come back as
signals, and failures go to the window's message banner with the next step. Nothing recorded
is thrown away unless the user says so: a new take over an unsaved one asks first, and a take
that could not be saved stays for another try.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from pitchlive.takes import SavedTake, Take, TakeError, TakeRecorder
from pitchlive.ui.background import BackgroundTask
from pitchlive.ui.notes_overlay import note_bars

if TYPE_CHECKING:
    from pitchlive.ui.main_window import MainWindow

log = logging.getLogger(__name__)

ELAPSED_INTERVAL_MS = 200
TAKE, RECORDING = "take", "recording"        # what a transcription or playback is of
PLAYBACK_RATE_HZ = 44100                     # synthesised notes
SPAN_MARGIN_S = 0.5                          # around a transcribed take in the live view


def default_take_dir() -> Path:
    """Where Save take… starts: the user's Music folder, else the home folder."""
    music = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MusicLocation)
    return Path(music) if music else Path.home()


def clock(seconds: float) -> str:
    """m:ss.s for durations on display."""
    minutes, rest = divmod(max(0.0, seconds), 60.0)
    return f"{int(minutes)}:{rest:04.1f}"


def no_notes_message(duration_s: float, offset_valid: bool, min_note_s: float) -> str:
    """Why a take or recording gave no notes, and what to do, for the banner."""
    if duration_s < min_note_s:
        return (f"It is only {duration_s:.2f} s long; a note needs at least {min_note_s:.2f} s. "
                "Record a longer take.")
    if not offset_valid:
        return ("No part of it reached the confidence threshold (silence, noise, or a pitch "
                "outside the model's range). Sing or play louder and closer to the microphone, "
                "or lower Confidence in the Voicing controls.")
    return ("Every voiced part is shorter than a note. Hold the notes longer, or lower "
            "Confidence in the Voicing controls.")


class TakePanel(QWidget):
    """The take strip and its logic; the window forwards its menu actions here."""

    recording_changed = Signal(bool)
    take_changed = Signal(object)          # Take or None
    transcribed = Signal(object)           # Transcription (also when it has no notes)
    playing_changed = Signal(bool)
    _playback_ended = Signal(int)          # from PortAudio's thread; carries the playback id

    def __init__(self, window: MainWindow, spool_dir: Path | None = None) -> None:
        super().__init__(window)
        # The window, not a list of its parts: a take touches the session (engine), both views,
        # the banner, the status bar and the current settings, all of which the window owns.
        self._window = window
        self.spool_dir = spool_dir
        self.recorder: TakeRecorder | None = None
        self.take: Take | None = None
        self.saved: SavedTake | None = None
        self.transcription = None
        self.transcription_of: str | None = None
        self._title = "pitchlive transcription"   # export title: the take's time or file's name
        self.player = None
        self.playing: str | None = None
        self._record_when_started = False
        self._first_block_position: tuple[int, float] | None = None   # (sample, rate) of the take
        self._unsubscribe_position = None
        self._take_display_offset_s = 0.0
        self.unsaved_found: list[Path] = []   # takes an earlier run left unsaved, oldest first
        self._playback_id = 0
        self.tasks: list[BackgroundTask] = []

        self.record_button = QPushButton("● Record")
        self.record_button.setCheckable(True)
        self.record_button.setToolTip("Record a take of what is being tracked (R)")
        self.save_button = QPushButton("Save take…")
        self.save_button.setToolTip("Save the take as WAV + pitch CSV (Ctrl+Shift+S)")
        self.transcribe_button = QPushButton("Transcribe")
        self.transcribe_button.setToolTip("Turn the take, or the recording shown in the "
                                          "Recording view, into notes (Ctrl+T)")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the notes as MIDI, MusicXML or CSV (Ctrl+E)")
        self.play_take_button = QPushButton("▶ Play take")
        self.play_take_button.setToolTip("Play the take, or the recording in the Recording view")
        self.play_notes_button = QPushButton("▶ Play notes")
        self.play_notes_button.setToolTip("Play the transcribed notes as tones")
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.setToolTip("Stop playback")
        self.state_label = QLabel("No take — press Record (R) while tracking")
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long summary must not widen the window and squeeze the controls: it is cut instead
        # (the whole line is in the tooltip and the status bar).
        self.state_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.state_label.setMinimumWidth(120)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for button in (self.record_button, self.save_button, self.transcribe_button,
                       self.export_button, self.play_take_button, self.play_notes_button,
                       self.stop_button):
            layout.addWidget(button)
        layout.addWidget(self.state_label, 1)

        self.record_button.clicked.connect(lambda _c=False: self.toggle_recording())
        self.save_button.clicked.connect(lambda _c=False: self.save_take_dialog())
        self.transcribe_button.clicked.connect(lambda _c=False: self.transcribe())
        self.export_button.clicked.connect(lambda _c=False: self.export_dialog())
        self.play_take_button.clicked.connect(lambda _c=False: self.play_take())
        self.play_notes_button.clicked.connect(lambda _c=False: self.play_notes())
        self.stop_button.clicked.connect(lambda _c=False: self.stop_playback())
        self._playback_ended.connect(self._on_playback_ended, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        window.session.started.connect(self._on_session_started)
        window.session.running_changed.connect(self._on_running_changed)
        window.session.failed.connect(self._on_session_failed)
        self._update_buttons()

    # ---- state -------------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        """True while a take is being recorded."""
        return self.recorder is not None and self.recorder.recording

    @property
    def take_unsaved(self) -> bool:
        """True when there is a take that has not been saved."""
        return self.take is not None and self.saved is None

    def state_text(self) -> str:
        """The line describing the take, transcription or playback."""
        return self.state_label.text()

    def wait(self, timeout_s: float = 30.0) -> bool:
        """Block until every background job started so far has ended (tests and scripts)."""
        return all(task.join(timeout_s) for task in list(self.tasks))

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
        w = self._window
        if self.take_unsaved and not replace_unsaved:
            # Asked in the banner, not a modal dialog: the window stays usable meanwhile.
            w.banner.show_info(
                "The last take is not saved",
                f"Recording again replaces the take of {clock(self.take.duration_s)}. Save it "
                "first, or record anyway and discard it.",
                actions=[("Save take…", self.save_take_dialog),
                         ("Record anyway", lambda: self._record_anyway())])
            self._update_buttons()
            return
        engine = w.session.engine
        if engine is None:
            self._record_when_started = True
            self._set_state("● Recording starts when tracking starts…")
            w.start_tracking()
            self._update_buttons()
            return
        self._begin(engine)

    def _record_anyway(self) -> None:
        self._window.banner.clear()
        self.start_recording(replace_unsaved=True)

    def _on_session_started(self, _message: str) -> None:
        if self._record_when_started and self._window.session.engine is not None:
            self._record_when_started = False
            self._begin(self._window.session.engine)

    def _on_session_failed(self, _failure) -> None:
        if self._record_when_started:
            # Tracking could not start (the banner says why): nothing to record.
            self._record_when_started = False
            self._show_take_state()
            self._update_buttons()

    def _begin(self, engine) -> None:
        recorder = TakeRecorder(engine, self.spool_dir)
        try:
            # Creates one empty spool file; the audio itself is written on the engine's worker.
            recorder.start()
        except TakeError as exc:
            self._window.banner.show_error("Cannot record", str(exc))
            self._update_buttons()
            return
        self.recorder = recorder
        self._first_block_position = None

        def on_audio(block, sample_rate_hz: float) -> None:   # engine worker thread
            # Where in the stream the take starts, to place its notes on the live timeline.
            if self._first_block_position is None:
                self._first_block_position = (engine.audio_position_samples,
                                              float(sample_rate_hz))

        self._unsubscribe_position = engine.subscribe_audio(on_audio)
        self._timer.start(ELAPSED_INTERVAL_MS)
        self._tick()
        self._update_buttons()
        self.recording_changed.emit(True)

    def stop_recording(self) -> Take | None:
        """Stop the take and keep it (an unsaved older take was already confirmed away)."""
        if self._record_when_started:
            self._record_when_started = False
            self._show_take_state()
            self._update_buttons()
            return None
        recorder = self.recorder
        if recorder is None or not recorder.recording:
            return None
        if self._unsubscribe_position is not None:
            self._unsubscribe_position()
            self._unsubscribe_position = None
        if self.playing is None:
            self._timer.stop()
        try:
            # Closes the spool file (its header update is a few bytes) and returns the take.
            take = recorder.stop()
        except TakeError as exc:
            self._window.banner.show_error("The take could not be finished", str(exc))
            self.recorder = None
            self._update_buttons()
            self.recording_changed.emit(False)
            return None
        self.recorder = None
        old = self.take
        if old is not None and old.audio_path != take.audio_path:
            # Saved (copied elsewhere) or explicitly replaced by "Record anyway".
            old.discard()
        self.take, self.saved = take, None
        self._take_display_offset_s = self._display_offset_s()
        if self.transcription_of == TAKE:
            self._clear_transcription()
        if take.problem:
            self._window.banner.show_error("Recording stopped early", take.problem,
                                           [("Save take…", self.save_take_dialog)])
        self._show_take_state()
        self._update_buttons()
        self.recording_changed.emit(False)
        self.take_changed.emit(take)
        return take

    def _display_offset_s(self) -> float:
        """Live-view time of the take's first sample (take times + this = trace times)."""
        position = self._first_block_position
        offset = self._window.history.display_offset_s
        if position is None or offset is None:
            return 0.0
        sample, rate_hz = position
        return sample / rate_hz + offset

    def _on_running_changed(self, running: bool) -> None:
        if not running and self.recording:
            # The source stopped or changed (end of file, device lost, another input): the take
            # ends with it, and is kept.
            self.stop_recording()
            self._window.status.show_message("Recording stopped because tracking stopped; "
                                             "the take is kept.", 6000)

    def _tick(self) -> None:
        if self.recording:
            self._set_state(f"● Recording {clock(self.recorder.elapsed_s)}")
        elif self.playing and self.player is not None:
            what = "take" if self.playing == TAKE else "notes"
            position_s = getattr(self.player, "position_s", 0.0) or 0.0
            self._set_state(f"▶ Playing {what} {clock(position_s)}")

    def _show_take_state(self) -> None:
        parts = []
        if self.take is not None:
            where = f"saved as {self.saved.wav_path.name}" if self.saved else "not saved"
            parts.append(f"Take {clock(self.take.duration_s)} ({where})")
        if self.transcription is not None:
            parts.append(self.summary())
        self._set_state(" · ".join(parts) if parts else
                                 "No take — press Record (R) while tracking")

    # ---- saving ------------------------------------------------------------------------------
    def save_take_dialog(self) -> None:
        """Ctrl+Shift+S: choose a folder and save the take there."""
        if self.take is None:
            self._nothing("No take to save", "Record a take first (R).")
            return
        start = str(self.saved.wav_path.parent if self.saved else default_take_dir())
        folder = QFileDialog.getExistingDirectory(self, "Save the take in…", start)
        if folder:
            self.save_take(Path(folder))

    def save_take(self, directory: Path) -> BackgroundTask | None:
        """Save the take as WAV + pitch CSV in directory, on a background thread."""
        take = self.take
        if take is None:
            return None
        settings = self._window.settings
        from pitchlive.takes import save_take

        self._set_state(f"Saving the take in {directory}…")
        task = BackgroundTask(lambda: save_take(take, Path(directory), settings),
                              "pitchlive-save-take", self)
        task.succeeded.connect(lambda saved, t=take: self._on_saved(t, saved))
        task.failed.connect(lambda exc, t=take: self._on_save_failed(t, exc))
        return self._start(task)

    def _on_saved(self, take: Take, saved: SavedTake) -> None:
        if take is not self.take:
            return
        self.saved = saved
        if self._window.banner.kind is not None and not self._window.banner.busy:
            self._window.banner.clear()
        self._window.status.show_message(
            f"Take saved: {saved.wav_path} and {saved.csv_path.name}", 8000)
        self._show_take_state()

    def _on_save_failed(self, take: Take, exc: BaseException) -> None:
        message = str(exc) if isinstance(exc, TakeError) else \
            f"{type(exc).__name__}: {exc}. The take is kept; choose another folder."
        self._window.banner.show_error("The take could not be saved", message,
                                       [("Save elsewhere…", self.save_take_dialog)])
        if take is self.take:
            self._show_take_state()

    # ---- transcription -----------------------------------------------------------------------
    def transcribe(self) -> BackgroundTask | None:
        """Ctrl+T: notes of the recording (Recording view shown) or else of the current take."""
        w = self._window
        from pitchlive.ui.main_window import FILE_TAB

        recording = w.file_view.result
        on_recording_tab = w.tabs.currentIndex() == FILE_TAB
        if on_recording_tab and recording is not None:
            return self.transcribe_recording()
        if self.take is not None:
            return self.transcribe_take()
        if recording is not None:
            return self.transcribe_recording()
        if on_recording_tab and w.file_view.path is not None:
            self._nothing("The recording is still being analysed",
                          "Transcribe again once its pitch track is shown.")
        else:
            self._nothing("Nothing to transcribe",
                          "Record a take (R) while tracking, or open a recording (Ctrl+O) and "
                          "transcribe it in the Recording view.")
        return None

    def _options(self):
        from pitchlive.tracking.transcription import TranscriptionOptions

        # One switch for the whole window: the Tuning group's "Correct for my tuning".
        return TranscriptionOptions(correct_offset=self._window.settings.correct_tuning_offset)

    def transcribe_take(self) -> BackgroundTask | None:
        """Transcribe the current take (its audio is read from the spool on the helper thread)."""
        take = self.take
        if take is None:
            return None
        settings, options = self._window.settings, self._options()

        def work():
            from pitchlive.tracking.transcription import transcribe

            return transcribe(take.track, settings, options, audio_16k=take.audio_16k())

        title = take.started_at.strftime("take %Y-%m-%d %H:%M")
        return self._run_transcription(work, TAKE, title, take.duration_s)

    def transcribe_recording(self) -> BackgroundTask | None:
        """Transcribe the recording open in the Recording view (its kept track and audio)."""
        fv = self._window.file_view
        if fv.result is None or fv.path is None:
            return None
        analysis = fv.result.analysis
        settings, options = self._window.settings, self._options()

        def work():
            from pitchlive.tracking.transcription import transcribe

            return transcribe(analysis.track, settings, options, audio_16k=analysis.audio_16k)

        return self._run_transcription(work, RECORDING, fv.path.stem, analysis.duration_s)

    def _run_transcription(self, work, source: str, title: str, duration_s: float
                           ) -> BackgroundTask:
        self._set_state("Transcribing…")
        self.transcribe_button.setEnabled(False)
        task = BackgroundTask(work, "pitchlive-transcribe", self)
        task.succeeded.connect(
            lambda result: self._on_transcribed(result, source, title, duration_s))
        task.failed.connect(self._on_transcribe_failed)
        return self._start(task)

    def _on_transcribed(self, transcription, source: str, title: str, duration_s: float) -> None:
        w = self._window
        self.transcription, self.transcription_of = transcription, source
        self._title = title
        if not transcription.notes:
            self._clear_overlays()
            min_note_s = self._options().min_note_s
            w.banner.show_info("No notes found",
                               no_notes_message(duration_s, transcription.offset.valid,
                                                min_note_s))
        else:
            self._draw_transcription()
            if not w.prefs.large_type:
                # Show the bars where they are drawn.
                from pitchlive.ui.main_window import FILE_TAB, LIVE_TAB

                w.tabs.setCurrentIndex(LIVE_TAB if source == TAKE else FILE_TAB)
            w.status.show_message(f"Transcribed: {self.summary()}", 8000)
        self._show_take_state()
        self._update_buttons()
        self.transcribed.emit(transcription)

    def _on_transcribe_failed(self, exc: BaseException) -> None:
        message = str(exc) if isinstance(exc, TakeError) else f"{type(exc).__name__}: {exc}"
        self._window.banner.show_error("The notes could not be transcribed",
                                       f"{message}. Try again, or record a new take.")
        self._show_take_state()
        self._update_buttons()

    def summary(self) -> str:
        """Short summary of the transcription: notes, tempo, whole-take tuning offset."""
        t = self.transcription
        if t is None:
            return ""
        offset = (f"tuning {t.offset.offset_cents:+.0f} c"
                  + (" (corrected)" if t.offset_corrected else "")) if t.offset.valid \
            else "tuning —"
        return f"{len(t.notes)} notes · {t.tempo_bpm:.0f} BPM · {offset}"

    def _draw_transcription(self) -> None:
        """Bars on the view the transcription belongs to; the other view shows none."""
        w = self._window
        t = self.transcription
        if t is None or not t.notes:
            self._clear_overlays()
            return
        if self.transcription_of == TAKE:
            w.file_view.notes.clear()
            bars = note_bars(t, self._take_display_offset_s, w.settings.a4_hz)
            w.pitch_view.notes.set_bars(bars)
            w.pitch_view.show_span(bars[0].start_s - SPAN_MARGIN_S,
                                   bars[-1].end_s + SPAN_MARGIN_S,
                                   min(b.centre_midi for b in bars),
                                   max(b.centre_midi for b in bars))
        else:
            w.pitch_view.notes.clear()
            w.file_view.notes.set_bars(note_bars(t, 0.0, w.settings.a4_hz))

    def redraw(self) -> None:
        """A4 changed: the bars follow the trace."""
        self._draw_transcription()

    def _clear_overlays(self) -> None:
        self._window.pitch_view.notes.clear()
        self._window.file_view.notes.clear()

    def _clear_transcription(self) -> None:
        self.transcription, self.transcription_of = None, None
        self._clear_overlays()

    def recording_opened(self) -> None:
        """Another recording is shown in the Recording view: its old notes no longer apply."""
        if self.transcription_of == RECORDING:
            self._clear_transcription()
            self._show_take_state()
            self._update_buttons()

    # ---- export ------------------------------------------------------------------------------
    def export_dialog(self) -> None:
        """Ctrl+E: choose a file (its type sets the format) and export the notes."""
        if self.transcription is None or not self.transcription.notes:
            self._nothing("No notes to export", "Transcribe a take or a recording first "
                          "(Ctrl+T).")
            return
        from pitchlive.exports.transcription import TRANSCRIPTION_SUFFIXES

        filters = {".mid": "MIDI (*.mid)", ".musicxml": "MusicXML (*.musicxml)",
                   ".csv": "Note list CSV (*.csv)"}
        names = [filters.get(s, f"*{s}") for s in TRANSCRIPTION_SUFFIXES]
        folder = self.saved.wav_path.parent if self.saved else default_take_dir()
        start = folder / f"{self._title}.mid"
        path, chosen = QFileDialog.getSaveFileName(self, "Export the notes", str(start),
                                                   ";;".join(names))
        if not path:
            return
        path = Path(path)
        if path.suffix.lower() not in filters:
            # Typed without an extension: use the chosen filter's.
            for suffix, name in filters.items():
                if name == chosen:
                    path = path.with_name(path.name + suffix)
                    break
        self.export(path)

    def export(self, path: Path) -> BackgroundTask | None:
        """Write the transcription to path (.mid, .musicxml or .csv) on a background thread."""
        transcription = self.transcription
        if transcription is None:
            return None
        from pitchlive.exports.transcription import save_transcription

        title = self._title
        task = BackgroundTask(lambda: save_transcription(Path(path), transcription, title=title),
                              "pitchlive-export", self)
        task.succeeded.connect(lambda _r: self._window.status.show_message(
            f"Notes exported to {path}", 8000))
        task.failed.connect(lambda exc: self._on_export_failed(Path(path), exc))
        return self._start(task)

    def _on_export_failed(self, path: Path, exc: BaseException) -> None:
        if isinstance(exc, OSError):
            why = exc.strerror or str(exc)
            message = (f"{path} could not be written ({why}). The notes are kept; choose a "
                       "writable folder.")
        else:
            message = f"{exc} The notes are kept."
        self._window.banner.show_error("The notes could not be exported", message,
                                       [("Export elsewhere…", self.export_dialog)])

    # ---- playback ----------------------------------------------------------------------------
    def play_take(self) -> BackgroundTask | None:
        """Play the take, or the recording when the Recording view is shown."""
        from pitchlive.ui.main_window import FILE_TAB

        w = self._window
        if w.tabs.currentIndex() == FILE_TAB and w.file_view.path is not None:
            path = w.file_view.path
        elif self.take is not None:
            path = self.take.audio_path
        elif w.file_view.path is not None:
            path = w.file_view.path
        else:
            self._nothing("Nothing to play", "Record a take (R) or open a recording (Ctrl+O).")
            return None
        return self._play(TAKE, lambda player: player.play_file(path))

    def play_notes(self) -> BackgroundTask | None:
        """Play the transcribed notes as synthesised tones."""
        transcription = self.transcription
        if transcription is None or not transcription.notes:
            self._nothing("No notes to play", "Transcribe a take or a recording first (Ctrl+T).")
            return None

        def start(player) -> None:
            from pitchlive.exports.tones import render_notes

            player.play_array(render_notes(transcription, PLAYBACK_RATE_HZ), PLAYBACK_RATE_HZ)

        return self._play("notes", start)

    def _play(self, what: str, start) -> BackgroundTask:
        self.stop_playback()
        self._playback_id += 1
        playback_id = self._playback_id
        self.playing = what
        self._update_buttons()
        self._set_state(f"▶ Starting playback of the {what}…")

        def work():
            # Opening the output device and reading or synthesising audio: off the GUI thread.
            if self.player is None:
                from pitchlive.audio.playback import Player

                self.player = Player()
            player = self.player
            # Stopped before the new callback is set: the old playback's end must not be
            # reported as this one's.
            player.stop()
            player.on_finished = lambda: self._emit_ended(playback_id)
            start(player)
            return player

        task = BackgroundTask(work, "pitchlive-playback", self)
        task.succeeded.connect(lambda _p: self._on_playback_started(playback_id))
        task.failed.connect(lambda exc: self._on_playback_failed(playback_id, exc))
        return self._start(task)

    def _emit_ended(self, playback_id: int) -> None:   # PortAudio's thread
        try:
            self._playback_ended.emit(playback_id)
        except RuntimeError:
            pass   # the window closed while the sound was still playing

    def _on_playback_started(self, playback_id: int) -> None:
        if playback_id != self._playback_id or self.playing is None:
            if self.playing is None and self.player is not None:
                self.player.stop()   # Stop was pressed while the device was still opening
            return
        self._timer.start(ELAPSED_INTERVAL_MS)
        self.playing_changed.emit(True)
        self._tick()

    def _on_playback_failed(self, playback_id: int, exc: BaseException) -> None:
        if playback_id != self._playback_id:
            return
        self.playing = None
        from pitchlive.audio.devices import DeviceError
        from pitchlive.audio.files import AudioFileError

        if isinstance(exc, DeviceError):
            title, message = "Nothing can be played", str(exc)
        elif isinstance(exc, (AudioFileError, TakeError)):
            title, message = "The audio cannot be played", str(exc)
        else:
            title = "Playback failed"
            message = f"{type(exc).__name__}: {exc}. Check the output device and try again."
        self._window.banner.show_error(title, message)
        self._show_take_state()
        self._update_buttons()

    def _on_playback_ended(self, playback_id: int) -> None:
        if playback_id != self._playback_id or self.playing is None:
            return
        self.playing = None
        if not self.recording:
            self._timer.stop()
        self._show_take_state()
        self._update_buttons()
        self.playing_changed.emit(False)

    def stop_playback(self) -> None:
        """Stop whatever is playing."""
        if self.playing is None:
            return
        self._playback_id += 1          # a late 'finished' of this playback is ignored
        self.playing = None
        if self.player is not None:
            try:
                self.player.stop()
            except Exception as exc:   # noqa: BLE001 - a stuck device must not break the window
                log.warning("stopping playback failed: %s", exc)
        if not self.recording:
            self._timer.stop()
        self._show_take_state()
        self._update_buttons()
        self.playing_changed.emit(False)

    # ---- helpers -----------------------------------------------------------------------------
    def _set_state(self, text: str) -> None:
        self.state_label.setText(text)
        self.state_label.setToolTip(text)

    def _nothing(self, title: str, message: str) -> None:
        self._window.banner.show_info(title, message)

    def _start(self, task: BackgroundTask) -> BackgroundTask:
        self.tasks = [t for t in self.tasks if not t.finished] + [task]
        return task.start()

    def _update_buttons(self) -> None:
        recording = self.recording or self._record_when_started
        self.record_button.setChecked(recording)
        self.record_button.setText("■ Stop recording" if recording else "● Record")
        has_take = self.take is not None
        has_notes = self.transcription is not None and bool(self.transcription.notes)
        can_play = has_take or self._window.file_view.path is not None
        self.save_button.setEnabled(has_take and not recording)
        self.transcribe_button.setEnabled(not recording)
        self.export_button.setEnabled(has_notes)
        self.play_take_button.setEnabled(can_play and self.playing is None)
        self.play_notes_button.setEnabled(has_notes and self.playing is None)
        self.stop_button.setEnabled(self.playing is not None)

    def refresh(self) -> None:
        """Re-evaluate which buttons apply (a recording was opened or closed)."""
        self._update_buttons()

    # ---- takes an earlier run left unsaved -----------------------------------------------------
    def offer_unsaved_takes(self) -> BackgroundTask:
        """Look (off the GUI thread) for takes a crash or a failed save left, and offer them."""
        from pitchlive.takes import find_unsaved_takes

        spool_dir = self.spool_dir
        task = BackgroundTask(lambda: find_unsaved_takes(spool_dir), "pitchlive-find-takes", self)
        task.succeeded.connect(self._on_unsaved_found)
        return self._start(task)

    def _on_unsaved_found(self, paths) -> None:
        self.unsaved_found = list(paths)
        self.show_unsaved_offer()

    def show_unsaved_offer(self) -> None:
        """Offer the newest leftover take, unless the banner is busy (the model is loading)."""
        if not self.unsaved_found or self.take is not None or self.recording or \
                self._window.banner.busy:
            return
        newest = self.unsaved_found[-1]
        older = len(self.unsaved_found) - 1
        extra = (f" {older} older unsaved take{'s' if older > 1 else ''} will be offered after "
                 "this one." if older else "")
        self._window.banner.show_info(
            "An unsaved take was found",
            f"{newest.name} was recorded when pitchlive last ran and never saved (pitchlive "
            f"closed unexpectedly, or saving failed). Keep it to play, transcribe or save it."
            f"{extra}",
            actions=[("Keep it", self.keep_unsaved_take),
                     ("Discard it", self.discard_unsaved_take)])

    def keep_unsaved_take(self) -> BackgroundTask | None:
        """Make the newest leftover take the current one and show it in the Recording view."""
        if not self.unsaved_found:
            return None
        from pitchlive.takes import recover_take

        path = self.unsaved_found.pop()
        self._window.banner.clear()
        task = BackgroundTask(lambda: recover_take(path), "pitchlive-recover-take", self)
        task.succeeded.connect(self._on_recovered)
        task.failed.connect(lambda exc: self._window.banner.show_error(
            "The unsaved take could not be opened", str(exc)))
        return self._start(task)

    def _on_recovered(self, take: Take) -> None:
        if self.take is not None or self.recording:
            return       # the user started something else meanwhile; the file stays for later
        self.take, self.saved = take, None
        if self.transcription_of == TAKE:
            self._clear_transcription()
        self._show_take_state()
        self._update_buttons()
        self.take_changed.emit(take)
        self._window.open_recording(take.audio_path)

    def discard_unsaved_take(self) -> None:
        """Delete the newest leftover take, then offer the next one if there is one."""
        if not self.unsaved_found:
            return
        from pitchlive.takes import frames_path

        path = self.unsaved_found.pop()
        path.unlink(missing_ok=True)
        frames_path(path).unlink(missing_ok=True)
        self._window.banner.clear()
        self.show_unsaved_offer()

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

        try:
            # Synchronous on purpose: the window is going away and must not leave a half save.
            self.saved = save_take(take, Path(folder), self._window.settings)
        except TakeError as exc:
            self._on_save_failed(take, exc)
            return False
        take.discard()
        return True

    def ask_unsaved_take(self) -> str:
        """Ask what to do with the unsaved take on quitting: 'save', 'discard' or 'cancel'."""
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved take",
                          f"The take ({clock(self.take.duration_s)}) has not been saved.",
                          parent=self)
        box.setInformativeText("Save it before quitting?")
        save = box.addButton("Save…", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return "save" if clicked is save else "discard" if clicked is discard else "cancel"

    def ask_save_folder(self) -> Path | None:
        """The folder chosen for the take, or None when the user cancels."""
        folder = QFileDialog.getExistingDirectory(self, "Save the take in…",
                                                  str(default_take_dir()))
        return Path(folder) if folder else None

    def shutdown(self) -> None:
        """Window closing: stop playback and recording (the take's audio stays in its spool)."""
        self.stop_playback()
        if self.recording:
            self.stop_recording()
