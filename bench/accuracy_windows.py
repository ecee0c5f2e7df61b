"""Live window study on the accuracy corpus (low instruments included), with the refinement stage.

For each live setting (SPICE window, right context, smoothing) every clean take of
bench/accuracy_corpus.py (17 GM instruments and voices E1-C7, the exact notes) runs through the real engine at full speed (pitchlive.analysis.live), and is scored as
bench/accuracy.py scores it, beside whole-file analysis; the low instruments (electric bass, tuba,
bassoon, cello, trombone, low choir) are also shown on their own. Clean takes only (the noisy ones
would triple the run; bench/accuracy.py scores the chosen window in noise). CPU: the model's median CPU per
call times calls per second.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel .venv/bin/python bench/accuracy_windows.py
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

from accuracy import THRESHOLD, pooled_scores
import accuracy_corpus as corpus
from engine_common import infer_cpu_s, load_spice

LOW = ("electric bass", "tuba", "bassoon", "cello", "trombone", "choir aahs low")
CONFIGS = [  # (window samples, right context samples, smoothing)
    (2304, 256, True), (2304, 256, False), (2304, 768, True), (2304, 768, False),
    (4352, 256, False), (4352, 768, False),
]


def main() -> None:
    """Print the study as a markdown table."""
    import soundfile as sf

    from pitchlive.analysis.inference import predict
    from pitchlive.analysis.live import analyze_file_live
    from pitchlive.settings import Settings

    warnings.filterwarnings("ignore", module="mir_eval")
    model = load_spice()
    takes = [t for t in corpus.load() if t.kind != "room"]
    low = {i for i, t in enumerate(takes) if t.name in LOW}
    conditions = (("clean", None),)

    def scores(results):
        row = []
        row.append(pooled_scores(results, takes, "clean").rpa)
        row.append(pooled_scores({k: v for k, v in results.items() if k[0] in low}, takes,
                                 "clean").rpa)
        return row

    whole = {}
    for i, take in enumerate(takes):
        for label, snr in conditions:
            track = predict(corpus.condition(take, snr), corpus.SAMPLE_RATE_HZ, model)
            whole[i, label] = (track.times_s, track.frequency_hz, track.confidence >= THRESHOLD)
    w = scores(whole)
    print(f"whole-file: RPA {w[0]:.3f}, low instruments {w[1]:.3f}\n")
    print("| window (samples / ms) | right context (samples / ms) | smoothing | RPA | "
          "RPA low instruments | model CPU s per s |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "take.wav"
        for window, right, smoothing in CONFIGS:
            settings = Settings(window_samples=window, right_context_samples=right,
                                smoothing=smoothing)
            live = {}
            for i, take in enumerate(takes):
                for label, snr in conditions:
                    sf.write(str(wav), corpus.condition(take, snr), corpus.SAMPLE_RATE_HZ,
                             subtype="FLOAT")
                    track = analyze_file_live(wav, model, settings).track
                    live[i, label] = (track.times_s, track.frequency_hz,
                                      track.confidence >= THRESHOLD)
            s = scores(live)
            cpu = infer_cpu_s(model, window) * 16000 / 512
            print(f"| {window} / {window / 16:.0f} | {right} / {right / 16:.0f} | "
                  f"{'on' if smoothing else 'off'} | {s[0]:.3f} | {s[1]:.3f} | {cpu:.3f} |",
                  flush=True)


if __name__ == "__main__":
    sys.exit(main())
