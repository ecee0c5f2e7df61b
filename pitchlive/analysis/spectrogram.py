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


def _row_weights() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows_midi (rows,), lo bin (rows,), weight (rows, 1)): each row reads the spectrum
    between the two FFT bins around its frequency."""
    freqs = np.fft.rfftfreq(SPEC_FFT, 1.0 / MODEL_SAMPLE_RATE_HZ)
    rows_midi = np.arange(SPEC_MIDI_LO, SPEC_MIDI_HI + SPEC_STEP / 2, SPEC_STEP)
    rows_hz = DEFAULT_A4_HZ * 2.0 ** ((rows_midi - 69.0) / 12.0)
    position = rows_hz / freqs[1]
    lo = np.clip(np.floor(position).astype(int), 0, freqs.size - 2)
    return rows_midi, lo, (position - lo).astype(np.float32)[:, None]


class StreamingSpectrogram:
    """The semitone spectrogram of 16 kHz audio pushed piece by piece, in bounded memory.

    The hop between columns is chosen from the expected length so the image is about
    max_columns wide; a stream that turns out longer (a header that understated it) has its
    columns merged in pairs (the louder of each two) and its hop doubled, so the image never
    exceeds 2 * max_columns. Memory: the image plus one FFT of audio, whatever the length.
    """

    def __init__(self, expected_samples: int, max_columns: int = MAX_SPEC_COLUMNS) -> None:
        self.max_columns = max(1, int(max_columns))
        self.hop = max(SPEC_MIN_HOP, math.ceil((expected_samples - SPEC_FFT) / self.max_columns))
        self._rows_midi, self._lo, self._weight = _row_weights()
        self._window = np.hanning(SPEC_FFT).astype(np.float32)
        self._image = np.empty((self._rows_midi.size, 2 * self.max_columns), np.float32)
        self._n_columns = 0
        self._pending = np.zeros(0, np.float32)   # audio from sample _pending_start on
        self._pending_start = 0
        self._n_samples = 0

    def push(self, audio_16k: np.ndarray) -> None:
        """Add the next mono 16 kHz samples (n,)."""
        self._pending = np.concatenate((self._pending, np.asarray(audio_16k, np.float32)))
        self._n_samples += len(audio_16k)
        while True:
            first = self._n_columns * self.hop - self._pending_start
            available = (self._pending.size - first - SPEC_FFT) // self.hop + 1
            if first < 0 or available <= 0:
                break
            n = min(available, SPEC_BATCH, self._image.shape[1] - self._n_columns)
            frames = np.lib.stride_tricks.sliding_window_view(
                self._pending[first:first + (n - 1) * self.hop + SPEC_FFT], SPEC_FFT)[::self.hop]
            self._image[:, self._n_columns:self._n_columns + n] = self._columns(frames)
            self._n_columns += n
            if self._n_columns == self._image.shape[1]:
                self._halve()
        keep_from = self._n_columns * self.hop
        if keep_from > self._pending_start:
            self._pending = self._pending[keep_from - self._pending_start:]
            self._pending_start = keep_from

    def _columns(self, frames: np.ndarray) -> np.ndarray:
        level = 20.0 * np.log10(np.maximum(np.abs(np.fft.rfft(frames * self._window, axis=1)),
                                           1e-10)).T
        return level[self._lo] * (1.0 - self._weight) + level[self._lo + 1] * self._weight

    def _halve(self) -> None:
        """Merge column pairs (full image, an even count): half the columns, twice the hop."""
        half = self._n_columns // 2
        self._image[:, :half] = np.maximum(self._image[:, 0:2 * half:2],
                                           self._image[:, 1:2 * half:2])
        self._n_columns = half
        self.hop *= 2

    def finish(self) -> SemitoneSpectrogram | None:
        """The image so far; None when fewer than SPEC_FFT samples came."""
        if self._n_columns == 0:
            return None
        hop_s = self.hop / MODEL_SAMPLE_RATE_HZ
        # Column k covers the frame centred on (k * hop + SPEC_FFT / 2) samples.
        start_s = (SPEC_FFT / 2) / MODEL_SAMPLE_RATE_HZ - hop_s / 2
        image = self._image[:, :self._n_columns].copy()
        return SemitoneSpectrogram(image, start_s, image.shape[1] * hop_s,
                                   float(self._rows_midi[0]), SPEC_STEP)


def semitone_spectrogram(audio_16k: np.ndarray,
                         max_columns: int = MAX_SPEC_COLUMNS) -> SemitoneSpectrogram | None:
    """Level of 16 kHz audio on rows every SPEC_STEP semitones, at most max_columns wide.

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
    builder = StreamingSpectrogram(audio_16k.size, max_columns)
    builder.push(audio_16k)
    return builder.finish()
