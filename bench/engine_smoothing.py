"""Smoothing study: does each stage of LiveSmoother measurably help the live pitch stream?

Raw live frames (SlidingWindows, the default window) of the fluidsynth corpus, clean and with
white noise at 10 dB SNR, go through each smoother variant frame by frame, exactly as the engine
applies it. Reported per variant:
- RPA: truth-voiced frames that are voiced and within 50 cents;
- voiced correct: of the frames the smoother calls voiced inside notes, the fraction within 50 c;
- octave errors: voiced in-note frames 11-13 semitones off;
- jitter: median |frame-to-frame change| in cents inside notes (>= 100 ms after the onset), the
  wobble a tuner needle shows on a steady note;
- added step delay: extra time, versus raw, until the first correct frame after each note onset.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel python bench/engine_smoothing.py
"""

from __future__ import annotations

import argparse

import numpy as np

from engine_common import corpus, load_spice, stream_offline, truth_midi

from pitchlive.settings import Settings
from pitchlive.tracking import voicing
from pitchlive.tracking.smoothing import LiveSmoother

PLAIN = 1e9  # a spread no frames exceed: the median applies always
VARIANTS = {
    "off": None,
    "median 3 (plain)": dict(median_frames=3, median_spread_cents=PLAIN),
    "median 5 (plain)": dict(median_frames=5, median_spread_cents=PLAIN),
    "steady-note median 3 (spread <= 100 c)": dict(median_frames=3, median_spread_cents=100),
    "steady-note median 5 (spread <= 100 c)": dict(median_frames=5, median_spread_cents=100),
    "octave fix (2 frames)": dict(median_frames=1, octave_confirm_frames=2),
    "hold 2 frames": dict(median_frames=1, hold_frames=2),
    "default: LiveSmoother()": {},
}


def smooth(frequency_hz, confidence, threshold, params):
    """Apply one variant frame by frame; returns (frequency, voiced)."""
    voiced = voicing.voiced(frequency_hz, confidence, None,
                            Settings(confidence_threshold=threshold))
    if params is None:
        return frequency_hz, voiced
    smoother = LiveSmoother(**params)
    out = [smoother.update(float(f), bool(v)) for f, v in zip(frequency_hz, voiced)]
    return np.array([o[0] for o in out]), np.array([o[1] for o in out])


def scores(times, frequency_hz, voiced, notes):
    """RPA, voiced-correct, octave-error rate, jitter (cents), onset delays (s) for one track."""
    truth = truth_midi(notes, times)
    inside = ~np.isnan(truth)
    with np.errstate(divide="ignore", invalid="ignore"):
        midi = 69 + 12 * np.log2(frequency_hz / 440.0)
    error = np.abs(midi - truth)
    correct = error < 0.5
    sel = voiced & inside
    octave = (error > 11) & (error < 13)
    steady = np.zeros_like(inside)
    for note in notes:
        steady |= (times >= note.start_s + 0.1) & (times < note.end_s)
    steps = np.abs(np.diff(midi)) * 100
    steady_pairs = steady[1:] & steady[:-1] & voiced[1:] & voiced[:-1]
    delays = []
    for note in notes:
        after = np.nonzero((times >= note.start_s) & (times < note.end_s) & voiced & correct)[0]
        delays.append(times[after[0]] - note.start_s if after.size else np.nan)
    return (np.mean(correct[inside] & voiced[inside]), np.mean(correct[sel]),
            np.mean(octave[sel]), steps[steady_pairs], np.array(delays))


def main() -> None:
    """Print the smoothing table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=int, default=None, help="window samples (default: "
                        "the Settings default)")
    parser.add_argument("--right-context", type=int, default=None,
                        help="right context samples (default: the Settings default)")
    args = parser.parse_args()
    settings = Settings()
    window = args.window or settings.window_samples
    right = args.right_context if args.right_context is not None else \
        settings.right_context_samples
    model = load_spice()
    items = corpus()
    rng = np.random.default_rng(11)
    print(f"window {window} samples, right context {right} samples, threshold "
          f"{settings.confidence_threshold}; corpus {len(items)} melodies")
    for condition in ("clean", "noise 10 dB SNR"):
        raw = []
        for _, audio, notes in items:
            if condition != "clean":
                noise = rng.standard_normal(audio.size).astype(np.float32)
                noise *= np.sqrt(np.mean(audio ** 2) / np.mean(noise ** 2) / 10)
                audio = audio + noise
            raw.append((stream_offline(audio, model.infer, window, right), notes))
        print(f"\n{condition}\n")
        print("| smoothing | RPA | voiced correct | octave errors | jitter (cents, median) | "
              "added onset delay (ms, median) |")
        print("|---|---|---|---|---|---|")
        baseline_delays = None
        for name, params in VARIANTS.items():
            rpas, vcs, octs, jitters, delays = [], [], [], [], []
            for (times, freq, conf), notes in raw:
                f, v = smooth(freq, conf, settings.confidence_threshold, params)
                rpa, vc, octave, jitter, delay = scores(times, f, v, notes)
                rpas.append(rpa), vcs.append(vc), octs.append(octave)
                jitters.append(jitter), delays.append(delay)
            delays = np.concatenate(delays)
            if baseline_delays is None:
                baseline_delays = delays
            added = delays - baseline_delays
            print(f"| {name} | {np.mean(rpas):.3f} | {np.mean(vcs):.3f} | "
                  f"{100 * np.mean(octs):.2f} % | {np.median(np.concatenate(jitters)):.1f} | "
                  f"{1000 * np.nanmedian(added):+.0f} (mean {1000 * np.nanmean(added):+.0f}) |",
                  flush=True)


if __name__ == "__main__":
    main()
