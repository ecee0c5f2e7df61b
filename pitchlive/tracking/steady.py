"""When a live window need not be shown to the model: a steady note the signal still confirms.

The model call is most of the live engine's CPU (~1.3 ms of ~3 ms a frame). On a held note its
answer repeats itself: the refinement stage (tracking/refine.py) then takes the exact pitch from
the signal and uses the model only as the prior that picks the octave and the note. So while

- the last frame was clearly periodic (NSDF clarity at least STEADY_CLARITY, so it is voiced at
  the default threshold whatever the model's confidence) and the model agreed with the signal (its
  estimate within AGREE_CENTS of the refined pitch: no octave slip overruled, nothing beyond its
  range),
- the new window's own periodicity still shows that period (NSDF clarity at least
  STEADY_CLARITY at a period within STEADY_CENTS of the last one, the same frame the refinement
  reads), its level moved by no more than LEVEL_STEP_DB (no new onset),
- and neither half nor a third of the period reads periodic (a jump an octave or a twelfth up
  keeps the old period periodic, so it must be asked about),

the last model answer stands in for the model's. The model is asked again at least every
MODEL_EVERY_FRAMES frames and at any doubt. The refinement of a frame that passed these checks is
what reading the held period gave (``confirmed``), for a frame stood in for and for one the model
saw and agreed on (within AGREE_CENTS): with such a prior the refinement stage would choose the
same NSDF peak, so its candidate search is skipped too. A model that disagrees gets the search.

The windows stage (pitchlive.audio.windows) asks ``stand_in`` before each model call, the tracker
(pitchlive.tracking.live) tells ``update`` what each frame became: the stage order stays one-way,
the windows only hold an injected callable.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pitchlive.frames import MODEL_SAMPLE_RATE_HZ, ModelFrame
from pitchlive.music import within_cents
from pitchlive.tracking.refine import (MAX_LAG_SAMPLES, PeriodRead, Refinement, read_live_period,
                                       refinement_of_read)

MODEL_EVERY_FRAMES = 16     # the model sees at least one window in this many (512 ms)
STEADY_CLARITY = 0.9        # NSDF clarity of a held note's period (clean tones read 0.95-1)
# Largest step of the refined pitch between two frames of a held note: a vibrato of +-40 cents
# at 5.5 Hz moves up to 44 cents a frame; a new note a semitone away reads at the edge of the
# +-3% (51 cents) search around the held period.
STEADY_CENTS = 30.0
AGREE_CENTS = 50.0          # the model agrees with the signal within this
LEVEL_STEP_DB = 6.0         # a larger change of level is an onset (or a release): ask the model
HARMONIC_CLARITY = 0.8      # half or a third of the period this periodic: maybe a jump up (a new
#                             note there reads about as periodic as at the held period, >= 0.9)


@dataclass(frozen=True)
class _Held:
    """What the last frame left for the next: the note it held and the model's answer on it."""

    model_hz: float
    model_confidence: float
    period_samples: float       # the refined period, 16 kHz samples
    level_dbfs: float


class SteadyNote:
    """Stands in for the model on the windows of a held note (one live stream, worker thread)."""

    def __init__(self, model_every_frames: int = MODEL_EVERY_FRAMES,
                 noise_power: Callable[[np.ndarray], np.ndarray | None] = lambda window: None
                 ) -> None:
        """noise_power(window_16k) gives the noise estimate the tracker's refinement reads that
        window with (None: none), so the held period is read as refine_live_frame would."""
        self.model_every_frames = model_every_frames
        self._noise_power = noise_power
        self._held: _Held | None = None
        self._stood_in = 0              # windows stood in for since the model last ran
        self._confirmed: tuple[np.ndarray, PeriodRead] | None = None   # (window, its read)

    def reset(self) -> None:
        """Forget the note (a new stream, lost frames, refinement off): ask the model next."""
        self._held = None
        self._stood_in = 0
        self._confirmed = None

    def confirmed(self, frame: ModelFrame) -> Refinement | None:
        """The refinement stand_in already made of this frame's window (arrays (1,)), or None.

        For a frame stood in for (its prior is the held answer) and for a frame the model saw
        on a held note whose answer agrees with the held period (within AGREE_CENTS): with such
        a prior refine_live_frame chooses the peak stand_in read and gives the same values, so
        its candidate search is skipped. A model that disagrees gets the full search.
        """
        confirmed, self._confirmed = self._confirmed, None
        if confirmed is None or confirmed[0] is not frame.window_16k:
            return None
        read = confirmed[1]
        if frame.model_ran and not within_cents(frame.frequency_hz,
                                           MODEL_SAMPLE_RATE_HZ / read.period_samples, AGREE_CENTS):
            return None
        return refinement_of_read(read, frame.frequency_hz, frame.confidence)

    def update(self, frame: ModelFrame, refined: Refinement, threshold: float) -> None:
        """What the tracker made of a frame: its model input and its refinement (arrays (1,)).

        threshold is the confidence threshold in use: the model's own confidence must reach it.
        """
        if frame.model_ran:
            self._stood_in = 0
        hz = float(refined.frequency_hz[0])
        model_hz, model_confidence = frame.frequency_hz, frame.confidence
        agrees = within_cents(model_hz, hz, AGREE_CENTS)
        # A frame stood in for is voiced by its own clarity (>= STEADY_CLARITY) whatever the
        # model's confidence, unless the threshold is above that clarity: then the model's
        # confidence must reach the threshold itself.
        sure = model_confidence >= threshold or threshold <= STEADY_CLARITY
        if agrees and sure and float(refined.periodicity[0]) >= STEADY_CLARITY:
            self._held = _Held(model_hz, model_confidence, MODEL_SAMPLE_RATE_HZ / hz,
                               frame.level_dbfs)
        else:
            self._held = None

    def stand_in(self, window_16k: np.ndarray, centre_index: int, level_dbfs: float
                 ) -> tuple[float, float] | None:
        """(frequency_hz, confidence) to use instead of the model on this window, or None.

        Parameters
        ----------
        window_16k : np.ndarray, shape (window_samples,)
            The live window (16 kHz) the model would be run on.
        centre_index : int
            Index of the kept frame's centre in window_16k.
        level_dbfs : float
            The frame's input level.
        """
        self._confirmed = None
        held = self._held
        if held is None or not abs(level_dbfs - held.level_dbfs) <= LEVEL_STEP_DB:
            return None
        period = held.period_samples
        if period >= MAX_LAG_SAMPLES - 2:
            return None
        harmonics = tuple(period / d for d in (2, 3) if period / d >= 2.0)
        read = read_live_period(window_16k, centre_index, period,
                                self._noise_power(window_16k), harmonics)
        if not read.clarity[0] >= STEADY_CLARITY or \
                not abs(1200.0 * math.log2(read.period_samples / period)) <= STEADY_CENTS:
            return None
        curve = read.curve[0]
        if any(_value_at_lag(curve, lag) >= HARMONIC_CLARITY for lag in harmonics):
            return None
        self._confirmed = (window_16k, read)
        if self._stood_in >= self.model_every_frames - 1:
            return None         # time to ask the model; if it agrees, the read stands (confirmed)
        self._stood_in += 1
        return held.model_hz, held.model_confidence


def _value_at_lag(curve: np.ndarray, lag: float) -> float:
    """curve (n_lags,) linearly interpolated at a fractional lag in [0, n_lags - 1): what
    periodicity.values_at_lags gives, bit for bit, in plain floats (its array steps cost ~20 us
    on two lags, once a frame)."""
    low = math.floor(lag)
    frac = lag - low
    return (1 - frac) * float(curve[low]) + frac * float(curve[low + 1])
