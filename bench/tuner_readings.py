"""Tuner study: what the tuner shows for open strings played at known offsets through SPICE.

Exact-truth harmonic tones (2 s, 1/k harmonics, clean and with white noise at 20 dB SNR) at each
open string of guitar, bass and violin, detuned by -20, -3, -0.5, 0, +0.5, +3, +20 cents, go
through the live windowing (the shipped window, every window run, no real time) and then the
tuner reading frame by frame (pitchlive.tuner.meter.step_tuner), exactly as `pitchlive tune`
does. Reported per offset, over the steady second (0.8-1.8 s after the onset):
- error: median |reading - true offset| in cents, and its 90th percentile;
- direction: fraction of frames whose "tune up/down/in tune" matches the true offset;
- locked: strings whose lock indicator was on at the end of the tone, of all strings;
- per string: the median error of each in-tune clean string (where SPICE v1 is biased).

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel python bench/tuner_readings.py
"""

from __future__ import annotations

import numpy as np

from engine_common import load_spice, stream_offline

from pitchlive.music import midi_to_hz
from pitchlive.settings import Settings
from pitchlive.tuner.instruments import IN_TUNE, TUNE_DOWN, TUNE_UP, preset, turn_direction
from pitchlive.tuner.meter import TunerConfig, step_tuner
from synth import harmonic_tone

OFFSETS = (-20.0, -3.0, -0.5, 0.0, 0.5, 3.0, 20.0)
INSTRUMENTS = ("guitar", "bass", "violin")
SNR_DB = {"clean": None, "noise 20 dB": 20.0}
RATE_HZ = 16000


def with_noise(audio: np.ndarray, snr_db: float | None, seed: int) -> np.ndarray:
    if snr_db is None:
        return audio
    noise = np.random.default_rng(seed).standard_normal(audio.size)
    noise *= np.sqrt(np.mean(audio ** 2) / 10 ** (snr_db / 10)) / np.sqrt(np.mean(noise ** 2))
    return (audio + noise).astype(np.float32)


def one_string(model, settings, config, midi, offset, snr_db, seed):
    """(errors in cents, direction hits, locked at the end) for one detuned string."""
    lead = np.zeros(int(0.3 * RATE_HZ), np.float32)
    tone = harmonic_tone(midi_to_hz(midi) * 2 ** (offset / 1200), 2.0, RATE_HZ)
    audio = with_noise(np.concatenate([lead, tone, lead]), snr_db, seed)
    times, hz, confidence = stream_offline(audio, model.infer, settings.window_samples,
                                           settings.right_context_samples)
    reading, errors, hits = None, [], []
    for t, f, c in zip(times, hz, confidence):
        reading = step_tuner(reading, config, float(t), float(f) if c >= 0.9 else None)
        if 1.1 <= t <= 2.1 and reading.cents is not None and reading.target.midi == midi:
            errors.append(abs(reading.cents - offset))
            hits.append(reading.direction == turn_direction(offset))
        if t <= 2.2:
            locked = reading.locked
    return errors, hits, locked


def main() -> None:
    model = load_spice()
    settings = Settings()
    print(f"window {settings.window_samples} samples, right context "
          f"{settings.right_context_samples}; strings: "
          + ", ".join(f"{k} {' '.join(preset(k).string_names())}" for k in INSTRUMENTS))
    print(f"{'signal':12} {'offset c':>8} {'median err c':>12} {'p90 err c':>9} "
          f"{'direction':>9} {'locked':>7}")
    per_string = {}
    for label, snr_db in SNR_DB.items():
        for offset in OFFSETS:
            errors, hits, locks = [], [], []
            for k, key in enumerate(INSTRUMENTS):
                config = TunerConfig(strings_midi=preset(key).strings_midi)
                for s, midi in enumerate(config.strings_midi):
                    e, h, locked = one_string(model, settings, config, midi, offset, snr_db,
                                              seed=100 * k + s)
                    errors += e
                    hits += h
                    locks.append(locked)
                    if snr_db is None and offset == 0.0:
                        per_string[f"{key} {preset(key).string_names()[s]}"] = \
                            float(np.median(e)) if e else float("inf")
            print(f"{label:12} {offset:+8.1f} {np.median(errors):12.2f} "
                  f"{np.percentile(errors, 90):9.2f} {np.mean(hits):9.0%} "
                  f"{sum(locks):3d}/{len(locks):<3d}", flush=True)
    worst = sorted(per_string.items(), key=lambda item: -item[1])
    print("median error in tune, clean, per string: "
          + ", ".join(f"{name} {error:.1f} c" if np.isfinite(error) else
                      f"{name} never read as that string" for name, error in worst))
    print(f"direction: {TUNE_UP!r} below -1 c, {TUNE_DOWN!r} above +1 c, {IN_TUNE!r} between; "
          "locked: within +-1 c (damped needle) for 0.5 s")


if __name__ == "__main__":
    main()
