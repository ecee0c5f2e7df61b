"""The live views fed with synthetic frames: note panel, pitch trace, history, controls."""

from __future__ import annotations

import math
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from pitchlive.audio.devices import InputDevice
from pitchlive.frames import HOP_S, PitchFrame
from pitchlive.settings import Settings
from pitchlive.ui.controls import ControlPanel
from pitchlive.ui.history import PitchHistory
from pitchlive.ui.note_panel import NotePanel
from pitchlive.ui.pitch_view import PitchView
from pitchlive.ui.plot import NoteAxis
from pitchlive.ui.prefs import DisplayPrefs
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.readout import CLOSE, IN_TUNE, OFF, NoteHold, read_frequency
from pitchlive.ui.theme import DARK, LIGHT

pytestmark = pytest.mark.gui


def frame(t: float, hz: float, voiced: bool = True, confidence: float = 0.95) -> PitchFrame:
    """A synthetic engine frame."""
    return PitchFrame(time_s=t, frequency_hz=hz, confidence=confidence, level_dbfs=-20.0,
                      voiced=voiced)


def hz(midi: float, a4: float = 440.0) -> float:
    """Frequency of a (fractional) MIDI note."""
    return a4 * 2 ** ((midi - 69) / 12)


# ---- readings (pure logic) ------------------------------------------------------------------

@pytest.mark.parametrize("frequency, name, cents, band", [
    (440.0, "A4", 0.0, IN_TUNE),
    (hz(69.04), "A4", 4.0, IN_TUNE),
    (hz(69.12), "A4", 12.0, CLOSE),
    (hz(68.70), "A4", -30.0, OFF),
    (hz(60.0), "C4", 0.0, IN_TUNE),
    (hz(61.49), "C#4", 49.0, OFF),
    (82.407, "E2", 0.0, IN_TUNE),
])
def test_reading_names_cents_and_band(frequency, name, cents, band):
    reading = read_frequency(frequency, Settings(), DisplayPrefs())
    assert reading.name == name
    assert reading.cents == pytest.approx(cents, abs=0.05)
    assert reading.band == band


def test_a4_transposition_and_flats_change_the_reading():
    base = Settings()
    assert read_frequency(446.0, base, DisplayPrefs()).cents == pytest.approx(23.45, abs=0.05)
    assert read_frequency(446.0, base.replace(a4_hz=446.0), DisplayPrefs()).cents == \
        pytest.approx(0.0, abs=1e-6)
    # Concert A4 is written B4 for a B-flat, F#5 for an E-flat and E5 for an F instrument.
    assert read_frequency(440.0, base.replace(transposition="Bb"), DisplayPrefs()).name == "B4"
    assert read_frequency(440.0, base.replace(transposition="Eb"), DisplayPrefs()).name == "F#5"
    assert read_frequency(440.0, base.replace(transposition="F"), DisplayPrefs()).name == "E5"
    assert read_frequency(hz(70), base, DisplayPrefs()).name == "A#4"
    assert read_frequency(hz(70), base.replace(prefer_flats=True), DisplayPrefs()).name == "Bb4"


def test_bands_are_configurable():
    wide = DisplayPrefs(in_tune_cents=25.0, close_cents=40.0)
    assert read_frequency(446.0, Settings(), wide).band == IN_TUNE
    assert read_frequency(hz(69.30), Settings(), wide).band == CLOSE
    assert read_frequency(hz(69.45), Settings(), wide).band == OFF


def test_hold_keeps_the_last_note_briefly_then_clears():
    hold, s, p = NoteHold(), Settings(), DisplayPrefs(hold_s=0.5)
    assert hold.update(frame(0.0, 440.0), s, p).name == "A4"
    held = hold.update(frame(0.3, 440.0, voiced=False, confidence=0.2), s, p)
    assert held is not None and held.name == "A4" and held.held
    assert hold.update(frame(0.6, 440.0, voiced=False, confidence=0.2), s, p) is None
    # A new voiced frame replaces the hold at once.
    assert hold.update(frame(0.7, hz(72)), s, p).name == "C5"


def test_a_note_at_a_band_edge_keeps_its_colour_until_the_edge_is_clearly_passed():
    # A vibrato's centre read over whole cycles moves a cent or two: at the in-tune edge (5
    # cents) the colour flickered between in tune and close with it.
    hold, s, p = NoteHold(), Settings(), DisplayPrefs()
    bands = [hold.update(frame(0.03 * k, hz(69 + c / 100)), s, p).band
             for k, c in enumerate([-4.6, -5.4, -4.8, -5.9, -6.2, -5.5, -4.5, -3.9])]
    assert bands == [IN_TUNE] * 4 + [CLOSE] * 3 + [IN_TUNE]
    # Near the close/off edge too; a new note or a held one reads plainly.
    assert [hold.update(frame(1 + 0.03 * k, hz(72 + c / 100)), s, p).band
            for k, c in enumerate([14.5, 15.6, 16.2, 14.5, 13.9])] == [CLOSE] * 2 + [OFF] * 2 \
        + [CLOSE]
    assert hold.update(frame(2.0, hz(69.055)), s, p).band == CLOSE
    assert read_frequency(hz(69.055), s, p).band == CLOSE


# ---- note panel ---------------------------------------------------------------------------------

@pytest.fixture
def panel(qtbot):
    widget = NotePanel(SettingsModel(Settings(), DisplayPrefs()), DARK)
    qtbot.addWidget(widget)
    widget.resize(360, 400)
    widget.show()
    return widget


def test_note_panel_shows_name_cents_and_band_colour(panel):
    panel.show_frame(frame(0.0, 440.0))
    assert panel.note_text() == "A4"
    assert panel.cents_text() == "0 cents"
    assert panel.note_colour().name() == DARK.in_tune
    panel.show_frame(frame(0.03, hz(69.12)))
    assert panel.cents_text() == "+12 cents"
    assert panel.note_colour().name() == DARK.close
    panel.show_frame(frame(0.06, hz(68.70)))
    assert panel.cents_text() == "-30 cents"
    assert panel.note_colour().name() == DARK.off
    assert "C" not in panel.note_text()


def test_note_panel_relabels_live_when_settings_change(panel):
    panel.show_frame(frame(0.0, 446.0))
    assert (panel.note_text(), panel.cents_text()) == ("A4", "+23 cents")
    assert panel.note_colour().name() == DARK.off
    panel.settings_model.set_settings(Settings(a4_hz=446.0))
    assert (panel.note_text(), panel.cents_text()) == ("A4", "0 cents")
    assert panel.note_colour().name() == DARK.in_tune
    panel.settings_model.set_settings(Settings(a4_hz=446.0, transposition="Bb"))
    assert panel.note_text() == "B4"
    panel.show_frame(frame(0.03, hz(70, 446.0)))
    assert panel.note_text() == "C5"          # concert A#4 written a tone up
    panel.settings_model.set_settings(Settings(a4_hz=446.0, prefer_flats=True))
    assert panel.note_text() == "Bb4"
    panel.settings_model.set_prefs(DisplayPrefs(in_tune_cents=1.0, close_cents=2.0))
    assert panel.note_colour().name() == DARK.in_tune


def test_note_panel_holds_then_clears_and_theme_recolours(panel):
    panel.show_frame(frame(0.0, 440.0))
    panel.show_frame(frame(0.2, 440.0, voiced=False, confidence=0.1))
    assert panel.note_text() == "A4"
    assert panel.note_colour().name() == DARK.held
    panel.show_frame(frame(1.0, 440.0, voiced=False, confidence=0.1))
    assert panel.note_text() == ""
    panel.set_theme(LIGHT)
    panel.show_frame(frame(1.1, 440.0))
    assert panel.note_colour().name() == LIGHT.in_tune


# ---- history ------------------------------------------------------------------------------------

def test_history_keeps_at_least_five_minutes_and_bounds_memory():
    history = PitchHistory(capacity_s=600.0)
    n = int(720 / HOP_S)                    # 12 minutes of frames
    for k in range(n):
        history.append(frame(k * HOP_S, 440.0, voiced=k % 50 < 40))
    assert len(history) == history.capacity
    assert history.latest_time_s - history.earliest_time_s >= 300.0
    five_min_ago = history.latest_time_s - 300.0
    old = history.between(five_min_ago - 1.0, five_min_ago + 1.0)
    assert old.times_s.size > 50 and np.isfinite(old.frequency_hz).any()
    assert np.isnan(old.frequency_hz).any()        # unvoiced frames are gaps
    assert np.all(np.diff(history.between(0, 1e9).times_s) > 0)


def test_history_places_a_new_run_after_the_last_with_a_break():
    clock = iter(np.arange(0.0, 1000.0, 0.01))
    history = PitchHistory(capacity_s=60.0, clock=lambda: next(clock))
    for k in range(10):
        history.append(frame(k * HOP_S, 440.0))
    end_first = history.latest_time_s
    history.begin_run()
    t = history.append(frame(0.0, 440.0))          # the new engine's clock restarts at 0
    assert t > end_first
    data = history.between(0, 1e9)
    assert np.isnan(data.frequency_hz[10])         # break between the runs


# ---- pitch view -----------------------------------------------------------------------------------

@pytest.fixture
def view(qtbot):
    history = PitchHistory()
    widget = PitchView(history, SettingsModel(Settings(), DisplayPrefs()), DARK)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    return widget


def feed(view: PitchView, start_s: float, seconds: float, midi: float) -> None:
    """Append frames of one steady note and redraw."""
    for k in range(int(seconds / HOP_S)):
        view.history.append(frame(start_s + k * HOP_S, hz(midi)))
    view.notify_new_data()
    view.tick()


def test_trace_is_drawn_on_a_semitone_axis_with_gaps(view):
    for k in range(200):
        voiced = (k // 25) % 2 == 0
        view.history.append(frame(k * HOP_S, hz(64.25), voiced=voiced))
    view.set_stream_active(True)
    view.notify_new_data()
    view.tick()
    x, y = view.trace.getData()
    assert np.nanmax(x) == pytest.approx(199 * HOP_S)
    assert np.nanmean(y) == pytest.approx(64.25, abs=1e-6)   # y is in semitones (MIDI)
    assert np.isnan(y).sum() >= 90                            # unvoiced frames are gaps
    x0, x1 = view.x_range()
    assert x1 - x0 == pytest.approx(Settings().history_s, rel=0.05)
    assert x1 >= 199 * HOP_S


def test_y_range_follows_the_singer_and_a_pan_stops_it(qtbot, view):
    view.set_stream_active(True)
    feed(view, 0.0, 1.0, 60)
    assert view.y_range()[0] < 60 < view.y_range()[1]
    feed(view, 1.0, 1.0, 84)                 # two octaves up: out of view
    qtbot.waitUntil(lambda: abs(sum(view.y_range()) / 2 - 84) < 1.0, timeout=3000)
    span = view.y_range()[1] - view.y_range()[0]
    assert span == pytest.approx(DisplayPrefs().pitch_span_semitones)
    view.pitch_plot.getViewBox().translateBy(y=-10)
    view.pitch_plot.getViewBox().sigRangeChangedManually.emit([False, True])
    assert not view.follow
    centre = sum(view.y_range()) / 2
    feed(view, 2.0, 1.0, 40)
    qtbot.wait(300)
    assert sum(view.y_range()) / 2 == pytest.approx(centre)
    view.set_follow(not view.follow)
    qtbot.waitUntil(lambda: abs(sum(view.y_range()) / 2 - 40) < 1.0, timeout=3000)


def test_zoom_changes_the_pitch_span(view):
    before = view.y_range()[1] - view.y_range()[0]
    view.zoom_pitch(0.5)
    assert view.y_range()[1] - view.y_range()[0] == pytest.approx(before / 2)


def test_pause_freezes_and_allows_scrolling_back_five_minutes(qtbot, view):
    view.set_stream_active(True)
    feed(view, 0.0, 360.0, 62)
    live = view.x_range()
    view.set_paused(not view.paused)
    assert view.paused and "Paused" in view.banner_text()
    feed(view, 360.0, 2.0, 67)
    assert view.x_range() == pytest.approx(live)       # frozen while frames keep coming
    for _ in range(200):
        view.scroll_time(-1.0)
    view.tick()
    x0, _x1 = view.x_range()
    assert x0 <= view.history.latest_time_s - 300.0
    x, y = view.trace.getData()
    assert x.size and np.nanmin(x) <= x0 + 1.0 and np.isfinite(y).any()
    view.set_paused(not view.paused)
    view.tick()
    assert not view.paused
    assert view.x_range()[1] >= view.history.latest_time_s


def test_axis_labels_follow_naming_settings(view):
    labels = view.note_axis.tickStrings([60.0, 61.0, 69.0], 1.0, 1.0)
    assert labels == ["C4", "C♯4", "A4"]
    view.settings_model.set_settings(Settings(prefer_flats=True, transposition="Bb"))
    assert view.note_axis.tickStrings([60.0, 61.0, 69.0], 1.0, 1.0) == ["D4", "E♭4", "B4"]
    assert view.threshold_line.value() == pytest.approx(0.9)
    view.settings_model.set_settings(Settings(confidence_threshold=0.6))
    assert view.threshold_line.value() == pytest.approx(0.6)


def test_axis_thins_labels_when_zoomed_out(qtbot):
    axis = NoteAxis(lambda m: ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
                    [m % 12] + str(m // 12 - 1), lambda m: m % 12 in (1, 3, 6, 8, 10))
    label_px = axis.label_height_px()
    dense = axis.tickValues(48, 72, 24 * 2 * label_px)[0][1]
    assert len(dense) == 25
    # E5/F5 and B4/C5 are a semitone apart: white keys alone would collide at these heights.
    for px_per_semitone in (8, 10, 12, 15, 18):
        values = axis.tickValues(48, 72, 24 * px_per_semitone)[0][1]
        gaps_px = np.diff(values) * px_per_semitone
        assert len(values) >= 2 and gaps_px.min() >= label_px, px_per_semitone
    sparse = axis.tickValues(24, 96, 72 * 2)[0][1]
    assert sparse and all(int(v) % 12 == 0 for v in sparse)
    assert np.diff(sparse).min() * 2 >= label_px


# ---- controls ---------------------------------------------------------------------------------------

def test_every_control_emits_valid_settings(qtbot):
    panel = ControlPanel(SettingsModel(Settings(), DisplayPrefs()))
    qtbot.addWidget(panel)
    seen = []
    panel.settings_model.settings_changed.connect(seen.append)
    panel.a4_spin.setValue(442.0)
    panel.transposition_combo.setCurrentIndex(panel.transposition_combo.findData("Eb"))
    panel.naming_combo.setCurrentIndex(1)
    panel.threshold_slider.setValue(75)
    panel.gate_slider.setValue(-45)
    panel.history_spin.setValue(30)
    last = seen[-1]
    assert (last.a4_hz, last.transposition, last.prefer_flats) == (442.0, "Eb", True)
    assert (last.confidence_threshold, last.level_gate_dbfs, last.history_s) == (0.75, -45.0, 30.0)
    assert panel.threshold_label.text() == "0.75"
    prefs = []
    panel.settings_model.prefs_changed.connect(prefs.append)
    panel.close_spin.setValue(20.0)
    panel.in_tune_spin.setValue(30.0)          # clamped below 'close'
    assert prefs[-1].in_tune_cents < prefs[-1].close_cents == 20.0


def test_device_picker_lists_devices_and_keeps_a_missing_choice(qtbot):
    panel = ControlPanel(SettingsModel(Settings(), DisplayPrefs()))
    qtbot.addWidget(panel)
    devices = [InputDevice(0, "USB Mic", 1, 48000.0, "ALSA", False),
               InputDevice(3, "pulse", 32, 44100.0, "ALSA", True)]
    panel.set_devices(devices, "USB Mic")
    names = panel.device_names()
    assert names[0] == "System default (pulse)"
    assert any(n.startswith("USB Mic") for n in names)
    assert panel.device_combo.currentData() == "USB Mic"
    chosen = []
    panel.device_chosen.connect(chosen.append)
    panel.device_combo.activated.emit(0)
    assert chosen == [None]
    panel.set_devices(devices, "Old headset")
    assert panel.device_combo.currentText() == "Old headset (not found)"


def test_run_button_reflects_engine_state_not_clicks(qtbot):
    panel = ControlPanel(SettingsModel(Settings(), DisplayPrefs()))
    qtbot.addWidget(panel)
    asked = []
    panel.run_requested.connect(asked.append)
    panel.run_button.click()
    assert asked == [True] and panel.run_button.text() == "Start"
    panel.set_running(True)
    panel.run_button.click()
    assert asked == [True, False] and panel.run_button.text() == "Stop"


def test_synthetic_melody_frames_name_every_note(panel):
    """A sung-like sequence with vibrato and gaps names each note when it is voiced."""
    names = []
    t = 0.0
    for midi in (62, 64, 66, 67, 69):
        for k in range(15):
            vibrato = 0.2 * math.sin(2 * math.pi * 5.5 * k * HOP_S)
            panel.show_frame(frame(t, hz(midi + vibrato)))
            t += HOP_S
        names.append(panel.note_text())
        panel.show_frame(frame(t, 0.0, voiced=False, confidence=0.1))
        t += HOP_S
    assert names == ["D4", "E4", "F#4", "G4", "A4"]


def test_scrolling_back_stops_at_the_oldest_frame(view):
    view.set_stream_active(True)
    feed(view, 0.0, 3.0, 62)                 # less than the 10 s window
    view.set_paused(True)
    before = view.x_range()
    view.scroll_time(-0.5)
    assert view.x_range() == pytest.approx(before)   # nothing older to show: no move
    feed(view, 3.0, 30.0, 64)
    view.scroll_time(10.0)                   # forward to the newest frame, not beyond
    assert view.x_range()[1] == pytest.approx(view.history.latest_time_s + 0.5)
    view.scroll_time(-10.0)                  # back to the oldest, not beyond
    assert view.x_range()[0] == pytest.approx(view.history.earliest_time_s)
