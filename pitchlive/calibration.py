"""SPICE calibration: the model's pitch output in [0, 1] to Hz, per model version.

Hz = 10 * 2 ** (semitones / 12), semitones = offset + slope * pitch. The constants come from
Google's TF Hub model pages; using v2's on v1 reads about 1.5 semitones sharp.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FMIN_HZ = 10.0


@dataclass(frozen=True)
class Calibration:
    """Linear map from SPICE's pitch output to semitones above 10 Hz."""

    version: str
    offset_semitones: float
    slope_semitones: float

    def pitch_to_hz(self, pitch) -> np.ndarray:
        """Frequency in Hz of SPICE pitch outputs (any shape)."""
        semitones = self.offset_semitones + self.slope_semitones * np.asarray(pitch, np.float64)
        return FMIN_HZ * np.power(2.0, semitones / 12.0)

    def hz_to_pitch(self, frequency_hz) -> np.ndarray:
        """Inverse of pitch_to_hz (used to check the model's range)."""
        semitones = 12.0 * np.log2(np.asarray(frequency_hz, np.float64) / FMIN_HZ)
        return (semitones - self.offset_semitones) / self.slope_semitones

    def describe(self) -> str:
        """One line for logs: version and constants."""
        return (f"SPICE {self.version} calibration: semitones = {self.offset_semitones} + "
                f"{self.slope_semitones} * pitch")


CALIBRATIONS = {
    "v1": Calibration("v1", 24.374, 62.511),
    "v2": Calibration("v2", 25.58, 63.07),
}

# v1 has ~180k parameters, v2 ~2.38M: anything under this is v1.
V1_MAX_PARAMETERS = 1_000_000


def calibration_for_parameter_count(parameter_count: int) -> Calibration:
    """The calibration of the SPICE version with this many parameters."""
    return CALIBRATIONS["v1" if parameter_count < V1_MAX_PARAMETERS else "v2"]
