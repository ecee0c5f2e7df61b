"""Note onset F-measure per instrument family: pitchlive beside Spotify's Basic Pitch.

The corpus is rendered here from known notes with fluidsynth's General MIDI instruments (the
machinery of bench/transcription_eval.py): every family (voice, low choir, strings with violin,
winds with flute, brass, plucked piano and guitar, bass) plays the three melodies of that bench
(repeated notes, dotted rhythms, rests, leaps) detached, and the leaps melody again legato (no
gap between notes); synthesised voices add vibrato and glides. Each take is scored with
mir_eval.transcription (onset within 50 ms, pitch within 50 cents, offsets ignored), pooled per
family.

Basic Pitch runs in the bench environment (`make bench-peers` installs it into .venv-bench,
never into pitchlive's dependencies), called as a subprocess on WAV files:

    make bench-peers     # once
    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel \
        .venv/bin/python bench/notes_vs_basic_pitch.py

Options: --peer-python PATH (default .venv-bench/bin/python), --no-peer (pitchlive only),
--quick (one melody per instrument).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import transcription_eval as ev

# (family, label, GM program, semitones added to the melodies)
INSTRUMENTS = (
    ("voice", "voice oohs", 53, 0),
    ("voice", "choir aahs", 52, 0),
    ("low choir", "choir aahs -12", 52, -12),
    ("strings", "violin", 40, 0),
    ("strings", "cello", 42, -12),
    ("winds", "flute", 73, 0),
    ("winds", "clarinet", 71, 0),
    ("brass", "trumpet", 56, 0),
    ("brass", "trombone", 57, -12),
    ("piano/guitar", "piano", 0, 0),
    ("piano/guitar", "nylon guitar", 24, -12),
    ("bass", "acoustic bass", 32, -24),
)
LEGATO_MELODY = 2   # the leaps melody, also played with no gap between notes

PEER_SCRIPT = r"""
import json, sys, warnings
warnings.filterwarnings("ignore")
import logging; logging.disable(logging.WARNING)
from basic_pitch.inference import predict
from basic_pitch import ICASSP_2022_MODEL_PATH
out = {}
for path in sys.argv[1:]:
    _, _, events = predict(path, ICASSP_2022_MODEL_PATH)
    out[path] = [[float(a), float(b), int(p)] for a, b, p, *_ in events]
print(json.dumps(out))
"""


def corpus(quick: bool) -> list[tuple[str, str, np.ndarray, list]]:
    """(family, take name, 16 kHz audio, truth notes) for every take."""
    melodies = ev.MELODIES[:1] if quick else ev.MELODIES
    takes = []
    for family, label, program, semitones in INSTRUMENTS:
        for melody in melodies:
            audio, notes = ev.render_instrument(melody, program, semitones, 0.0)
            takes.append((family, f"{melody.name}/{label}", audio, notes))
        if not quick:
            melody = ev.MELODIES[LEGATO_MELODY]
            notes = ev.truth_notes(melody, semitones, gap_s=0.0)
            from synth import Note, render_midi

            audio = render_midi([Note(n.onset_s, n.end_s - n.onset_s, n.midi) for n in notes],
                                program, ev.SAMPLE_RATE_HZ)
            takes.append((family, f"legato/{label}", audio, notes))
    for k, (label, index, offset, vibrato, semitones) in enumerate(ev.VOICES):
        audio, notes = ev.voice_take(ev.MELODIES[index], offset, vibrato, semitones, seed=k)
        takes.append(("voice", f"{ev.MELODIES[index].name}/{label}", audio, notes))
    return takes


def pitchlive_notes(model, audio: np.ndarray) -> list[tuple[float, float, int]]:
    """(onset s, end s, MIDI) of pitchlive's transcription of 16 kHz audio (whole-file path)."""
    from pitchlive.analysis.inference import predict
    from pitchlive.settings import Settings
    from pitchlive.tracking.transcription import transcribe

    track = predict(audio, ev.SAMPLE_RATE_HZ, model)
    transcription = transcribe(track, Settings(), audio_16k=audio)
    return [(n.onset_s, n.end_s, n.midi) for n in transcription.notes]


def peer_notes(peer_python: str, paths: list[Path]) -> dict[str, list]:
    """Basic Pitch's notes for WAV files, from the bench environment."""
    run = subprocess.run([peer_python, "-c", PEER_SCRIPT, *map(str, paths)], check=False,
                         capture_output=True,
                         text=True, timeout=1800)
    if run.returncode:
        raise RuntimeError(f"Basic Pitch failed in {peer_python}:\n{run.stderr[-2000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--peer-python", default=str(ROOT / ".venv-bench" / "bin" / "python"))
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    import soundfile as sf

    takes = corpus(args.quick)
    model = ev.load_model()
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    ours: dict[str, list] = {}
    started = time.perf_counter()
    for family, name, audio, truth in takes:
        ours[name] = pitchlive_notes(model, audio)
    ours_s = time.perf_counter() - started
    theirs: dict[str, list] = {}
    if not args.no_peer:
        if not Path(args.peer_python).exists():
            print(f"Basic Pitch: {args.peer_python} not found; run `make bench-peers` or pass "
                  "--peer-python (or --no-peer).", file=sys.stderr)
            return 1
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for k, (_, name, audio, _) in enumerate(takes):
                paths.append(Path(tmp) / f"take{k}.wav")
                sf.write(str(paths[-1]), audio, ev.SAMPLE_RATE_HZ)
            started = time.perf_counter()
            found = peer_notes(args.peer_python, paths)
            peer_s = time.perf_counter() - started
            theirs = {name: found[str(p)] for (_, name, _, _), p in zip(takes, paths)}
    for family, name, _, truth in takes:
        for system, notes in (("pitchlive", ours.get(name)), ("basic-pitch", theirs.get(name))):
            if notes is None:
                continue
            matched = ev.count_matches(tuple(truth), [a for a, _, _ in notes],
                                       [b for _, b, _ in notes], [m for _, _, m in notes])
            for key in ((family, system), ("all", system)):
                c = counts[key]
                c[0] += matched
                c[1] += len(truth)
                c[2] += len(notes)
    print(f"{len(takes)} takes; onset F-measure (50 ms, 50 cents, offsets ignored), pooled")
    print(f"{'family':<14} {'notes':>6} {'pitchlive':>10} {'basic-pitch':>12}")
    for family in sorted({f for f, _ in counts}, key=lambda f: (f == "all", f)):
        row = [f"{family:<14}", f"{counts[(family, 'pitchlive')][1]:>6}"]
        for system, width in (("pitchlive", 10), ("basic-pitch", 12)):
            c = counts.get((family, system))
            row.append(f"{ev.f_measure(*c):>{width}.3f}" if c else f"{'-':>{width}}")
        print(" ".join(row))
    print(f"time: pitchlive {ours_s:.1f} s" + (f", basic-pitch {peer_s:.1f} s (own process, "
                                                f"incl. loading)" if theirs else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
