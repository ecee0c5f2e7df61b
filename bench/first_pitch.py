"""Start-up: seconds from launching `pitchlive listen --input tone.wav --csv` to a voiced row.

Each backend (LiteRT on a warm converted cache, and TensorFlow) is launched --runs times,
alternating, as a user would launch it (a fresh process each time). The tone starts at once, so
the figure is start-up plus the engine's first window. Medians and spreads are printed side by
side; the cache is filled once before timing (its first conversion is timed separately).

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel python bench/first_pitch.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
RATE_HZ = 44100


def write_tone(path: Path, seconds: float = 4.0, frequency_hz: float = 220.0) -> Path:
    """A harmonic tone (5 partials) at -12 dBFS, from the first sample."""
    t = np.arange(int(seconds * RATE_HZ)) / RATE_HZ
    audio = sum(np.sin(2 * np.pi * k * frequency_hz * t) / k for k in range(1, 6))
    sf.write(path, (0.25 * audio / np.max(np.abs(audio))).astype(np.float32), RATE_HZ)
    return path


def first_voiced_s(tone: Path, env: dict, timeout_s: float = 120.0) -> float:
    """Seconds from launch to the first CSV row with voiced == 1 (the process is then stopped)."""
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "pitchlive", "listen", "--input", str(tone),
                                "--csv"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        for line in process.stdout:
            fields = line.strip().split(",")
            if len(fields) >= 4 and fields[3] == "1":
                return time.monotonic() - started
            if time.monotonic() - started > timeout_s:
                break
        raise RuntimeError(f"no voiced row; stderr: {process.stderr.read()[-2000:]}")
    finally:
        process.kill()
        process.communicate()


def main() -> None:
    """Print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not os.environ.get("PITCHLIVE_MODEL"):
        sys.exit("set PITCHLIVE_MODEL to the SPICE SavedModel folder")
    with tempfile.TemporaryDirectory() as tmp:
        tone = write_tone(Path(tmp) / "tone.wav")
        base = {**os.environ, "PYTHONPATH": str(ROOT), "PITCHLIVE_MODEL_CACHE": f"{tmp}/cache"}
        envs = {"litert": {**base, "PITCHLIVE_BACKEND": "litert"},
                "tensorflow": {**base, "PITCHLIVE_BACKEND": "tensorflow"}}
        cold = first_voiced_s(tone, envs["litert"])   # converts and fills the cache
        times: dict[str, list[float]] = {name: [] for name in envs}
        for _ in range(args.runs):
            for name, env in envs.items():
                times[name].append(first_voiced_s(tone, env))
    print(f"launch -> first voiced CSV row of `pitchlive listen --input tone.wav --csv`, "
          f"{args.runs} runs each")
    print(f"{'backend':<28} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, values in times.items():
        label = "LiteRT (warm cache)" if name == "litert" else "TensorFlow"
        print(f"{label:<28} {statistics.median(values):9.2f} {min(values):7.2f} "
              f"{max(values):7.2f}")
    print(f"{'LiteRT, first run (converts)':<28} {cold:9.2f}")
    ratio = statistics.median(times["tensorflow"]) / statistics.median(times["litert"])
    print(f"TensorFlow / LiteRT median: {ratio:.1f}x")


if __name__ == "__main__":
    main()
