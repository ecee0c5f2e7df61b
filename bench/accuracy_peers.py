"""Runs the comparison peers on the accuracy corpus; executed by bench/accuracy.py in .venv-bench.

Each peer is run as its documentation shows, over the range E1-C7 where it accepts one, with its
own documented voicing rule:
- pYIN (librosa, 64 ms frames like pitchlive's): ``voiced_flag``; f0 everywhere (``fill_na=None``) so RPA scores its pitch;
- CREPE tiny (torchcrepe, weighted-argmax decoding, 10 ms hop): periodicity >= 0.21 (torchcrepe's
  README);
- PESTO (``mir-1k_g7``): confidence >= 0.5;
- swift-f0: confidence >= 0.5 (its docstring);
- Praat (parselmouth, ``to_pitch_ac``): Praat's own voicing (0 Hz = unvoiced).

Writes one .npz per peer (times, f0 and voicing for each take and SNR) and its CPU time.

    .venv-bench/bin/python bench/accuracy_peers.py OUT_DIR
"""

from __future__ import annotations

import sys
import time
import types
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import accuracy_corpus as corpus  # noqa: E402

FMIN_HZ, FMAX_HZ = 38.0, 2200.0
RATE = corpus.SAMPLE_RATE_HZ
HOP = 512


def run_pyin(audio):
    import librosa

    f0, voiced, _ = librosa.pyin(audio, fmin=FMIN_HZ, fmax=FMAX_HZ, sr=RATE, frame_length=1024,
                                 hop_length=HOP, fill_na=None)
    return np.arange(f0.size) * HOP / RATE, f0, voiced


def run_crepe(audio):
    import torch
    import torchcrepe

    # CREPE's own 10 ms hop, weighted-argmax decoding: torchcrepe's Viterbi decoding collapsed
    # to the lowest bin (32 Hz) over most of these takes (all of them at 0 dB), at 10 and 32 ms
    # hops alike, which would not be CREPE's accuracy.
    x = torch.from_numpy(audio.astype(np.float32))[None, :]
    f0, periodicity = torchcrepe.predict(x, RATE, hop_length=160, fmin=32.0, fmax=1975.0,
                                         model="tiny", decoder=torchcrepe.decode.weighted_argmax,
                                         return_periodicity=True, batch_size=512, device="cpu")
    f0, periodicity = f0[0].numpy(), periodicity[0].numpy()
    return np.arange(f0.size) * 160 / RATE, f0, periodicity >= 0.21


def run_pesto(audio):
    import pesto
    import torch

    times_ms, semitones, confidence, _ = pesto.predict(
        torch.from_numpy(audio.astype(np.float32)), RATE, step_size=32.0, convert_to_freq=False)
    f0 = 440.0 * 2 ** ((semitones.numpy() - 69.0) / 12.0)
    return times_ms.numpy() / 1000.0, f0, confidence.numpy() >= 0.5


_SWIFT = None


def run_swift(audio):
    global _SWIFT
    from swift_f0 import SwiftF0

    if _SWIFT is None:
        _SWIFT = SwiftF0(threads=1)
    result = _SWIFT.detect(audio, RATE)
    return result.timestamps, result.pitch_hz, result.confidence >= 0.5


def run_praat(audio):
    import parselmouth

    pitch = parselmouth.Sound(audio.astype(np.float64), RATE).to_pitch_ac(
        time_step=HOP / RATE, pitch_floor=FMIN_HZ, pitch_ceiling=FMAX_HZ)
    f0 = pitch.selected_array["frequency"]
    return pitch.xs(), f0, f0 > 0


PEERS = {"pYIN": run_pyin, "CREPE tiny": run_crepe, "PESTO": run_pesto, "swift-f0": run_swift,
         "Praat": run_praat}


def main() -> None:
    """Run every peer that imports on every take and SNR; one .npz per peer in OUT_DIR."""
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    # torchcrepe and pesto import torchaudio at import time only to load files, and torchaudio
    # has no CPU build here; the bench hands them arrays, so an empty module stands in for it.
    sys.modules.setdefault("torchaudio", types.ModuleType("torchaudio"))
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        pass
    takes = corpus.load()
    for name, run in PEERS.items():
        path = out_dir / f"{name}.npz"
        if path.is_file():
            continue
        try:
            arrays, cpu = {}, 0.0
            for i, take in enumerate(takes):
                for snr in corpus.SNRS_DB:
                    if take.kind == "room" and snr is not None:
                        continue
                    audio = corpus.condition(take, snr)
                    start = time.process_time()
                    times, f0, voiced = run(audio)
                    cpu += time.process_time() - start
                    arrays[f"t{i}_{snr}"] = np.asarray(times, np.float64)
                    arrays[f"f{i}_{snr}"] = np.nan_to_num(np.asarray(f0, np.float64))
                    arrays[f"v{i}_{snr}"] = np.asarray(voiced, bool)
            arrays["cpu_s"] = np.array(cpu)
            np.savez(path, **arrays)
            print(f"{name}: done in {cpu:.0f} CPU s", flush=True)
        except Exception as exc:  # noqa: BLE001 - one broken peer must not stop the others
            print(f"{name}: skipped ({type(exc).__name__}: {exc})", flush=True)


if __name__ == "__main__":
    main()
