"""CPU per model call on one live window (2304 samples at 16 kHz): LiteRT against TensorFlow.

Both backends run SPICE on the same windows of a harmonic tone with light noise, in this process,
one thread each (as `pitchlive listen` runs them). The process's CPU time (all threads) and the
wall time over --calls calls are taken in --rounds alternating rounds; medians are printed.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel python bench/backend_cost.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WINDOW_SAMPLES = 2304


def windows(n_windows: int) -> list[np.ndarray]:
    """Consecutive live windows (hop 512) of a 220 Hz harmonic tone with noise."""
    rng = np.random.default_rng(0)
    n = WINDOW_SAMPLES + 512 * n_windows
    t = np.arange(n) / 16000
    audio = sum(np.sin(2 * np.pi * k * 220.0 * t) / k for k in range(1, 6)) * 0.2
    audio = (audio + 0.01 * rng.standard_normal(n)).astype(np.float32)
    return [audio[i * 512:i * 512 + WINDOW_SAMPLES] for i in range(n_windows)]


def cost(model, batch: list[np.ndarray]) -> tuple[float, float]:
    """(CPU ms per call, wall ms per call)."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for window in batch:
        model.infer(window)
    n = len(batch)
    return (time.process_time() - cpu0) / n * 1e3, (time.perf_counter() - wall0) / n * 1e3


def main() -> None:
    """Print per-call figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    if not os.environ.get("PITCHLIVE_MODEL"):
        sys.exit("set PITCHLIVE_MODEL to the SPICE SavedModel folder")
    from pitchlive.model import load_live_model
    from pitchlive.settings import Settings

    settings = Settings()
    with tempfile.TemporaryDirectory() as cache:
        os.environ["PITCHLIVE_MODEL_CACHE"] = cache
        models = {"LiteRT": load_live_model(settings, backend="litert"),
                  "TensorFlow": load_live_model(settings, backend="tensorflow")}
        batch = windows(args.calls)
        for model in models.values():
            cost(model, batch[:30])     # warm
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in models}
        for _ in range(args.rounds):
            for name, model in models.items():
                figures[name].append(cost(model, batch))
    print(f"SPICE {models['LiteRT'].info.version}, one live window ({WINDOW_SAMPLES} samples), "
          f"{args.calls} calls x {args.rounds} rounds, medians")
    print(f"{'backend':<12} {'CPU ms/call':>12} {'wall ms/call':>13}")
    for name, values in figures.items():
        cpu = statistics.median(v[0] for v in values)
        wall = statistics.median(v[1] for v in values)
        print(f"{name:<12} {cpu:12.2f} {wall:13.2f}")
    ratio = statistics.median(v[0] for v in figures["TensorFlow"]) / \
        statistics.median(v[0] for v in figures["LiteRT"])
    print(f"TensorFlow / LiteRT CPU per call: {ratio:.1f}x")


if __name__ == "__main__":
    main()
