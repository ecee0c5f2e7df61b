"""Peak RSS of `pitchlive analyze --plot` on a 30-minute and a 3-hour recording.

The files (low-level noise with a tone that changes every few seconds, 16 kHz mono FLAC) are
generated in a temporary folder. Each analysis runs in its own process with the real model
($PITCHLIVE_MODEL, else TF Hub); its peak RSS is read from wait4(). The spectrogram is streamed
and decimated (pitchlive.analysis.spectrogram.StreamingSpectrogram), so the peak should not
grow with the file's length.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel .venv/bin/python bench/plot_memory.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

RATE_HZ = 16000
LIMIT_BYTES = 1.2e9


def write_recording(path: Path, duration_s: float, seed: int = 0) -> None:
    """Noise at -50 dBFS plus a tone (110-880 Hz) changing every 3 s, written a minute at a
    time."""
    rng = np.random.default_rng(seed)
    with sf.SoundFile(str(path), "w", RATE_HZ, 1, format="FLAC", subtype="PCM_16") as handle:
        for start_s in range(0, int(duration_s), 60):
            t = start_s + np.arange(min(60, int(duration_s) - start_s) * RATE_HZ) / RATE_HZ
            note = np.floor(t / 3.0)
            frequency_hz = 110.0 * 2.0 ** ((note * 7 % 36) / 12.0)
            phase = 2 * np.pi * np.cumsum(frequency_hz) / RATE_HZ
            audio = 0.2 * np.sin(phase) * (np.sin(np.pi * (t % 3.0) / 3.0) > 0.2)
            audio += 0.003 * rng.standard_normal(t.size)
            handle.write(audio.astype(np.float32))


def peak_rss_of(args: list[str]) -> tuple[int, float, int]:
    """(peak RSS in bytes, wall seconds, exit status) of `python -m pitchlive ARGS`."""
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "pitchlive", *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.stderr.write(process.stderr.read().decode())
    return usage.ru_maxrss * 1024, time.monotonic() - started, process.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[30.0, 180.0],
                        help="lengths of the generated recordings (default: 30 and 180)")
    args = parser.parse_args()
    print(f"{'length':>8}  {'peak RSS':>9}  {'wall':>7}  exit")
    peaks = []
    with tempfile.TemporaryDirectory(prefix="pitchlive-plot-memory-") as folder:
        for minutes in args.minutes:
            path = Path(folder) / f"take_{minutes:g}min.flac"
            write_recording(path, minutes * 60.0)
            if minutes == args.minutes[0]:      # the same command without the plot: baseline
                peak, wall_s, code = peak_rss_of(["analyze", str(path), "-o",
                                                  str(path.with_suffix(".csv"))])
                print(f"{minutes:>5g} min  {peak / 1e9:>7.2f} GB  {wall_s:>5.0f} s  {code}"
                      "  (no --plot: TensorFlow, the model and the track)")
            peak, wall_s, code = peak_rss_of(["analyze", str(path), "-o",
                                              str(path.with_suffix(".csv")), "--plot",
                                              str(path.with_suffix(".png"))])
            peaks.append(peak)
            print(f"{minutes:>5g} min  {peak / 1e9:>7.2f} GB  {wall_s:>5.0f} s  {code}  --plot")
            path.unlink()
    verdict = "under" if max(peaks) < LIMIT_BYTES else "OVER"
    print(f"largest peak {max(peaks) / 1e9:.2f} GB ({verdict} {LIMIT_BYTES / 1e9:.1f} GB); "
          f"longest / shortest: {peaks[-1] / peaks[0]:.2f}x")
    return 0 if max(peaks) < LIMIT_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
