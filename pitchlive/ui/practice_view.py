"""The Practice tab: sing against a target on a scrolling piano roll, get scored note by note,
and follow progress over days.

Friture's split: practice_settings (the controls), practice_roll / practice_summary /
practice_progress (the pictures), practice_audio and the Qt-free practice/ package (the data).
The view gets a ViewContext and never sees the window. Loading, rendering, playing and saving
run on the window's jobs; frames come from the live session on the GUI thread.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QScrollArea, QSplitter, QTabWidget,
                               QVBoxLayout, QWidget)

from pitchlive.music import hz_to_midi
from pitchlive.practice.exercises import build_exercise
from pitchlive.practice.history import History
from pitchlive.practice.latency import CalibrationError
from pitchlive.practice.live_run import PracticeRun
from pitchlive.practice.loading import SUPPORTED
from pitchlive.practice.plan import make_plan, render_plan
from pitchlive.practice.prefs import load_prefs, save_prefs
from pitchlive.practice.range_fit import suggest_transposition
from pitchlive.practice.take_files import save_practice
from pitchlive.practice.target import Target, TargetError
from pitchlive.ui.practice_audio import (PLAY_RATE_HZ, PRE_ROLL_S, AudioTap, CalibrationTake,
                                         load_song, play_and_mark)
from pitchlive.ui.practice_progress import ProgressPanel
from pitchlive.ui.practice_roll import PracticeRoll
from pitchlive.ui.practice_settings import PracticeControls, target_choices
from pitchlive.ui.practice_summary import FeedbackLabel, PracticeSummary, saved_text
from pitchlive.ui.take_texts import ERROR, INFO, Notice

RANGE_FRAMES = 1900               # about a minute of voiced frames measure the singer's range
MIN_RANGE_FRAMES = 60             # about 2 s of singing before a key can be suggested
FIRST_BLOCK_POLL_MS = 20
PLAYER_LATENCY_S = 0.4


class PracticeView(QWidget):
    """The Practice tab, built from a ViewContext (see ui/view_tabs.py)."""

    def __init__(self, context, player_factory: Callable | None = None,
                 history_factory: Callable[[], History] = History,
                 takes_dir: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.session = context.session
        self._player_factory = player_factory
        self._history_factory = history_factory
        self._takes_dir = takes_dir
        self.player = None
        self.source_target: Target | None = None     # as loaded or built (untransposed)
        self._file: Path | None = None
        self._voices: list[str] = []
        self.run: PracticeRun | None = None
        self._tap: AudioTap | None = None
        self._recorder = None
        self._calibration: CalibrationTake | None = None
        self._after_running: list[Callable[[], None]] = []
        self._pending = False              # a run is being prepared or is going on
        self._sung_midi: deque[float] = deque(maxlen=RANGE_FRAMES)
        self.last_saved = None
        self.last_run: PracticeRun | None = None
        self.controls = PracticeControls()
        self.roll = PracticeRoll(context.model, context.theme)
        self.feedback = FeedbackLabel(context.theme)
        self.summary = PracticeSummary(context.theme)
        self.progress = ProgressPanel(history_factory, self._notice, context.theme)
        self.controls.apply_prefs(load_prefs())
        self._lay_out()
        self._connect()
        self.build_exercise()

    # ---- layout and wiring -------------------------------------------------------------------
    def _lay_out(self) -> None:
        sing = QWidget()
        sing_layout = QVBoxLayout(sing)
        sing_layout.addWidget(self.feedback)
        sing_layout.addWidget(self.roll, 1)
        self.pages = QTabWidget()
        self.pages.addTab(sing, "Sing")
        self.pages.addTab(self.summary, "Summary")
        self.pages.addTab(self.progress, "Progress")
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(200)        # narrower than its controls: it scrolls sideways
        scroll.setMaximumWidth(360)
        # A splitter: in a narrow window the singer can trade controls for roll.
        self.splitter = QSplitter()
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.pages)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    def _connect(self) -> None:
        c = self.controls
        c.open_requested.connect(self.ask_target_file)
        c.voice_chosen.connect(self.choose_voice)
        c.exercise_changed.connect(self.build_exercise)
        c.suggest_requested.connect(self.suggest_key)
        c.calibrate_requested.connect(self.calibrate)
        c.start_requested.connect(self.start_practice)
        c.stop_requested.connect(self.stop_practice)
        c.transpose_spin.valueChanged.connect(self._show_target)
        self.session.frames.connect(self.on_frames)
        self.session.starting.connect(self._stream_restarted)
        self.session.running_changed.connect(self._running_changed)
        self.pages.currentChanged.connect(
            lambda i: self.refresh_progress() if self.pages.widget(i) is self.progress else None)

    def set_theme(self, theme) -> None:
        """Recolour every part."""
        for part in (self.roll, self.feedback, self.summary, self.progress):
            part.set_theme(theme)

    def _notice(self, title: str, message: str, kind: str = ERROR) -> None:
        self.context.show_notice(Notice(kind, title, message))

    # ---- targets -------------------------------------------------------------------------------
    def ask_target_file(self) -> None:
        """The Open dialog for a MIDI, MusicXML or UltraStar file."""
        patterns = " ".join(f"*{s}" for s in SUPPORTED)
        path, _ = QFileDialog.getOpenFileName(self, "Open a target", str(Path.home()),
                                              f"Targets ({patterns});;All files (*)")
        if path:
            self.open_target(Path(path))

    def open_target(self, path: Path, voice: int = 0) -> None:
        """Load a target file on a job: its tracks or parts, then the chosen one."""
        def load():
            return target_choices(path, voice)

        def loaded(result) -> None:
            voices, numbers, target = result
            self._file, self._voices, self._voice_numbers = path, voices, numbers
            self.controls.set_file(path, voices, voice)
            self.set_target(target)

        self.context.jobs.run(load, "pitchlive-practice-load", loaded,
                              lambda exc: self._target_failed(path, exc))

    def choose_voice(self, index: int) -> None:
        """Load another track (MIDI) or part (MusicXML) of the open file."""
        if self._file is not None:
            self.open_target(self._file, index)

    def _target_failed(self, path: Path, exc: BaseException) -> None:
        text = str(exc) if isinstance(exc, (TargetError, OSError, ValueError)) else \
            f"{type(exc).__name__}: {exc}"
        self._notice(f"{path.name} cannot be practised", f"{text} Choose another file, or an "
                     "exercise.")

    def build_exercise(self) -> None:
        """Build the exercise the controls describe (when the source is an exercise)."""
        if self.controls.uses_file:
            return
        try:
            self.set_target(build_exercise(self.controls.exercise_spec()))
        except TargetError as exc:
            self._notice("This exercise cannot be built", str(exc))

    def set_target(self, target: Target) -> None:
        """Practise this target from now on; its loader's warnings go to the banner."""
        self.source_target = target
        self.controls.set_note_count(len(target.notes))
        if target.warnings:
            self._notice(f"About {target.title}", " ".join(target.warnings), INFO)
        self._show_target()

    def _show_target(self) -> None:
        if self.source_target is None or self._pending or self._calibration is not None:
            return
        try:
            plan = make_plan(self.source_target, self.controls.plan_options())
        except TargetError:
            plan = None
        self.roll.set_target(plan.target if plan else self.source_target)
        self.roll.set_now(-1.0)
        self.feedback.show_text(f"{self.source_target.title}: press Start")

    # ---- suggesting a key ----------------------------------------------------------------------
    def suggest_key(self) -> None:
        """Transpose the target into the range the singer was heard using."""
        if self.source_target is None:
            return
        if len(self._sung_midi) < MIN_RANGE_FRAMES:
            self._notice("Sing first", "Start tracking and sing your lowest and highest "
                         "comfortable notes for a few seconds, then ask again.", INFO)
            return
        low, high = np.percentile(np.array(self._sung_midi), [5, 95])
        try:
            fit = suggest_transposition(self.source_target, float(low), float(high))
        except TargetError as exc:
            self._notice("No key can be suggested", str(exc))
            return
        self.controls.transpose_spin.setValue(fit.semitones)
        self.context.show_status(fit.message[0].upper() + fit.message[1:], 8000)

    # ---- running ------------------------------------------------------------------------------
    def _when_running(self, then: Callable[[], None]) -> None:
        """Call then once tracking runs (starting it when needed)."""
        if self.session.running and self.session.engine is not None:
            then()
            return
        self._after_running.append(then)
        self.session.start()

    def _running_changed(self, running: bool) -> None:
        if running:
            waiting, self._after_running = self._after_running, []
            for then in waiting:
                then()
        elif self._pending:
            self.stop_practice()
        else:
            self._end_calibration()
            if self.player is not None:
                self.player.stop()

    def _stream_restarted(self) -> None:
        # The engine's clock restarts at 0: a run or calibration on the old clock cannot go on.
        if self.run is not None:
            self.stop_practice()
        self._end_calibration()

    def _player(self):
        if self.player is None:
            if self._player_factory is not None:
                self.player = self._player_factory()
            else:
                from pitchlive.audio.playback import Player

                # A deep output buffer: the run's audio is known in advance, its delay is
                # calibrated away, and a starved callback (GIL, busy machine) would shift it.
                self.player = Player(latency_s=PLAYER_LATENCY_S)
        return self.player

    def start_practice(self) -> None:
        """Render the run's audio, then count in and score what is sung."""
        if self.source_target is None or self._pending or self._calibration is not None:
            return
        try:
            plan = make_plan(self.source_target, self.controls.plan_options())
            scoring = self.controls.scoring(self.context.model.settings.a4_hz)
        except (TargetError, ValueError) as exc:
            self._notice("The run cannot start", str(exc))
            return
        song = plan.target.backing_audio if plan.backing == "song" else None
        if plan.backing == "song" and song is None:
            self._notice("No song audio", f"{plan.target.title} has no audio file to play; "
                         "practising without the backing.", INFO)
        save_prefs(self.controls.prefs())
        self.controls.set_running(True)
        self._pending = True
        self.roll.set_target(plan.target)
        self.feedback.show_text("Getting ready…")

        def render():
            audio, warning = load_song(song)
            return render_plan(plan, PLAY_RATE_HZ, audio), warning

        def rendered(result) -> None:
            audio, warning = result
            if not self._pending:
                return              # stopped while the audio was being prepared
            if warning:
                self._notice("The backing cannot be played", warning, INFO)
            self._when_running(lambda: self._begin(plan, scoring, audio))

        self.context.jobs.run(render, "pitchlive-practice-render", rendered, self._run_failed)

    def _run_failed(self, exc: BaseException) -> None:
        self._pending = False
        self.controls.set_running(False)
        self._notice("The run cannot start", f"{type(exc).__name__}: {exc}")

    def _begin(self, plan, scoring, audio: np.ndarray) -> None:
        """Listen, record, and play the count-in once the first input block has arrived."""
        engine = self.session.engine
        self._tap = AudioTap(engine)
        from pitchlive.takes import TakeError, TakeRecorder

        self._recorder = TakeRecorder(engine)
        try:
            self._recorder.start()
        except TakeError as exc:
            self._recorder = None
            self._notice("The take will not be saved", str(exc), INFO)
        self._play_when_heard(audio, lambda at: self._started(plan, scoring, at))

    def _play_when_heard(self, audio: np.ndarray, then: Callable[[float], None]) -> None:
        tap = self._tap
        if tap is None:
            return
        if tap.stream_end_s is None:
            QTimer.singleShot(FIRST_BLOCK_POLL_MS, lambda: self._play_when_heard(audio, then))
            return
        player = self._player()

        def failed(exc: BaseException) -> None:
            self._notice("Nothing can be played", f"{exc} Carrying on without sound: follow "
                         "the count-in on the screen.", INFO)
            then(tap.stream_end_s + PRE_ROLL_S)

        self.context.jobs.run(lambda: play_and_mark(player, audio, tap),
                              "pitchlive-practice-play", then, failed)

    def _started(self, plan, scoring, play_stream_s: float) -> None:
        if self._tap is None or not self._pending:
            return            # stopped while the output opened
        self.run = PracticeRun(plan, scoring, play_stream_s, self.controls.latency_ms)

    def on_frames(self, frames: list) -> None:
        """Live frames: the singer's range always; the run's scoring and display while one goes."""
        for f in frames:
            if f.is_pitch and f.frequency_hz > 0:
                self._sung_midi.append(float(hz_to_midi(f.frequency_hz)))
        if self._calibration is not None:
            self._feed_calibration(frames)
        run = self.run
        if run is None or not frames:
            return
        for block, rate, position in self._tap.drain():
            run.push_audio(block, rate, position)
        times, midi, conf = [], [], []
        for f in frames:
            feedback = run.push(f)
            times.append(run.target_time(f.time_s))
            midi.append(float(hz_to_midi(f.frequency_hz)) if f.is_pitch and f.frequency_hz > 0
                        else math.nan)
            conf.append(f.confidence)
        self.roll.add_points(times, midi, conf)
        now = frames[-1].time_s
        self.roll.set_now(run.target_time(now))
        beat = run.count_in_beat(now)
        if beat is not None:
            self.feedback.show_text(f"Count-in {beat} of {run.plan.count_in_beats}…")
        else:
            self.feedback.show_feedback(feedback, run.scoring.band_cents)
            self.roll.highlight(feedback.note_index, self.feedback.colour(self.feedback.verdict))
        if run.is_over(now):
            self.stop_practice()

    def stop_practice(self) -> None:
        """End the run (early or at its end): score it, show the summary, save it."""
        run, self.run = self.run, None
        self._pending = False
        if self.player is not None:
            self.player.stop()
        tap, self._tap = self._tap, None
        recorder, self._recorder = self._recorder, None
        self._after_running = []
        self.controls.set_running(False)
        if tap is not None:
            if run is not None:
                for block, rate, position in tap.drain():
                    run.push_audio(block, rate, position)
            tap.close()
        take = recorder.stop() if recorder is not None else None
        if run is None:
            if take is not None:
                take.discard()
            self.feedback.show_text("Stopped.")
            return
        score = run.finish(self.controls.align)
        self.last_run = run
        self.summary.show_score(score)
        self.pages.setCurrentWidget(self.summary)
        self.feedback.show_text(self.summary.overall.text())
        settings = self.context.model.settings
        key = self.source_target.source if self.source_target is not None else None
        self.context.jobs.run(
            lambda: save_practice(score, take, settings, self._takes_dir,
                                  self._history_factory(), key),
            "pitchlive-practice-save", self._saved,
            lambda exc: self._notice("The run was not saved", f"{type(exc).__name__}: {exc}"))

    def _saved(self, saved) -> None:
        self.last_saved = saved
        self.summary.show_saved(saved_text(saved))
        if saved.messages:
            self._notice("About this run's files", " ".join(saved.messages), INFO)
        self.context.show_status("Practice run scored and saved.", 5000)

    # ---- calibration --------------------------------------------------------------------------
    def calibrate(self) -> None:
        """Play 10 clicks; the user claps along; the median delay becomes the latency."""
        if self._pending or self._calibration is not None:
            return
        self.feedback.show_text("Calibrating: clap on every click…")
        self._when_running(self._begin_calibration)

    def _begin_calibration(self) -> None:
        self._calibration = CalibrationTake()
        self._tap = AudioTap(self.session.engine)
        calibration = self._calibration

        def started(at: float) -> None:
            calibration.play_stream_s = at

        self._play_when_heard(calibration.audio, started)

    def _feed_calibration(self, frames: list) -> None:
        calibration = self._calibration
        calibration.push(self._tap.drain())
        if frames and calibration.done(frames[-1].time_s):
            self._end_calibration()
            try:
                estimate = calibration.result()
            except CalibrationError as exc:
                self._notice("The latency could not be measured", str(exc), INFO)
                self.feedback.show_text("Calibration failed.")
                return
            self.controls.set_latency_ms(estimate.latency_ms)
            save_prefs(self.controls.prefs())
            self.feedback.show_text(f"Latency {estimate.latency_ms:.0f} ms "
                                    f"(±{estimate.spread_ms:.0f} ms, {estimate.answers} claps)")

    def _end_calibration(self) -> None:
        if self._calibration is None:
            return
        self._calibration = None
        if self._tap is not None and self.run is None:
            self._tap.close()
            self._tap = None

    def refresh_progress(self, *_args) -> None:
        """Read the history again and show it (Progress page)."""
        self.progress.refresh(self.context.jobs)

