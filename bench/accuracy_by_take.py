"""Per-take RPA of pitchlive live and whole-file (bench/accuracy.py's corpus and scoring).

Where the live path loses to whole-file analysis, take by take; frames are saved so two runs
(before and after a change) can be compared frame by frame.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel .venv/bin/python \
        bench/accuracy_by_take.py --conditions "0 dB" --save bench/out/by_take.npz
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import accuracy  # noqa: E402  (sets up sys.path and the TF environment)
import accuracy_corpus as corpus  # noqa: E402
from accuracy_metrics import score, to_grid  # noqa: E402


def band_codes(frames) -> np.ndarray:
    """The note panel's colour band per frame (0 in tune, 1 close, 2 off; -1 none or held),
    as its NoteHold shows them with the default settings and display preferences."""
    from pitchlive.settings import Settings
    from pitchlive.ui.prefs import DisplayPrefs
    from pitchlive.ui.readout import CLOSE, IN_TUNE, NoteHold

    hold, settings, prefs = NoteHold(), Settings(), DisplayPrefs()
    codes = []
    for frame in frames:
        reading = hold.update(frame, settings, prefs)
        codes.append(-1 if reading is None or reading.held
                     else {IN_TUNE: 0, CLOSE: 1}.get(reading.band, 2))
    return np.array(codes)


def main() -> None:
    """Print RPA per take and condition, live and whole-file, worst gap first."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conditions", default="clean,20 dB,10 dB,0 dB,room",
                        help="comma-separated condition labels")
    parser.add_argument("--takes", default="", help="comma-separated substrings of take names")
    parser.add_argument("--save", help="npz to write every frame to")
    parser.add_argument("--no-whole", action="store_true", help="live only")
    parser.add_argument("--low-latency", action="store_true",
                        help="live in low-latency mode (Settings.low_latency)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", module="mir_eval")
    if not os.environ.get("PITCHLIVE_MODEL"):
        sys.exit("set PITCHLIVE_MODEL to the SPICE SavedModel folder")
    import tempfile

    import soundfile as sf

    from pitchlive.analysis.inference import predict
    from pitchlive.analysis.live import live_frames
    from pitchlive.model import load_model
    from pitchlive.settings import Settings

    wanted = [c.strip() for c in args.conditions.split(",") if c.strip()]
    names = [n.strip() for n in args.takes.split(",") if n.strip()]
    takes = corpus.load()
    model = load_model(Settings())
    rows, saved, pooled = [], {}, {}
    steady, readings, named = {}, {}, {}    # clean exact takes, as accuracy.py scores them
    colours = {}
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "take.wav"
        for i, take in enumerate(takes):
            if names and not any(n in take.name for n in names):
                continue
            for label, snr in accuracy.conditions_of(take):
                if label not in wanted:
                    continue
                audio = corpus.condition(take, snr)
                sf.write(str(wav), audio, corpus.SAMPLE_RATE_HZ, subtype="FLOAT")
                frames, _, _ = live_frames(wav, model, Settings(low_latency=args.low_latency))
                t = np.array([f.time_s for f in frames])
                f_live = np.array([f.frequency_hz for f in frames])
                v_live = np.array([f.confidence for f in frames]) >= accuracy.THRESHOLD
                reading = np.array([f.reading_hz or np.nan for f in frames])
                if label == "clean" and take.kind == "exact":
                    steady[i, label] = (t, f_live, v_live)
                    readings[i, label] = (t, reading, np.array([f.voiced for f in frames]))
                    named[i, label] = (t, None, None,
                                       np.array([-1 if f.midi is None else f.midi
                                                 for f in frames]))
                    colours[i, label] = (t, None, None, band_codes(frames))
                fl, vl = to_grid(t, f_live, v_live, take.times_s)
                key = f"{i}|{label}"
                saved[f"live_f|{key}"], saved[f"live_v|{key}"] = fl, vl
                saved[f"live_r|{key}"] = to_grid(t, reading, np.ones(t.size, bool),
                                                 take.times_s)[0]
                saved[f"truth|{key}"] = take.truth_hz
                live = score(take.truth_hz, fl, vl).rpa
                pooled.setdefault(("live", label), []).append((take.truth_hz, fl, vl))
                whole = np.nan
                if not args.no_whole:
                    track = predict(audio, corpus.SAMPLE_RATE_HZ, model)
                    fw, vw = to_grid(track.times_s, track.frequency_hz,
                                     track.confidence >= accuracy.THRESHOLD, take.times_s)
                    saved[f"whole_f|{key}"], saved[f"whole_v|{key}"] = fw, vw
                    whole = score(take.truth_hz, fw, vw).rpa
                    pooled.setdefault(("whole", label), []).append((take.truth_hz, fw, vw))
                voiced = int(np.sum(take.truth_hz > 0))
                rows.append((whole - live, take.name, take.kind, label, live, whole, voiced))
                print(f"{take.name:28s} {label:6s} live {live:.3f} whole {whole:.3f}", flush=True)
    print("\nworst live-whole gaps (voiced frames lost = gap x voiced frames):")
    rows.sort(key=lambda r: -(r[0] * r[6] if np.isfinite(r[0]) else -r[4]))
    for gap, name, kind, label, live, whole, voiced in rows[:25]:
        print(f"  {name:28s} {kind:5s} {label:6s} live {live:.3f} whole {whole:.3f} "
              f"gap {gap:+.3f} ({gap * voiced:+.0f} frames of {voiced})")
    print("\npooled:")
    for (path, label), parts in sorted(pooled.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        truth, f, v = (np.concatenate(x) for x in zip(*parts))
        print(f"  {path:5s} {label:6s} RPA {score(truth, f, v).rpa:.3f}")
    if steady:
        bias, std, octaves = accuracy.steady_reading(steady, takes, "steady")
        print(f"\nsteady exact notes (live): {bias.size} notes; |bias| median "
              f"{np.median(np.abs(bias)):.3f}, max {np.max(np.abs(bias)):.3f}; std median "
              f"{np.median(std):.3f}, max {np.max(std):.3f}; frames an octave off {octaves}")
        bias, std, _ = accuracy.steady_reading(readings, takes, "vibrato")
        if bias.size:
            from note_changes import note_flips
            print(f"vibrato exact notes (live needle vs centre): {bias.size} notes; |median "
                  f"error| median {np.median(np.abs(bias)):.2f}, max {np.max(np.abs(bias)):.2f} "
                  f"cents; std median {np.median(std):.2f}; named-note flips "
                  f"{note_flips(named, takes)}; colour-band changes {note_flips(colours, takes)}")
    if args.save:
        np.savez_compressed(args.save, **saved)


if __name__ == "__main__":
    main()
