"""The strobe pattern drifts at the beat between input and target: still when in tune."""

import pytest

from pitchlive.tuner.strobe import advance_strobe, strobe_rate_hz


def test_rate_is_the_beat_frequency_with_its_sign():
    assert strobe_rate_hz(441.0, 440.0) == pytest.approx(1.0)
    assert strobe_rate_hz(439.0, 440.0) == pytest.approx(-1.0)
    assert strobe_rate_hz(440.0, 440.0) == 0.0
    one_cent = 2 ** (1 / 1200)
    assert strobe_rate_hz(82.41 * one_cent, 82.41) == pytest.approx(0.0476, abs=1e-4)


def test_a_band_makes_the_speed_independent_of_the_octave():
    cents = 2 ** (3 / 1200)
    low = strobe_rate_hz(82.41 * cents, 82.41, band_hz=440.0)
    high = strobe_rate_hz(1318.5 * cents, 1318.5, band_hz=440.0)
    assert low == pytest.approx(high) == pytest.approx(0.7629, abs=1e-3)


@pytest.mark.parametrize("bad", [(0.0, 440.0), (float("nan"), 440.0), (440.0, 0.0)])
def test_no_pitch_no_drift(bad):
    assert strobe_rate_hz(*bad) == 0.0


def test_phase_advances_and_wraps():
    phase = 0.0
    for _ in range(10):
        phase = advance_strobe(phase, 1.5, 0.1)
    assert phase == pytest.approx(0.5)
    assert advance_strobe(0.2, -0.5, 1.0) == pytest.approx(0.7)
    assert advance_strobe(0.3, 5.0, 0.0) == pytest.approx(0.3)
