"""Tone to note: seconds from starting a sung-like tone into the software microphone until the
note panel names it, through the whole app (sound server, PortAudio, engine, SPICE, GUI).

The clock starts when the player (paplay) is launched, so the time also includes the player's
start-up and the sound server's buffering.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel .venv/bin/python bench/gui_tone_to_note.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from gui_common import machine_line, platform_name, private_store, run_for

from pitchlive.settings import Settings
from pitchlive.ui.app import application, create_window
from pitchlive.model import load_warm_model

NOTES = (("G4", 392.00), ("C4", 261.63), ("A3", 220.00), ("E5", 659.26), ("D4", 293.66),
         ("B3", 246.94), ("F4", 349.23), ("A4", 440.00))


def main() -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tones", type=int, default=len(NOTES))
    args = parser.parse_args()
    if not os.environ.get("PITCHLIVE_MODEL"):
        sys.exit("set PITCHLIVE_MODEL to the SPICE SavedModel folder")
    from fakemic import FakeMic, missing_programs
    from synth import harmonic_tone

    if missing_programs():
        print(f"skipped: the software microphone needs {', '.join(missing_programs())} "
              "(Debian: pulseaudio pulseaudio-utils)")
        return 0
    mic = FakeMic().start()
    application()
    window = create_window(argparse.Namespace(model=None, calibration=None, device=None,
                                              input=None),
                           private_store(Path(tempfile.mkdtemp(prefix="pitchlive-bench-"))))
    window.show()
    window.set_model(load_warm_model(Settings()))
    results = []
    try:
        window.start_tracking()
        deadline = time.monotonic() + 10
        while not window.session.running and time.monotonic() < deadline:
            run_for(0.1)
        run_for(1.0)
        for name, hz in (NOTES * 4)[:args.tones]:
            player = mic.play(harmonic_tone(hz, 1.2, 16000, vibrato_cents=20), 16000, wait=False)
            started = time.monotonic()
            shown = None
            while time.monotonic() - started < 3.0:
                run_for(0.005)
                if shown is None and window.note_panel.note_text() == name:
                    shown = time.monotonic() - started
            player.wait(10)
            results.append((name, shown))
            run_for(0.8)       # silence: the panel lets go of the note
    finally:
        window.close()
        mic.stop()
    print(f"pitchlive tone-to-note through the software microphone ({platform_name()} platform; "
          f"{machine_line()})")
    for name, shown in results:
        print(f"  {name:4} {'not shown' if shown is None else f'{shown * 1000:.0f} ms'}")
    times = [s for _, s in results if s is not None]
    if times:
        print(f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms, "
              f"{len(times)}/{len(results)} named (from launching the player)")
    return 0 if len(times) == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
