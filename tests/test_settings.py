"""The settings object validates every field and resolves the model source."""

import pytest

from pitchlive.settings import DEFAULT_MODEL_HANDLE, Settings, SettingsError


def test_defaults_are_valid():
    s = Settings()
    assert s.confidence_threshold == 0.9 and s.a4_hz == 440.0 and s.transpose_semitones == 0


@pytest.mark.parametrize("field,value,message", [
    ("a4_hz", 500.0, "A4 reference"), ("confidence_threshold", 1.5, "confidence threshold"),
    ("transposition", "H", "transposition"), ("calibration", "v3", "calibration"),
    ("window_samples", 1000, "window"), ("level_gate_dbfs", 10.0, "level gate"),
])
def test_out_of_range_values_are_rejected_with_a_message(field, value, message):
    with pytest.raises(SettingsError, match=message):
        Settings(**{field: value})


@pytest.mark.parametrize("window,right,ok", [
    (2304, 256, True), (4096, 512, True), (4096, 0, True), (2304, 512, False),
    (2304, 2304, False), (4096, -512, False),
])
def test_the_kept_frame_must_be_a_spice_frame_inside_the_window(window, right, ok):
    if ok:
        assert Settings(window_samples=window, right_context_samples=right).window_samples == window
    else:
        with pytest.raises(SettingsError, match="kept frame must be a SPICE frame"):
            Settings(window_samples=window, right_context_samples=right)


def test_replace_validates():
    with pytest.raises(SettingsError):
        Settings().replace(a4_hz=300.0)
    assert Settings().replace(transposition="Bb").transpose_semitones == 2


@pytest.mark.parametrize("transposition,semitones", [
    ("A", 3), ("D", -2), ("G", 5), ("8va", -12), ("8vb", 12), ("+3", 3), ("-14", -14), ("7", 7),
])
def test_more_transpositions_and_custom_semitones(transposition, semitones):
    assert Settings(transposition=transposition).transpose_semitones == semitones


@pytest.mark.parametrize("bad", ["+25", "-100", "3.5", "", "Bbb", "+"])
def test_bad_custom_transpositions_are_rejected(bad):
    with pytest.raises(SettingsError, match="signed number of semitones"):
        Settings(transposition=bad)


def test_model_source_priority(monkeypatch):
    monkeypatch.delenv("PITCHLIVE_MODEL", raising=False)
    assert Settings().resolved_model_source() == (DEFAULT_MODEL_HANDLE,
                                                  "default (TF Hub SPICE v2)")
    monkeypatch.setenv("PITCHLIVE_MODEL", "/models/spice")
    assert Settings().resolved_model_source()[0] == "/models/spice"
    assert Settings(model_source="/other").resolved_model_source() == ("/other", "--model")


def test_calibration_override_from_environment(monkeypatch):
    monkeypatch.setenv("PITCHLIVE_CALIBRATION", "v2")
    assert Settings().resolved_calibration() == "v2"
    assert Settings(calibration="v1").resolved_calibration() == "v1"
    monkeypatch.setenv("PITCHLIVE_CALIBRATION", "v9")
    with pytest.raises(SettingsError):
        Settings().resolved_calibration()
