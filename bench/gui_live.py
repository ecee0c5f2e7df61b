"""The whole app while tracking live: CPU (share of one core), redraw rate, event-loop stalls.

The window runs as `pitchlive` runs it (real SPICE model, real engine) on the software
microphone with the demo melody playing into it in a loop, or, with --source file, on the demo
file tracked in real time. CPU is this process's (GUI, engine and audio threads together); the
sound server and the player are other processes and not counted.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel .venv/bin/python bench/gui_live.py
    PITCHLIVE_MODEL=... xvfb-run -a .venv/bin/python bench/gui_live.py --source file
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from gui_common import (
    DEMO,
    CpuMeter,
    PaintCounter,
    StallMeter,
    machine_line,
    percentile,
    platform_name,
    private_store,
    run_for,
)

from pitchlive.settings import Settings
from pitchlive.ui.app import application, create_window
from pitchlive.model import load_warm_model


def looped_demo(folder: Path, seconds: float) -> Path:
    """The demo repeated to last at least `seconds`."""
    audio, rate = sf.read(str(DEMO), dtype="float32")
    repeats = int(np.ceil(seconds / (audio.size / rate)))
    path = folder / "demo-looped.flac"
    sf.write(str(path), np.tile(audio, repeats), rate, subtype="PCM_16")
    return path


class Player:
    """Plays the demo into the software microphone over and over on a helper thread."""

    def __init__(self, mic) -> None:
        self._mic = mic
        self._stop = threading.Event()
        self._process = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._process = self._mic.play(DEMO, wait=False)
            self._process.wait()

    def stop(self) -> None:
        """Stop playing."""
        self._stop.set()
        if self._process is not None:
            self._process.terminate()
        self._thread.join(5)


def main() -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per measurement")
    parser.add_argument("--source", choices=("mic", "file"), default=None,
                        help="default: the software microphone when PulseAudio is installed")
    args = parser.parse_args()
    if not os.environ.get("PITCHLIVE_MODEL"):
        sys.exit("set PITCHLIVE_MODEL to the SPICE SavedModel folder")
    from fakemic import FakeMic, missing_programs

    source = args.source or ("file" if missing_programs() else "mic")
    folder = Path(tempfile.mkdtemp(prefix="pitchlive-bench-"))
    mic = player = None
    application()
    window = create_window(argparse.Namespace(model=None, calibration=None, device=None,
                                              input=None), private_store(folder))
    window.resize(1280, 760)
    window.show()
    window.set_model(load_warm_model(Settings()))
    try:
        if source == "mic":
            mic = FakeMic().start()
            player = Player(mic)
            window.start_tracking()
        else:
            window.track_file(looped_demo(folder, 2 * args.seconds + 10))
        deadline = time.monotonic() + 10
        while not window.session.running and time.monotonic() < deadline:
            run_for(0.1)
        if not window.session.running:
            print(f"tracking did not start: {window.banner.title_text()} "
                  f"{window.banner.message_text()}")
            return 1
        frames = []
        window.session.frames.connect(lambda batch: frames.append(len(batch)))
        run_for(2.0)    # settle

        frames.clear()
        paints = PaintCounter(window.pitch_view.graphics.viewport())
        cpu = CpuMeter()
        start = time.perf_counter()
        run_for(args.seconds)
        elapsed = time.perf_counter() - start
        cpu_share = cpu.share_of_one_core()
        redraws = paints.count / elapsed
        frame_rate = sum(frames) / elapsed

        stalls = StallMeter()
        run_for(args.seconds)
        stalls.stop()
        gaps = stalls.stalls_ms()
        stats = window.session.stats()
    finally:
        window.close()
        if player is not None:
            player.stop()
        if mic is not None:
            mic.stop()

    print(f"pitchlive whole-app live benchmark ({platform_name()} platform; {machine_line()})")
    what = ("software microphone, demo melody looped" if source == "mic"
            else "demo file in real time")
    print(f"source: {what}; {args.seconds:.0f} s per measurement")
    print(f"  CPU, whole process:        {cpu_share:.2f} of one core")
    print(f"  redraws of the trace:      {redraws:.1f} /s (target 60)")
    print(f"  frames shown:              {frame_rate:.1f} /s (engine rate 31.25)")
    print(f"  GUI event-loop stall:      max {max(gaps):.1f} ms, p99 {percentile(gaps, 99):.1f} ms,"
          f" p50 {percentile(gaps, 50):.1f} ms (target max < 50 ms)")
    if stats is not None:
        print(f"  engine: latency {stats.latency_s * 1000:.0f} ms, dropped windows "
              f"{stats.skipped_windows}, overflows {stats.overflows}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
