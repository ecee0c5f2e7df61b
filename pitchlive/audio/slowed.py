"""A part of a recording, slowed down without changing its pitch, rendered a piece at a time.

For practising along: 50-100 % speed with pedalboard's time stretcher (Rubber Band). Stretching a
whole minute takes seconds on a slow machine, so the audio is stretched in pieces of CHUNK_S on
the player's render-ahead thread (audio/decode_ahead.py) and playback starts after the first.
Each piece is stretched with CONTEXT_S of audio on both sides, which is cut off again, and the
joins are cross-faded over the audio both pieces share, so no seam clicks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from pitchlive.audio.files import FileProblems, open_info, read_blocks

CHUNK_S = 2.0          # input seconds stretched per piece
CONTEXT_S = 0.25       # input seconds on each side, stretched along and dropped
FADE_S = 0.03          # input seconds cross-faded at each join
MIN_SPEED, MAX_SPEED = 0.5, 1.0
LOOP_EDGE_S = 0.005    # a looped region fades in and out this fast: no click at the wrap


def read_mono(path: Path) -> tuple[np.ndarray, float]:
    """The whole recording as mono float32 (n,) and its rate in Hz; raises AudioFileError."""
    info = open_info(Path(path))
    blocks = list(read_blocks(info, FileProblems()))
    audio = np.concatenate(blocks).astype(np.float32) if blocks else np.zeros(0, np.float32)
    return audio, float(info.sample_rate_hz)


def segment(audio: np.ndarray, rate_hz: float, start_s: float, end_s: float | None
            ) -> np.ndarray:
    """audio (n,) from start_s to end_s (None: the end), clamped to what there is."""
    first = min(max(int(round(start_s * rate_hz)), 0), audio.shape[0])
    last = audio.shape[0] if end_s is None else min(max(int(round(end_s * rate_hz)), first),
                                                    audio.shape[0])
    return audio[first:last]


def check_speed(speed: float) -> float:
    """speed as a float, or ValueError when it is outside 50-100 %."""
    if not MIN_SPEED - 1e-9 <= float(speed) <= MAX_SPEED + 1e-9:
        raise ValueError(f"Playback speed must be between {MIN_SPEED:.0%} and {MAX_SPEED:.0%}, "
                         f"got {speed:.0%}.")
    return float(speed)


def _stretch(piece: np.ndarray, rate_hz: float, speed: float) -> np.ndarray:
    import pedalboard

    return pedalboard.time_stretch(np.ascontiguousarray(piece[None, :], dtype=np.float32),
                                   rate_hz, stretch_factor=speed)[0]


def slowed_blocks(audio: np.ndarray, rate_hz: float, speed: float,
                  chunk_s: float = CHUNK_S) -> Iterator[np.ndarray]:
    """audio (n,) at `speed` (0.5-1.0), pitch kept, as float32 blocks in order.

    At speed 1.0 the audio comes back unchanged, a chunk at a time.
    """
    speed = check_speed(speed)
    n, chunk = audio.shape[0], max(int(chunk_s * rate_hz), 1)
    if speed >= MAX_SPEED:
        for a in range(0, n, chunk):
            yield np.asarray(audio[a:a + chunk], dtype=np.float32)
        return
    context, fade = int(CONTEXT_S * rate_hz), int(FADE_S * rate_hz / speed)
    tail: np.ndarray | None = None
    for a in range(0, n, chunk):
        b = min(a + chunk, n)
        lo, hi = max(a - context, 0), min(b + context, n)
        out = _stretch(audio[lo:hi], rate_hz, speed)
        start, end = round((a - lo) / speed), min(round((b - lo) / speed), out.shape[0])
        body = np.array(out[start:end], dtype=np.float32)
        if tail is not None and tail.size:
            k = min(tail.size, body.size)
            ramp = np.linspace(0.0, 1.0, k, dtype=np.float32)
            body[:k] = body[:k] * ramp + tail[:k] * (1.0 - ramp)
        tail = out[end:end + fade]
        yield body


def slowed(audio: np.ndarray, rate_hz: float, speed: float) -> np.ndarray:
    """The whole of audio (n,) at `speed`, pitch kept: shape about (n / speed,)."""
    blocks = list(slowed_blocks(audio, rate_hz, speed))
    return np.concatenate(blocks) if blocks else np.zeros(0, np.float32)


def loop_piece(audio: np.ndarray, rate_hz: float) -> np.ndarray:
    """audio (n,) with LOOP_EDGE_S fades at both ends, so playing it over and over never
    clicks where the end meets the start (the region's edges cut the sound anywhere)."""
    out = np.array(audio, dtype=np.float32)
    k = min(int(LOOP_EDGE_S * rate_hz), out.shape[0] // 2)
    if k > 0:
        ramp = np.linspace(0.0, 1.0, k, dtype=np.float32)
        out[:k] *= ramp
        out[-k:] *= ramp[::-1]
    return out
