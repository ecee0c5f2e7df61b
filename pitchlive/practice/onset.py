"""When a sung note starts: the first stable frame on the note's pitch, refined below a frame.

Measured on harmonic tones with SPICE v1 (32 ms frames): after silence the first voiced frame
comes 7-85 ms before the true onset (the model sees ~64 ms ahead), so the onset is taken where
the level envelope rises into the note; on a legato pitch change the crossing of the halfway
pitch between the two notes, interpolated between frames, is within ±13 ms (mean +1 ms).
"""

from __future__ import annotations

import math

import numpy as np

STABLE_FRAMES = 3          # frames in a row on the pitch before a note counts as started
STABLE_CENTS = 50.0        # "on the pitch": within this of the note's median sung pitch
ONSET_LEVEL_DROP_DB = 12.0  # the note has started once the level is within this of its body
# How far the level search may reach before the first stable frame, and where inside the note
# it starts looking back from.
LEVEL_LOOKBACK_S = 0.064
LEVEL_ANCHOR_S = 0.096


def first_stable_frame(times_s: np.ndarray, on_pitch: np.ndarray, start_s: float, stop_s: float
                       ) -> int | None:
    """Index of the first frame in [start_s, stop_s] that begins a run of STABLE_FRAMES frames on
    the pitch and does not continue a run from before start_s; None if there is none.

    Parameters
    ----------
    times_s : ndarray, shape (n,)
    on_pitch : ndarray of bool, shape (n,)
    """
    on_pitch = np.asarray(on_pitch, bool)
    n = on_pitch.size
    candidates = np.flatnonzero((times_s >= start_s) & (times_s <= stop_s))
    for i in candidates:
        if not on_pitch[i] or i + STABLE_FRAMES > n or not on_pitch[i:i + STABLE_FRAMES].all():
            continue
        if i > 0 and on_pitch[i - 1]:
            if i == candidates[0]:
                return None   # the run began before the window (joined to an earlier note)
            continue
        return int(i)
    return None


def level_onset(envelope_times_s: np.ndarray, envelope_db: np.ndarray, coarse_s: float,
                body_db: float) -> float | None:
    """Start of the loud stretch that holds the note, searched back from inside it.

    Looks back from coarse_s + LEVEL_ANCHOR_S while the level stays within ONSET_LEVEL_DROP_DB
    of body_db (the note's typical level, dBFS); returns the time where it rose (s), or None
    when it never dropped within LEVEL_LOOKBACK_S before coarse_s (no silence before the note).
    """
    threshold = body_db - ONSET_LEVEL_DROP_DB
    anchor = int(np.searchsorted(envelope_times_s, coarse_s + LEVEL_ANCHOR_S))
    anchor = min(anchor, envelope_times_s.size - 1)
    if anchor < 1 or envelope_db[anchor] < threshold:
        return None
    i = anchor
    while i > 0 and envelope_db[i - 1] >= threshold:
        i -= 1
        if envelope_times_s[i] < coarse_s - LEVEL_LOOKBACK_S:
            return None
    if i == 0:
        return None
    # Interpolate the crossing between the quiet and the loud window.
    low, high = envelope_db[i - 1], envelope_db[i]
    fraction = (threshold - low) / (high - low) if high > low else 1.0
    return float(envelope_times_s[i - 1] + fraction * (envelope_times_s[i] -
                                                         envelope_times_s[i - 1]))


def pitch_crossing_onset(times_s: np.ndarray, midi: np.ndarray, index: int, note_midi: float
                         ) -> float | None:
    """Sub-frame time where the pitch crossed halfway from the previous frame's note to this one.

    index is the first stable frame; the frame before it must be voiced (NaN-free). Returns None
    when it is not, or when the previous pitch is no different.
    """
    if index < 1 or not (math.isfinite(midi[index - 1]) and math.isfinite(midi[index])):
        return None
    previous, current = midi[index - 1], midi[index]
    halfway = (previous + note_midi) / 2.0
    if abs(current - previous) < 1e-9 or abs(note_midi - previous) < 0.5:
        return None
    fraction = float(np.clip((halfway - previous) / (current - previous), 0.0, 1.0))
    return float(times_s[index - 1] + fraction * (times_s[index] - times_s[index - 1]))
