"""Attacks inside analysis frames: where a frame's own sound starts.

A refinement frame centred on its time reaches 32 ms back. In a note's first frames that part
holds the previous note's ring or reverberation (or silence), which pulls the frame's NSDF
towards the old period while the frame's time already belongs to the new note. Where the level
rises steeply inside the frame before its centre, the frame is moved later so that it starts at
the rise (by at most MAX_SHIFT_SAMPLES, so it still covers its centre well).

Whole signals, and live frames as far as the window's right context reaches: a live frame moves
only within the audio its window holds (refine.live_attack_shift).
"""

from __future__ import annotations

import numpy as np

from pitchlive.audio.levels import mean_square_envelope

ENVELOPE_HOP = 128               # 8 ms steps of the level envelope
ENVELOPE_SPAN = 2 * ENVELOPE_HOP  # each level: the 16 ms around its step
# A rise: the 16 ms after a step hold this many times the power of the 16 ms before it (3 dB).
# Whole-file RPA on bench/accuracy.py's corpus, 6 dB -> 3 dB: clean 0.957 -> 0.959, 10 dB
# 0.928 -> 0.930, 0 dB 0.882 -> 0.887, room 0.920 -> 0.923; 1.8 dB moved frames inside vibrato
# notes (their whole-file centre reading went 4 -> 9 cents off at worst).
RISE_RATIO = 2.0
# 16 ms, half of the frame's first half. Moving frames by up to 24 or 32 ms scored 0.001 less.
MAX_SHIFT_SAMPLES = 256
# Mean square below which a level counts as silence (-100 dBFS), so digital silence is no rise.
SILENT_POWER = 1e-10


def attack_shifts(audio_16k: np.ndarray, centres: np.ndarray, frame_samples: int) -> np.ndarray:
    """How far to move each frame later so that it starts at an attack inside it.

    In each frame the steepest level rise is found (the power of the 16 ms after an 8 ms step
    over that of the 16 ms before it); where it exceeds RISE_RATIO and lies before the frame's
    centre, the frame moves to start there, by at most MAX_SHIFT_SAMPLES.

    Parameters
    ----------
    audio_16k : np.ndarray, shape (n,)
        Mono audio at 16 kHz.
    centres : np.ndarray, shape (n_frames,), int
        Sample index of each frame's centre.
    frame_samples : int
        Frame length in samples (a multiple of ENVELOPE_HOP).

    Returns
    -------
    np.ndarray, shape (n_frames,), int64
        Shifts in samples, 0..MAX_SHIFT_SAMPLES (0 where the frame has no attack before its
        centre).
    """
    centres = np.asarray(centres, np.int64)
    if centres.size == 0:
        return np.zeros(0, np.int64)
    # levels[j]: the 16 ms centred on sample j * HOP; the rise at step b compares b + 1 with b - 1.
    levels = np.maximum(mean_square_envelope(np.asarray(audio_16k, np.float64), ENVELOPE_HOP,
                                             ENVELOPE_SPAN), SILENT_POWER)
    rise = np.zeros(levels.size)
    rise[1:-1] = levels[2:] / levels[:-2]
    half = frame_samples // 2
    steps = frame_samples // ENVELOPE_HOP
    first = np.floor_divide(centres - half, ENVELOPE_HOP)          # first step in each frame
    index = first[:, None] + np.arange(steps)[None, :]
    inside = (index >= 1) & (index < rise.size)
    values = np.where(inside, rise[np.clip(index, 0, rise.size - 1)], 0.0)
    best = np.argmax(values, axis=1)
    rows = np.arange(centres.size)
    step = index[rows, best]
    at = step * ENVELOPE_HOP
    attack = (values[rows, best] > RISE_RATIO) & (at <= centres)
    shift = np.minimum(at - (centres - half), MAX_SHIFT_SAMPLES)
    return np.where(attack, np.maximum(shift, 0), 0).astype(np.int64)


def attack_shift(audio_16k: np.ndarray, centre: int, frame_samples: int) -> int:
    """attack_shifts for one frame, bit for bit, reading only the levels the frame's steps need.

    The live path moves one frame ~60 times a second: the whole window's envelope and the
    batched search cost ~0.4 ms a call there, this ~0.05 ms. The levels are the same sums of
    the same 8 ms blocks (float32 samples, float64 sums) as mean_square_envelope's.
    """
    audio = np.asarray(audio_16k).reshape(-1)
    half, steps = frame_samples // 2, frame_samples // ENVELOPE_HOP
    first = (centre - half) // ENVELOPE_HOP
    n_levels = audio.size // ENVELOPE_HOP + 1
    # attack_shifts' rise is 0 outside steps 1..n_levels - 2; it reads levels b - 1 and b + 1.
    low, high = max(first, 1), min(first + steps, n_levels - 1)
    if high <= low:
        return 0
    # Levels low - 1 .. high need blocks low - 2 .. high (block k: samples k HOP .. (k+1) HOP).
    block_low = low - 2
    start, stop = max(block_low * ENVELOPE_HOP, 0), min((high + 1) * ENVELOPE_HOP, audio.size)
    blocks = np.zeros((high - block_low + 1) * ENVELOPE_HOP, np.float32)
    blocks[start - block_low * ENVELOPE_HOP:stop - block_low * ENVELOPE_HOP] = audio[start:stop]
    blocks = blocks.reshape(-1, ENVELOPE_HOP)
    energy = np.einsum("ij,ij->i", blocks, blocks, dtype=np.float64)
    levels = np.maximum((energy[:-1] + energy[1:]) / ENVELOPE_SPAN, SILENT_POWER)
    rise = levels[2:] / levels[:-2]                   # steps low .. high - 1
    best = int(rise.argmax())          # the method: np.argmax's wrapper costs ~1 us
    step = low + best
    at = step * ENVELOPE_HOP
    if not (rise[best] > RISE_RATIO and at <= centre):
        return 0
    return max(min(at - (centre - half), MAX_SHIFT_SAMPLES), 0)
