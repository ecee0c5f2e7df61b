"""The SPICE notebook's key figure: a log-frequency spectrogram with the confident pitch on top.

Rendered with matplotlib's Agg backend, so it needs no display.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.signal import stft

from pitchlive.frames import MODEL_SAMPLE_RATE_HZ, PitchTrack
from pitchlive.music import midi_to_hz, note_name

FMIN_HZ = 40.0
FMAX_HZ = 2000.0


def log_spectrogram(audio_16k: np.ndarray, n_fft: int = 2048, hop_samples: int = 256):
    """(times_s (t,), frequencies_hz (f,), level_db (f, t)) of 16 kHz audio, 80 dB range."""
    freqs, times, z = stft(audio_16k, fs=MODEL_SAMPLE_RATE_HZ, nperseg=n_fft,
                           noverlap=n_fft - hop_samples, boundary=None)
    keep = (freqs >= FMIN_HZ * 0.8) & (freqs <= FMAX_HZ * 1.2)
    magnitude = np.abs(z[keep])
    level_db = 20 * np.log10(np.maximum(magnitude, 1e-10))
    level_db = np.maximum(level_db, level_db.max() - 80.0)
    return times, freqs[keep], level_db


def save_pitch_plot(path: Path, audio_16k: np.ndarray, track: PitchTrack, voiced: np.ndarray,
                    title: str, a4_hz: float = 440.0) -> None:
    """Save spectrogram + confident pitch as a PNG (or any format matplotlib knows by suffix)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 5), dpi=110)
    try:
        if audio_16k.size >= 2048:
            times, freqs, level_db = log_spectrogram(audio_16k)
            ax.pcolormesh(times, freqs, level_db, shading="auto", cmap="magma")
        ax.set_yscale("log")
        ax.set_ylim(FMIN_HZ, FMAX_HZ)
        duration_s = max(audio_16k.size / MODEL_SAMPLE_RATE_HZ, 1e-3)
        ax.set_xlim(0, duration_s)
        ticks = [m for m in range(24, 108, 12) if FMIN_HZ <= midi_to_hz(m, a4_hz) <= FMAX_HZ]
        ax.set_yticks([midi_to_hz(m, a4_hz) for m in ticks])
        ax.set_yticklabels([f"{note_name(m)}\n{midi_to_hz(m, a4_hz):.0f} Hz" for m in ticks])
        ax.minorticks_off()
        pitch = np.where(voiced, track.frequency_hz, np.nan)
        ax.plot(track.times_s, pitch, ".", color="#3df5ff", markersize=3,
                label="SPICE pitch (confident frames)")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("frequency")
        ax.set_title(title)
        ax.legend(loc="upper right")
        fig.tight_layout()
        fig.savefig(str(path))
    finally:
        plt.close(fig)
