"""Accuracy of pitchlive (live, whole-file, raw SPICE) beside the peers, in one table, one run.

The corpus (bench/accuracy_corpus.py, ~5 min of audio, cached in bench/out) holds 17 GM
instruments and voices from E1 to C7 with vibrato and glides, exact-truth synthetic notes E1-C7 in
three timbres with and without vibrato, and six takes in a synthetic room; every take but the room
ones is also scored with pink noise at 20, 10 and 0 dB SNR.

- pitchlive live: each take as a WAV through the real engine at full speed
  (pitchlive.analysis.live.analyze_file_live, what `pitchlive analyze --live` runs), default
  settings; voiced = confidence >= 0.9 (the default threshold);
- pitchlive whole-file: pitchlive.analysis.predict (what analyze/transcribe/the Recording view
  use); raw SPICE: the same with the refinement stage off (`--raw`);
- peers (bench/accuracy_peers.py, run in .venv-bench made by `make bench-peers`; skipped with a
  note when it is missing): pYIN, CREPE tiny, PESTO, swift-f0, Praat, each with its own voicing.

Metrics over all frames of a condition (mir_eval): RPA and RCA (pitch within 50 cents, octave
ignored for RCA, whatever the voicing), voicing recall and false alarm, median and 95th-percentile
absolute error in cents over frames voiced in truth and estimate, and the share of those an octave
off. Below the table, the live reading on the steady exact notes (bias and standard deviation per
note) and the vibrato-centre reading on the vibrato notes.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel .venv/bin/python bench/accuracy.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")

import accuracy_corpus as corpus  # noqa: E402
from accuracy_metrics import cents_error, score, to_grid  # noqa: E402

PEER_VENV = ROOT / ".venv-bench"
THRESHOLD = 0.9
CONDITIONS = (("clean", None), ("20 dB", 20.0), ("10 dB", 10.0), ("0 dB", 0.0))


def conditions_of(take):
    """(label, snr) pairs a take is scored under: rooms only as they are."""
    if take.kind == "room":
        return [("room", None)]
    return list(CONDITIONS)


def run_pitchlive(takes, model, live: bool):
    """{(take index, condition label): (times, frequency, voiced)} for live, whole and raw."""
    import soundfile as sf

    from pitchlive.analysis.inference import predict
    from pitchlive.analysis.live import live_frames
    from pitchlive.settings import Settings

    out = {"pitchlive live": {}, "pitchlive whole-file": {}, "raw SPICE": {}}
    readings = {}      # live needle readings (vibrato centre), clean takes
    cpu = {name: 0.0 for name in out}
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "take.wav"
        for i, take in enumerate(takes):
            for label, snr in conditions_of(take):
                audio = corpus.condition(take, snr)
                for name, refine in (("pitchlive whole-file", True), ("raw SPICE", False)):
                    start = time.process_time()
                    track = predict(audio, corpus.SAMPLE_RATE_HZ, model, refine=refine)
                    cpu[name] += time.process_time() - start
                    out[name][i, label] = (track.times_s, track.frequency_hz,
                                           track.confidence >= THRESHOLD)
                if live:
                    sf.write(str(wav), audio, corpus.SAMPLE_RATE_HZ, subtype="FLOAT")
                    start = time.process_time()
                    frames, _, _ = live_frames(wav, model, Settings())
                    cpu["pitchlive live"] += time.process_time() - start
                    times = np.array([f.time_s for f in frames])
                    out["pitchlive live"][i, label] = (
                        times, np.array([f.frequency_hz for f in frames]),
                        np.array([f.confidence for f in frames]) >= THRESHOLD)
                    if label == "clean":
                        readings[i, label] = (times, np.array([f.reading_hz or np.nan
                                                               for f in frames]),
                                              np.array([f.voiced for f in frames]))
    if not live:
        del out["pitchlive live"], cpu["pitchlive live"]
    return out, cpu, readings


def run_peers(takes) -> tuple[dict, dict, str]:
    """Peer results from .venv-bench (run once per corpus version, then cached)."""
    python = PEER_VENV / "bin" / "python"
    if not python.is_file():
        return {}, {}, (f"peers skipped: {PEER_VENV} is missing (`make bench-peers` makes it: "
                        "pYIN, CREPE tiny, PESTO, swift-f0, Praat)")
    out_dir = ROOT / "bench" / "out" / f"accuracy_peers-{corpus.corpus_key()}"
    subprocess.run([str(python), str(Path(__file__).with_name("accuracy_peers.py")),
                    str(out_dir)], check=False)
    results, cpu = {}, {}
    for path in sorted(out_dir.glob("*.npz")):
        data = np.load(path)
        name = path.stem
        cpu[name] = float(data["cpu_s"])
        results[name] = {}
        for i, take in enumerate(takes):
            for label, snr in conditions_of(take):
                key = f"{i}_{snr}"
                results[name][i, label] = (data[f"t{key}"], data[f"f{key}"], data[f"v{key}"])
    return results, cpu, ""


def pooled_scores(results: dict, takes, label: str):
    """Scores of one estimator over every take scored under label."""
    truths, estimates, voiced = [], [], []
    for (i, cond), (times, frequency, on) in results.items():
        if cond != label:
            continue
        grid = takes[i].times_s
        f, v = to_grid(times, frequency, on, grid)
        truths.append(takes[i].truth_hz)
        estimates.append(f)
        voiced.append(v)
    if not truths:
        return None
    return score(np.concatenate(truths), np.concatenate(estimates), np.concatenate(voiced))


def steady_reading(results: dict, takes, mask_name: str):
    """Per exact note (clean): (median error, std) in cents of the reading, and octave frames."""
    biases, stds, octave_frames = [], [], 0
    for i, take in enumerate(takes):
        mask = getattr(take, mask_name)
        if take.kind != "exact" or not mask.any() or (i, "clean") not in results:
            continue
        times, frequency, _ = results[i, "clean"]
        f, _ = to_grid(times, frequency, np.ones(len(times), bool), take.times_s)
        reference = take.centre_hz if mask_name == "vibrato" else take.truth_hz
        err = cents_error(f, reference)
        # Each note is a run of consecutive masked frames.
        edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(int), [0]))))
        for start, stop in zip(edges[::2], edges[1::2]):
            e = err[start:stop]
            e = e[np.isfinite(e)]
            octave_frames += int(np.sum(np.abs(e) > 600))
            e = e[np.abs(e) <= 600]
            if e.size:
                biases.append(float(np.median(e)))
                stds.append(float(np.std(e)))
    return np.array(biases), np.array(stds), octave_frames


def live_stage_cpu(takes, model, n_frames: int = 2000) -> float:
    """Median CPU seconds of the live refinement on real live windows (2304 samples), with the
    stream's running noise estimate used and learnt as pitchlive.tracking.live does (audible
    noise only; learnt from frames without a clear period) and the frame before as a prior."""
    from pitchlive.tracking.denoise import RunningNoise
    from pitchlive.tracking.live import NOISE_ONLY_CLARITY
    from pitchlive.tracking.refine import refine_live_frame

    audio = np.concatenate([t.audio for t in takes if t.kind == "gm"])
    starts = np.linspace(0, audio.size - 2304, n_frames).astype(int)
    windows = [audio[s:s + 2304] for s in starts]
    estimates = [model.infer(w) for w in windows[:200]]
    costs = []
    running_noise = RunningNoise()
    previous = None
    for i, window in enumerate(windows):
        frequency, confidence = estimates[i % len(estimates)]
        start = time.process_time()
        refined = refine_live_frame(window, 2048, float(frequency[4]), float(confidence[4]),
                                    noise_power=running_noise.audible(window),
                                    previous=previous)
        if refined.periodicity[0] < NOISE_ONLY_CLARITY:
            running_noise.update(window)
        # The tracker's second prior (the frame before), here on every frame: its full cost.
        previous = (float(refined.frequency_hz[0]), float(refined.periodicity[0]))
        costs.append(time.process_time() - start)
    return float(np.median(costs))


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-live", action="store_true", help="skip the live path (faster)")
    parser.add_argument("--no-peers", action="store_true", help="pitchlive's columns only")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", module="mir_eval")
    if not os.environ.get("PITCHLIVE_MODEL"):
        sys.exit("set PITCHLIVE_MODEL to the SPICE SavedModel folder "
                 "(e.g. ../shared/models/spice_1_savedmodel)")
    from pitchlive.model import load_model
    from pitchlive.settings import Settings

    takes = corpus.load()
    seconds = sum(t.audio.size for t in takes) / corpus.SAMPLE_RATE_HZ
    print(f"corpus: {len(takes)} takes, {seconds:.0f} s clean "
          f"({sum(t.kind == 'gm' for t in takes)} GM instruments/voices, "
          f"{sum(t.kind == 'exact' for t in takes)} exact-note takes E1-C7, "
          f"{sum(t.kind == 'room' for t in takes)} in a room); threshold {THRESHOLD}", flush=True)
    model = load_model(Settings())
    results, cpu, readings = run_pitchlive(takes, model, live=not args.no_live)
    note = "peers skipped (--no-peers)"
    if not args.no_peers:
        peers, peer_cpu, note = run_peers(takes)
        results.update(peers)
        cpu.update(peer_cpu)
    if note:
        print(note)
    audio_s = sum(t.audio.size * len(conditions_of(t)) for t in takes) / corpus.SAMPLE_RATE_HZ
    print(f"\n| estimator | condition | RPA | RCA | voicing recall | voicing false alarm | "
          f"median cents | p95 cents | octave errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label in [c for c, _ in CONDITIONS] + ["room"]:
        for name, per_take in results.items():
            s = pooled_scores(per_take, takes, label)
            if s is None:
                continue
            print(f"| {name} | {label} | {s.rpa:.3f} | {s.rca:.3f} | {s.voicing_recall:.3f} | "
                  f"{s.voicing_false_alarm:.3f} | {s.median_cents:.2f} | {s.p95_cents:.1f} | "
                  f"{100 * s.octave_share:.1f}% |")
    print("\nSteady exact notes E1-C7 (3 timbres, clean), reading per note: bias = median error, "
          "std over the note's frames (cents)")
    for name in ("pitchlive live", "pitchlive whole-file", "raw SPICE"):
        if name not in results:
            continue
        bias, std, octaves = steady_reading(results[name], takes, "steady")
        print(f"  {name}: {bias.size} notes; |bias| median {np.median(np.abs(bias)):.3f}, max "
              f"{np.max(np.abs(bias)):.3f}; std median {np.median(std):.3f}, max "
              f"{np.max(std):.3f}; frames an octave or more off: {octaves}")
    if readings:
        bias, std, octaves = steady_reading(readings, takes, "vibrato")
        print(f"\nVibrato exact notes (+-{corpus.VIBRATO_WIDTH_CENTS:.0f} cents, "
              f"{corpus.VIBRATO_RATE_HZ} Hz), live needle reading vs the true centre: {bias.size} "
              f"notes; |median error| median {np.median(np.abs(bias)):.2f}, max "
              f"{np.max(np.abs(bias)):.2f} cents; std over a note median {np.median(std):.2f} "
              f"cents (the raw contour swings +-{corpus.VIBRATO_WIDTH_CENTS:.0f})")
    per_frame = live_stage_cpu(takes, model)
    print(f"\nLive cost of the refinement stage (noise estimate included): {1000 * per_frame:.3f} "
          f"ms CPU per frame (median of 2000), {per_frame * 16000 / 512:.4f} of a core at "
          "31.25 frames/s")
    print(f"\nCPU seconds per second of audio ({audio_s:.0f} s scored):")
    for name, seconds_cpu in cpu.items():
        print(f"  {name}: {seconds_cpu / audio_s:.4f}")


if __name__ == "__main__":
    main()
