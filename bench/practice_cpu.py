"""CPU of the window with the Practice tab running a run, against the plain live view.

The window runs as `pitchlive` runs it (real SPICE model, real engine) on the software
microphone with the demo melody playing into it in a loop. Measurements alternate: the Live tab
shown while tracking, then the Practice tab shown with a run going (a C major scale looped 16
times at 80 BPM, its notes played as tones on the output, the trace and feedback drawn, every
frame scored, the take recorded). CPU is this process's (GUI, engine, audio and playback
threads); the sound server and the demo's player are other processes. Medians of --rounds.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel .venv/bin/python bench/practice_cpu.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from gui_common import CpuMeter, machine_line, platform_name, private_store, run_for
from gui_live import Player as DemoPlayer

from pitchlive.model import load_warm_model
from pitchlive.settings import Settings
from pitchlive.ui.app import application, create_window


def wait_for(condition, seconds: float) -> bool:
    """Run the event loop until condition() or the time is up."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        run_for(0.05)
    return condition()


def main() -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("PITCHLIVE_MODEL"):
        sys.exit("set PITCHLIVE_MODEL to the SPICE SavedModel folder")
    from fakemic import FakeMic, missing_programs

    if missing_programs():
        sys.exit(f"needs the software microphone: {', '.join(missing_programs())}")
    folder = Path(tempfile.mkdtemp(prefix="pitchlive-bench-"))
    os.environ["PITCHLIVE_DATA_DIR"] = str(folder / "data")
    application()
    mic = FakeMic().start()
    demo = DemoPlayer(mic)
    window = create_window(argparse.Namespace(model=None, calibration=None, device=None,
                                              input=None), private_store(folder))
    window.resize(1280, 800)
    window.show()
    window.set_model(load_warm_model(Settings()))
    view = window.views["Practice"]
    view.controls.kind_box.setCurrentText("scale")
    view.controls.repeats.setValue(16)
    results: dict[str, list[float]] = {"live view": [], "practice run": []}
    try:
        window.start_tracking()
        if not wait_for(lambda: window.session.running, 10):
            print("tracking did not start")
            return 1
        run_for(2.0)
        for _ in range(args.rounds):
            window.tabs.setCurrentWidget(window.live)
            run_for(1.0)
            cpu = CpuMeter()
            run_for(args.seconds)
            results["live view"].append(cpu.share_of_one_core())

            window.tabs.setCurrentWidget(view)
            view.start_practice()
            if not wait_for(lambda: view.run is not None, 10):
                print("the practice run did not start")
                return 1
            run_for(1.0)
            cpu = CpuMeter()
            run_for(args.seconds)
            results["practice run"].append(cpu.share_of_one_core())
            saved = view.last_saved
            view.stop_practice()
            wait_for(lambda: view.last_saved is not saved, 20)
    finally:
        window.close()
        demo.stop()
        mic.stop()
    print(f"pitchlive practice-view CPU ({platform_name()} platform; {machine_line()})")
    print(f"software microphone, demo melody looped; {args.seconds:.0f} s per measurement, "
          f"{args.rounds} alternating rounds, medians")
    medians = {name: statistics.median(values) for name, values in results.items()}
    for name, values in results.items():
        print(f"  {name:<13} {medians[name]:.3f} of one core  "
              f"({', '.join(f'{v:.3f}' for v in values)})")
    difference = medians["practice run"] - medians["live view"]
    print(f"  difference    {difference:+.3f} core (target within 0.1)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
