"""The lock: within +-1 cent for 0.5 s locks; hysteresis on release; a new target starts over."""

from pitchlive.tuner.lock import Lock, update_lock

HOP_S = 0.032


def feed(readings, lock=Lock(), target="A4", start_s=0.0):
    states = []
    for k, cents in enumerate(readings):
        lock = update_lock(lock, start_s + k * HOP_S, cents, target)
        states.append(lock.locked)
    return lock, states


def test_locks_after_half_a_second_within_one_cent():
    lock, states = feed([0.8, -0.9, 0.2] * 8)
    first = states.index(True)
    assert 0.5 <= first * HOP_S < 0.5 + HOP_S
    assert all(states[first:])


def test_never_locks_outside_one_cent_or_when_interrupted():
    _, states = feed([1.5] * 40)
    assert not any(states)
    _, states = feed(([0.0] * 12 + [3.0]) * 4)               # each run shorter than 0.5 s
    assert not any(states)


def test_hysteresis_keeps_the_lock_through_small_wobbles():
    lock, _ = feed([0.0] * 20)
    assert lock.locked
    lock, states = feed([1.8, -1.9, 1.5, 0.5] * 5, lock, start_s=1.0)
    assert all(states)


def test_releases_after_being_outside_the_band_or_silent():
    locked, _ = feed([0.0] * 20)
    _, states = feed([5.0] * 10, locked, start_s=1.0)
    assert states[:4] == [True] * 4 and not any(states[5:])     # released after 0.15 s
    _, states = feed([None] * 10, locked, start_s=1.0)
    assert states[0] and not states[-1]
    _, states = feed([5.0, 5.0, 0.0, 0.0], locked, start_s=1.0)  # a short blip does not release
    assert all(states)


def test_a_new_target_starts_over():
    locked, _ = feed([0.0] * 20)
    lock = update_lock(locked, 1.0, 0.0, "E2")
    assert not lock.locked and lock.target == "E2"
