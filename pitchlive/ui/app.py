"""Starting the window: application set-up, stored settings, model loading and --screenshot.

`pitchlive` with no command calls main_gui(args), which runs run_gui(args) and ends the process.
The window is shown and painted first; only then does the model start loading, on a background
thread, so the window appears at once with a visible "loading model" state.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TextIO

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from pitchlive import __version__
from pitchlive.model.environment import prepare_environment
from pitchlive.shutdown import leave_now
from pitchlive.settings import Settings
from pitchlive.ui.background import wait_for_all
from pitchlive.ui.main_window import MainWindow
from pitchlive.ui.window_actions import FILE_TAB, LIVE_TAB
from pitchlive.ui.prefs import THEME_NAMES, DisplayPrefs
from pitchlive.ui.settings_store import SettingsStore

ICON_PATH = Path(__file__).with_name("pitchlive.svg")
# After the event loop, background jobs get this long to end before the process leaves without
# finalising (os._exit): a thread killed inside TensorFlow by finalisation aborts the process.
EXIT_JOIN_TIMEOUT_S = 60.0


def app_icon() -> QIcon:
    """The application icon (empty if the SVG is missing from the installation)."""
    return QIcon(str(ICON_PATH)) if ICON_PATH.is_file() else QIcon()


def application() -> QApplication:
    """The QApplication, created and named once (QSettings uses the names for its file)."""
    # Qt, pyqtgraph and NumPy leave ~100k long-lived objects; a full garbage collection over
    # them took ~50 ms, a visible hitch in the trace. They live as long as the app, so exempt them.
    gc.freeze()
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "pitchlive"])
    app.setOrganizationName("pitchlive")
    app.setApplicationName("pitchlive")
    app.setApplicationDisplayName("pitchlive")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("pitchlive")
    app.setWindowIcon(app_icon())
    return app


def settings_from_args(args: argparse.Namespace, store: SettingsStore | None) -> Settings:
    """Command-line model choice, then the stored user settings, then --device on top."""
    settings = Settings(model_source=getattr(args, "model", None),
                        calibration=getattr(args, "calibration", None))
    if store is not None:
        settings = store.load_settings(settings)
    device = getattr(args, "device", None)
    if device is not None:
        settings = settings.replace(device=device)
    return settings


def create_window(args: argparse.Namespace, store: SettingsStore | None = None,
                  snapshot_dir: Path | None = None) -> MainWindow:
    """The window configured from parsed options; nothing is loaded or started yet."""
    settings = settings_from_args(args, store)
    prefs = store.load_prefs() if store is not None else DisplayPrefs()
    theme = getattr(args, "theme", None)
    if theme in THEME_NAMES:
        prefs = prefs.replace(theme=theme)
    if getattr(args, "large_type", False):
        prefs = prefs.replace(large_type=True)
    return MainWindow(settings, prefs, store, snapshot_dir)


def start(window: MainWindow, args: argparse.Namespace) -> None:
    """Begin: load the model in the background and start tracking the chosen source."""
    window.load_model_async()
    input_path = getattr(args, "input", None)
    if input_path:
        window.track_file(Path(input_path))
        window.file_view.load(Path(input_path))
        if getattr(args, "transcribe", False):
            pending = [True]

            def transcribe_once(_result) -> None:
                # Only the file given on the command line, not one opened later.
                if pending:
                    pending.clear()
                    window.takes.transcribe_recording()

            window.file_view.loaded.connect(transcribe_once)
    else:
        window.start_tracking()
    # After the source: device calls run in the order asked, and a recording needs no device
    # list (PortAudio's initialisation, 0.1-0.2 s) before it starts.
    window.session.list_devices()
    window.takes.recovery.look()
    show_recording = getattr(args, "view", "live") == "recording" and not window.prefs.large_type
    window.tabs.setCurrentIndex(FILE_TAB if show_recording else LIVE_TAB)


def run_gui(args: argparse.Namespace) -> int:
    """Open the window and run until it is closed; returns the exit status.

    --quit-after SECONDS closes it after that long; --screenshot OUT.png saves a picture of the
    window just before it closes (so together they make a screenshot of a real run).
    """
    # Before the first thread: the model side adds environment variables while it loads, and
    # adding one while another thread is in getenv() can crash the process (model/environment.py).
    if not prepare_environment():
        logging.getLogger(__name__).debug("environment prepared with other threads running")
    # TensorFlow's import (on the loading thread) briefly points the process's stderr at a
    # temporary file to hide its log lines; our own messages go to a copy of the real one.
    messages = _private_stderr()
    app = application()
    store = SettingsStore()
    window = create_window(args, store)
    window.show()
    app.processEvents()   # get the window on screen before TensorFlow starts importing
    start(window, args)

    outcome = {"status": 0}
    screenshot = getattr(args, "screenshot", None)

    def take_screenshot() -> None:
        try:
            saved = window.save_snapshot(Path(screenshot))
            print(f"pitchlive: saved {saved}", file=messages)
        except OSError as exc:
            print(f"pitchlive: error: the screenshot could not be saved ({exc}); check that "
                  "its folder is writable.", file=messages)
            outcome["status"] = 1

    if screenshot:
        window.closing.connect(take_screenshot)
    quit_after = getattr(args, "quit_after", None)
    if quit_after is not None:
        QTimer.singleShot(int(max(0.0, quit_after) * 1000), window.close)

    # Ctrl+C in the terminal closes the window cleanly; the timer lets Python see the signal.
    signal.signal(signal.SIGINT, lambda *_: window.close())
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(200)
    status = app.exec()
    wake.stop()
    status = outcome["status"] or status
    # The window joined its jobs when it closed; a job started elsewhere, or one still in a
    # model download, is waited for here, and abandoned safely if it does not end.
    if not wait_for_all(EXIT_JOIN_TIMEOUT_S):
        print("pitchlive: a background job did not end; leaving without waiting for it.",
              file=messages)
        leave_now(status)
    if messages is not sys.stderr:
        messages.close()
    return status


def main_gui(args: argparse.Namespace) -> int:
    """`pitchlive` with no command: run the window, then end the process without finalising.

    By then the window has saved and synced the settings, finished or kept its takes, and
    joined every background job, so nothing is left to clean up; interpreter finalisation would
    only destroy Qt's and TensorFlow's objects in whatever order the garbage collector picks.
    What was shown (issue 15): the SIGABRT came from finalisation killing a thread inside
    TensorFlow (core dumps), fixed by joining the jobs. The rarer SIGSEGV (3 exit-stress runs
    in 400, before and after this os._exit) was not finalisation: the kernel log puts all
    three in glibc's getenv() on a worker thread, racing the model thread's setenv() (importing
    TensorFlow adds variables); run_gui's prepare_environment() removes that race.
    """
    status = run_gui(args)
    leave_now(status)
    return status       # not reached




def _private_stderr() -> TextIO:
    """A stream on a duplicate of stderr's descriptor (stderr itself where there is none)."""
    try:
        return os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1)
    except (AttributeError, OSError, ValueError):   # no console (pythonw) or captured stderr
        return sys.stderr
