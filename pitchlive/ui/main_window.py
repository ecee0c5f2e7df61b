"""The main window: live trace and note panel, recording view, takes, controls, status, menus.

It composes the parts and wires them with signals; none of them knows another. It owns the
SettingsModel (every part follows it; the store saves every change), the BackgroundJobs (joined
when the window closes), the TrackerSession (engine worker -> bridge -> GUI thread) and the
PitchHistory that the live view draws.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget

from pitchlive.frames import PitchFrame
from pitchlive.settings import Settings
from pitchlive.ui.background import BackgroundJobs
from pitchlive.ui.controls import ControlPanel
from pitchlive.ui.file_dialogs import ask_recording, local_files
from pitchlive.ui.file_view import FileView
from pitchlive.ui.live_first import LiveFirst
from pitchlive.ui.live_page import LivePage
from pitchlive.ui.message_banner import MessageBanner
from pitchlive.ui.mini_window import MiniWindow
from pitchlive.ui.recording_tools import RecordingTools
from pitchlive.model import load_warm_model
from pitchlive.ui.prefs import DisplayPrefs
from pitchlive.ui.presentation import Presentation, PresentationParts
from pitchlive.ui.session import DEVICE_FAILED, DEVICE_LOST, FILE_FAILED, NO_DEVICE, Failure
from pitchlive.ui.session import TrackerSession
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.settings_store import SettingsStore
from pitchlive.ui.snapshot import default_snapshot_dir, save_png, timestamped_path
from pitchlive.ui.status_bar import StatusPanel
from pitchlive.ui.take_controller import TakeController
from pitchlive.ui.take_state import LIVE_VIEW, OpenRecording
from pitchlive.ui.take_dialogs import TakeDialogs
from pitchlive.ui.take_strip import TakeStrip
from pitchlive.ui.take_texts import ERROR, Notice
from pitchlive.ui.theme import apply_theme, theme_named
from pitchlive.ui.view_tabs import ViewContext, add_view_tabs
from pitchlive.ui.window_actions import FILE_TAB, LIVE_TAB, build_menus
from pitchlive.ui.window_layout import (keep_dock_width, restore_layout, scrolling_dock,
                                        scrolling_row, stacked)

log = logging.getLogger(__name__)

STATS_INTERVAL_MS = 250
# Closing waits this long for background jobs (a model still loading); see background.py.
JOBS_JOIN_TIMEOUT_S = 60.0

class MainWindow(QMainWindow):
    """The pitchlive window."""

    closing = Signal()   # emitted first thing when the window closes (still fully drawn)

    def __init__(self, settings: Settings, prefs: DisplayPrefs,
                 store: SettingsStore | None = None, snapshot_dir: Path | None = None) -> None:
        super().__init__()
        self.model = SettingsModel(settings, prefs, self)
        self.store = store
        self.snapshot_dir = snapshot_dir or default_snapshot_dir()
        self.theme = theme_named(prefs.theme)
        self.jobs = BackgroundJobs(self)
        self.setWindowTitle("pitchlive")
        self.setAcceptDrops(True)

        self.session = TrackerSession(self.model, self.jobs, self)
        self.banner = MessageBanner()
        self.live = LivePage(self.model, self.theme)
        self.history, self.pitch_view = self.live.history, self.live.pitch_view
        self.note_panel = self.live.note_panel
        self.file_view = FileView(self.model, self.jobs, self.theme)
        self.controls = ControlPanel(self.model)
        self.tabs = QTabWidget()
        self.takes = TakeController(
            self.model, self.jobs, TakeDialogs(self), engine=lambda: self.session.engine,
            start_tracking=self.start_tracking, recording=self._open_recording,
            live_offset_s=lambda: self.history.display_offset_s,
            banner_busy=lambda: self.banner.busy, parent=self)
        self.take_strip = TakeStrip(self.takes)
        self.recording_tools = RecordingTools(self.file_view, self.takes, self)   # its feed: Score
        self._lay_out()
        self.status = StatusPanel(self.statusBar())
        self.status.set_gate(settings.level_gate_dbfs)

        self.shortcut_actions = build_menus(self)
        self.presentation = Presentation(PresentationParts(
            self, (self.tabs.tabBar(), self.pitch_view, self.take_row), self.controls_dock,
            self.note_panel, self.centralWidget().layout(),
            lambda: self.tabs.setCurrentIndex(LIVE_TAB)), self.model, self.large_action,
            self.full_screen_action)
        self.follow_action.setChecked(self.pitch_view.follow)
        self.controls_action.setChecked(prefs.show_controls)
        self.theme_actions[self.theme.name].setChecked(True)
        self.mini = MiniWindow(self.model, self.theme)
        self.mini.attach(self.mini_action, self.session.frames, self.session.running_changed)
        self._connect_takes()
        self._connect()   # the live view's handlers before the gate's: the first pitch is drawn first
        self.live_first = LiveFirst(self.file_view.set_model, self.session.frames,
                                    self.session.running_changed, self.tabs, self.live, self)
        self._apply_theme()
        self.resize(1280, 760)
        if store is not None:   # sizes clamped to the screen, the Controls never squeezed
            restore_layout(self, *store.load_geometry(), self.controls_dock, self.controls)
        self.controls_dock.setVisible(prefs.show_controls)
        self.presentation.set_active(prefs.large_type)   # --large-type

        self._stats_timer = QTimer(self)
        self._stats_timer.timeout.connect(lambda: self.status.show_stats(self.session.stats()))
        self._stats_timer.start(STATS_INTERVAL_MS)
        self._update_title()

    @property
    def settings(self) -> Settings:
        """The current settings (held by the window's SettingsModel)."""
        return self.model.settings

    @property
    def prefs(self) -> DisplayPrefs:
        """The current display preferences (held by the window's SettingsModel)."""
        return self.model.prefs

    # ---- layout and wiring -----------------------------------------------------------------------
    def _lay_out(self) -> None:
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.live, "Live")
        self.tabs.addTab(self.file_view, "Recording")
        self.views = add_view_tabs(self.tabs, ViewContext(
            self.model, self.jobs, self.session, self.theme, self.show_notice,
            lambda text, ms: self.status.show_message(text, ms), self.recording_tools.feed))
        # A wide tab (the Tuner needs 760 px) must not force the window wider than an 800 px screen.
        self.tabs.setMinimumSize(320, 240)
        self.take_row = scrolling_row(self.take_strip)   # sideways in a narrow window
        self.setCentralWidget(stacked(self.banner, self.take_row, self.tabs))
        self.controls_dock = scrolling_dock(self, "Controls", self.controls)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.controls_dock)
        keep_dock_width(self, self.controls_dock, self.controls)

    def _connect_takes(self) -> None:
        # Before the window's own handlers: a take reacts to tracking first.
        t, s = self.takes, self.session
        s.starting.connect(t.tracking_started)   # the engine exists, not started yet
        s.running_changed.connect(t.tracking_running_changed)
        s.failed.connect(t.tracking_failed)
        t.notice.connect(self.show_notice)
        t.notice_cleared.connect(self.banner.clear)
        t.status.connect(self.status.show_message)
        t.bars_changed.connect(self._show_note_bars)
        t.view_wanted.connect(lambda view: self.tabs.setCurrentIndex(
            LIVE_TAB if view == LIVE_VIEW else FILE_TAB))
        t.open_recording_wanted.connect(self.open_recording)

    def _connect(self) -> None:
        s = self.session
        s.frames.connect(self._on_frames)
        s.level.connect(self.live.show_level)     # the model is loading: level and sound only
        s.level.connect(lambda level: self.status.set_level(level.level_dbfs))
        s.starting.connect(self.history.begin_run)
        s.running_changed.connect(self._on_running_changed)
        s.started.connect(self._on_started)
        s.failed.connect(self.show_failure)
        s.finished.connect(self._on_finished)
        s.overflowed.connect(lambda text: self.status.show_message(text, 4000))
        s.devices_listed.connect(self._on_devices_listed)
        s.devices_failed.connect(self._on_devices_failed)
        c = self.controls
        c.device_chosen.connect(self.choose_device)
        c.run_requested.connect(lambda run: self.start_tracking() if run else self.stop_tracking())
        c.refresh_requested.connect(self.refresh_devices)
        m = self.model
        m.settings_changed.connect(lambda settings: self.status.set_gate(settings.level_gate_dbfs))
        if self.store is not None:
            m.settings_changed.connect(self.store.save_settings)
            m.prefs_changed.connect(self.store.save_prefs)
        f = self.file_view
        f.open_requested.connect(self.open_recording_dialog)
        f.track_requested.connect(self.track_file)
        f.failed.connect(lambda title, message: self.banner.show_error(
            title, message, [("Open another recording…", self.open_recording_dialog)]))
        f.loaded.connect(lambda _result: self.takes.refresh())
        self.controls_dock.visibilityChanged.connect(self._on_dock_visibility)
        # The view can change these itself (scrolling pauses, a drag stops following).
        self.pitch_view.paused_changed.connect(self.pause_action.setChecked)
        self.pitch_view.follow_changed.connect(self.follow_action.setChecked)

    def _open_recording(self) -> OpenRecording:
        return OpenRecording(self.file_view.path, self.file_view.result,
                             self.tabs.currentIndex() == FILE_TAB)

    def show_notice(self, notice: Notice) -> None:
        """A part's message in the banner."""
        show = self.banner.show_error if notice.kind == ERROR else self.banner.show_info
        show(notice.title, notice.message, actions=list(notice.actions))

    def _show_note_bars(self, live_bars: list, recording_bars: list) -> None:
        self.pitch_view.show_notes(live_bars)
        self.file_view.notes.show(recording_bars)

    # ---- model -----------------------------------------------------------------------------------
    def load_model_async(self) -> None:
        """Load TensorFlow and SPICE on a background thread; the window stays responsive."""
        source, _origin = self.settings.resolved_model_source()
        self.status.set_model_loading(source)
        self.banner.show_info("Loading the pitch model…",
                              f"SPICE is loading from {source} (a few seconds; the first run "
                              "downloads the model). The input is already heard: its pitch "
                              "appears, from the start, when the model is ready.", busy=True)
        settings = self.settings
        self.jobs.run(lambda: load_warm_model(settings), "pitchlive-model", self.set_model,
                      self._on_model_failed)

    def set_model(self, model) -> None:
        """Use a loaded model: start tracking if asked for, analyse a waiting recording."""
        info = model.info
        self.status.set_model(f"SPICE {info.version} · {Path(info.source).name or info.source}",
                              info.describe())
        if self.banner.kind == "info":
            self.banner.clear()
            self.takes.recovery.offer()   # it waited for the loading message to go
        self.session.set_model(model)
        self.live_first.model_ready(model, self.session.wants_running)   # then the recording view

    def _on_model_failed(self, exc: BaseException) -> None:
        self.status.set_model_failed()
        self.banner.show_error("The pitch model could not be loaded", str(exc),
                               [("Retry", self.load_model_async)])

    # ---- tracking --------------------------------------------------------------------------------
    def start_tracking(self) -> None:
        """Start (or, before the model is ready, arrange to start) live tracking."""
        self.session.start()
        if self.session.model is None:
            self.status.show_message("Listening; pitch appears once the model has loaded.", 4000)

    def stop_tracking(self) -> None:
        """Stop tracking and release the input."""
        self.session.stop()

    def toggle_running(self) -> None:
        """Ctrl+R."""
        if self.session.wants_running or self.session.running:
            self.stop_tracking()
        else:
            self.start_tracking()

    def choose_device(self, name: str | None) -> None:
        """Switch to an input device (restarting on it if tracking)."""
        self.model.update_settings(device=name)
        was_file = self.session.spec.is_file
        self.session.use_microphone()
        if was_file and not self.session.wants_running:
            self.session.start()
        self._update_title()

    def use_microphone(self) -> None:
        """Ctrl+M: back from a recording to the chosen input device."""
        self.choose_device(self.settings.device)
        self.session.start()

    def track_file(self, path: Path, play: bool = False) -> None:
        """Send a recording through the live tracker (real time), optionally playing it."""
        if not self.banner.busy:   # the 'loading model' message stays until it is done
            self.banner.clear()
        self.session.use_file(Path(path), play)
        self.tabs.setCurrentIndex(LIVE_TAB)
        self._update_title()

    def track_current_file(self) -> None:
        """Ctrl+P: track the recording open in the recording view."""
        if self.file_view.path is None:
            self.open_recording_dialog()
            return
        self.track_file(self.file_view.path, self.file_view.play_check.isChecked())

    def _on_frames(self, frames: list[PitchFrame]) -> None:
        self.live.show_frames(frames)
        last = frames[-1]
        self.status.set_level(last.level_dbfs)
        spec = self.session.spec
        if spec.is_file and spec.path == self.file_view.path:
            self.file_view.set_playhead(last.time_s)

    def _on_running_changed(self, running: bool) -> None:
        self.controls.set_running(running or self.session.wants_running)
        self.live.set_stream_active(running)
        if not running:
            self.status.set_level(float("nan"))
            self.status.set_device("Not listening")   # 'Listening to …' is no longer true
            self.file_view.set_playhead(None)
        self._update_title()

    def _on_started(self, message: str) -> None:
        # A past failure no longer applies; a message that still does (an offer) stays.
        if self.banner.kind == "error" and self.session.model is not None:
            self.banner.clear()
        self.banner.started(message)
        self.status.set_device(message)
        self.controls.set_running(True)

    def _on_finished(self, message: str) -> None:
        path = self.session.spec.path
        self.status.set_device(f"Finished: {message}")
        self.banner.show_info(f"Finished: {message}", "", actions=[
            ("Track it again", lambda: self.track_file(path, self.session.spec.play)),
            ("Use microphone", self.use_microphone)])

    def show_failure(self, failure: Failure) -> None:
        """An error strip with the message and the next steps."""
        actions = {
            NO_DEVICE: self._retry(),
            DEVICE_FAILED: [("Try again", self.start_tracking),
                            ("Use the system default", lambda: self.choose_device(None))],
            DEVICE_LOST: [("Restart", self.start_tracking),
                          ("Refresh devices", self.refresh_devices)],
            FILE_FAILED: [("Open another recording…", self.open_recording_dialog),
                          ("Use microphone", self.use_microphone)],
        }.get(failure.kind, [])
        self.banner.show_error(failure.title, failure.message, actions)
        self.status.set_device(failure.title)
        self.controls.set_running(self.session.running)

    def retry_microphone(self) -> None:
        """'Try again' after 'no microphone': rescan (as F5); the banner says what it found."""
        self.banner.show_rescanning()
        self.refresh_devices()

    def _on_devices_listed(self, devices: list) -> None:
        self.controls.set_devices(devices, self.settings.device)
        if self.banner.show_rescan(devices, self.settings.device, self._retry()):
            self.start_tracking()      # on what the rescan found

    def refresh_devices(self) -> None:
        """F5: look for newly connected input devices (not while a take records or plays)."""
        if self.takes.recording or self.takes.playing is not None:
            self.session.list_devices()
            self.status.show_message("Newly connected devices show up once recording and "
                                     "playback have stopped (then press F5 again).", 8000)
            return
        self.session.refresh_devices()

    def _on_devices_failed(self, message: str) -> None:
        self.controls.set_devices([], self.settings.device)
        self.status.show_message(message, 8000)
        self.banner.show_rescan_failed(message, self._retry())

    def _retry(self) -> list:
        return [("Try again", self.retry_microphone), ("Open a recording…", self.open_recording_dialog)]

    def _update_title(self) -> None:
        spec = self.session.spec
        source = spec.path.name if spec.is_file else (self.settings.device or "default input")
        self.controls.set_source_text(f"Source: recording {spec.path.name}" if spec.is_file
                                      else "Source: microphone")
        # The window system adds the application's name ("default input — pitchlive").
        self.setWindowTitle(source)

    # ---- look ------------------------------------------------------------------------------------
    def set_theme(self, name: str) -> None:
        """Switch between the dark and light themes."""
        self.theme = theme_named(name)
        self.model.update_prefs(theme=self.theme.name)
        self.theme_actions[self.theme.name].setChecked(True)
        self._apply_theme()

    def switch_theme(self) -> None:
        """Ctrl+Shift+T: the other theme."""
        self.set_theme("light" if self.theme.name == "dark" else "dark")

    def _apply_theme(self) -> None:
        app = QApplication.instance()
        if app is not None:
            apply_theme(app, self.theme)
        for view in (self.live, self.file_view, self.banner, self.status, self.mini):
            view.set_theme(self.theme)

    def set_controls_visible(self, visible: bool) -> None:
        """Ctrl+K: show or hide the controls dock (shown again after presentation mode)."""
        self.controls_dock.setVisible(visible and not self.presentation.active)
        self.model.update_prefs(show_controls=visible)

    def _on_dock_visibility(self, visible: bool) -> None:
        # The dock's own close button: keep the menu check in step (not when presenting hid it).
        if not self.presentation.active and not self.isMinimized() and self.isVisible():
            self.controls_action.setChecked(visible)

    # ---- files -----------------------------------------------------------------------------------
    def open_recording_dialog(self) -> None:
        """File → Open."""
        path = ask_recording(self)
        if path is not None:
            self.open_recording(path)

    def open_recording(self, path: Path) -> None:
        """Show a recording's whole pitch track in the recording view."""
        if self.banner.kind == "error":
            self.banner.clear()
        self.tabs.setCurrentIndex(FILE_TAB)
        self.file_view.load(Path(path))
        self.takes.recording_opened()

    def dragEnterEvent(self, event) -> None:
        """Accept dragged local files."""
        if local_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        """Open the first dropped file."""
        files = local_files(event.mimeData())
        if files:
            self.open_recording(files[0])
            event.acceptProposedAction()

    # ---- snapshot, help, close -------------------------------------------------------------------
    def save_snapshot(self, path: Path | None = None) -> Path:
        """Save a PNG of the window; returns its path. Raises OSError if it cannot be written."""
        return save_png(self, path if path is not None else timestamped_path(self.snapshot_dir))

    def snapshot_from_menu(self) -> None:
        """Ctrl+S: a snapshot into the snapshot folder, or a banner saying why not."""
        try:
            path = self.save_snapshot()
        except OSError as exc:
            self.banner.show_error("The snapshot could not be saved",
                                   f"{exc}. Check that {self.snapshot_dir} exists and is "
                                   "writable.")
            return
        self.status.show_message(f"Snapshot saved to {path}", 6000)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the layout, stop tracking, release the device, join the background jobs."""
        if not self.takes.settle_before_quit():
            event.ignore()
            return
        self.closing.emit()
        self.mini.close()
        if self.store is not None:   # the layout from before presentation mode or full screen
            self.store.save_all(self.settings, self.prefs, self.presentation.saved_geometry(),
                                self.presentation.saved_state())
        self._stats_timer.stop()
        # Gone from the screen now; what follows may wait for a job (a model still loading).
        self.hide()
        self.takes.shutdown()
        self.session.shutdown()
        # No thread may still be inside TensorFlow when the interpreter finalises (issue 15).
        self.jobs.shutdown(JOBS_JOIN_TIMEOUT_S)
        super().closeEvent(event)
