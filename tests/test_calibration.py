"""Unit tests for SPICE calibration per model version."""

import numpy as np
import pytest

from pitchlive.calibration import (CALIBRATIONS, calibration_for_parameter_count)


def test_v1_constants():
    v1 = CALIBRATIONS["v1"]
    assert v1.pitch_to_hz(0.0) == pytest.approx(10 * 2 ** (24.374 / 12))
    assert v1.pitch_to_hz(1.0) == pytest.approx(10 * 2 ** ((24.374 + 62.511) / 12))


def test_v2_constants():
    v2 = CALIBRATIONS["v2"]
    assert v2.pitch_to_hz(0.5) == pytest.approx(10 * 2 ** ((25.58 + 63.07 * 0.5) / 12))


def test_v2_constants_read_v1_output_sharp():
    # The pitch value v1 gives for 440 Hz reads ~1.5 semitones sharp with v2's constants.
    pitch = CALIBRATIONS["v1"].hz_to_pitch(440.0)
    semitones_sharp = 12 * np.log2(CALIBRATIONS["v2"].pitch_to_hz(pitch) / 440.0)
    assert 1.2 < semitones_sharp < 1.8


def test_roundtrip_and_vector_shapes():
    for calibration in CALIBRATIONS.values():
        hz = np.array([[55.0, 110.0], [440.0, 1000.0]])
        assert calibration.pitch_to_hz(calibration.hz_to_pitch(hz)) == pytest.approx(hz)


def test_version_from_parameter_count():
    assert calibration_for_parameter_count(404_850).version == "v1"
    assert calibration_for_parameter_count(2_380_000).version == "v2"
