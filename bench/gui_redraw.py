"""Redraw rate of the live pitch view with 30 s of history at its 60 Hz target, and its CPU cost.

Frames of a sung-like melody (vibrato, rests) are fed at the engine's rate (31.25 per second)
through the same signal the engine's frames arrive on; no model or audio device is involved, so
this isolates the drawing. Paints of the plot are counted with an event filter.

    .venv/bin/python bench/gui_redraw.py                       # offscreen
    xvfb-run -a .venv/bin/python bench/gui_redraw.py           # a real X server
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

from gui_common import (
    CpuMeter,
    PaintCounter,
    StallMeter,
    machine_line,
    percentile,
    platform_name,
    private_store,
    run_for,
)
from PySide6.QtCore import QTimer

from pitchlive.frames import HOP_S, PitchFrame
from pitchlive.settings import Settings
from pitchlive.ui.app import application
from pitchlive.ui.main_window import MainWindow
from pitchlive.ui.prefs import DisplayPrefs

WARM_UP_S = 2.0   # steady state: start-up work (layout, caches) is not what is measured
MELODY = (62, 64, 66, 67, 69, 67, 66, 64)


def melody_frame(t: float) -> PitchFrame:
    """The frame at time t of a looping melody: 0.5 s notes, the last 0.1 s of each silent."""
    note = MELODY[int(t / 0.5) % len(MELODY)]
    voiced = (t % 0.5) < 0.4
    midi = note + 0.2 * math.sin(2 * math.pi * 5.5 * t)
    hz = 440.0 * 2 ** ((midi - 69) / 12)
    return PitchFrame(t, hz, 0.95 if voiced else 0.3, -20.0 if voiced else -70.0, voiced)


def measure(history_s: float, seconds: float, folder: Path) -> dict:
    """Run the window with history_s of visible history; figures over `seconds`."""
    application()
    window = MainWindow(Settings(history_s=history_s), DisplayPrefs(), private_store(folder))
    window.resize(1280, 760)
    window.show()
    t = 0.0
    prefill = []
    while t < history_s:
        prefill.append(melody_frame(t))
        t += HOP_S
    window.session.frames.emit(prefill)
    window.pitch_view.set_stream_active(True)
    clock = {"t": t, "wall": time.perf_counter()}

    def feed() -> None:
        # As many frames as real time says are due (the engine delivers ~1 per 32 ms).
        due = clock["t"] + (time.perf_counter() - clock["wall"])
        batch = []
        while clock["t"] < due:
            batch.append(melody_frame(clock["t"]))
            clock["t"] += HOP_S
        clock["wall"] = time.perf_counter()
        if batch:
            window.session.frames.emit(batch)

    feeder = QTimer()
    feeder.timeout.connect(feed)
    feeder.start(int(HOP_S * 1000))
    run_for(WARM_UP_S)
    paints = PaintCounter(window.pitch_view.graphics.viewport())
    stalls = StallMeter()
    cpu = CpuMeter()
    start = time.perf_counter()
    run_for(seconds)
    elapsed = time.perf_counter() - start
    share = cpu.share_of_one_core()
    stalls.stop()
    feeder.stop()
    points = window.pitch_view.trace.getData()[0].size
    window.close()
    return {"history_s": history_s, "paints_per_s": paints.count / elapsed, "cpu": share,
            "points": points, "stall_max_ms": max(stalls.stalls_ms(), default=float("nan")),
            "stall_p99_ms": percentile(stalls.stalls_ms(), 99)}


def main() -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--history", type=float, nargs="+", default=[30.0])
    args = parser.parse_args()
    application()
    print(f"pitchlive GUI redraw benchmark ({platform_name()} platform; {machine_line()})")
    print("history  points  redraws/s (target 60)  CPU (share of one core)  stall p99 / max")
    with tempfile.TemporaryDirectory() as folder:
        for history_s in args.history:
            r = measure(history_s, args.seconds, Path(folder))
            print(f"{r['history_s']:5.0f} s  {r['points']:6d}  {r['paints_per_s']:21.1f}  "
                  f"{r['cpu']:23.2f}  {r['stall_p99_ms']:5.1f} / {r['stall_max_ms']:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
