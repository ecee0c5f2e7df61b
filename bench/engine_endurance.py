"""Endurance: a long live run through the software microphone.

Plays a melody into the software microphone over and over for --minutes (default 10) while
the engine tracks it at 48 kHz, and reports: input overflows and ring-buffer overruns (must be
0), skipped windows, frames emitted versus expected, the engine's latency over time, and RSS
growth (must stay under 10 MB; measured from the end of the first minute, after TensorFlow's
one-time allocations, and from the start).

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel python bench/engine_endurance.py
    ... python bench/engine_endurance.py --burn     # while another process burns one core
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import soundfile as sf

from engine_common import chosen_settings, corpus, load_spice

from pitchlive.audio.sources import MicrophoneSource
from pitchlive.engine import Engine

RATE_HZ = 48000
SAMPLE_EVERY_S = 10.0


def main() -> None:
    """Run and print the endurance figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--burn", action="store_true",
                        help="run a second process that burns one core meanwhile")
    args = parser.parse_args()
    from fakemic import FakeMic

    model = load_spice()
    items = corpus(rate_hz=RATE_HZ)
    melody = np.concatenate([audio for _, audio, _ in items])
    process = psutil.Process()
    duration_s = args.minutes * 60
    with tempfile.TemporaryDirectory() as tmp, FakeMic() as mic:
        path = Path(tmp) / "melody.wav"
        sf.write(str(path), melody, RATE_HZ, subtype="FLOAT")
        engine = Engine(chosen_settings(), model, MicrophoneSource(sample_rate_hz=RATE_HZ))
        counts = {"frames": 0, "voiced": 0}

        def on_frame(frame) -> None:
            counts["frames"] += 1
            counts["voiced"] += frame.voiced

        events = []
        engine.subscribe(on_frame)
        engine.subscribe_events(events.append)
        stop = threading.Event()

        def player() -> None:
            while not stop.is_set():
                p = mic.play(path, wait=False)
                while p.poll() is None:
                    if stop.wait(0.2):
                        p.terminate()
                p.wait()

        burner = (subprocess.Popen([sys.executable, "-c", "while True: pass"])
                  if args.burn else None)
        try:
            wall0 = time.monotonic()
            engine.start()
            feeder = threading.Thread(target=player)
            feeder.start()
            samples = []
            while time.monotonic() - wall0 < duration_s and engine.running:
                left_s = duration_s - (time.monotonic() - wall0)
                time.sleep(min(SAMPLE_EVERY_S, max(0.0, left_s)))
                stats = engine.stats()
                samples.append((time.monotonic() - wall0, process.memory_info().rss,
                                stats.latency_s, stats.frames_emitted))
                print(f"  {samples[-1][0]:6.0f} s  RSS {samples[-1][1] / 1e6:7.1f} MB  latency "
                      f"{1000 * stats.latency_s:5.1f} ms  frames {stats.frames_emitted}  "
                      f"overflows "
                      f"{stats.overflows}  overruns {stats.ring_overruns}  skipped "
                      f"{stats.skipped_windows}", flush=True)
            stop.set()
            feeder.join()
            engine.stop()
        finally:
            if burner is not None:
                burner.kill()
                burner.wait()
        wall = time.monotonic() - wall0
    stats = engine.stats()
    times = np.array([s[0] for s in samples])
    rss = np.array([s[1] for s in samples]) / 1e6
    after_first_minute = rss[times >= min(60.0, times[-1])][0]
    expected = wall * 16000 / 512
    print(f"\nran {wall:.0f} s ({wall / 60:.1f} min) through the software microphone at 48 kHz"
          + (", a second process burning one core" if args.burn else ""))
    print(f"events: {[e.kind for e in events]}")
    print(f"input overflows: {stats.overflows}, ring-buffer overruns: {stats.ring_overruns}, "
          f"underflows: {stats.underflows}, skipped windows: {stats.skipped_windows}")
    print(f"frames: {stats.frames_emitted} (expected about {expected:.0f}), voiced "
          f"{counts['voiced']}")
    print(f"latency (emission - arrival of the frame's centre): median "
          f"{1000 * np.median([s[2] for s in samples]):.1f} ms over the samples")
    print(f"RSS: start {rss[0]:.1f} MB, after 1 min {after_first_minute:.1f} MB, end "
          f"{rss[-1]:.1f} MB, max {rss.max():.1f} MB; growth after the first minute "
          f"{rss[-1] - after_first_minute:+.1f} MB, from the first sample {rss[-1] - rss[0]:+.1f}"
          " MB")


if __name__ == "__main__":
    main()
