"""The tracking session behind the window: which source, which engine, running or not.

Opening and closing audio devices can block (PortAudio waits on the sound server; a dead server
can take seconds), so every device call -- listing, start, stop -- runs as a background job, in
order (one lane of the window's BackgroundJobs). The GUI thread only builds objects and reacts to signals. The engine's own worker thread
does the inference; nothing here runs the model.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from pitchlive.audio.devices import (
    DeviceError,
    NoInputDeviceError,
    list_input_devices,
    rescan_devices,
)
from pitchlive.audio.files import AudioFileError
from pitchlive.settings import Settings
from pitchlive.ui.background import BackgroundJobs
from pitchlive.ui.bridge import EngineBridge
from pitchlive.ui.settings_model import SettingsModel

if TYPE_CHECKING:
    from pitchlive.engine import Engine, EngineEvent, EngineStats

log = logging.getLogger(__name__)

DEVICE_LANE = "devices"     # device calls run one after the other, in the order asked


def _import_engine() -> None:
    """Import the engine (it pulls in SciPy, ~1 s) on a helper thread, not the GUI thread.

    The window starts without it so it appears sooner; start() needs it only once the model
    has loaded, which takes longer than this.
    """
    import pitchlive.audio.sources
    import pitchlive.engine  # noqa: F401


# Failure kinds: the window picks the banner's buttons by kind.
NO_DEVICE, DEVICE_FAILED, DEVICE_LOST, FILE_FAILED = (
    "no_device", "device_failed", "device_lost", "file_failed")


@dataclass(frozen=True)
class SourceSpec:
    """What to listen to: a recording (path), or the microphone chosen in the settings."""

    path: Path | None = None
    play: bool = False

    @property
    def is_file(self) -> bool:
        """True for a recording."""
        return self.path is not None


@dataclass(frozen=True)
class Failure:
    """A user-facing failure: short title, explanation with what to do, and its kind."""

    kind: str
    title: str
    message: str


def failure_for(exc: BaseException, spec: SourceSpec) -> Failure:
    """Classify an exception from starting a source."""
    if isinstance(exc, AudioFileError):
        return Failure(FILE_FAILED, "This recording cannot be opened", str(exc))
    if isinstance(exc, DeviceError):
        text = str(exc)
        if spec.is_file:
            return Failure(DEVICE_FAILED, "The recording cannot be played aloud", text)
        if isinstance(exc, NoInputDeviceError):
            return Failure(NO_DEVICE, "No microphone available", text)
        return Failure(DEVICE_FAILED, "The input device cannot be opened", text)
    return Failure(DEVICE_FAILED, "Tracking could not start",
                   f"{type(exc).__name__}: {exc}. Try another device or restart pitchlive.")


class TrackerSession(QObject):
    """Starts, stops and switches the engine; reports frames, state and failures as signals."""

    frames = Signal(list)              # list[PitchFrame] on the GUI thread
    level = Signal(object)             # InputLevel while the model loads (the source runs)
    starting = Signal()                # a new engine run begins (its clock restarts at 0)
    running_changed = Signal(bool)
    started = Signal(str)              # the engine's description of what it listens to
    failed = Signal(object)            # Failure
    finished = Signal(str)             # a recording reached its end
    overflowed = Signal(str)
    devices_listed = Signal(object)    # list[InputDevice]
    devices_failed = Signal(str)

    def __init__(self, settings_model: SettingsModel, jobs: BackgroundJobs | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings_model = settings_model
        self._jobs = jobs if jobs is not None else BackgroundJobs(self)
        self.model = None
        self.spec = SourceSpec()
        self._engine: Engine | None = None
        self._running = False
        self._want_running = False
        self._closed = False
        self._engine_imported = False
        self._devices_wanted = False     # list_devices() asked before the import ended
        self._bridge = EngineBridge(self)
        self._bridge.frames.connect(self.frames)
        self._bridge.level.connect(self.level)
        self._bridge.event.connect(self._on_event)
        settings_model.settings_changed.connect(self._on_settings)
        self._submit("import", None, _import_engine)

    # ---- state -------------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        """The window's current settings (the session keeps no copy)."""
        return self._settings_model.settings

    @property
    def running(self) -> bool:
        """True while an engine is started and has not stopped."""
        return self._running

    @property
    def wants_running(self) -> bool:
        """True when tracking should run (it starts as soon as the model is loaded)."""
        return self._want_running

    @property
    def engine(self) -> Engine | None:
        """The current engine (for statistics)."""
        return self._engine

    def stats(self) -> EngineStats | None:
        """Counters of the current engine, or None."""
        return self._engine.stats() if self._engine is not None else None

    # ---- commands (GUI thread) ---------------------------------------------------------------
    def set_model(self, model) -> None:
        """The model finished loading: a running engine analyses what it heard meanwhile and
        goes on live; otherwise start if tracking was asked for."""
        self.model = model
        if self._engine is not None:
            if not self._engine.has_model:
                self._engine.set_model(model)
        elif self._want_running:
            self.start()

    def _on_settings(self, settings: Settings) -> None:
        # Threshold, gate, naming: applied to the running engine from its next frame (a new
        # device takes effect through use_microphone, which restarts on it).
        if self._engine is not None:
            self._engine.update_settings(settings)

    def start(self) -> None:
        """Start tracking the current source (as soon as the engine's code is imported).

        Without a model yet the source opens at once: the level shows, and what is heard is
        analysed when set_model() gives the model.
        """
        self._want_running = True
        # Until the helper has imported the engine, importing it here would block the GUI
        # thread on the import lock (seconds on a busy machine): start when it is done instead.
        if self._engine is not None or not self._engine_imported:
            return
        from pitchlive.audio.sources import open_source
        from pitchlive.engine import Engine

        spec = self.spec
        source = open_source(self.settings, spec.path if spec.is_file else None, play=spec.play)
        engine = Engine(self.settings, self.model, source)
        self._engine = engine
        self._bridge.attach(engine)
        self.starting.emit()
        self._submit("start", engine, engine.start)

    def stop(self) -> None:
        """Stop tracking and release the device (in the background)."""
        self._want_running = False
        self._stop_engine()

    def restart(self) -> None:
        """Stop (if running) and start again with the current source and settings."""
        self._stop_engine()
        self.start()

    def use_microphone(self) -> None:
        """Listen to the input device in the settings; switches at once if running."""
        self.spec = SourceSpec()
        if self._want_running:
            self.restart()

    def use_file(self, path: Path, play: bool = False) -> None:
        """Track a recording in real time (play: also play it aloud) and start."""
        self.spec = SourceSpec(Path(path), play)
        self.restart()

    def list_devices(self) -> None:
        """Ask for the input device list; answered by devices_listed or devices_failed.

        Asked before the engine's code is imported (at launch), it waits for a start asked
        meanwhile: listing initialises PortAudio (0.1-0.2 s), which a recording does not need
        before it plays, and a microphone's start does anyway.
        """
        if not self._engine_imported:
            self._devices_wanted = True
            return
        self._submit("devices", None, list_input_devices)

    def can_rescan_devices(self) -> bool:
        """True when PortAudio may be re-initialised: no stream but a microphone's is open."""
        return self._engine is None or not self.spec.is_file

    def refresh_devices(self) -> None:
        """Look for devices plugged in since start-up, then list them.

        Re-initialising PortAudio closes every stream, so a running microphone is stopped and
        started again around it (a brief gap). With a recording playing, only the list is read.
        """
        if not self.can_rescan_devices():
            self.list_devices()
            return
        restart = self._engine is not None
        if restart:
            self._stop_engine()

        def rescan_and_list():
            rescan_devices()
            return list_input_devices()

        self._submit("devices", None, rescan_and_list)
        if restart:
            self.start()

    def shutdown(self) -> None:
        """Stop everything and end the helper thread (window closing)."""
        self._want_running = False
        self._stop_engine()
        self._closed = True
        self._jobs.wait_lane(DEVICE_LANE)

    # ---- internals ---------------------------------------------------------------------------
    def _stop_engine(self) -> None:
        engine, self._engine = self._engine, None
        if engine is None:
            return
        self._bridge.detach()
        self._submit("stop", engine, engine.stop)
        if self._running:
            self._running = False
            self.running_changed.emit(False)

    def _submit(self, kind: str, payload, fn) -> None:
        if self._closed:
            return
        self._jobs.run_in_order(
            DEVICE_LANE, fn, "pitchlive-audio",
            lambda result: self._on_job_done(kind, result if kind == "devices" else payload, None),
            lambda exc: self._on_job_done(kind, payload, exc))

    def _on_job_done(self, kind: str, payload, exc) -> None:
        if kind == "import":
            self._engine_imported = True
            if exc is not None:
                log.warning("importing the engine failed: %s", exc)
            if self._want_running and self._engine is None:
                self.start()
            if self._devices_wanted:
                self._devices_wanted = False
                self.list_devices()
        elif kind == "devices":
            if exc is not None:
                self.devices_failed.emit(str(exc))
            else:
                self.devices_listed.emit(payload)
        elif kind == "start" and exc is not None:
            if payload is self._engine:
                self._engine = None
                self._want_running = False
                self._bridge.detach()
                self._set_running(False)
                self.failed.emit(failure_for(exc, self.spec))
        elif kind == "stop" and exc is not None:
            log.warning("stopping the engine failed: %s", exc)

    def _set_running(self, running: bool) -> None:
        if running != self._running:
            self._running = running
            self.running_changed.emit(running)

    def _on_event(self, event: EngineEvent) -> None:
        if event.kind == "started":
            self._set_running(True)
            self.started.emit(event.message)
        elif event.kind == "overflow":
            self.overflowed.emit(event.message)
        elif event.kind == "error":
            kind = FILE_FAILED if self.spec.is_file else DEVICE_LOST
            title = ("Tracking the recording stopped" if self.spec.is_file
                     else "The input stopped")
            self._want_running = False
            self.failed.emit(Failure(kind, title, event.message))
        elif event.kind == "stopped":
            # The engine ended by itself (end of file, error): release it on the helper thread.
            engine, self._engine = self._engine, None
            self._bridge.detach()
            if engine is not None:
                self._submit("stop", engine, engine.stop)
            self._set_running(False)
            if self.spec.is_file and event.message.startswith("end of"):
                self._want_running = False
                self.finished.emit(event.message)
