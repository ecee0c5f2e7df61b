"""CPU cost of the live engine: CPU seconds per second of 48 kHz input.

The whole process's CPU time (all threads: feeder or PortAudio callback, worker, resampler,
TensorFlow's pools) over a real-time run, divided by the audio's duration. Runs through the
real-time file source and through the software microphone (the player, paplay, is another
process and not counted), each --runs times; medians are printed with the spread.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel python bench/engine_cpu.py
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from engine_common import chosen_settings, load_spice, step_signal

from pitchlive.audio.resample import StreamingResampler
from pitchlive.audio.sources import FileSource, MicrophoneSource
from pitchlive.engine import Engine

RATE_HZ = 48000


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far (all threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_engine(engine: Engine, seconds: float, play=None) -> tuple[float, float]:
    """(CPU seconds per audio second, wall seconds) of one real-time run."""
    cpu0, wall0 = cpu_seconds(), time.monotonic()
    engine.start()
    if play is not None:
        play()
    engine.wait(seconds + 10)
    engine.stop()
    wall = time.monotonic() - wall0
    return (cpu_seconds() - cpu0) / seconds, wall


def resampler_cost(audio: np.ndarray) -> float:
    """CPU seconds per audio second of 48 kHz -> 16 kHz resampling in 10 ms blocks."""
    resampler = StreamingResampler(RATE_HZ, 16000)
    cpu0 = cpu_seconds()
    for start in range(0, audio.size, 480):
        resampler.process(audio[start:start + 480])
    return (cpu_seconds() - cpu0) / (audio.size / RATE_HZ)


def main() -> None:
    """Print CPU figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-mic", action="store_true")
    args = parser.parse_args()
    model = load_spice()
    settings = chosen_settings()
    audio, _, _, _ = step_signal(RATE_HZ, int(args.seconds / 0.6) + 2)
    audio = audio[:int(args.seconds * RATE_HZ)]
    idle0 = cpu_seconds()
    time.sleep(5)
    idle = (cpu_seconds() - idle0) / 5
    print(f"idle process (model loaded): {idle:.4f} CPU s per s")
    print(f"resampling 48 kHz -> 16 kHz alone: {resampler_cost(audio):.4f} CPU s per s")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.wav"
        sf.write(str(path), audio, RATE_HZ, subtype="FLOAT")
        costs = [run_engine(Engine(settings, model, FileSource(path, realtime=True)),
                            args.seconds)[0] for _ in range(args.runs)]
        print(f"real-time file source, {args.seconds:.0f} s at 48 kHz: median "
              f"{statistics.median(costs):.3f} CPU s per s (runs: "
              f"{', '.join(f'{c:.3f}' for c in costs)})", flush=True)
        if not args.no_mic:
            from fakemic import FakeMic

            with FakeMic() as mic:
                costs = []
                for _ in range(args.runs):
                    engine = Engine(settings, model, MicrophoneSource(sample_rate_hz=RATE_HZ))
                    players = []

                    def play() -> None:
                        players.append(mic.play(path, wait=False))

                    cost, _ = run_engine_for(engine, args.seconds, play)
                    for player in players:
                        player.wait(30)
                    costs.append(cost)
                print(f"software microphone at 48 kHz, {args.seconds:.0f} s: median "
                      f"{statistics.median(costs):.3f} CPU s per s (runs: "
                      f"{', '.join(f'{c:.3f}' for c in costs)})")


def run_engine_for(engine: Engine, seconds: float, play) -> tuple[float, float]:
    """Like run_engine for a live source, which never ends by itself: stop after seconds."""
    cpu0, wall0 = cpu_seconds(), time.monotonic()
    engine.start()
    play()
    time.sleep(seconds)
    engine.stop()
    wall = time.monotonic() - wall0
    return (cpu_seconds() - cpu0) / wall, wall


if __name__ == "__main__":
    main()
