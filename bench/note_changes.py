"""Fast note changes (tracking/note_change.py): live accuracy with them off and on, one run.

Every take of the accuracy corpus (bench/accuracy_corpus.py) under every condition (clean, 20,
10 and 0 dB SNR, the rooms) goes through the live path (pitchlive.analysis.live.live_frames, what
`pitchlive analyze --live` runs) twice, with Settings.fast_note_changes off and on, for each
live window asked for (the default, and low-latency mode with --low-latency). Printed per
condition: live RPA off and on, and how many frames the newest audio decided; then, on the clean
exact notes, frames an octave off on steady notes and the needle on vibrato notes (its spread and
how often the named note flips within a note), and the stage's CPU per live frame.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel .venv/bin/python bench/note_changes.py
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import accuracy as acc  # noqa: E402  (sets the paths and TensorFlow's threads)
import accuracy_corpus as corpus  # noqa: E402

import pitchlive.tracking.live as live_stage  # noqa: E402
from pitchlive.settings import Settings  # noqa: E402
from pitchlive.tracking.note_change import note_change  # noqa: E402

CONDITION_ORDER = ("clean", "20 dB", "10 dB", "0 dB", "room")
EARLY_CHANGE = live_stage.LiveTracker.early_change


class CountingChange:
    """note_change, counting the frames where it took over and the CPU of every call (the
    worker thread's own CPU time); the early looks (LiveTracker.early_change) apart: how many
    frames they read early, and their CPU."""

    def __init__(self) -> None:
        self.taken = 0
        self.early_reads = 0
        self.costs_s: list[float] = []
        self.early_costs_s: list[float] = []

    def __call__(self, *args):
        start = time.thread_time()
        change = note_change(*args)
        self.costs_s.append(time.thread_time() - start)
        self.taken += change is not None
        return change

    def early(self, tracker, window_16k) -> bool:
        """LiveTracker.early_change, counted."""
        start = time.thread_time()
        changed = EARLY_CHANGE(tracker, window_16k)
        self.early_costs_s.append(time.thread_time() - start)
        self.early_reads += changed
        return changed


def run(takes, model, settings: Settings):
    """({(take, condition): (times, hz, voiced, midi)}, {condition: (frames the newest audio
    decided, frames read early)}, the CountingChange)."""
    import soundfile as sf

    from pitchlive.analysis.live import live_frames

    counter = CountingChange()
    live_stage.note_change = counter
    live_stage.LiveTracker.early_change = lambda tracker, window: counter.early(tracker, window)
    out, decided = {}, {label: np.zeros(2, int) for label in CONDITION_ORDER}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "take.wav"
            for i, take in enumerate(takes):
                for label, snr in acc.conditions_of(take):
                    sf.write(str(wav), corpus.condition(take, snr), corpus.SAMPLE_RATE_HZ,
                             subtype="FLOAT")
                    before = np.array([counter.taken, counter.early_reads])
                    frames, _, _ = live_frames(wav, model, settings)
                    decided[label] += np.array([counter.taken, counter.early_reads]) - before
                    out[i, label] = (np.array([f.time_s for f in frames]),
                                     np.array([f.frequency_hz for f in frames]),
                                     np.array([f.confidence for f in frames]) >= acc.THRESHOLD,
                                     np.array([f.midi if f.voiced else -1 for f in frames]))
    finally:
        live_stage.note_change = note_change
        live_stage.LiveTracker.early_change = EARLY_CHANGE
    return out, decided, counter


def note_flips(results, takes) -> int:
    """Changes of the named note inside the clean vibrato exact notes (each should read one)."""
    flips = 0
    for i, take in enumerate(takes):
        if take.kind != "exact" or not take.vibrato.any() or (i, "clean") not in results:
            continue
        times, _, _, midi = results[i, "clean"]
        frame_of = np.clip(np.round(times / (take.times_s[1] - take.times_s[0])).astype(int), 0,
                           take.vibrato.size - 1)
        inside = take.vibrato[frame_of]
        edges = np.flatnonzero(np.diff(np.concatenate(([0], inside.astype(int), [0]))))
        for start, stop in zip(edges[::2], edges[1::2]):
            named = midi[start:stop]
            named = named[named >= 0]
            flips += int(np.sum(named[1:] != named[:-1]))
    return flips


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--low-latency", action="store_true",
                        help="also the low-latency mode's window (Settings.low_latency)")
    parser.add_argument("--kinds", nargs="*", default=["gm", "exact", "room"],
                        help="corpus kinds to run (gm, exact, room)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", module="mir_eval")
    from engine_common import load_spice

    model = load_spice()
    takes = [t for t in corpus.load() if t.kind in args.kinds]
    print(f"{len(takes)} takes ({', '.join(args.kinds)}); threshold {acc.THRESHOLD}")
    windows = [("default", Settings())]
    if args.low_latency:
        windows.append(("low latency", Settings(low_latency=True)))
    print("| window | condition | live RPA off | live RPA on | on - off | frames decided | "
          "frames read early |")
    print("|---|---|---|---|---|---|---|")
    extra = []
    for name, settings in windows:
        base = settings.replace(low_latency=False) if settings.low_latency else settings
        window = settings.live_window
        off_settings = Settings(window_samples=window[0], right_context_samples=window[1],
                                fast_note_changes=False)
        on_settings = settings if settings.low_latency else base.replace(fast_note_changes=True)
        off, _, _ = run(takes, model, off_settings)
        on, decided, counter = run(takes, model, on_settings)
        costs_s, early_s = np.array(counter.costs_s), np.array(counter.early_costs_s)
        if early_s.size:
            share = np.sum(early_s) / max(1, costs_s.size) * 16000 / 512
            extra.append(f"{name}: early looks (LiveTracker.early_change), {early_s.size}: mean "
                         f"{1e6 * np.mean(early_s):.0f} us ({share:.4f} of a core at 31.25 "
                         "frames/s)")
        extra.append(f"{name}: note_change CPU per live frame over {costs_s.size} frames: median "
                     f"{1e6 * np.median(costs_s):.0f} us, mean {1e6 * np.mean(costs_s):.0f} us, "
                     f"p95 {1e6 * np.percentile(costs_s, 95):.0f} us "
                     f"({np.mean(costs_s) * 16000 / 512:.4f} of a core at 31.25 frames/s)")
        for label in CONDITION_ORDER:
            pick = {k: v[:3] for k, v in off.items()}
            s_off = acc.pooled_scores(pick, takes, label)
            s_on = acc.pooled_scores({k: v[:3] for k, v in on.items()}, takes, label)
            if s_off is None:
                continue
            print(f"| {name} | {label} | {s_off.rpa:.4f} | {s_on.rpa:.4f} | "
                  f"{s_on.rpa - s_off.rpa:+.4f} | {decided[label][0]} | {decided[label][1]} |",
                  flush=True)
        for tag, result in (("off", off), ("on", on)):
            plain = {k: v[:3] for k, v in result.items()}
            _, _, octaves = acc.steady_reading(plain, takes, "steady")
            extra.append(f"{name}, note changes {tag}: steady exact notes, frames an octave off "
                         f"{octaves}; named-note flips inside vibrato notes "
                         f"{note_flips(result, takes)}")
    print("\n".join(extra))


if __name__ == "__main__":
    main()
