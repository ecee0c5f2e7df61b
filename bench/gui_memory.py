"""Memory of the live window: RSS after it has tracked the software microphone for a while.

A fresh process starts the window the way `pitchlive` does (model on the live backend, tracking
the default input: the software microphone, with a tone playing into it), and after --seconds of
tracking reports its RSS (psutil), the resident memory per mapping group (/proc/PID/smaps:
anonymous memory is the heaps, Python's and the libraries'; the rest is library code and data)
and which heavy packages it imported.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel QT_QPA_PLATFORM=offscreen \
        .venv/bin/python bench/gui_memory.py --seconds 20
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEAVY = ("tensorflow", "tensorflow_hub", "ai_edge_litert", "scipy", "matplotlib", "torch",
         "librosa", "verovio", "pedalboard", "PIL")


def mapped_mb(pid: int) -> dict[str, float]:
    """Resident MB per mapped library group (from /proc/PID/smaps), the largest ones."""
    groups: dict[str, float] = {}
    name = "[anon]"
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            parts = line.split()
            if len(parts) >= 5 and "-" in parts[0] and ":" in parts[3]:
                path = parts[5] if len(parts) > 5 else "[anon]"
                name = next((h for h in ("tensorflow", "ai_edge_litert", "PySide6", "Qt",
                                         "scipy", "numpy", "matplotlib", "python3")
                             if h in path), path if path.startswith("[") else "other files")
            elif parts and parts[0] == "Rss:":
                groups[name] = groups.get(name, 0.0) + int(parts[1]) / 1024
    return dict(sorted(groups.items(), key=lambda kv: -kv[1])[:8])


def child(seconds: float) -> None:
    """Runs in the measured process: the window tracking the default input."""
    import psutil

    sys.path.insert(0, str(HERE))
    from gui_common import private_store
    from PySide6.QtCore import QTimer

    from pitchlive.ui.app import application, create_window, start

    app = application()
    args = argparse.Namespace(model=None, calibration=None, device=None, input=None)
    window = create_window(args, private_store(Path(tempfile.mkdtemp())))
    window.show()
    app.processEvents()
    start(window, args)
    report: dict = {}

    def measure() -> None:
        report["rss_mb"] = psutil.Process().memory_info().rss / 1e6
        report["frames"] = len(window.history)
        report["backend"] = getattr(window.session.model, "backend", None)
        report["imported"] = [name for name in HEAVY if name in sys.modules]
        report["mapped_mb"] = mapped_mb(os.getpid())
        window.close()

    def wait_for_model() -> None:
        if window.session.model is None:
            QTimer.singleShot(200, wait_for_model)
        else:
            QTimer.singleShot(int(seconds * 1000), measure)

    wait_for_model()
    QTimer.singleShot(int((seconds + 120) * 1000), window.close)
    app.exec()
    print(json.dumps(report), flush=True)


def main() -> int:
    """Launch the measured process with the software microphone and print its report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return 0
    if not os.environ.get("PITCHLIVE_MODEL"):
        sys.exit("set PITCHLIVE_MODEL to the SPICE SavedModel folder")
    sys.path.insert(0, str(HERE.parent / "tests"))
    from fakemic import FakeMic
    from synth import harmonic_tone

    mic = FakeMic().start(set_environ=False)
    env = {**os.environ, **mic.env}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    tone = mic.play(harmonic_tone(392.0, 600.0, 16000, amplitude=0.4), 16000, wait=False)
    try:
        time.sleep(0.5)
        out = subprocess.run([sys.executable, __file__, "--child", str(args.seconds)], env=env,
                             capture_output=True, text=True, timeout=args.seconds + 180,
                             check=False)
    finally:
        tone.terminate()
        mic.stop()
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        print(f"run failed:\n{out.stderr[-2000:]}")
        return 1
    report = json.loads(lines[-1])
    print(f"live window, {args.seconds:.0f} s tracking the software microphone "
          f"({report['frames']} frames, backend {report['backend']}): RSS "
          f"{report['rss_mb']:.0f} MB")
    print(f"heavy packages imported: {', '.join(report['imported']) or 'none'}")
    print("resident MB by mapping: " + ", ".join(f"{k} {v:.0f}" for k, v in
                                                 report["mapped_mb"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
