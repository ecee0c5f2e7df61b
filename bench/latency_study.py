"""Hop and right context of the live path: latency and live accuracy, one table, one run.

For each (hop, right context, window) the engine runs
- the pitch-step signal through the real-time file source (bench/engine_common.py
  step_latencies_file): ring buffer -> first frame at the new pitch, median over the steps;
- the accuracy corpus (bench/accuracy_corpus.py; --takes N: N takes spread over it, --snr:
  the conditions) through the real engine at full speed: live RPA pooled over those takes, beside
  whole-file analysis of the same audio (the accuracy issue: live within 0.01 of whole-file);
- the CPU per second of audio at that hop (process CPU of the full-speed runs: decoding, the
  worker and the refinement; the model is most of it).
With --note-changes both (the default) every configuration runs twice, without and with the fast
note changes of tracking/note_change.py (Settings.fast_note_changes; low-latency mode has them).

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel python bench/latency_study.py --takes 8
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import accuracy_corpus as corpus  # noqa: E402
from accuracy_metrics import score, to_grid  # noqa: E402
from engine_common import load_spice, step_latencies_file  # noqa: E402

from pitchlive.settings import Settings  # noqa: E402

THRESHOLD = 0.9
# (hop, right context, window): the window is the shipped 2304 samples where SPICE has a frame
# that far before its end, else the nearest length that has one.
CONFIGS = ((512, 768, 2304), (512, 512, 2560), (512, 512, 2048), (512, 256, 2304),
           (512, 256, 1792), (512, 0, 2048),
           (256, 768, 2304), (256, 512, 2560), (256, 256, 2304), (256, 0, 2048))


def live_track(path: Path, model, settings: Settings, hop: int):
    """(times, frequency, voiced by threshold, process CPU s) of a file through the engine."""
    from pitchlive.audio.sources import FileSource
    from pitchlive.engine import Engine

    engine = Engine(settings, model, FileSource(path, realtime=False), hop_samples=hop)
    frames = []
    engine.subscribe(frames.append)
    start = time.process_time()
    engine.start()
    engine.wait(600)
    engine.stop()
    used = time.process_time() - start
    return (np.array([f.time_s for f in frames]), np.array([f.frequency_hz for f in frames]),
            np.array([f.confidence for f in frames]) >= THRESHOLD, used)


def pooled(results, takes):
    truths, estimates, voiced = [], [], []
    for i, (times, frequency, on) in results:
        f, v = to_grid(times, frequency, on, takes[i].times_s)
        truths.append(takes[i].truth_hz)
        estimates.append(f)
        voiced.append(v)
    return score(np.concatenate(truths), np.concatenate(estimates), np.concatenate(voiced))


def main() -> None:
    """Print the table."""
    import soundfile as sf

    from pitchlive.analysis.inference import predict

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--takes", type=int, default=8,
                        help="N takes spread over the corpus (rooms aside)")
    parser.add_argument("--snr", type=float, nargs="*", default=[10.0],
                        help="noisy conditions besides clean (dB SNR)")
    parser.add_argument("--steps", type=int, default=24, help="pitch steps for the latency")
    parser.add_argument("--hops", type=int, nargs="*", default=[512, 256])
    parser.add_argument("--right", type=int, nargs="*", default=[768, 512, 256, 0],
                        help="right contexts to run (samples)")
    parser.add_argument("--windows", type=int, nargs="*", default=[2304, 2560, 2048, 1792],
                        help="window lengths to run (samples)")
    parser.add_argument("--note-changes", choices=("off", "on", "both"), default="both",
                        help="fast note changes (Settings.fast_note_changes) off, on or both")
    args = parser.parse_args()
    changes = {"off": (False,), "on": (True,), "both": (False, True)}[args.note_changes]
    model = load_spice()
    takes = corpus.load()
    # Spread over the corpus (low to high instruments, voices, the exact notes), rooms aside.
    plain = [t for t in takes if t.kind != "room"]
    chosen = [plain[int(i)] for i in np.unique(np.linspace(0, len(plain) - 1, args.takes)
                                               .round().astype(int))]
    index = {id(t): takes.index(t) for t in chosen}
    conditions = [None] + list(args.snr)
    whole = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for take in chosen:
            for snr in conditions:
                audio = corpus.condition(take, snr)
                path = Path(tmp) / f"{index[id(take)]}-{snr}.wav"
                sf.write(str(path), audio, corpus.SAMPLE_RATE_HZ, subtype="FLOAT")
                paths.append((index[id(take)], path))
                track = predict(audio, corpus.SAMPLE_RATE_HZ, model)
                whole.append((index[id(take)], (track.times_s, track.frequency_hz,
                                                track.confidence >= THRESHOLD)))
        whole_rpa = pooled(whole, takes).rpa
        seconds = sum(takes[i].audio.size for i, _ in paths) / corpus.SAMPLE_RATE_HZ
        print(f"takes: {', '.join(t.name for t in chosen)}")
        print(f"{len(chosen)} takes x {len(conditions)} conditions ({seconds:.0f} s of audio); "
              f"whole-file RPA {whole_rpa:.3f}")
        print("| hop | right context | window | note changes | latency median (p95) | live RPA | "
              "live - whole | CPU s per s |")
        print("|---|---|---|---|---|---|---|---|")
        rows = [(config, fast) for config in CONFIGS for fast in changes]
        for (hop, right, window), fast in rows:
            if hop not in args.hops or right not in args.right or window not in args.windows:
                continue
            settings = Settings(right_context_samples=right, window_samples=window,
                                fast_note_changes=fast)
            live, cpu = [], 0.0
            for i, path in paths:
                times, frequency, on, used = live_track(path, model, settings, hop)
                live.append((i, (times, frequency, on)))
                cpu += used
            rpa = pooled(live, takes).rpa
            lat = step_latencies_file(model, settings, n_steps=args.steps, hop_samples=hop)
            found = lat[np.isfinite(lat)]
            print(f"| {hop} ({hop / 16:.0f} ms) | {right} ({right / 16:.0f} ms) | {window} | "
                  f"{'on' if fast else 'off'} | "
                  f"{1000 * np.median(found):.1f} ms ({1000 * np.percentile(found, 95):.0f}) "
                  f"| {rpa:.3f} | {rpa - whole_rpa:+.3f} | {cpu / seconds:.3f} |", flush=True)


if __name__ == "__main__":
    main()
