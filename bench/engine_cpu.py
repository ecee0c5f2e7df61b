"""CPU cost of the live engine: CPU seconds per second of 48 kHz input, in the steady state.

The whole process's CPU time (all threads: feeder or microphone reader, worker, resampler,
the model's runtime) over --seconds of a real-time run, from SETTLE_S after the engine started
(opening the source, warming up the model and starting the player are start-up, not the
steady state), divided by the wall time. Runs through the real-time file source and through the
software microphone (the player, paplay, is another process and not counted), each --runs
times; medians are printed with the spread, then each thread's share (median over the runs,
from /proc/self/task, Linux only) so the next speed-up knows where to look. The figure with
start and stop included is printed too.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel python bench/engine_cpu.py
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from engine_common import chosen_settings, load_spice, step_signal

from pitchlive.audio.resample import StreamingResampler
from pitchlive.audio.sources import FileSource, MicrophoneSource
from pitchlive.engine import Engine

RATE_HZ = 48000
SETTLE_S = 1.0          # after start(): the source is open, the model warm, the player playing


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far (all threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def thread_cpu_seconds() -> dict[int, tuple[str, float]]:
    """{native thread id: (kernel's name, CPU seconds)} of this process's threads; {} off Linux.

    Threads PortAudio or the sound server's client library start carry the process's name
    ('python') or their own ('threaded-ml': PulseAudio's main loop in ALSA's pulse plugin).
    """
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    out: dict[int, tuple[str, float]] = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/stat", encoding="ascii") as stat:
                text = stat.read()
        except OSError:
            continue                        # the thread ended meanwhile
        fields = text[text.rindex(")") + 2:].split()
        out[int(tid)] = (text[text.index("(") + 1:text.rindex(")")],
                         (int(fields[11]) + int(fields[12])) / tick)
    return out


def per_thread(before: dict, after: dict, seconds: float) -> dict[str, float]:
    """CPU seconds per second of each thread between two thread_cpu_seconds(), by name
    (Python's thread name where it has one; call it while the threads still run)."""
    names = {thread.native_id: thread.name for thread in threading.enumerate()}
    shares: dict[str, float] = {}
    for tid, (comm, cpu) in after.items():
        name = names.get(tid, comm)
        shares[name] = shares.get(name, 0.0) + (cpu - before.get(tid, (comm, 0.0))[1]) / seconds
    return shares


def run_engine(engine: Engine, seconds: float, play=None) -> tuple[float, float, dict]:
    """(steady-state CPU s per s, CPU s per s with start and stop, per-thread shares) of one
    real-time run of seconds after SETTLE_S."""
    cpu0, wall0 = cpu_seconds(), time.monotonic()
    engine.start()
    if play is not None:
        play()
    time.sleep(SETTLE_S)
    threads0, cpu1, wall1 = thread_cpu_seconds(), cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    threads1, cpu2, wall2 = thread_cpu_seconds(), cpu_seconds(), time.monotonic()
    shares = per_thread(threads0, threads1, wall2 - wall1)
    engine.stop()
    return ((cpu2 - cpu1) / (wall2 - wall1),
            (cpu_seconds() - cpu0) / (time.monotonic() - wall0), shares)


def report(what: str, runs: list[tuple[float, float, dict]]) -> None:
    """Print the medians of runs (run_engine's results)."""
    steady = [run[0] for run in runs]
    whole = [run[1] for run in runs]
    print(f"{what}: steady state median {statistics.median(steady):.3f} CPU s per s (runs: "
          f"{', '.join(f'{c:.3f}' for c in steady)}); with start and stop "
          f"{statistics.median(whole):.3f}", flush=True)
    names = sorted({name for run in runs for name in run[2]},
                   key=lambda n: -statistics.median([run[2].get(n, 0.0) for run in runs]))
    for name in names:
        share = statistics.median([run[2].get(name, 0.0) for run in runs])
        if share >= 0.0005:
            print(f"    thread {name}: {share:.4f}", flush=True)


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
    total_s = args.seconds + SETTLE_S + 2.0          # the file outlasts the measurement
    audio, _, _, _ = step_signal(RATE_HZ, int(total_s / 0.6) + 2)
    audio = audio[:int(total_s * RATE_HZ)]
    idle0 = cpu_seconds()
    time.sleep(5)
    idle = (cpu_seconds() - idle0) / 5
    print(f"idle process (model loaded): {idle:.4f} CPU s per s")
    print(f"resampling 48 kHz -> 16 kHz alone: {resampler_cost(audio):.4f} CPU s per s")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.wav"
        sf.write(str(path), audio, RATE_HZ, subtype="FLOAT")
        report(f"real-time file source, {args.seconds:.0f} s at 48 kHz",
               [run_engine(Engine(settings, model, FileSource(path, realtime=True)),
                           args.seconds) for _ in range(args.runs)])
        if not args.no_mic:
            from fakemic import FakeMic

            with FakeMic() as mic:
                runs = []
                for _ in range(args.runs):
                    engine = Engine(settings, model, MicrophoneSource(sample_rate_hz=RATE_HZ))
                    players = []
                    runs.append(run_engine(
                        engine, args.seconds,
                        lambda: players.append(mic.play(path, wait=False))))
                    for player in players:
                        player.terminate()
                        player.wait(30)
                report(f"software microphone at 48 kHz, {args.seconds:.0f} s", runs)


if __name__ == "__main__":
    main()
