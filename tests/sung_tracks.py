"""Synthetic pitch tracks for scoring tests: exact truth without the model."""

from __future__ import annotations

import numpy as np

from pitchlive.frames import HOP_S
from pitchlive.music import midi_to_hz
from pitchlive.practice.sung import SungPitch


def sung_notes(notes, duration_s: float, vibrato_cents: float = 0.0, vibrato_hz: float = 5.5,
               envelope: bool = True) -> SungPitch:
    """A take singing notes [(start_s, end_s, midi)] exactly, on the 32 ms frame grid.

    The level envelope (2 ms steps) is -20 dBFS while a note sounds and silence between.
    """
    times = np.arange(0.0, duration_s, HOP_S)
    midi = np.full(times.shape, np.nan)
    env_t = np.arange(0.001, duration_s, 0.002)
    env_db = np.full(env_t.shape, -120.0)
    for start, end, pitch in notes:
        sel = (times >= start) & (times < end)
        midi[sel] = pitch + vibrato_cents / 100.0 * np.sin(2 * np.pi * vibrato_hz *
                                                           (times[sel] - start))
        env_db[(env_t >= start) & (env_t < end)] = -20.0
    voiced = np.isfinite(midi)
    frequency = np.where(voiced, midi_to_hz(np.nan_to_num(midi)), 0.0)
    if not envelope:
        return SungPitch(times, frequency, voiced)
    return SungPitch(times, frequency, voiced, env_t, env_db)
