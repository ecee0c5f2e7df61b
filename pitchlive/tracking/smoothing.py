"""Causal smoothing of the live pitch stream, one frame at a time (switch: settings.smoothing).

Three independent stages were measured (bench/engine_smoothing.py, README table); only the
steady-note median is on by default, the others are off because they cost more than they gave:
- steady-note median: the median (in cents) of the last ``median_frames`` voiced frames, applied
  only while they lie within ``median_spread_cents`` of each other. This halves the needle's
  frame-to-frame wobble on held notes without delaying note changes (a plain median holds the
  old note for a frame at every change and lost 4 points of accuracy);
- octave-jump correction: a frame an octave away from the recent pitch is folded back into its
  octave unless the new octave persists for ``octave_confirm_frames`` frames (off: SPICE v1 makes
  few octave errors on these signals, and folding real leaps made more);
- voicing hold: up to ``hold_frames`` unvoiced frames right after a voiced one keep the last pitch
  (off: more frames voiced, but more of them wrong).
"""

from __future__ import annotations

import math
from collections import deque

# Defaults chosen by bench/engine_smoothing.py (see the README table).
DEFAULT_MEDIAN_FRAMES = 3
DEFAULT_MEDIAN_SPREAD_CENTS = 100.0
DEFAULT_OCTAVE_CONFIRM_FRAMES = 0
DEFAULT_HOLD_FRAMES = 0
# A jump counts as an octave error when it is within this many cents of +-1200.
OCTAVE_TOLERANCE_CENTS = 150.0


def _cents(frequency_hz: float) -> float:
    return 1200.0 * math.log2(frequency_hz)


def _hz(cents: float) -> float:
    return 2.0 ** (cents / 1200.0)


class LiveSmoother:
    """Per-frame smoother for one stream; call update() for every frame in order."""

    def __init__(self, median_frames: int = DEFAULT_MEDIAN_FRAMES,
                 median_spread_cents: float = DEFAULT_MEDIAN_SPREAD_CENTS,
                 octave_confirm_frames: int = DEFAULT_OCTAVE_CONFIRM_FRAMES,
                 hold_frames: int = DEFAULT_HOLD_FRAMES) -> None:
        if median_frames < 1 or octave_confirm_frames < 0 or hold_frames < 0 or \
                median_spread_cents < 0:
            raise ValueError("median_frames >= 1; spread, octave_confirm_frames and hold_frames "
                             ">= 0")
        self.median_frames = median_frames
        self.median_spread_cents = median_spread_cents
        self.octave_confirm_frames = octave_confirm_frames
        self.hold_frames = hold_frames
        self._history: deque[float] = deque(maxlen=max(median_frames, 3))
        self.reset()

    def reset(self) -> None:
        """Forget the stream so far (after a gap, a restart or a settings change)."""
        self._history.clear()
        self._octave_run = 0
        self._unvoiced_run = 0
        self._last_output_hz = math.nan

    def update(self, frequency_hz: float, voiced: bool) -> tuple[float, bool]:
        """Smoothed (frequency_hz, voiced) for the next frame, voiced by the voicing rule."""
        if not voiced:
            self._unvoiced_run += 1
            if self._unvoiced_run <= self.hold_frames and math.isfinite(self._last_output_hz):
                return self._last_output_hz, True
            if self._unvoiced_run > self.hold_frames:
                self._history.clear()
                self._octave_run = 0
            return frequency_hz, False
        self._unvoiced_run = 0
        cents = _cents(frequency_hz)
        if self.octave_confirm_frames and self._history:
            reference = sorted(self._history)[len(self._history) // 2]
            jump = cents - reference
            octaves = round(jump / 1200.0)
            if octaves and abs(jump - 1200.0 * octaves) < OCTAVE_TOLERANCE_CENTS:
                self._octave_run += 1
                if self._octave_run <= self.octave_confirm_frames:
                    cents -= 1200.0 * octaves
                else:
                    # The new octave persisted: it is real; restart from it.
                    self._history.clear()
                    self._octave_run = 0
            else:
                self._octave_run = 0
        self._history.append(cents)
        recent = sorted(list(self._history)[-self.median_frames:])
        smoothed = cents
        # Only a steady note is smoothed; a change (a new note, a slide) passes at once.
        if len(recent) == self.median_frames and \
                recent[-1] - recent[0] <= self.median_spread_cents:
            smoothed = recent[len(recent) // 2] if len(recent) % 2 else \
                0.5 * (recent[len(recent) // 2 - 1] + recent[len(recent) // 2])
        self._last_output_hz = _hz(smoothed)
        return self._last_output_hz, True
