"""The Pitch source control: refined pitch or SPICE's raw output, one switch away (like --raw)."""

import numpy as np
import pytest

pytest.importorskip("PySide6")

from pitchlive.frames import ModelFrame  # noqa: E402
from pitchlive.settings import Settings  # noqa: E402
from pitchlive.tracking.live import LiveTracker  # noqa: E402
from pitchlive.ui.controls import ControlPanel  # noqa: E402
from pitchlive.ui.prefs import DisplayPrefs  # noqa: E402
from pitchlive.ui.settings_model import SettingsModel  # noqa: E402
from synth import exact_tone  # noqa: E402


def test_the_switch_writes_refine_and_follows_the_model(qtbot):
    model = SettingsModel(Settings(), DisplayPrefs())
    panel = ControlPanel(model)
    qtbot.addWidget(panel)
    assert panel.pitch_source_combo.currentText() == "Refined"
    seen = []
    model.settings_changed.connect(seen.append)
    panel.pitch_source_combo.setCurrentIndex(panel.pitch_source_combo.findText("Raw SPICE"))
    assert model.settings.refine is False and seen[-1].refine is False
    # A change made elsewhere (the command line's --raw, a menu) shows in the control.
    model.update_settings(refine=True)
    assert panel.pitch_source_combo.currentText() == "Refined"
    assert len(seen) == 2


def test_raw_spice_shows_the_model_output_refined_shows_the_signal(qtbot):
    # The model reads this A4 an octave low; refined, the live tracker reads A4 from the window.
    window = exact_tone(440.0, 0.2, "saw")[:2304].copy()
    window.flags.writeable = False
    frame = ModelFrame(time_s=0.0, frequency_hz=220.0, confidence=0.95, level_dbfs=-10.0,
                       window_16k=window, centre_index=2304 - 768)
    model = SettingsModel(Settings(), DisplayPrefs())
    panel = ControlPanel(model)
    qtbot.addWidget(panel)
    assert LiveTracker(model.settings).process(frame, model.settings).note == "A4"
    panel.pitch_source_combo.setCurrentIndex(panel.pitch_source_combo.findText("Raw SPICE"))
    raw = LiveTracker(model.settings).process(frame, model.settings)
    assert raw.note == "A3" and raw.frequency_hz == 220.0
    np.testing.assert_allclose(
        LiveTracker(Settings()).process(frame, Settings()).frequency_hz, 440.0, rtol=1e-4)


def test_the_recording_view_follows_the_switch(qtbot, monkeypatch, tmp_path):
    # Raw SPICE is a different analysis, not a different drawing: switching re-analyses the file
    # with refine off; other settings only redraw.
    from pitchlive.analysis import recording
    from pitchlive.ui.file_view import FileView

    analysed = []
    monkeypatch.setattr(recording, "analyse_recording",
                        lambda path, model, refine=True: analysed.append(refine))

    class Jobs:
        def run(self, work, name, done, failed):
            work()

    model = SettingsModel(Settings(), DisplayPrefs())
    view = FileView(model, Jobs())
    qtbot.addWidget(view)
    view.set_model(object())
    view.load(tmp_path / "take.wav")
    model.update_settings(refine=False)
    assert analysed == [True, False]
    model.update_settings(level_gate_dbfs=-50.0)
    assert analysed == [True, False]


def test_the_low_latency_box_writes_the_setting_and_follows_it(qtbot):
    model = SettingsModel(Settings(), DisplayPrefs())
    panel = ControlPanel(model)
    qtbot.addWidget(panel)
    assert not panel.low_latency_check.isChecked()
    panel.low_latency_check.setChecked(True)
    assert model.settings.low_latency and model.settings.live_window == (1792, 256)
    model.update_settings(low_latency=False)      # e.g. restored settings, another control
    assert not panel.low_latency_check.isChecked()
    assert model.settings.live_window == (model.settings.window_samples,
                                          model.settings.right_context_samples)
