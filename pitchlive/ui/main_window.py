"""The main window: live trace and note panel, recording view, controls, status, menus.

It wires the pieces together and owns no logic of its own beyond that: frames come from the
TrackerSession (engine worker -> bridge -> GUI thread), go into the PitchHistory and the note
panel; every control change becomes a new Settings/DisplayPrefs that is applied to the engine and
the views and stored in QSettings.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pitchlive import __version__
from pitchlive.audio.files import supported_extensions
from pitchlive.frames import PitchFrame
from pitchlive.settings import Settings
from pitchlive.ui.background import BackgroundTask
from pitchlive.ui.controls import ControlPanel
from pitchlive.ui.file_view import FileView
from pitchlive.ui.help_dialog import ShortcutsDialog
from pitchlive.ui.history import PitchHistory
from pitchlive.ui.message_banner import MessageBanner
from pitchlive.ui.note_panel import NotePanel
from pitchlive.ui.pitch_view import PitchView
from pitchlive.model import load_warm_model
from pitchlive.ui.prefs import DisplayPrefs
from pitchlive.ui.session import (
    DEVICE_FAILED,
    DEVICE_LOST,
    FILE_FAILED,
    NO_DEVICE,
    Failure,
    TrackerSession,
)
from pitchlive.ui.settings_store import SettingsStore
from pitchlive.ui.status_bar import StatusPanel
from pitchlive.ui.take_panel import TakePanel
from pitchlive.ui.theme import apply_theme, theme_named

log = logging.getLogger(__name__)

STATS_INTERVAL_MS = 250
LIVE_TAB, FILE_TAB = 0, 1


def default_snapshot_dir() -> Path:
    """Where Ctrl+S saves pictures: the user's Pictures folder, else the home folder."""
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return Path(pictures) if pictures else Path.home()


class MainWindow(QMainWindow):
    """The pitchlive window."""

    closing = Signal()   # emitted first thing when the window closes (still fully drawn)

    def __init__(self, settings: Settings, prefs: DisplayPrefs,
                 store: SettingsStore | None = None, snapshot_dir: Path | None = None) -> None:
        super().__init__()
        self.settings, self.prefs = settings, prefs
        self.store = store
        self.snapshot_dir = snapshot_dir or default_snapshot_dir()
        self.theme = theme_named(prefs.theme)
        self._model_task: BackgroundTask | None = None
        self._normal_state_before_full_screen = None
        self.setWindowTitle("pitchlive")
        self.setAcceptDrops(True)

        self.history = PitchHistory()
        self.session = TrackerSession(settings, self)
        self.banner = MessageBanner()
        self.pitch_view = PitchView(self.history, settings, prefs, self.theme)
        self.note_panel = NotePanel(settings, prefs, self.theme)
        self.file_view = FileView(settings, self.theme)
        self.controls = ControlPanel(settings, prefs)
        self.takes = TakePanel(self)

        self.live_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.live_splitter.addWidget(self.pitch_view)
        self.live_splitter.addWidget(self.note_panel)
        self.live_splitter.setStretchFactor(0, 3)
        self.live_splitter.setStretchFactor(1, 1)
        self.live_splitter.setSizes([900, 320])
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.live_splitter, "Live")
        self.tabs.addTab(self.file_view, "Recording")
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(6, 6, 6, 0)
        central_layout.setSpacing(6)
        central_layout.addWidget(self.banner)
        central_layout.addWidget(self.takes)
        central_layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.controls)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.controls_dock = QDockWidget("Controls", self)
        self.controls_dock.setObjectName("ControlsDock")
        self.controls_dock.setWidget(scroll)
        self.controls_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                       | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.controls_dock)
        self.status = StatusPanel(self.statusBar())
        self.status.set_gate(settings.level_gate_dbfs)

        self._build_actions()
        self._connect()
        self._apply_theme()
        self.controls_dock.setVisible(prefs.show_controls)
        self.set_large_type(prefs.large_type)
        self.resize(1280, 760)
        if store is not None:
            geometry, state = store.load_geometry()
            if geometry is not None:
                self.restoreGeometry(geometry)
            if state is not None:
                self.restoreState(state)
            self.controls_dock.setVisible(prefs.show_controls and not prefs.large_type)

        self._stats_timer = QTimer(self)
        self._stats_timer.timeout.connect(self._update_stats)
        self._stats_timer.start(STATS_INTERVAL_MS)
        self._update_title()

    # ---- actions and menus ---------------------------------------------------------------------
    def _action(self, menu, text: str, shortcuts, slot, checkable: bool = False,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcuts:
            keys = shortcuts if isinstance(shortcuts, (list, tuple)) else [shortcuts]
            action.setShortcuts([QKeySequence(k) for k in keys])
        action.setCheckable(checkable)
        if tip:
            action.setStatusTip(tip)
        if checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda _checked=False: slot())
        # Added to the window too, so shortcuts work while the menu bar is hidden (large type).
        self.addAction(action)
        menu.addAction(action)
        self.shortcut_actions.append(action)
        return action

    def _build_actions(self) -> None:
        self.shortcut_actions: list[QAction] = []
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.open_action = self._action(file_menu, "&Open recording…", QKeySequence.StandardKey.Open,
                                        self.open_recording_dialog)
        self.track_file_action = self._action(file_menu, "&Track recording live", "Ctrl+P",
                                              self.track_current_file)
        self.mic_action = self._action(file_menu, "Use &microphone", "Ctrl+M", self.use_microphone)
        file_menu.addSeparator()
        self.snapshot_action = self._action(file_menu, "&Save snapshot (PNG)", "Ctrl+S",
                                            self._snapshot_from_menu)
        self.save_take_action = self._action(file_menu, "Save &take…", "Ctrl+Shift+S",
                                             self.takes.save_take_dialog)
        self.export_action = self._action(file_menu, "&Export notes…", "Ctrl+E",
                                          self.takes.export_dialog)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", "Ctrl+Q", self.close)

        audio_menu = bar.addMenu("&Audio")
        self.run_action = self._action(audio_menu, "&Start/stop tracking", "Ctrl+R",
                                       self.toggle_running)
        self._action(audio_menu, "&Refresh input devices", "F5", self.refresh_devices)
        audio_menu.addSeparator()
        self.record_action = self._action(audio_menu, "R&ecord / stop recording", "R",
                                          self.takes.toggle_recording)
        self.transcribe_action = self._action(audio_menu, "&Transcribe into notes", "Ctrl+T",
                                              self.takes.transcribe)
        self.play_take_action = self._action(audio_menu, "&Play take or recording", "P",
                                             self.takes.play_take)
        self.play_notes_action = self._action(audio_menu, "Play &notes", "N",
                                              self.takes.play_notes)
        self.stop_playback_action = self._action(audio_menu, "Stop p&layback", "S",
                                                 self.takes.stop_playback)

        view_menu = bar.addMenu("&View")
        self.pause_action = self._action(view_menu, "&Pause (look back)", "Space",
                                         self.pitch_view.set_paused, checkable=True)
        self._action(view_menu, "Scroll &back", "Left", lambda: self.pitch_view.scroll_time(-0.25))
        self._action(view_menu, "Scroll &forward", "Right",
                     lambda: self.pitch_view.scroll_time(0.25))
        self.follow_action = self._action(view_menu, "&Follow the voice", "F",
                                          self.pitch_view.set_follow, checkable=True)
        self.follow_action.setChecked(self.pitch_view.follow)
        self._action(view_menu, "Zoom &in (pitch)", ["+", "="],
                     lambda: self.pitch_view.zoom_pitch(1 / 1.25))
        self._action(view_menu, "Zoom &out (pitch)", "-", lambda: self.pitch_view.zoom_pitch(1.25))
        self._action(view_menu, "&Reset view", "Home", self.pitch_view.reset_view)
        view_menu.addSeparator()
        self._action(view_menu, "&Live view", "Ctrl+1", lambda: self.tabs.setCurrentIndex(LIVE_TAB))
        self._action(view_menu, "Re&cording view", "Ctrl+2",
                     lambda: self.tabs.setCurrentIndex(FILE_TAB))
        self.controls_action = self._action(view_menu, "Show &controls", "Ctrl+K",
                                            self._set_controls_visible, checkable=True)
        self.controls_action.setChecked(self.prefs.show_controls)
        self.large_action = self._action(view_menu, "Lar&ge type", "Ctrl+L", self.set_large_type,
                                         checkable=True)
        self.full_screen_action = self._action(view_menu, "F&ull screen", "F11",
                                               self.set_full_screen, checkable=True)
        self._action(view_menu, "Leave full screen / large type", "Esc", self._escape)
        theme_menu = view_menu.addMenu("&Theme")
        group = QActionGroup(self)
        self.theme_actions = {}
        for name in ("dark", "light"):
            action = QAction(name.capitalize(), self, checkable=True)
            action.setChecked(name == self.theme.name)
            action.triggered.connect(lambda _c=False, n=name: self.set_theme(n))
            group.addAction(action)
            theme_menu.addAction(action)
            self.theme_actions[name] = action
        self._action(theme_menu, "Switch theme", "Ctrl+Shift+T",
                     lambda: self.set_theme("light" if self.theme.name == "dark" else "dark"))

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", "F1", self.show_shortcuts)
        about = QAction("&About pitchlive", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _connect(self) -> None:
        s = self.session
        s.frames.connect(self._on_frames)
        s.starting.connect(self.history.begin_run)
        s.running_changed.connect(self._on_running_changed)
        s.started.connect(self._on_started)
        s.failed.connect(self.show_failure)
        s.finished.connect(self._on_finished)
        s.overflowed.connect(lambda text: self.status.show_message(text, 4000))
        s.devices_listed.connect(self._on_devices)
        s.devices_failed.connect(self._on_devices_failed)
        c = self.controls
        c.settings_changed.connect(self.apply_settings)
        c.prefs_changed.connect(self.apply_prefs)
        c.device_chosen.connect(self.choose_device)
        c.run_requested.connect(lambda run: self.start_tracking() if run else self.stop_tracking())
        c.refresh_requested.connect(self.refresh_devices)
        self.file_view.open_requested.connect(self.open_recording_dialog)
        self.file_view.track_requested.connect(self.track_file)
        self.file_view.failed.connect(lambda title, message: self.banner.show_error(
            title, message, [("Open another recording…", self.open_recording_dialog)]))
        self.file_view.loaded.connect(lambda _result: self.takes.refresh())
        self.pitch_view.span_changed.connect(
            lambda span: self._store_prefs(self.prefs.replace(pitch_span_semitones=span)))
        self.controls_dock.visibilityChanged.connect(self._on_dock_visibility)
        # The view can change these itself (scrolling pauses, a drag stops following).
        self.pitch_view.paused_changed.connect(self.pause_action.setChecked)
        self.pitch_view.follow_changed.connect(self.follow_action.setChecked)

    # ---- model ---------------------------------------------------------------------------------
    def load_model_async(self) -> None:
        """Load TensorFlow and SPICE on a background thread; the window stays responsive."""
        source, _origin = self.settings.resolved_model_source()
        self.status.set_model_loading(source)
        self.banner.show_info("Loading the pitch model…",
                              f"TensorFlow and SPICE are loading from {source} (a few seconds; "
                              "the first run downloads the model). You can set up the controls "
                              "meanwhile; tracking starts by itself.", busy=True)
        settings = self.settings
        task = BackgroundTask(lambda: load_warm_model(settings), "pitchlive-model", self)
        task.succeeded.connect(self.set_model)
        task.failed.connect(self._on_model_failed)
        self._model_task = task.start()

    def set_model(self, model) -> None:
        """Use a loaded model: start tracking if asked for, analyse a waiting recording."""
        info = model.info
        self.status.set_model(f"SPICE {info.version} · {Path(info.source).name or info.source}",
                              info.describe())
        if self.banner.kind == "info":
            self.banner.clear()
            self.takes.show_unsaved_offer()   # it waited for the loading message to go
        self.session.set_model(model)
        self.file_view.set_model(model)

    def _on_model_failed(self, exc: BaseException) -> None:
        self.status.set_model_failed()
        self.banner.show_error("The pitch model could not be loaded", str(exc),
                               [("Retry", self.load_model_async)])

    # ---- tracking --------------------------------------------------------------------------------
    def start_tracking(self) -> None:
        """Start (or, before the model is ready, arrange to start) live tracking."""
        self.session.start()
        if self.session.model is None:
            self.status.show_message("Tracking starts when the model has loaded.", 4000)

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
        self._store_settings(self.settings.replace(device=name))
        was_file = self.session.spec.is_file
        self.session.use_microphone(name)
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
        for frame in frames:
            self.history.append(frame)
            self.note_panel.show_frame(frame)
        last = frames[-1]
        self.pitch_view.notify_new_data()
        self.status.set_level(last.level_dbfs)
        spec = self.session.spec
        if spec.is_file and spec.path == self.file_view.path:
            self.file_view.set_playhead(last.time_s)

    def _on_running_changed(self, running: bool) -> None:
        self.controls.set_running(running or self.session.wants_running)
        self.pitch_view.set_stream_active(running)
        if not running:
            self.note_panel.clear()
            self.status.set_level(float("nan"))
            self.file_view.set_playhead(None)
        self._update_title()

    def _on_started(self, message: str) -> None:
        # A past failure no longer applies; a message that still does (an offer) stays.
        if self.banner.kind == "error" and self.session.model is not None:
            self.banner.clear()
        self.status.set_device(message)
        self.controls.set_running(True)

    def _on_finished(self, message: str) -> None:
        path = self.session.spec.path
        self.banner.show_info(f"Finished: {message}", "", actions=[
            ("Track it again", lambda: self.track_file(path, self.session.spec.play)),
            ("Use microphone", self.use_microphone)])

    def show_failure(self, failure: Failure) -> None:
        """An error strip with the message and the next steps."""
        actions = {
            NO_DEVICE: [("Try again", self.start_tracking),
                        ("Open a recording…", self.open_recording_dialog)],
            DEVICE_FAILED: [("Try again", self.start_tracking),
                            ("Use the system default", lambda: self.choose_device(None))],
            DEVICE_LOST: [("Restart", self.start_tracking),
                          ("Refresh devices", self.refresh_devices)],
            FILE_FAILED: [("Open another recording…", self.open_recording_dialog),
                          ("Use microphone", self.use_microphone)],
        }.get(failure.kind, [])
        self.banner.show_error(failure.title, failure.message, actions)
        self.controls.set_running(self.session.running)

    def refresh_devices(self) -> None:
        """F5: look for newly connected input devices (not while a take records or plays)."""
        if self.takes.recording or self.takes.playing is not None:
            self.session.list_devices()
            self.status.show_message("Newly connected devices show up once recording and "
                                     "playback have stopped (then press F5 again).", 8000)
            return
        self.session.refresh_devices()

    def _on_devices(self, devices) -> None:
        self.controls.set_devices(devices, self.settings.device)

    def _on_devices_failed(self, message: str) -> None:
        self.controls.set_devices([], self.settings.device)
        self.status.show_message(message, 8000)

    def _update_stats(self) -> None:
        stats = self.session.stats()
        if stats is None:
            return
        self.status.set_counters(stats.latency_s, stats.skipped_windows + stats.ring_overruns,
                                 stats.overflows)

    def _update_title(self) -> None:
        spec = self.session.spec
        source = spec.path.name if spec.is_file else (self.settings.device or "default input")
        self.controls.set_source_text(f"Source: recording {spec.path.name}" if spec.is_file
                                      else "Source: microphone")
        self.setWindowTitle(f"pitchlive — {source}")

    # ---- settings --------------------------------------------------------------------------------
    def apply_settings(self, settings: Settings) -> None:
        """A control changed: apply it everywhere, live, and remember it."""
        self._store_settings(settings)
        self.session.update_settings(settings)
        self.pitch_view.set_settings(settings)
        self.note_panel.set_settings(settings)
        self.file_view.set_settings(settings)
        self.status.set_gate(settings.level_gate_dbfs)
        self.takes.redraw()   # the notes follow the trace when A4 changes

    def apply_prefs(self, prefs: DisplayPrefs) -> None:
        """Display preferences changed."""
        self._store_prefs(prefs)
        self.pitch_view.set_prefs(prefs)
        self.note_panel.set_prefs(prefs)

    def _store_settings(self, settings: Settings) -> None:
        self.settings = settings
        self.controls.set_settings(settings)   # its copy must hold the device chosen elsewhere
        if self.store is not None:
            self.store.save_settings(settings)

    def _store_prefs(self, prefs: DisplayPrefs) -> None:
        self.prefs = prefs
        if self.store is not None:
            self.store.save_prefs(prefs)

    # ---- look --------------------------------------------------------------------------------------
    def set_theme(self, name: str) -> None:
        """Switch between the dark and light themes."""
        self.theme = theme_named(name)
        self._store_prefs(self.prefs.replace(theme=self.theme.name))
        self.theme_actions[self.theme.name].setChecked(True)
        self._apply_theme()

    def _apply_theme(self) -> None:
        app = QApplication.instance()
        if app is not None:
            apply_theme(app, self.theme)
        for view in (self.pitch_view, self.note_panel, self.file_view, self.banner, self.status):
            view.set_theme(self.theme)

    def set_large_type(self, on: bool) -> None:
        """Note panel fills the window (menus, trace, controls and status hidden)."""
        if self.large_action.isChecked() != on:
            self.large_action.setChecked(on)   # re-enters through toggled
            return
        if on:
            self.tabs.setCurrentIndex(LIVE_TAB)
        self.tabs.tabBar().setVisible(not on)
        self.pitch_view.setVisible(not on)
        self.menuBar().setVisible(not on)
        self.statusBar().setVisible(not on)
        self.controls_dock.setVisible(not on and self.prefs.show_controls)
        if self.prefs.large_type != on:
            self._store_prefs(self.prefs.replace(large_type=on))

    def set_full_screen(self, on: bool) -> None:
        """F11."""
        if on:
            self.showFullScreen()
        else:
            self.showNormal()

    def _escape(self) -> None:
        if self.full_screen_action.isChecked():
            self.full_screen_action.setChecked(False)
        if self.large_action.isChecked():
            self.large_action.setChecked(False)

    def _set_controls_visible(self, visible: bool) -> None:
        self.controls_dock.setVisible(visible and not self.prefs.large_type)
        if self.prefs.show_controls != visible:
            self._store_prefs(self.prefs.replace(show_controls=visible))

    def _on_dock_visibility(self, visible: bool) -> None:
        # The dock's own close button: keep the menu check in step (not when large type hid it).
        if not self.prefs.large_type and not self.isMinimized() and self.isVisible():
            self.controls_action.setChecked(visible)

    # ---- files ---------------------------------------------------------------------------------------
    def open_recording_dialog(self) -> None:
        """File → Open."""
        patterns = " ".join(f"*{ext}" for ext in supported_extensions())
        path, _ = QFileDialog.getOpenFileName(self, "Open a recording", str(Path.home()),
                                              f"Audio files ({patterns});;All files (*)")
        if path:
            self.open_recording(Path(path))

    def open_recording(self, path: Path) -> None:
        """Show a recording's whole pitch track in the recording view."""
        if self.banner.kind == "error":
            self.banner.clear()
        self.tabs.setCurrentIndex(FILE_TAB)
        self.file_view.load(Path(path))
        self.takes.recording_opened()

    def dragEnterEvent(self, event) -> None:
        """Accept dragged local files."""
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        """Open the first dropped file."""
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.open_recording(Path(url.toLocalFile()))
                event.acceptProposedAction()
                return

    # ---- snapshot, help, close -------------------------------------------------------------------
    def save_snapshot(self, path: Path | None = None) -> Path:
        """Save a PNG of the window; returns its path. Raises OSError if it cannot be written."""
        if path is None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            path = self.snapshot_dir / f"pitchlive-{stamp}.png"
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not self.grab().save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        return path

    def _snapshot_from_menu(self) -> None:
        try:
            path = self.save_snapshot()
        except OSError as exc:
            self.banner.show_error("The snapshot could not be saved",
                                   f"{exc}. Check that {self.snapshot_dir} exists and is "
                                   "writable.")
            return
        self.status.show_message(f"Snapshot saved to {path}", 6000)

    def show_shortcuts(self) -> None:
        """Help → Keyboard shortcuts."""
        ShortcutsDialog(self.shortcut_actions, self).exec()

    def show_about(self) -> None:
        """Help → About."""
        QMessageBox.about(
            self, "About pitchlive",
            f"<b>pitchlive {__version__}</b><br>Live pitch tracking with Google's SPICE model."
            "<br><br>SPICE is downloaded from TF Hub at run time and is licensed by Google under "
            "CC BY-NC 4.0; pitchlive does not redistribute it.")

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the layout and settings, stop tracking, release the device."""
        if not self.takes.settle_before_quit():
            event.ignore()
            return
        self.closing.emit()
        if self.store is not None:
            self.store.save_settings(self.settings)
            self.store.save_prefs(self.prefs)
            self.store.save_geometry(self.saveGeometry(), self.saveState())
            self.store.sync()
        self._stats_timer.stop()
        self.takes.shutdown()
        self.session.shutdown()
        super().closeEvent(event)
