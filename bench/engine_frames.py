"""The engine's PitchFrames on a fixed signal, to check that a speed-up changes no number.

Runs the live engine on a fixed 8 s signal at 48 kHz (bench/engine_common.py step_signal, light
noise, one quiet second below the level gate) through a file source taken as fast as the worker
goes (every window analysed, nothing skipped), and pickles every PitchFrame's fields. Dump from
two checkouts, then compare:

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel python bench/engine_frames.py --dump a.pkl
    python bench/engine_frames.py --compare a.pkl b.pkl
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import pickle
import tempfile
from pathlib import Path

import numpy as np

RATE_HZ = 48000


def dump(path: Path) -> None:
    """Run the engine on the fixed signal and pickle its frames' fields to path."""
    import soundfile as sf
    from engine_common import chosen_settings, load_spice, step_signal

    from pitchlive.audio.sources import FileSource
    from pitchlive.engine import Engine

    model, settings = load_spice(), chosen_settings()
    audio = step_signal(RATE_HZ, 20)[0][:RATE_HZ * 8]
    audio = audio + 0.01 * np.random.default_rng(1).standard_normal(audio.size)
    audio[RATE_HZ * 3:RATE_HZ * 4] *= 0.001
    frames: list = []
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "input.wav"
        sf.write(str(wav), audio.astype(np.float32), RATE_HZ, subtype="FLOAT")
        engine = Engine(settings, model, FileSource(wav, realtime=False))
        engine.subscribe(frames.append)
        engine.start()
        engine.wait(120)
        engine.stop()
    path.write_bytes(pickle.dumps([dataclasses.asdict(frame) for frame in frames]))
    print(f"{len(frames)} frames written to {path}")


def largest_difference(a: list[dict], b: list[dict]) -> float:
    """Largest absolute difference between matching float fields; raises if others differ."""
    if len(a) != len(b):
        raise SystemExit(f"different frame counts: {len(a)} and {len(b)}")
    worst = 0.0
    for x, y in zip(a, b):
        for key, u in x.items():
            v = y[key]
            if isinstance(u, float) and isinstance(v, float):
                if not (math.isnan(u) and math.isnan(v)):
                    worst = max(worst, abs(u - v))
            elif u != v:
                raise SystemExit(f"frame at {x['time_s']:.3f} s: {key} {u!r} != {v!r}")
    return worst


def main() -> None:
    """Dump or compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--compare", type=Path, nargs=2)
    args = parser.parse_args()
    if args.dump:
        dump(args.dump)
    if args.compare:
        a, b = (pickle.loads(p.read_bytes()) for p in args.compare)
        print(f"{len(a)} frames; largest difference {largest_difference(a, b):.3g}")


if __name__ == "__main__":
    main()
