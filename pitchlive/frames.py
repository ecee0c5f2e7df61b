"""The data that passes between the model and tracking stages: pitch frames, live and whole.

ModelFrame is what the live model stage hands the tracking stage (one kept frame of one model
call); PitchFrame is what the tracking stage emits; PitchTrack is a whole signal's model output.
All are immutable so they can cross threads without copies or locks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

MODEL_SAMPLE_RATE_HZ = 16_000
HOP_SAMPLES = 512
HOP_S = HOP_SAMPLES / MODEL_SAMPLE_RATE_HZ


class PitchTrack(NamedTuple):
    """Pitch of a whole signal, one row per 32 ms model frame; each array has shape (n_frames,).

    Frame k is centred on input time k * HOP_S. Unpacks like CREPE's predict:
    ``times_s, frequency_hz, confidence = predict(audio, sample_rate_hz)``.
    """

    times_s: np.ndarray
    frequency_hz: np.ndarray
    confidence: np.ndarray

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.times_s.shape[0])

    @staticmethod
    def empty() -> "PitchTrack":
        """A track with no frames."""
        z = np.zeros(0, dtype=np.float64)
        return PitchTrack(z, z.copy(), z.copy())

    @staticmethod
    def concatenate(tracks: "list[PitchTrack]") -> "PitchTrack":
        """Join tracks in time order."""
        if not tracks:
            return PitchTrack.empty()
        return PitchTrack(*(np.concatenate([t[i] for t in tracks]) for i in range(3)))


@dataclass(frozen=True, eq=False)   # holds an array: compared by identity
class ModelFrame:
    """One live model output frame, with the audio the model saw (input of the tracking stage).

    window_16k is the read-only 16 kHz mono window of that model call, shape (window_samples,);
    the frame's centre is sample centre_index of it, so a stage after the model can look at the
    signal around the frame.
    """

    time_s: float            # audio time of the frame centre since the stream started
    frequency_hz: float      # model estimate (may be NaN or out of range)
    confidence: float        # 0..1, 1 - SPICE uncertainty
    level_dbfs: float        # RMS input level around the frame centre (-inf for silence)
    window_16k: np.ndarray   # float32 (window_samples,), read-only
    centre_index: int        # index of the frame centre in window_16k
    # False: the model was not run on this window; frequency_hz and confidence stand in for it
    # (pitchlive.tracking.steady: the last model answer on a note the signal shows unchanged).
    model_ran: bool = True


@dataclass(frozen=True)
class PitchFrame:
    """One live analysis frame, as the engine emits it to subscribers."""

    time_s: float            # audio time of the frame centre since the stream started
    frequency_hz: float      # model estimate (always present, even when unvoiced)
    confidence: float        # 0..1, 1 - SPICE uncertainty
    level_dbfs: float        # RMS input level around the frame
    voiced: bool             # confidence and level gates passed
    midi: int | None = None  # nearest equal-tempered note (concert pitch), voiced frames only
    cents: float | None = None  # deviation from that note, -50..+50
    note: str | None = None  # display name after transposition and naming settings
    # Running offset of the performer from equal temperament (A4 grid) over the last few
    # seconds, in cents (negative = flat); None until enough voiced frames have been heard.
    tuning_offset_cents: float | None = None
    # What the needle reads (midi and cents are named from it): the vibrato's centre while a
    # vibrato is heard, else frequency_hz; None when unvoiced. The trace draws frequency_hz.
    reading_hz: float | None = None
    vibrato_rate_hz: float | None = None       # None when no vibrato is heard
    vibrato_width_cents: float | None = None   # half the peak-to-peak swing
    # Sound above the level gate with no clear pitch (noise, breath, a chord): the window can say
    # so instead of showing nothing.
    unpitched_sound: bool = False

    @property
    def is_pitch(self) -> bool:
        """True when the frame is voiced and carries a finite frequency."""
        return self.voiced and math.isfinite(self.frequency_hz)


@dataclass(frozen=True)
class InputLevel:
    """The input level while no model can run yet (it is loading): the meter, and whether
    there is sound at all. The audio itself waits for the model and its frames come later."""

    time_s: float            # audio time of the level's centre since the stream started
    level_dbfs: float        # RMS of the last LEVEL_SPAN_SAMPLES at 16 kHz (-inf for silence)
    sound: bool              # at or above the level gate

    def as_unvoiced_frame(self) -> PitchFrame:
        """An unvoiced frame with this level, for views that show frames (no pitch known)."""
        return PitchFrame(time_s=self.time_s, frequency_hz=math.nan, confidence=0.0,
                          level_dbfs=self.level_dbfs, voiced=False, unpitched_sound=self.sound)
