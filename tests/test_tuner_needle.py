"""The damped needle: reaches the reading without overshoot, at any frame rate."""

import pytest

from pitchlive.tuner.needle import Needle, advance_needle


def run(needle, target, dt, steps, tau=0.08):
    trace = []
    for _ in range(steps):
        needle = advance_needle(needle, target, dt, tau)
        trace.append(needle.position_cents)
    return needle, trace


def test_step_response_settles_without_overshoot():
    needle, trace = run(Needle(), 20.0, 0.01, 100)
    assert all(b >= a for a, b in zip(trace, trace[1:]))        # monotonic
    assert max(trace) <= 20.0
    assert trace[9] < 20.0 * 0.5                                 # damped: not there in 0.1 s
    assert needle.position_cents == pytest.approx(20.0, abs=0.05)


def test_the_motion_does_not_depend_on_the_frame_rate():
    fine, _ = run(Needle(-30.0, 0.0), 5.0, 0.001, 300)
    coarse, _ = run(Needle(-30.0, 0.0), 5.0, 0.1, 3)
    mixed = Needle(-30.0, 0.0)
    for dt in (0.05, 0.032, 0.118, 0.1):
        mixed = advance_needle(mixed, 5.0, dt)
    assert coarse.position_cents == pytest.approx(fine.position_cents, abs=1e-9)
    assert coarse.velocity_cents_per_s == pytest.approx(fine.velocity_cents_per_s, abs=1e-6)
    assert mixed.position_cents == pytest.approx(fine.position_cents, abs=1e-9)


def test_a_slower_time_constant_lags_more():
    fast, _ = run(Needle(), 10.0, 0.02, 5, tau=0.05)
    slow, _ = run(Needle(), 10.0, 0.02, 5, tau=0.2)
    assert slow.position_cents < fast.position_cents < 10.0


def test_no_reading_leaves_the_needle_resting_and_zero_dt_changes_nothing():
    moving = Needle(4.0, 30.0)
    assert advance_needle(moving, None, 0.1) == Needle(4.0, 0.0)
    assert advance_needle(moving, 10.0, 0.0) == moving
    assert advance_needle(moving, 10.0, 0.1, time_constant_s=0.0) == Needle(10.0, 0.0)
