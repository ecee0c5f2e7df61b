"""Whole-signal model inference: any audio -> 16 kHz mono -> SPICE in bounded chunks -> PitchTrack.

Long inputs run through the model in chunks that overlap by OVERLAP_SAMPLES on each side, and
only each chunk's core frames are kept, so results do not depend on where chunks fall: with
16,384 samples of overlap, chunked and whole-signal output were identical on a 40 s glide; 8,192
left up to 1.1 cents. Memory stays bounded however long the file is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pitchlive.audio.files import FileProblems, downmix, sanitize
from pitchlive.audio.resample import resample_to
from pitchlive.frames import HOP_SAMPLES, HOP_S, MODEL_SAMPLE_RATE_HZ, PitchTrack
from pitchlive.tracking.refine import refine_frames

# ~16 s per model call: calls of 5-20 s run ~500x real time here, one 60 s call only ~50x.
CHUNK_FRAMES = 512
OVERLAP_SAMPLES = 16384
# The first chunk of a longer signal (no overlap before it) is zero-padded at its end to the
# length of the chunks after it: TensorFlow's first call on an input length costs ~5x a repeated
# call (SPICE v1 with oneDNN, 2 cores: +140-300 ms for 100,000-294,912 samples), so a file longer
# than a chunk costs one such call less. The frames kept are bit-identical: the padding is whole
# hops (SPICE's framing depends on the length only through its remainder of a hop), and SPICE's
# own padding at an input's end reaches ~20 frames back, less than the overlap
# (tests/test_model.py). A signal's last call is not padded: its last frames would move. Nor is
# it given a length from a few buckets: the cost is per exact length, and SPICE's framing depends
# on the length's remainder of a hop, so only whole hops could be added, and zeros before a
# short signal move its first ~20 frames by up to 0.8 cents. The first-call cost itself is gone
# with TensorFlow's standard kernels, pitchlive's default (model._import_tf, ONEDNN_ENV_VAR);
# this padding still pays where a user turns oneDNN on.


class ChunkedInference:
    """Feed 16 kHz audio in any pieces; get the frames whole-signal inference would give.

    With refine, each chunk's frames go through the refinement stage (tracking/refine.py) on the
    chunk's own audio: the overlap is far wider than the audio a frame's refinement reads.
    """

    def __init__(self, infer: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
                 chunk_frames: int = CHUNK_FRAMES, overlap_samples: int = OVERLAP_SAMPLES,
                 refine: bool = False):
        if overlap_samples % HOP_SAMPLES:
            raise ValueError("overlap must be a whole number of hops")
        self._infer = infer
        self._refine = refine
        self.chunk_frames = chunk_frames
        self.overlap_samples = overlap_samples
        self._buffer = np.zeros(0, np.float32)
        self._buffer_start = 0   # global sample index of _buffer[0]
        self._n_samples = 0
        self._next_frame = 0
        self.non_finite_frames = 0          # frames the model gave NaN/inf for (now unvoiced)
        self.first_non_finite_s: float | None = None

    def _run(self, first_frame: int, end_sample: int, n_frames: int | None) -> PitchTrack:
        start = max(0, first_frame * HOP_SAMPLES - self.overlap_samples)
        segment = self._buffer[start - self._buffer_start:end_sample - self._buffer_start]
        model_input = segment
        full = self.chunk_frames * HOP_SAMPLES + 2 * self.overlap_samples
        if n_frames is not None and segment.size < full:
            model_input = np.zeros(full, np.float32)
            model_input[:segment.size] = segment
        frequency_hz, confidence = self._infer(model_input)
        skip = (first_frame * HOP_SAMPLES - start) // HOP_SAMPLES
        stop = None if n_frames is None else skip + n_frames
        frequency_hz, confidence = frequency_hz[skip:stop], confidence[skip:stop]
        times_s = (first_frame + np.arange(frequency_hz.size)) * HOP_S
        frequency_hz = np.asarray(frequency_hz, np.float64)
        confidence = np.asarray(confidence)
        # Checked before refinement: a broken model's frames stay unvoiced, never "rescued" by
        # the signal's periodicity.
        broken = ~(np.isfinite(frequency_hz) & np.isfinite(confidence))
        frequency_hz, confidence = self._finite(times_s, frequency_hz, confidence)
        if self._refine:
            centres = (skip + np.arange(frequency_hz.size)) * HOP_SAMPLES
            refined = refine_frames(segment, centres, frequency_hz, confidence, path=True)
            frequency_hz, confidence = self._finite(times_s, refined.frequency_hz,
                                                    refined.confidence)
            frequency_hz = np.where(broken, 0.0, frequency_hz)
            confidence = np.where(broken, 0.0, confidence)
        return PitchTrack(times_s, frequency_hz, confidence)

    def _finite(self, times_s: np.ndarray, frequency_hz: np.ndarray, confidence: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
        """Frames with a NaN/inf pitch or confidence become unvoiced (0 Hz, confidence 0), so
        none reaches a CSV, MIDI or MusicXML; they are counted for the warning."""
        bad = ~(np.isfinite(frequency_hz) & np.isfinite(confidence))
        if not bad.any():
            return frequency_hz, confidence
        if self.first_non_finite_s is None:
            self.first_non_finite_s = float(times_s[int(np.argmax(bad))])
        self.non_finite_frames += int(bad.sum())
        return (np.where(bad, 0.0, frequency_hz),
                np.where(bad, 0.0, confidence).astype(confidence.dtype))

    def problem(self) -> str | None:
        """The warning for frames the model returned NaN/inf for, if any."""
        if not self.non_finite_frames:
            return None
        return (f"the model returned NaN/inf for {self.non_finite_frames} frames (first at "
                f"{self.first_non_finite_s:.3f} s); they are marked unvoiced. The model is "
                "broken or does not match this input: check --model.")

    def push(self, audio_16k: np.ndarray) -> PitchTrack:
        """Add samples; returns the frames that are now final (possibly none).

        Parameters
        ----------
        audio_16k : np.ndarray, shape (n,)
            The next samples of the signal, mono at 16 kHz.

        Returns
        -------
        PitchTrack
            The frames now final, each array of shape (n_final,), timed from the signal's start.
        """
        self._buffer = np.concatenate((self._buffer, np.asarray(audio_16k, np.float32)))
        self._n_samples += len(audio_16k)
        done = []
        while True:
            end = (self._next_frame + self.chunk_frames) * HOP_SAMPLES + self.overlap_samples
            if end > self._n_samples:
                break
            done.append(self._run(self._next_frame, end, self.chunk_frames))
            self._next_frame += self.chunk_frames
            keep_from = max(0, self._next_frame * HOP_SAMPLES - self.overlap_samples)
            self._buffer = self._buffer[keep_from - self._buffer_start:]
            self._buffer_start = keep_from
        return PitchTrack.concatenate(done)

    def finish(self) -> PitchTrack:
        """The remaining frames (PitchTrack); a signal of n samples has n // 512 + 1 in all."""
        if self._n_samples == 0:
            return PitchTrack.empty()
        total_frames = self._n_samples // HOP_SAMPLES + 1
        if self._next_frame >= total_frames:
            return PitchTrack.empty()
        track = self._run(self._next_frame, self._n_samples, None)
        self._next_frame = total_frames
        return track


def predict(audio: np.ndarray, sample_rate_hz: float, model, refine: bool = True) -> PitchTrack:
    """Model output for a whole signal: pitch and confidence every 32 ms.

    Parameters
    ----------
    audio : np.ndarray, shape (n,) or (n, channels)
        The signal in [-1, 1] at any rate (channels are mixed); NaN/Inf count as silence.
    sample_rate_hz : float
        Its sample rate in Hz.
    model
        A loaded model (pitchlive.load_model()), used through its ``infer``.
    refine : bool
        Run the refinement stage (pitchlive.tracking.refine); False gives the model's raw
        output, for comparison.

    Returns
    -------
    PitchTrack
        times_s, frequency_hz and confidence, each of shape (n_frames,) with
        n_frames = n_16k // 512 + 1 for the n_16k samples the signal has at 16 kHz; frame k is
        centred on k * 32 ms. Unpacks as ``times_s, frequency_hz, confidence``.
    """
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim not in (1, 2):
        raise ValueError(f"audio must have shape (n,) or (n, channels), got {audio.shape}")
    mono = downmix(sanitize(audio, FileProblems(), 0.0, sample_rate_hz))
    audio_16k = resample_to(mono, sample_rate_hz, MODEL_SAMPLE_RATE_HZ)
    chunks = ChunkedInference(model.infer, refine=refine)
    return PitchTrack.concatenate([chunks.push(audio_16k), chunks.finish()])
