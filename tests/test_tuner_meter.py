"""The tuner reading over synthetic frame sequences at known offsets: direction, needle, strobe
and lock all agree with the offset."""

import math

import numpy as np
import pytest

from pitchlive.music import midi_to_hz
from pitchlive.tuner.instruments import IN_TUNE, TUNE_DOWN, TUNE_UP, preset
from pitchlive.tuner.meter import TunerConfig, TunerReading, step_tuner
from pitchlive.tuner.temperament import note_target_hz
from pitchlive.tuner.temperaments import temperament

HOP_S = 0.032
OFFSETS = (-20, -3, -0.5, 0, 0.5, 3, 20)
GUITAR = TunerConfig(strings_midi=preset("guitar").strings_midi)


def frames(frequency_hz, seconds, jitter_cents=0.3, seed=0, start_s=0.0):
    """(time, frequency) per 32 ms frame with a little deterministic jitter, like a steady tone."""
    rng = np.random.default_rng(seed)
    n = int(seconds / HOP_S)
    jitter = rng.uniform(-jitter_cents, jitter_cents, n)
    return [(start_s + k * HOP_S, frequency_hz * 2 ** (jitter[k] / 1200)) for k in range(n)]


def run(config, sequence, reading=None):
    readings = []
    for time_s, hz in sequence:
        reading = step_tuner(reading, config, time_s, hz)
        readings.append(reading)
    return readings


def strobe_travel(readings):
    """Unwrapped strobe movement in pattern periods over the readings."""
    total = 0.0
    for a, b in zip(readings, readings[1:]):
        total += (b.strobe_phase - a.strobe_phase + 0.5) % 1.0 - 0.5
    return total


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("string", [0, 1, 5])
def test_guitar_string_at_a_known_offset(string, offset):
    midi = GUITAR.strings_midi[string]
    readings = run(GUITAR, frames(midi_to_hz(midi) * 2 ** (offset / 1200), 1.5))
    last = readings[-1]
    assert last.target.string_index == string and last.target.name == \
        preset("guitar").string_names()[string]
    assert last.cents == pytest.approx(offset, abs=0.31)
    assert last.needle_cents == pytest.approx(offset, abs=0.31)
    expected = TUNE_UP if offset < -1 else TUNE_DOWN if offset > 1 else IN_TUNE
    assert last.direction == expected
    travel = strobe_travel(readings)
    beat_hz = (2 ** (offset / 1200) - 1) * note_target_hz(GUITAR.tuning, midi)
    assert travel == pytest.approx(beat_hz * (len(readings) - 1) * HOP_S, abs=0.01)
    if offset:
        assert (travel > 0) == (offset > 0)     # sharp drifts one way, flat the other
    assert last.locked == (abs(offset) <= 1)
    if last.locked:                             # within 1 s of the note starting
        first = next(r.time_s for r in readings if r.locked)
        assert first < 1.0


@pytest.mark.parametrize("offset", OFFSETS)
def test_chromatic_mode_in_meantone(offset):
    config = TunerConfig(tuning=temperament("meantone"), strobe_band_hz=440.0)
    target = note_target_hz(config.tuning, 68)        # G#4, 27 cents below equal temperament
    readings = run(config, frames(target * 2 ** (offset / 1200), 1.5, seed=3))
    last = readings[-1]
    assert last.target.midi == 68 and last.target.string_index is None
    assert last.target.target_hz == pytest.approx(target)
    assert last.cents == pytest.approx(offset, abs=0.31)
    assert last.locked == (abs(offset) <= 1)
    assert last.strobe_rate_hz == pytest.approx((2 ** (offset / 1200) - 1) * 440, abs=0.1)


def test_lock_follows_the_tone_and_releases_in_silence():
    a2 = midi_to_hz(45)
    readings = run(GUITAR, frames(a2, 1.5))
    assert readings[-1].locked
    silence = [(1.5 + k * HOP_S, None) for k in range(10)]
    after = run(GUITAR, silence, readings[-1])
    assert not after[-1].locked and after[-1].cents is None and after[-1].direction is None
    assert after[-1].target.name == "A2"                       # the last target stays shown
    assert after[-1].needle_cents == readings[-1].needle_cents  # the needle rests


def test_a_sweep_through_the_target_does_not_lock():
    # A string tuned up slowly from -20 to +20 cents in 1 s passes through +-1 in ~50 ms.
    a2 = midi_to_hz(45)
    sweep = [(k * HOP_S, a2 * 2 ** ((-20 + 40 * k * HOP_S) / 1200)) for k in range(32)]
    assert not any(r.locked for r in run(GUITAR, sweep))


def test_changing_string_resets_the_lock_and_the_names_follow_the_settings():
    readings = run(GUITAR, frames(midi_to_hz(45), 1.5))
    assert readings[-1].locked
    moved = run(GUITAR, frames(midi_to_hz(50), 0.1, start_s=1.6), readings[-1])
    assert moved[-1].target.string_index == 2 and not moved[-1].locked
    flats = TunerConfig(prefer_flats=True, transpose_semitones=2)
    reading = step_tuner(None, flats, 0.0, midi_to_hz(68))
    assert reading.target.name == "Bb4" and reading.target.midi == 68


@pytest.mark.parametrize("bad", [None, float("nan"), 0.0, -10.0])
def test_frames_without_pitch_are_readings_without_cents(bad):
    reading = step_tuner(None, GUITAR, 0.0, bad)
    assert isinstance(reading, TunerReading) and reading.cents is None and reading.target is None
    assert math.isfinite(reading.needle_cents) and not reading.locked
