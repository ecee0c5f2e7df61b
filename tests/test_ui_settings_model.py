"""The window's one settings owner: changes announced once, and every part follows it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("pytestqt")

from pitchlive.frames import PitchFrame
from pitchlive.settings import Settings, SettingsError
from pitchlive.ui.controls import ControlPanel
from pitchlive.ui.history import PitchHistory
from pitchlive.ui.note_panel import NotePanel
from pitchlive.ui.pitch_view import PitchView
from pitchlive.ui.prefs import DisplayPrefs, clamp_span
from pitchlive.ui.settings_model import SettingsModel

pytestmark = pytest.mark.gui


def test_a_change_is_announced_once_and_an_equal_value_not_at_all(qtbot):
    model = SettingsModel(Settings(), DisplayPrefs())
    seen, prefs_seen = [], []
    model.settings_changed.connect(seen.append)
    model.prefs_changed.connect(prefs_seen.append)
    assert model.update_settings(a4_hz=442.0).a4_hz == 442.0
    model.set_settings(model.settings)                     # the same: no announcement
    model.update_prefs(theme="light")
    model.update_prefs(theme="light")
    assert [s.a4_hz for s in seen] == [442.0] and [p.theme for p in prefs_seen] == ["light"]


def test_invalid_changes_are_refused_and_nothing_is_announced(qtbot):
    model = SettingsModel()
    seen = []
    model.settings_changed.connect(seen.append)
    with pytest.raises(SettingsError):
        model.update_settings(a4_hz=9999.0)
    with pytest.raises(SettingsError):
        model.update_prefs(pitch_span_semitones=200.0)
    assert seen == [] and model.settings == Settings()


def test_span_limits_are_one_rule():
    assert clamp_span(1.0) == 3.0 and clamp_span(500.0) == 96.0 and clamp_span(24.0) == 24.0
    DisplayPrefs(pitch_span_semitones=96.0)
    with pytest.raises(SettingsError, match="3-96 semitones"):
        DisplayPrefs(pitch_span_semitones=96.5)


def test_controls_views_follow_one_model_without_copies(qtbot):
    model = SettingsModel(Settings(), DisplayPrefs())
    controls, panel = ControlPanel(model), NotePanel(model)
    view = PitchView(PitchHistory(), model)
    for widget in (controls, panel, view):
        qtbot.addWidget(widget)
    panel.show_frame(PitchFrame(0.0, 440.0, 0.95, -20.0, True))
    assert panel.note_text() == "A4"
    controls.transposition_combo.setCurrentIndex(controls.transposition_combo.findData("Bb"))
    assert model.settings.transposition == "Bb"
    assert panel.note_text() == "B4"                               # relabelled at once
    assert view.note_axis.tickStrings([69.0], 1.0, 1.0) == ["B4"]
    model.update_settings(a4_hz=445.0, confidence_threshold=0.5)   # changed elsewhere
    assert controls.a4_spin.value() == 445.0 and controls.threshold_label.text() == "0.50"
    assert view.threshold_line.value() == pytest.approx(0.5)
    view.zoom_pitch(2.0)                                           # the view's own change
    assert model.prefs.pitch_span_semitones == pytest.approx(48.0)
