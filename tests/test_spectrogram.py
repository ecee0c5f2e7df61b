"""The semitone spectrogram of the Recording view (pitchlive.analysis.spectrogram), without Qt."""

import numpy as np
import pytest

from pitchlive.analysis.spectrogram import semitone_spectrogram
from pitchlive.music import midi_to_hz as hz


def test_semitone_spectrogram_puts_a_tone_on_its_row_and_stays_bounded():
    t = np.arange(32000) / 16000
    for midi in (45, 57, 69, 81):
        spec = semitone_spectrogram(np.sin(2 * np.pi * hz(midi) * t).astype(np.float32))
        peak_row = int(np.argmax(spec.level_db.mean(axis=1)))
        assert spec.midi_lo + peak_row * spec.midi_step == pytest.approx(midi, abs=0.5)
        assert spec.start_s + spec.duration_s == pytest.approx(2.0, abs=0.1)
    long = semitone_spectrogram(np.zeros(16000 * 1200, np.float32), max_columns=3000)
    assert long.level_db.shape[1] <= 3001
    assert long.duration_s == pytest.approx(1200.0, rel=0.01)
    assert semitone_spectrogram(np.zeros(100, np.float32)) is None
