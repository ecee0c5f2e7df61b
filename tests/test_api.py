"""The public Python API: pitchlive.load_model / predict / analyze_file, loaded lazily."""

import subprocess
import sys

import numpy as np
import pytest

import pitchlive
from synth import harmonic_tone, write_wav


def test_importing_pitchlive_and_its_cli_loads_no_tensorflow():
    code = ("import sys, pitchlive, pitchlive.cli; pitchlive.cli.build_parser(); "
            "heavy = [m for m in ('tensorflow', 'tensorflow_hub', 'scipy') if m in sys.modules]; "
            "print(heavy); assert not heavy; assert callable(pitchlive.predict)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout


def test_the_exports_are_the_real_functions():
    from pitchlive.analysis.file import analyze_file
    from pitchlive.analysis.inference import predict
    from pitchlive.model import load_model

    assert pitchlive.predict is predict and pitchlive.analyze_file is analyze_file
    assert pitchlive.load_model is load_model
    assert set(pitchlive.__all__) == {"load_model", "predict", "analyze_file"}
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        pitchlive.nothing


@pytest.mark.model
def test_predict_and_analyze_file_through_the_front_door(spice_model, tmp_path):
    tone = harmonic_tone(440.0, 1.0, 16000)
    times_s, frequency_hz, confidence = pitchlive.predict(tone, 16000, spice_model)
    assert times_s.shape == frequency_hz.shape == confidence.shape == (16000 // 512 + 1,)
    assert np.median(frequency_hz[5:-5]) == pytest.approx(440.0, rel=0.02)
    result = pitchlive.analyze_file(write_wav(tmp_path / "a.wav", tone, 16000), spice_model)
    np.testing.assert_allclose(result.track.frequency_hz, frequency_hz, rtol=1e-5)
    assert result.level_dbfs.shape == (result.track.n_frames,)
    assert np.all(result.level_dbfs[5:-5] > -20.0)
