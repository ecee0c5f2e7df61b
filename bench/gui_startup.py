"""Cold start: time until the window is painted, until the model is ready, until the first pitch.

Each run is a fresh Python process started the way `pitchlive` starts (same functions as
run_gui: window shown and painted, then TensorFlow and SPICE load on a background thread and
tracking starts). Times are from the moment the process is launched. Sources:
  mic   the software microphone, with a steady G4 tone already playing into it: first pitch is
        the first note on screen after the model is ready;
  file  the demo recording in real time (its first note starts 0.4 s into the file).

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel .venv/bin/python bench/gui_startup.py
    PITCHLIVE_MODEL=... xvfb-run -a .venv/bin/python bench/gui_startup.py --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child(launched_at: float, source: str) -> None:
    """Runs in the measured process: start the app, report times as one JSON line."""
    imported_at = None
    sys.path.insert(0, str(HERE))
    from gui_common import DEMO, private_store
    from PySide6.QtCore import QEvent, QObject, QTimer

    from pitchlive.ui.app import application, create_window, start

    imported_at = time.time()
    times: dict[str, float] = {"imports": imported_at - launched_at}

    class FirstPaint(QObject):
        def eventFilter(self, obj, event) -> bool:
            if event.type() == QEvent.Type.Paint and "window" not in times:
                times["window"] = time.time() - launched_at
            return False

    app = application()
    watcher = FirstPaint()
    app.installEventFilter(watcher)
    args = argparse.Namespace(model=None, calibration=None, device=None,
                              input=str(DEMO) if source == "file" else None)
    window = create_window(args, private_store(Path(tempfile.mkdtemp())))
    window.show()
    app.processEvents()
    start(window, args)

    def note_model() -> None:     # the session has the model once the window handed it over
        if window.session.model is not None:
            times.setdefault("model", time.time() - launched_at)
        else:
            QTimer.singleShot(10, note_model)

    note_model()

    def on_reading(reading) -> None:
        if reading is not None and "pitch" not in times:
            times["pitch"] = time.time() - launched_at
            times["note"] = reading.name
            window.close()

    window.note_panel.reading_changed.connect(on_reading)
    QTimer.singleShot(60000, window.close)
    app.exec()
    print(json.dumps(times), flush=True)


def main() -> int:
    """Launch the runs and print medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--source", choices=("mic", "file", "both"), default="both")
    parser.add_argument("--child", nargs=2, metavar=("LAUNCHED_AT", "SOURCE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(float(args.child[0]), args.child[1])
        return 0
    if not os.environ.get("PITCHLIVE_MODEL"):
        sys.exit("set PITCHLIVE_MODEL to the SPICE SavedModel folder")
    sys.path.insert(0, str(HERE.parent / "tests"))
    from fakemic import FakeMic, missing_programs
    from synth import harmonic_tone

    sources = ["mic", "file"] if args.source == "both" else [args.source]
    if "mic" in sources and missing_programs():
        print("no PulseAudio: skipping the software-microphone runs")
        sources.remove("mic")
    from gui_common import machine_line

    print(f"pitchlive cold start ({os.environ.get('QT_QPA_PLATFORM') or 'xcb'} platform; "
          f"{machine_line()}); medians of {args.runs} runs, seconds from launch")
    print("source  imports  window painted  model ready  first pitch (note)")
    for source in sources:
        mic = tone = None
        env = dict(os.environ)
        if source == "mic":
            mic = FakeMic().start(set_environ=False)
            env.update(mic.env)
            tone = mic.play(harmonic_tone(392.0, 600.0, 16000, amplitude=0.4), 16000,
                            wait=False)
            time.sleep(0.5)
        results = []
        try:
            for _ in range(args.runs):
                launched = time.time()
                out = subprocess.run([sys.executable, __file__, "--child", repr(launched), source],
                                     env=env, capture_output=True, text=True, timeout=120, check=False)
                lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
                if not lines:
                    print(f"run failed:\n{out.stderr[-2000:]}")
                    return 1
                results.append(json.loads(lines[-1]))
        finally:
            if tone is not None:
                tone.terminate()
            if mic is not None:
                mic.stop()

        def med(key: str, results: list[dict] = results) -> str:
            values = [r[key] for r in results if key in r]
            return f"{statistics.median(values):.2f}" if values else "—"

        notes = ",".join(sorted({r.get("note", "?") for r in results}))
        print(f"{source:6}  {med('imports'):>7}  {med('window'):>14}  {med('model'):>11}  "
              f"{med('pitch'):>11} ({notes})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
