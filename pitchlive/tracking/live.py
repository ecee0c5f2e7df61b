"""The tracking stage for live frames: one ModelFrame in, one PitchFrame out.

Stage order, each stage knowing only its neighbours' data:

    ModelFrame (model output + the window it saw)
        -> refinement (pitchlive.tracking.refine, when settings.refine: exact pitch, octave and
           range from the window's audio; confidence combined with periodicity; causal)
        -> note changes (pitchlive.tracking.note_change, when settings.live_note_changes: the
           newest few periods of the window take over when they clearly hold a new pitch)
        -> voicing (pitchlive.tracking.voicing: confidence threshold, level gate, real pitch)
        -> smoothing (pitchlive.tracking.smoothing.LiveSmoother, when settings.smoothing)
        -> running tuning offset (pitchlive.tracking.tuning.RunningOffset)
        -> vibrato reading (pitchlive.tracking.vibrato, when settings.refine: the needle reads
           the centre of a vibrato; the trace keeps the contour)
        -> naming (pitchlive.tracking.naming, of the reading)
        -> PitchFrame

On a held note the model need not see every window: ``model_stand_in`` (pitchlive.tracking.steady)
is what the engine hands the windows stage to ask before each model call. With note changes on,
``window_checks`` also hands it ``early_change``: the note-change test of the newest audio against
the note on screen, half a hop before a window completes (pitchlive.audio.windows, early reads).

A LiveTracker belongs to one worker thread; settings come with every frame, so a change made on
another thread applies from the next frame on.
"""

from __future__ import annotations

import math

import numpy as np

from pitchlive.frames import ModelFrame, PitchFrame
from pitchlive.music import within_cents
from pitchlive.settings import Settings
from pitchlive.tracking import voicing
from pitchlive.tracking.candidates import names_a_harmonic
from pitchlive.tracking.denoise import RunningNoise
from pitchlive.tracking.naming import name_frequency, naming_a4_hz
from pitchlive.tracking.note_change import early_note_change, note_change
from pitchlive.tracking.refine import combined_confidence, refine_live_frame
from pitchlive.tracking.smoothing import LiveSmoother
from pitchlive.tracking.steady import SteadyNote
from pitchlive.tracking.tuning import RunningOffset
from pitchlive.tracking.vibrato import VibratoReader

# The running tuning offset spans seconds; once valid it is re-estimated every this many frames
# (~8 times a second) rather than on every frame (a robust fit over up to 5 s of frames: ~50 us
# a fit in a tight loop, twice that between the worker's waits; RunningOffset keeps the
# smoothing incremental, the biweight is redone each time).
OFFSET_REFRESH_FRAMES = 4
# Live frames are read on noise-reduced audio too (tracking/denoise.py, with the stream's
# causal noise estimate, learnt from frames without a clear period; bench/accuracy.py gives the
# live RPA with it, README "Accuracy").
LIVE_NOISE_REDUCTION = True
# Frames whose chosen period is less clear than this (NSDF) feed the running noise estimate.
NOISE_ONLY_CLARITY = 0.5
# The refined pitch of a frame is the next frame's second prior (refine.CONTINUITY_WEIGHT) only
# where it was clearly periodic (NSDF clarity) and the model agreed with it (or a note change
# read it): a frame that overruled the model may have read a harmonic the model knew better
# than (a sung vowel's formant), and carrying that would hold the error. Carried, it took a sung
# "ah" on a vibrato from a third of its frames on its formant harmonic to none, with 0 dB
# unchanged; carrying every frame lost 0.003 RPA at 0 dB (bench/accuracy_by_take.py).
CARRY_CLARITY = 0.9
AGREE_CENTS = 50.0
# ... or where the model named a harmonic of it from the third up (candidates.names_a_harmonic):
# a low sung vowel whose formant harmonic SPICE v1 reads on every frame. Live, frames replayed
# (bench/accuracy.py's corpus): the sung E1 "ah" with vibrato read 10.2 -> 0.9 cents off its
# centre (worst of 45), named-note flips in vibrato 7 -> 6; RPA clean 0.9556 -> 0.9567, 20 dB
# +0.0002, 10 dB +0.0006, 0 dB and the room unchanged (a nylon guitar frame lost at 20 dB).
# Within 100 cents of the harmonic instead: 0.3 cents, 5 flips, but a guitar's ring read 3
# octaves low (8x, exactly) carried for 3 frames.
CARRY_BELOW_HARMONIC = True
# Early looks (window_checks): while a note is shown, each frame is also looked at half a hop
# before its window completes, so a new note shows ~7 ms sooner (median; software microphone
# 72 -> 64 ms) for one more wake of the worker per hop: ~0.01 of a core while a note sounds
# (README, "Early looks"). False trades that latency back for the CPU.
EARLY_LOOKS = True


class LiveTracker:
    """Turns the model frames of one stream, in order, into PitchFrames (worker thread only)."""

    def __init__(self, settings: Settings) -> None:
        self._smoother = LiveSmoother()
        self._vibrato = VibratoReader()
        self._noise = RunningNoise()
        self._running_offset = RunningOffset(a4_hz=settings.a4_hz)
        self._offset_estimate = None          # (RunningOffset it came from, TuningOffset)
        self._frames_since_offset = 0
        self._last_noise = None               # ((window, estimate), _noise_power's answer)
        self._steady = SteadyNote(noise_power=self._noise_power)
        self._previous: tuple[float, float] | None = None   # last frame's (pitch Hz, clarity)
        # The voiced pitch of the last frame and the model's estimate for it (NaN: none shown).
        self._shown = (math.nan, math.nan)

    def model_stand_in(self, window_16k: np.ndarray, centre_index: int, level_dbfs: float
                       ) -> tuple[float, float] | None:
        """What stands in for the model on the next window of a held note, or None to run it
        (pitchlive.tracking.steady; for SlidingWindows.next_due's stand_in)."""
        return self._steady.stand_in(window_16k, centre_index, level_dbfs)

    def window_checks(self, settings: Settings) -> dict:
        """The checks the windows stage asks before a model call: SlidingWindows.next_due's
        stand_in, and its early (with note changes on, while a note is shown: no early look,
        and no wake of the worker for one, in silence or noise)."""
        early = self.reads_early(settings) and math.isfinite(self._shown[0])
        return {"stand_in": self.model_stand_in, "early": self.early_change if early else None}

    @staticmethod
    def reads_early(settings: Settings) -> bool:
        """Whether window_checks ever hands an early check under these settings."""
        return EARLY_LOOKS and settings.live_note_changes

    def early_change(self, window_16k: np.ndarray) -> bool:
        """True when the newest audio of window_16k clearly holds another note than the one
        on screen (note_change.early_note_change; for SlidingWindows.next_due's early)."""
        shown_hz, model_hz = self._shown
        return early_note_change(window_16k, shown_hz, model_hz) is not None

    def start_stream(self, settings: Settings) -> None:
        """A new stream begins (another source, or the same after a pause): forget the last."""
        self._smoother.reset()
        self._vibrato.reset()
        self._noise.reset()
        self._running_offset = RunningOffset(a4_hz=settings.a4_hz)
        self._steady.reset()
        self._previous = None
        self._shown = (math.nan, math.nan)

    def skip(self) -> None:
        """Frames were lost (the worker fell behind): the next frame does not follow the last."""
        self._smoother.reset()
        self._vibrato.reset()
        self._steady.reset()
        self._noise.reset()
        self._previous = None
        self._shown = (math.nan, math.nan)

    def process(self, frame: ModelFrame, settings: Settings) -> PitchFrame:
        """The PitchFrame of the next model frame of the stream."""
        frequency_hz, confidence = frame.frequency_hz, frame.confidence
        if settings.refine:
            # The estimate from before this frame: the one a stand-in read with (steady.py).
            noise = self._noise_power(frame.window_16k)
            refined = self._steady.confirmed(frame)
            if refined is None:
                refined = refine_live_frame(frame.window_16k, frame.centre_index, frequency_hz,
                                            confidence, noise_power=noise,
                                            previous=self._previous)
            if LIVE_NOISE_REDUCTION and refined.periodicity[0] < NOISE_ONLY_CLARITY:
                # Noise is learnt only where no clear period sounds: a held tone is stationary
                # too, and learnt as noise it was subtracted from itself (a steady E4 read 1.5
                # cents flat after half a second).
                self._noise.update(frame.window_16k)
            frequency_hz = float(refined.frequency_hz[0])
            confidence = float(refined.confidence[0])
            self._steady.update(frame, refined, settings.confidence_threshold)
            changed = self._note_change(frame, frequency_hz) if settings.live_note_changes \
                else None
            clarity = float(refined.periodicity[0])
            if changed is not None:
                frequency_hz, confidence, clarity = changed
                # The held period is the old note's: the model sees the next window.
                self._steady.reset()
            carried = changed is not None or within_cents(frequency_hz, frame.frequency_hz,
                                                     AGREE_CENTS) or (
                CARRY_BELOW_HARMONIC and names_a_harmonic(frame.frequency_hz, frequency_hz,
                                                          AGREE_CENTS))
            self._previous = (frequency_hz, clarity if carried and clarity >= CARRY_CLARITY
                              else 0.0)
        else:
            self._steady.reset()      # no periodicity to confirm a held note with
            self._previous = None
        is_voiced = voicing.voiced(frequency_hz, confidence, frame.level_dbfs, settings)
        frequency_hz, is_voiced = self._smooth(frequency_hz, is_voiced, settings)
        offset_cents = self._tuning_offset(frame.time_s, frequency_hz, is_voiced, settings)
        reading = self._vibrato.update(frequency_hz, is_voiced and settings.refine)
        label = None
        if is_voiced:
            label = name_frequency(reading.centre_hz, naming_a4_hz(settings, offset_cents),
                                   settings)
            is_voiced = label is not None
        midi, cents, name = label if label is not None else (None, None, None)
        self._shown = (frequency_hz, frame.frequency_hz) if is_voiced else (math.nan, math.nan)
        return PitchFrame(time_s=frame.time_s, frequency_hz=frequency_hz, confidence=confidence,
                          level_dbfs=frame.level_dbfs, voiced=is_voiced, midi=midi, cents=cents,
                          note=name, tuning_offset_cents=offset_cents,
                          reading_hz=reading.centre_hz if is_voiced else None,
                          vibrato_rate_hz=reading.rate_hz if is_voiced else None,
                          vibrato_width_cents=reading.width_cents if is_voiced else None,
                          unpitched_sound=(not is_voiced
                                           and frame.level_dbfs >= settings.level_gate_dbfs))

    @staticmethod
    def _note_change(frame: ModelFrame, frequency_hz: float
                     ) -> tuple[float, float, float] | None:
        """The newest audio's pitch, confidence and periodicity where it clearly changed from
        frequency_hz (the refined pitch), else None."""
        change = note_change(frame.window_16k, frequency_hz, frame.frequency_hz)
        if change is None:
            return None
        clarity = np.array([change.clarity])
        return (change.frequency_hz, float(combined_confidence(np.array([frame.confidence]),
                                                               clarity)[0]), change.clarity)

    def _noise_power(self, window_16k) -> np.ndarray | None:
        """The noise estimate the refinement of this window reads with (None: none).

        The stand-in and the tracker ask it of the same window, with no noise update in
        between: the second answer is the first (keyed by the window and the estimate)."""
        if not LIVE_NOISE_REDUCTION:
            return None
        key = (window_16k, self._noise.estimate)
        last = self._last_noise
        if last is not None and last[0][0] is key[0] and last[0][1] is key[1]:
            return last[1]
        power = self._noise.audible(window_16k)
        self._last_noise = (key, power)
        return power

    def _smooth(self, frequency_hz: float, is_voiced: bool,
                settings: Settings) -> tuple[float, bool]:
        if settings.smoothing:
            return self._smoother.update(frequency_hz, is_voiced)
        self._smoother.reset()
        return frequency_hz, is_voiced

    def _tuning_offset(self, time_s: float, frequency_hz: float, is_voiced: bool,
                       settings: Settings) -> float | None:
        """The running offset in cents including this frame; None until it is known."""
        if self._running_offset.a4_hz != settings.a4_hz:
            # The offset is measured from the A4 grid: a new A4 makes the old frames meaningless.
            self._running_offset = RunningOffset(a4_hz=settings.a4_hz)
        running = self._running_offset
        running.push(time_s, frequency_hz, is_voiced)
        self._frames_since_offset += 1
        cached = self._offset_estimate
        # Until it is valid (and after a reset: another A4, a new stream) every frame looks.
        if cached is None or cached[0] is not running or not cached[1].valid or \
                self._frames_since_offset >= OFFSET_REFRESH_FRAMES:
            cached = self._offset_estimate = (running, running.current)
            self._frames_since_offset = 0
        estimate = cached[1]
        return estimate.offset_cents if estimate.valid else None
