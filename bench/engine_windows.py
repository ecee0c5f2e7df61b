"""Window study: which SPICE window length and which frame of each call to keep, live.

The kept frame is named by its right context: the audio after its centre that the call sees
(0 = the call's last frame; 512 = one hop back). For each (window, right context, hop) setting
it measures, through pitchlive's own code:
- accuracy: the live windowing (SlidingWindows, every window run) on fluidsynth melodies of six
  instruments (~60 s), scored against the MIDI truth, next to whole-file analysis;
- CPU: median CPU seconds of one model call x calls per second of audio;
- latency: pitch steps through the real-time file source (bench/engine_latency.py's measure).

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel python bench/engine_windows.py
"""

from __future__ import annotations

import argparse

import numpy as np

from engine_common import (StudySettings, accuracy, corpus, infer_cpu_s, load_spice,
                           step_latencies_file, stream_offline)

from pitchlive.analysis.inference import predict

CONFIGS = [  # (window samples, right context samples, hop samples)
    (1024, 0, 512), (1024, 512, 512),
    (2048, 0, 512), (2048, 512, 512), (2048, 1024, 512),
    (4096, 0, 512), (4096, 512, 512), (4096, 1024, 512),
    (8192, 0, 512), (8192, 512, 512),
    (1280, 256, 512), (2304, 256, 512), (4352, 256, 512), (8448, 256, 512),
    (1024, 512, 256), (2048, 512, 256),
]


def main() -> None:
    """Print the study as a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="pitch steps per latency run")
    parser.add_argument("--no-latency", action="store_true", help="skip the real-time runs")
    args = parser.parse_args()
    model = load_spice()
    items = corpus()
    seconds = sum(a.size for _, a, _ in items) / 16000
    print(f"corpus: {len(items)} melodies, {seconds:.0f} s; threshold 0.9; 50-cent tolerance")

    def pooled(tracks):
        rpa = np.mean([accuracy(*t, notes).rpa for t, (_, _, notes) in zip(tracks, items)])
        pitch = np.mean([accuracy(*t, notes).pitch_only for t, (_, _, notes) in zip(tracks,
                                                                                      items)])
        return rpa, pitch

    whole = [predict(audio, 16000, model) for _, audio, _ in items]
    rpa, pitch = pooled([(t.times_s, t.frequency_hz, t.confidence) for t in whole])
    print(f"whole-file analysis: RPA {rpa:.3f}, pitch-only {pitch:.3f}\n")
    print("| window (samples / ms) | right context (samples / ms) | hop | RPA | pitch-only | "
          "step latency median / p95 (ms) | CPU s per s |")
    print("|---|---|---|---|---|---|---|")
    cpu_cache: dict[int, float] = {}
    for window, right, hop in CONFIGS:
        tracks = [stream_offline(audio, model.infer, window, right, hop) for _, audio, _ in items]
        rpa, pitch = pooled(tracks)
        if window not in cpu_cache:
            cpu_cache[window] = infer_cpu_s(model, window)
        cpu = cpu_cache[window] * 16000 / hop
        if args.no_latency:
            latency = "-"
        else:
            settings = StudySettings(window_samples=window, right_context_samples=right,
                                     smoothing=False)
            lat = step_latencies_file(model, settings, n_steps=args.steps, hop_samples=hop)
            found = lat[np.isfinite(lat)]
            latency = (f"{1000 * np.median(found):.0f} / {1000 * np.percentile(found, 95):.0f}"
                       + ("" if found.size == lat.size else f" ({lat.size - found.size} missed)"))
        print(f"| {window} / {window / 16:.0f} | {right} / {right / 16:.0f} | {hop} | {rpa:.3f} | "
              f"{pitch:.3f} | {latency} | {cpu:.3f} |", flush=True)


if __name__ == "__main__":
    main()
