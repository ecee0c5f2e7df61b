"""The strobe display's phase: the pattern drifts at the beat between the input and the target.

A mechanical strobe tuner spins a striped disc at the target's rate and lights it with the input:
the stripes stand still when the two agree and drift at the beat frequency f_in - f_target
otherwise, sharp one way and flat the other. Here the pattern's phase (in pattern periods, 0..1)
advances by that beat frequency. A band may stand for another octave of the note, as the rings of
a strobe disc do: the beat is then measured at band_hz, (f_in / f_target - 1) * band_hz, so a
display can use one band (e.g. 440 Hz, ~0.25 Hz per cent) for a speed that does not depend on the
octave played.
"""

from __future__ import annotations

import math

# The band tuner displays drift at (the terminal's bar and the window's strobe): 0.064 pattern
# periods per second per cent at any octave, so +-20 cents drifts visibly and +-0.5 cent barely.
DISPLAY_BAND_HZ = 110.0


def strobe_rate_hz(frequency_hz: float, target_hz: float, band_hz: float | None = None) -> float:
    """Drift of the strobe pattern in periods per second (positive = sharp); 0 if undefined.

    band_hz None measures the beat at the target itself (the true beat of the fundamental).
    """
    if not (math.isfinite(frequency_hz) and math.isfinite(target_hz) and frequency_hz > 0
            and target_hz > 0):
        return 0.0
    band = target_hz if band_hz is None else band_hz
    return (frequency_hz / target_hz - 1.0) * band


def advance_strobe(phase: float, rate_hz: float, dt_s: float) -> float:
    """The pattern's phase dt_s seconds later, in [0, 1)."""
    if not math.isfinite(rate_hz) or dt_s <= 0:
        return phase % 1.0
    return (phase + rate_hz * dt_s) % 1.0
