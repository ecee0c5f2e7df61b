"""Measuring the round trip from the output device to the microphone, by clapping along.

The view plays CALIBRATION_CLICKS clicks at a steady beat and the user claps (or sings "ta") on
each; no cable or loopback is needed. For each click the first rise of the input's level
envelope within the beat that follows is the answer; the latency is the median of answer minus
click. People synchronising with a steady, predictable beat anticipate it: their taps land a
few tens of ms early on average (negative mean asynchrony, Repp 2005), and the first clicks are
reactions rather than synchrony, so the first two are skipped and the median of the rest is
used. Where the speaker is heard by the microphone (a laptop, or a loopback), the clicks
themselves answer and the measurement is the exact round trip.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pitchlive.practice.plan import click

CALIBRATION_CLICKS = 10
CALIBRATION_BEAT_S = 0.6        # 100 BPM: easy to clap along
SKIP_FIRST = 2                  # reactions, not synchrony
RISE_DB = 20.0                  # an answer rises this far above the level before it
MIN_ANSWERS = 4
MAX_LATENCY_S = 0.5


@dataclass(frozen=True)
class LatencyEstimate:
    """latency_ms: median answer - click (+ = the input hears the beat late); spread_ms: the
    median absolute deviation of the answers; answers: how many clicks were answered."""

    latency_ms: float
    spread_ms: float
    answers: int


class CalibrationError(ValueError):
    """Too few clear answers to measure; the message says what to do."""


def calibration_audio(sample_rate_hz: int = 44100, clicks: int = CALIBRATION_CLICKS,
                      beat_s: float = CALIBRATION_BEAT_S) -> tuple[np.ndarray, np.ndarray]:
    """(audio float32 (n,), click times in s (clicks,)): accented clicks at a steady beat."""
    times = np.arange(clicks) * beat_s
    out = np.zeros(int((clicks * beat_s + 0.5) * sample_rate_hz), np.float32)
    sound = click(sample_rate_hz, accent=True)
    for t in times:
        start = int(round(t * sample_rate_hz))
        out[start:start + sound.size] += sound
    return out, times


def measure_latency(click_times_s: np.ndarray, envelope_times_s: np.ndarray,
                    envelope_db: np.ndarray, beat_s: float = CALIBRATION_BEAT_S
                    ) -> LatencyEstimate:
    """The round-trip latency from clicks (on the input's timeline) and the input's envelope.

    Parameters
    ----------
    click_times_s : ndarray, shape (n_clicks,)
        When each click was sent to the output, on the envelope's timeline (s).
    envelope_times_s, envelope_db : ndarray, shape (n_env,)
        The input's level envelope (``sung.level_envelope``), s and dBFS.

    Raises
    ------
    CalibrationError
        Fewer than MIN_ANSWERS clicks were answered.
    """
    times = np.asarray(envelope_times_s, float)
    level = np.asarray(envelope_db, float)
    window = min(beat_s * 0.9, MAX_LATENCY_S + 0.1)
    delays = []
    for click_s in np.asarray(click_times_s, float)[SKIP_FIRST:]:
        # An answer may come a little before the click (anticipation) or up to MAX_LATENCY_S
        # after; the level just before the search window is the floor it must rise above.
        lo, hi = click_s - 0.1, click_s + window
        floor_sel = (times >= lo - 0.1) & (times < lo)
        sel = (times >= lo) & (times < hi)
        if not floor_sel.any() or not sel.any():
            continue
        floor_db = float(np.median(level[floor_sel]))
        rising = np.flatnonzero(level[sel] >= floor_db + RISE_DB)
        if rising.size:
            delays.append(times[sel][rising[0]] - click_s)
    if len(delays) < MIN_ANSWERS:
        raise CalibrationError(
            f"only {len(delays)} of {len(click_times_s) - SKIP_FIRST} clicks were answered. "
            "Clap (or sing 'ta') sharply on every click, close to the microphone, in a quiet "
            "room; or set the latency with the slider.")
    delays_ms = 1000.0 * np.array(delays)
    median = float(np.median(delays_ms))
    return LatencyEstimate(median, float(np.median(np.abs(delays_ms - median))), len(delays))
