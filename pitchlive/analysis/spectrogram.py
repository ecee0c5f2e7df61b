"""A recording's spectrogram on the semitone axis of the pitch views (the notebook's figure).

Rows every SPEC_STEP semitones from SPEC_MIDI_LO to SPEC_MIDI_HI (at A4 = 440 Hz; another A4
only shifts them), each read between the two FFT bins around its frequency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pitchlive.frames import MODEL_SAMPLE_RATE_HZ
from pitchlive.music import DEFAULT_A4_HZ

SPEC_MIDI_LO, SPEC_MIDI_HI, SPEC_STEP = 28.0, 100.0, 0.25   # rows of the semitone spectrogram
SPEC_FFT = 2048             # 128 ms at 16 kHz: resolves semitones down to about E1
SPEC_MIN_HOP = 256          # 16 ms between columns for short files
MAX_SPEC_COLUMNS = 12000    # longer files get a longer hop, so memory stays bounded
SPEC_BATCH = 512            # columns transformed at a time


@dataclass(frozen=True)
class SemitoneSpectrogram:
    """Spectrogram level (dB) on a semitone grid: level_db (rows, columns), row-major."""

    level_db: np.ndarray
    start_s: float
    duration_s: float
    midi_lo: float     # centre of row 0, in MIDI units at A4 = 440 Hz
    midi_step: float


def semitone_spectrogram(audio_16k: np.ndarray,
                         max_columns: int = MAX_SPEC_COLUMNS) -> SemitoneSpectrogram | None:
    """Level of 16 kHz audio on rows every SPEC_STEP semitones, at most max_columns wide.

    Computed in batches of frames so memory stays proportional to the image, not the file.

    Parameters
    ----------
    audio_16k : np.ndarray, shape (n,)
        Mono signal at 16 kHz.
    max_columns : int
        Most columns; longer signals get a longer hop between columns.

    Returns
    -------
    SemitoneSpectrogram or None
        level_db of shape (rows, columns) in dB; None when the signal is shorter than one FFT.
    """
    n = audio_16k.size
    if n < SPEC_FFT:
        return None
    hop = max(SPEC_MIN_HOP, math.ceil((n - SPEC_FFT) / max_columns))
    frames = np.lib.stride_tricks.sliding_window_view(audio_16k.astype(np.float32), SPEC_FFT)[::hop]
    window = np.hanning(SPEC_FFT).astype(np.float32)
    freqs = np.fft.rfftfreq(SPEC_FFT, 1.0 / MODEL_SAMPLE_RATE_HZ)
    rows_midi = np.arange(SPEC_MIDI_LO, SPEC_MIDI_HI + SPEC_STEP / 2, SPEC_STEP)
    rows_hz = DEFAULT_A4_HZ * 2.0 ** ((rows_midi - 69.0) / 12.0)
    # Each row reads the spectrum between the two FFT bins around its frequency.
    position = rows_hz / freqs[1]
    lo = np.clip(np.floor(position).astype(int), 0, freqs.size - 2)
    weight = (position - lo).astype(np.float32)[:, None]
    image = np.empty((rows_midi.size, frames.shape[0]), np.float32)
    for first in range(0, frames.shape[0], SPEC_BATCH):
        batch = frames[first:first + SPEC_BATCH] * window
        level = 20.0 * np.log10(np.maximum(np.abs(np.fft.rfft(batch, axis=1)), 1e-10)).T
        image[:, first:first + batch.shape[0]] = level[lo] * (1.0 - weight) + level[lo + 1] * weight
    hop_s = hop / MODEL_SAMPLE_RATE_HZ
    # Column k covers the frame centred on (k * hop + SPEC_FFT / 2) samples.
    start_s = (SPEC_FFT / 2) / MODEL_SAMPLE_RATE_HZ - hop_s / 2
    return SemitoneSpectrogram(image, start_s, image.shape[1] * hop_s, float(rows_midi[0]),
                               SPEC_STEP)
