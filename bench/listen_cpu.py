"""Whole-process cost of `pitchlive listen --input FILE --csv` on a 30 s file at real-time pace.

Start-up included: the CPU seconds (user + system, all threads) of the whole `pitchlive` process
from launch to exit, divided by the audio's length, and its peak RSS, read from the kernel's
rusage of the finished child. LiteRT (warm converted cache) and TensorFlow alternate, --runs
times each; medians are printed. The file is a 48 kHz melody of harmonic notes with light noise.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel python bench/listen_cpu.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
RATE_HZ = 48000


def write_melody(path: Path, seconds: float) -> Path:
    """Half-second harmonic notes over two octaves, with -50 dBFS noise, at 48 kHz."""
    rng = np.random.default_rng(0)
    note_samples = RATE_HZ // 2
    t = np.arange(note_samples) / RATE_HZ
    notes = []
    for i in range(int(seconds * 2)):
        frequency_hz = 110.0 * 2 ** (((i * 5) % 24) / 12)
        tone = sum(np.sin(2 * np.pi * k * frequency_hz * t) / k for k in range(1, 6))
        notes.append(0.2 * tone * np.hanning(note_samples) ** 0.1)
    audio = np.concatenate(notes) + 0.003 * rng.standard_normal(len(notes) * note_samples)
    sf.write(path, audio.astype(np.float32), RATE_HZ)
    return path


def run_listen(path: Path, env: dict) -> tuple[float, float, int]:
    """(CPU seconds, peak RSS in MB, rows) of one `pitchlive listen --input path --csv` run."""
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen([sys.executable, "-m", "pitchlive", "listen", "--input",
                                    str(path), "--csv"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise RuntimeError(f"listen exited with {process.returncode}")
        out.seek(0)
        rows = sum(1 for _ in out) - 1
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, rows


def main() -> None:
    """Print CPU per audio second and peak RSS per backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    if not os.environ.get("PITCHLIVE_MODEL"):
        sys.exit("set PITCHLIVE_MODEL to the SPICE SavedModel folder")
    with tempfile.TemporaryDirectory() as tmp:
        path = write_melody(Path(tmp) / "melody.wav", args.seconds)
        base = {**os.environ, "PYTHONPATH": str(ROOT), "PITCHLIVE_MODEL_CACHE": f"{tmp}/cache"}
        envs = {"LiteRT": {**base, "PITCHLIVE_BACKEND": "litert"},
                "TensorFlow": {**base, "PITCHLIVE_BACKEND": "tensorflow"}}
        subprocess.run([sys.executable, "-m", "pitchlive", "info"], cwd=ROOT, env=envs["LiteRT"],
                       check=True, capture_output=True)       # fills the converted cache
        results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in envs}
        for _ in range(args.runs):
            for name, env in envs.items():
                results[name].append(run_listen(path, env))
    print(f"`pitchlive listen --input` on a {args.seconds:.0f} s 48 kHz file at real-time pace, "
          f"whole process, start-up included; medians of {args.runs} runs")
    print(f"{'backend':<12} {'CPU s':>7} {'CPU s / audio s':>16} {'peak RSS MB':>12} {'rows':>6}")
    for name, values in results.items():
        cpu = statistics.median(v[0] for v in values)
        rss = statistics.median(v[1] for v in values)
        print(f"{name:<12} {cpu:7.2f} {cpu / args.seconds:16.3f} {rss:12.0f} "
              f"{values[0][2]:6d}")


if __name__ == "__main__":
    main()
