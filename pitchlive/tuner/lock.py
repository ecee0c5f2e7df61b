"""The "locked" indicator: on when the pitch holds within +-1 cent for half a second.

Hysteresis keeps it steady: once locked it stays locked while the reading is within the wider
release band, and lets go only after the reading has been outside that band (or there has been
no pitch) for release_s. A new target (another string or note) starts over.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Hashable

LOCK_CENTS = 1.0          # within this many cents...
LOCK_HOLD_S = 0.5         # ...for this long locks
RELEASE_CENTS = 2.0       # once locked, readings within this band keep the lock...
RELEASE_S = 0.15          # ...and readings outside it (or silence) release it after this long


@dataclass(frozen=True)
class Lock:
    """Lock state; times are the caller's clock in seconds."""

    locked: bool = False
    within_since_s: float | None = None    # start of the current run within LOCK_CENTS
    outside_since_s: float | None = None   # start of the current run outside RELEASE_CENTS
    target: Hashable = None                # what the reading is measured against


def update_lock(lock: Lock, time_s: float, cents: float | None, target: Hashable = None,
                lock_cents: float = LOCK_CENTS, hold_s: float = LOCK_HOLD_S,
                release_cents: float = RELEASE_CENTS, release_s: float = RELEASE_S) -> Lock:
    """The lock after a reading of cents (None: no pitch) at time_s against target."""
    if target != lock.target:
        lock = Lock(target=target)
    has_pitch = cents is not None and math.isfinite(cents)
    if lock.locked:
        if has_pitch and abs(cents) <= release_cents:
            return Lock(True, lock.within_since_s, None, target)
        since = lock.outside_since_s if lock.outside_since_s is not None else time_s
        if time_s - since >= release_s:
            return Lock(False, None, None, target)
        return Lock(True, lock.within_since_s, since, target)
    if not has_pitch or abs(cents) > lock_cents:
        return Lock(False, None, None, target)
    since = lock.within_since_s if lock.within_since_s is not None else time_s
    return Lock(time_s - since >= hold_s, since, None, target)
