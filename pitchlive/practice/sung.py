"""What was sung, as scoring reads it: voiced pitch frames and, optionally, a fine level envelope.

The model's frames are 32 ms apart and each sees about ±64 ms of audio, so a note that starts
after silence turns voiced 7-85 ms early depending on its pitch (measured on harmonic tones
with SPICE v1). Onsets after silence are therefore timed on the level envelope when there is
one; see ``onset.py``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from pitchlive.music import DEFAULT_A4_HZ, hz_to_midi

ENVELOPE_HOP_S = 0.002
ENVELOPE_WINDOW_S = 0.008
SILENCE_DB = -120.0


class SungPitch(NamedTuple):
    """A take's pitch, shapes (n_frames,), and an optional level envelope, shapes (n_env,).

    Attributes
    ----------
    times_s : ndarray of float
        Frame centres in seconds on the take's timeline.
    frequency_hz : ndarray of float
        Estimated fundamental, Hz (any value where unvoiced).
    voiced : ndarray of bool
        Frames that carry a trustworthy pitch.
    envelope_times_s, envelope_db : ndarray of float or None
        RMS level in dBFS every few milliseconds (``level_envelope``); None when unknown.
    """

    times_s: np.ndarray
    frequency_hz: np.ndarray
    voiced: np.ndarray
    envelope_times_s: np.ndarray | None = None
    envelope_db: np.ndarray | None = None

    def midi(self, a4_hz: float = DEFAULT_A4_HZ) -> np.ndarray:
        """Fractional MIDI pitch per frame, NaN where unvoiced; shape (n_frames,)."""
        midi = np.asarray(hz_to_midi(self.frequency_hz, a4_hz), dtype=np.float64)
        return np.where(np.asarray(self.voiced, bool), midi, np.nan)

    def shifted(self, seconds: float) -> "SungPitch":
        """The same take with every time moved by seconds."""
        env = None if self.envelope_times_s is None else self.envelope_times_s + seconds
        return self._replace(times_s=self.times_s + seconds, envelope_times_s=env)


def level_envelope(audio: np.ndarray, sample_rate_hz: float, hop_s: float = ENVELOPE_HOP_S,
                   window_s: float = ENVELOPE_WINDOW_S) -> tuple[np.ndarray, np.ndarray]:
    """RMS level of mono audio in short windows.

    Parameters
    ----------
    audio : ndarray, shape (n,)
        Samples in [-1, 1].
    sample_rate_hz : float
    hop_s, window_s : float
        Spacing and length of the windows in seconds.

    Returns
    -------
    times_s : ndarray, shape (n_env,)
        Window centres in seconds.
    level_db : ndarray, shape (n_env,)
        RMS level in dBFS (SILENCE_DB for digital silence).
    """
    audio = np.asarray(audio, dtype=np.float64)
    hop = max(1, int(round(hop_s * sample_rate_hz)))
    window = max(hop, int(round(window_s * sample_rate_hz)))
    if audio.size == 0:
        return np.zeros(0), np.zeros(0)
    power = np.concatenate(([0.0], np.cumsum(audio * audio)))
    starts = np.arange(0, audio.size, hop)
    ends = np.minimum(starts + window, audio.size)
    mean_power = (power[ends] - power[starts]) / np.maximum(ends - starts, 1)
    with np.errstate(divide="ignore"):
        level_db = np.maximum(10.0 * np.log10(mean_power), SILENCE_DB)
    return (starts + (ends - starts) / 2.0) / sample_rate_hz, level_db


class StreamingEnvelope:
    """level_envelope over audio that arrives in blocks: the same windows, emitted as soon as
    each is complete. Times count from the first sample pushed."""

    def __init__(self, hop_s: float = ENVELOPE_HOP_S, window_s: float = ENVELOPE_WINDOW_S):
        self.hop_s, self.window_s = hop_s, window_s
        self._buffer = np.zeros(0)
        self._buffer_start = 0      # stream index of _buffer[0], always a window start
        self._rate_hz: float | None = None

    def push(self, block: np.ndarray, sample_rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
        """Add a mono block; returns (times_s, level_db) of the windows completed by it."""
        if self._rate_hz is None:
            self._rate_hz = float(sample_rate_hz)
        elif sample_rate_hz != self._rate_hz:
            raise ValueError("the sample rate changed within one stream")
        rate = self._rate_hz
        hop = max(1, int(round(self.hop_s * rate)))
        window = max(hop, int(round(self.window_s * rate)))
        self._buffer = np.concatenate((self._buffer, np.asarray(block, np.float64)))
        n_windows = (self._buffer.size - window) // hop + 1 if self._buffer.size >= window else 0
        if n_windows <= 0:
            return np.zeros(0), np.zeros(0)
        used = (n_windows - 1) * hop + window
        _, level = level_envelope(self._buffer[:used], rate, hop / rate, window / rate)
        level = level[:n_windows]
        times = (self._buffer_start + np.arange(n_windows) * hop + window / 2.0) / rate
        self._buffer = self._buffer[n_windows * hop:]
        self._buffer_start += n_windows * hop
        return times, level
