"""How fast slowed playback is rendered, against how fast it is heard.

Renders --seconds (default 30) of a 44.1 kHz harmonic melody at 50 % and 75 % speed with
pitchlive.audio.slowed.slowed_blocks (pedalboard / Rubber Band, in 2 s pieces), and prints for
each: the time until the first piece is ready (playback starts after it), the median time per
piece against the time that piece lasts on the speaker, and the whole render against its
playing time (the real-time factor; above 1 the renderer stays ahead of the speaker).

    .venv/bin/python bench/slowed_render.py [--seconds 30]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from pitchlive.audio.slowed import CHUNK_S, slowed_blocks

RATE_HZ = 44100


def melody(seconds: float) -> np.ndarray:
    """Half-second notes of a harmonic tone, float32 (n,)."""
    t = np.arange(int(seconds * RATE_HZ)) / RATE_HZ
    hz = 220.0 * 2 ** (np.floor(t * 2) % 8 / 12)
    phase = 2 * np.pi * np.cumsum(hz) / RATE_HZ
    return (0.3 * sum(np.sin(k * phase) / k for k in range(1, 6))).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    audio = melody(args.seconds)
    for speed in (0.5, 0.75):
        times, lengths = [], []
        start = last = time.perf_counter()
        for block in slowed_blocks(audio, RATE_HZ, speed):
            now = time.perf_counter()
            times.append(now - last)
            lengths.append(block.size / RATE_HZ)
            last = now
        total = time.perf_counter() - start
        per_piece = np.median(np.array(times) / np.array(lengths))
        print(f"speed {speed:.0%}: {args.seconds:.0f} s -> {sum(lengths):.1f} s of audio; "
              f"first {CHUNK_S:.0f} s piece ready in {times[0] * 1000:.0f} ms; median "
              f"{per_piece * 100:.0f} % of a piece's playing time to render it; whole render "
              f"{total:.2f} s = {sum(lengths) / total:.1f}x faster than it plays")


if __name__ == "__main__":
    main()
