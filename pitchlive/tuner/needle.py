"""A damped meter needle: a critically damped spring towards the reading, integrated exactly.

The needle obeys x'' = -w^2 (x - target) - 2 w x' with w = 1 / time_constant_s: it reaches the
reading as fast as possible without overshoot, like a well-damped moving-coil meter. The update
is the closed-form solution over dt for a target held during dt, so the motion is the same
whatever the frame or repaint rate (ten steps of 10 ms equal one step of 100 ms).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

NEEDLE_TIME_CONSTANT_S = 0.08     # settles within 1 cent of a 20-cent jump in ~0.5 s


@dataclass(frozen=True)
class Needle:
    """Needle state: position in cents (0 = on target) and its velocity in cents per second."""

    position_cents: float = 0.0
    velocity_cents_per_s: float = 0.0


def advance_needle(needle: Needle, target_cents: float | None, dt_s: float,
                   time_constant_s: float = NEEDLE_TIME_CONSTANT_S) -> Needle:
    """The needle dt_s seconds later, pulled towards target_cents (None: it rests where it is).

    With e = position - target and w = 1 / time_constant_s, the exact solution is
    e(t) = (e0 + (v0 + w e0) t) exp(-w t), v(t) = (v0 - w (v0 + w e0) t) exp(-w t).
    """
    if dt_s <= 0:
        return needle
    if target_cents is None or not math.isfinite(target_cents):
        return Needle(needle.position_cents, 0.0)
    if time_constant_s <= 0:
        return Needle(float(target_cents), 0.0)
    w = 1.0 / time_constant_s
    e0 = needle.position_cents - target_cents
    v0 = needle.velocity_cents_per_s
    decay = math.exp(-w * dt_s)
    error = (e0 + (v0 + w * e0) * dt_s) * decay
    velocity = (v0 - w * (v0 + w * e0) * dt_s) * decay
    return Needle(target_cents + error, velocity)
