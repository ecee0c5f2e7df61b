"""Whole-file analysis CPU on the accuracy corpus: bench/accuracy.py's whole-file CPU line, alone.

Every take of bench/accuracy_corpus.py under every condition (clean, 20, 10, 0 dB, room; 1,024 s
of audio) through pitchlive.analysis.predict with the refinement stage, as bench/accuracy.py runs
it, in one process: the first pass pays TensorFlow's first call on each input length as the
accuracy run does (the figure issue 10's "whole-file >= 100x real time" is read on), later
passes do not. Prints process CPU seconds per second of audio, the refinement stage's share, and
the CPU time the kernel spent (page faults of fresh arrays, mostly).

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel .venv/bin/python bench/whole_file_cpu.py
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")      # as bench/accuracy.py
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")

import accuracy_corpus as corpus
from accuracy import conditions_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=2, help="passes over the corpus")
    args = parser.parse_args()
    if not os.environ.get("PITCHLIVE_MODEL"):
        sys.exit("set PITCHLIVE_MODEL to the SPICE SavedModel folder")
    from pitchlive.analysis import inference
    from pitchlive.model import load_model
    from pitchlive.settings import Settings

    takes = corpus.load()
    audios = [corpus.condition(take, snr) for take in takes for _, snr in conditions_of(take)]
    audio_s = sum(audio.size for audio in audios) / corpus.SAMPLE_RATE_HZ
    model = load_model(Settings())
    refine_s = [0.0]
    refine_frames = inference.refine_frames

    def timed_refine(*args, **kwargs):
        start = time.process_time()
        try:
            return refine_frames(*args, **kwargs)
        finally:
            refine_s[0] += time.process_time() - start

    inference.refine_frames = timed_refine
    print(f"{len(audios)} signals, {audio_s:.0f} s of audio")
    for number in range(args.passes):
        refine_s[0] = 0.0
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.process_time()
        for audio in audios:
            inference.predict(audio, corpus.SAMPLE_RATE_HZ, model, refine=True)
        cpu_s = time.process_time() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
        print(f"pass {number + 1}: {cpu_s / audio_s:.4f} CPU s per s of audio "
              f"({audio_s / cpu_s:.0f}x real time); refinement {refine_s[0] / audio_s:.4f}; "
              f"kernel {(after.ru_stime - before.ru_stime) / audio_s:.4f}", flush=True)


if __name__ == "__main__":
    main()
