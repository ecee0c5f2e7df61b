"""Run `pitchlive --input DEMO --view recording` and close the window while a job is in TensorFlow.

Not a test itself: test_ui_app.py runs it in a fresh process, as bench/exit_stress.py does with
the real command. `python tests/quit_while_busy.py model` closes the window while the model
loads (TensorFlow imported, inside hub.load); `... analysis` closes it while the Recording view
analyses the file (SPICE on the whole file, run a few more times to stay inside TensorFlow).
Exit status: the window's; 3 when the job never started; 4 when a pitchlive thread is still
alive once the window has returned (the interpreter would finalise under it); 5 when an
environment variable was added while other threads ran (glibc's setenv then frees the array
that a concurrent getenv() walks: the SIGSEGV of issue 15).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "assets" / "demo-ode-to-joy.flac"
NEVER_STARTED_S = 120.0


def watch_environment_additions() -> list[str]:
    """From now on, list every variable added to the environment while other threads run."""
    added: list[str] = []

    def hook(event: str, args: tuple) -> None:
        if event == "os.putenv" and threading.active_count() > 1:
            name = os.fsdecode(args[0])
            if name not in os.environ:
                added.append(f"{name} (on {threading.current_thread().name})")

    sys.addaudithook(hook)
    return added


def main(mode: str) -> int:
    """Start the window with the job of `mode` instrumented; close it once the job runs."""
    added_to_environment = watch_environment_additions()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from pitchlive.analysis import recording
    from pitchlive.ui import app, main_window

    entered = threading.Event()
    if mode == "model":
        real_load = main_window.load_warm_model

        def loading(settings):
            import tensorflow  # noqa: F401 - imported here so the close comes inside hub.load

            entered.set()
            return real_load(settings)

        main_window.load_warm_model = loading
    else:
        real_analysis = recording.analyse_recording

        def analysing(path, model, *args, **kwargs):
            result = real_analysis(path, model, *args, **kwargs)
            entered.set()
            for _ in range(20):      # SPICE on the whole file again: the close comes in here
                model.infer(result.analysis.audio_16k)
            return result

        recording.analyse_recording = analysing

    app.application()      # the QApplication first: the timer below needs its event loop
    started = time.monotonic()

    def close_when_busy() -> None:
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, main_window.MainWindow) and w.isVisible()]
        if entered.is_set() and windows:
            windows[0].close()
        elif time.monotonic() - started > NEVER_STARTED_S:
            print(f"quit_while_busy: the {mode} job never started", file=sys.stderr)
            os._exit(3)

    poll = QTimer()
    poll.timeout.connect(close_when_busy)
    poll.start(5)
    args = argparse.Namespace(model=None, calibration=None, device=None, input=str(DEMO),
                              view="recording", transcribe=False, screenshot=None,
                              quit_after=None, theme=None, large_type=False)
    status = app.run_gui(args)
    left = sorted(t.name for t in threading.enumerate()
                  if t.name.startswith("pitchlive") and t.is_alive())
    if left:
        print(f"quit_while_busy: still running after the window returned: {left}",
              file=sys.stderr)
        return 4
    if added_to_environment:
        print("quit_while_busy: added to the environment while other threads ran: "
              f"{', '.join(added_to_environment)}", file=sys.stderr)
        return 5
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "model"))
