"""Input level per analysis frame: RMS of the samples around each frame centre, in dBFS.

One definition serves the live windows and whole files: the level of the frame centred on sample
c is the RMS of the LEVEL_SPAN_SAMPLES samples [c - span / 2, c + span / 2), silence outside the
signal. (A live window that keeps less than span / 2 samples after the centre ends the span at
the window's end: that is the live window's one difference, see pitchlive.audio.windows.)
"""

from __future__ import annotations

import numpy as np

from pitchlive.frames import HOP_SAMPLES

# Two hops, like the model's view of one frame.
LEVEL_SPAN_SAMPLES = 2 * HOP_SAMPLES


def energy_to_dbfs(mean_square: np.ndarray) -> np.ndarray:
    """Mean square (linear power re full scale) to dBFS; -inf where it is 0."""
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(np.asarray(mean_square, dtype=np.float64))


class FrameLevels:
    """Streaming mean square of windows centred on samples 0, hop, 2 hop, ... of a signal.

    Feed the signal in any pieces with push(); each call returns the frames now complete, and
    finish() the rest, so that a signal of n samples gives n // hop + 1 values in all, the same
    however it was cut. Memory stays at about one window.
    """

    def __init__(self, hop_samples: int = HOP_SAMPLES,
                 span_samples: int = LEVEL_SPAN_SAMPLES) -> None:
        if span_samples % (2 * hop_samples):
            raise ValueError("the span must be an even multiple of the hop")
        self.hop_samples = hop_samples
        self.span_samples = span_samples
        half = span_samples // 2
        self._buffer = np.zeros(half, np.float32)   # silence before the signal
        self._buffer_start = -half                   # signal index of _buffer[0]
        self._n_samples = 0
        self._next_frame = 0

    def push(self, audio: np.ndarray) -> np.ndarray:
        """Add samples; the mean squares of the frames now complete, shape (n_new,)."""
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        self._buffer = np.concatenate((self._buffer, audio))
        self._n_samples += audio.size
        complete = (self._n_samples - self.span_samples // 2) // self.hop_samples + 1
        return self._take(complete)

    def finish(self) -> np.ndarray:
        """The remaining frames, with silence after the signal, shape (n_rest,)."""
        total = self._n_samples // self.hop_samples + 1
        self._buffer = np.concatenate((self._buffer, np.zeros(self.span_samples, np.float32)))
        return self._take(total)

    def _take(self, stop_frame: int) -> np.ndarray:
        hop, half = self.hop_samples, self.span_samples // 2
        count = stop_frame - self._next_frame
        if count <= 0:
            return np.zeros(0, np.float64)
        first = self._next_frame * hop - half - self._buffer_start
        per_window = self.span_samples // hop
        blocks = self._buffer[first:first + (count - 1 + per_window) * hop].reshape(-1, hop)
        block_energy = np.einsum("ij,ij->i", blocks, blocks, dtype=np.float64)
        # Plain sums of whole blocks on the hop grid: the same values however the signal was cut.
        windows = np.lib.stride_tricks.sliding_window_view(block_energy, per_window)
        mean_square = windows.sum(axis=1) / self.span_samples
        self._next_frame = stop_frame
        keep_from = self._next_frame * hop - half
        self._buffer = self._buffer[keep_from - self._buffer_start:]
        self._buffer_start = keep_from
        return mean_square


def mean_square_envelope(audio: np.ndarray, hop_samples: int,
                         span_samples: int) -> np.ndarray:
    """Mean square of windows of span_samples centred on samples 0, hop, 2 hop, ... of audio.

    Parameters
    ----------
    audio : np.ndarray, shape (n,)
        Mono signal in [-1, 1].
    hop_samples, span_samples : int
        Spacing and length of the windows, in samples; span must be an even multiple of hop.

    Returns
    -------
    np.ndarray, shape (n // hop_samples + 1,)
        Linear mean square per window (silence outside the signal).
    """
    levels = FrameLevels(hop_samples, span_samples)
    return np.concatenate((levels.push(audio), levels.finish()))


def frame_levels_dbfs(audio_16k: np.ndarray, n_frames: int | None = None) -> np.ndarray:
    """Input level of every model frame of a 16 kHz signal, as the live engine measures it.

    Parameters
    ----------
    audio_16k : np.ndarray, shape (n,)
        Mono signal at 16 kHz in [-1, 1].
    n_frames : int or None
        Frames of the model's track of this signal, when known (see fit_to_frames).

    Returns
    -------
    np.ndarray, shape (n // 512 + 1,) or (n_frames,)
        RMS level in dBFS of LEVEL_SPAN_SAMPLES around each frame centre; -inf for silence.
    """
    level = energy_to_dbfs(mean_square_envelope(audio_16k, HOP_SAMPLES, LEVEL_SPAN_SAMPLES))
    return level if n_frames is None else fit_to_frames(level, n_frames)


def fit_to_frames(level_dbfs: np.ndarray, n_frames: int) -> np.ndarray:
    """Levels cut or extended to a track's n_frames (frames past the signal's end are silence).

    A model may give a frame more or fewer than n // 512 + 1 (builds differ).
    """
    if level_dbfs.size >= n_frames:
        return level_dbfs[:n_frames]
    return np.concatenate((level_dbfs, np.full(n_frames - level_dbfs.size, -np.inf)))
