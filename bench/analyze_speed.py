"""Benchmark `pitchlive analyze`: speed (x real time) and peak RSS on 1- and 10-minute files.

Each run is a fresh process (model load included in "command", excluded in "analysis"); peak
RSS is that process's own maximum resident set (wait4). Prints medians over --runs runs.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel python bench/analyze_speed.py
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

RATE_HZ = 44100


def make_file(path: Path, minutes: float) -> None:
    """A 44.1 kHz stereo take: a sung-like melody of harmonic notes with vibrato, and rests."""
    rng = np.random.default_rng(7)
    note_s = 0.4
    with sf.SoundFile(str(path), "w", RATE_HZ, 2, "PCM_16") as out:
        written, total = 0, int(minutes * 60 * RATE_HZ)
        t = np.arange(int(note_s * RATE_HZ)) / RATE_HZ
        while written < total:
            midi = int(rng.integers(48, 76))
            f = 440 * 2 ** ((midi - 69) / 12) * 2 ** (0.3 / 12 * np.sin(2 * np.pi * 5.5 * t))
            phase = 2 * np.pi * np.cumsum(f) / RATE_HZ
            note = sum(np.sin(k * phase) / k for k in range(1, 6)) * 0.2
            if rng.random() < 0.15:
                note = np.zeros_like(note)
            n = min(note.size, total - written)
            out.write(np.stack([note[:n], note[:n] * 0.8], axis=1))
            written += n


def child(path: str) -> None:
    """Run analyze in this process and print timings as JSON."""
    started = time.perf_counter()
    from pitchlive.cli import settings_from_args  # noqa: F401 - import cost counted
    from pitchlive.model import load_model
    from pitchlive.analysis.file import analyze_file
    from pitchlive.settings import Settings

    model = load_model(Settings())
    loaded = time.perf_counter()
    from pitchlive.cli import main

    # The real command path (CSV writing included), on the already-imported modules.
    import pitchlive.model
    pitchlive.model.load_model = lambda settings=None: model
    code = main(["analyze", path, "-o", path + ".csv"])
    finished = time.perf_counter()
    assert code == 0
    del analyze_file
    print(json.dumps({"load_s": loaded - started, "analysis_s": finished - loaded,
                      "total_s": finished - started}))


def measure(path: Path) -> dict:
    """One fresh-process run: timings and peak RSS."""
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"analyze failed on {path} (status {status})")
    result = json.loads(proc.stdout.read())
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if not os.environ.get("PITCHLIVE_MODEL"):
        raise SystemExit("set PITCHLIVE_MODEL to a local SPICE SavedModel (make bench does)")
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for minutes in (1, 10):
            path = Path(tmp) / f"take_{minutes}min.wav"
            make_file(path, minutes)
            runs = [measure(path) for _ in range(args.runs)]
            duration_s = minutes * 60
            analysis_s = statistics.median(r["analysis_s"] for r in runs)
            total_s = statistics.median(r["total_s"] for r in runs)
            rows.append((minutes, analysis_s, duration_s / analysis_s, total_s,
                         duration_s / total_s, statistics.median(r["peak_rss_mb"] for r in runs)))
    print(f"pitchlive analyze, {RATE_HZ} Hz stereo 16-bit WAV, median of {args.runs} runs")
    print("| file | analysis s | x real time | whole command s (with model load) | x real time "
          "| peak RSS MB |")
    print("|---|---|---|---|---|---|")
    for minutes, analysis_s, x_analysis, total_s, x_total, rss in rows:
        print(f"| {minutes} min | {analysis_s:.2f} | {x_analysis:.0f}x | {total_s:.2f} | "
              f"{x_total:.0f}x | {rss:.0f} |")
    growth = rows[1][5] - rows[0][5]
    print(f"peak RSS growth from 1 to 10 minutes: {growth:+.0f} MB")


if __name__ == "__main__":
    main()
