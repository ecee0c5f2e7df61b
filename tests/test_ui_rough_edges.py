"""The window's rough edges from issue 12: sizes, restored layouts, texts, naming, the edge marker.

Each test here failed before its fix.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QRect, Qt

from pitchlive.frames import HOP_S, PitchFrame
from pitchlive.tracking.naming import display_note_name
from pitchlive.ui.app import create_window
from pitchlive.ui.note_panel import UNPITCHED, CentsBar
from pitchlive.ui.readout import cents_label
from pitchlive.ui.status_bar import devices_found_text
from test_ui_window import DEMO, FixedPitchModel, DyingSource, feed_frames  # noqa: F401
from test_ui_views import panel  # noqa: F401  (fixture)
from test_ui_window import make_window, store  # noqa: F401  (fixtures)

pytestmark = pytest.mark.gui


# ---- texts ---------------------------------------------------------------------------------------

def test_cents_are_never_minus_zero_and_one_cent_is_singular():
    assert cents_label(-0.4) == "0 cents" and cents_label(0.3) == "0 cents"
    assert cents_label(1.2) == "+1 cent" and cents_label(-0.6) == "-1 cent"
    assert cents_label(-28.4) == "-28 cents" and cents_label(12.0) == "+12 cents"


def test_one_naming_rule_glyphs_in_the_window_ascii_elsewhere(qtbot, make_window):
    assert display_note_name("C#4") == "C♯4" and display_note_name("Bb-1") == "B♭-1"
    assert display_note_name("B4") == "B4"
    window = make_window()
    window.model.update_settings(prefer_flats=True)
    axis_names = window.pitch_view.note_axis.tickStrings([70.0, 61.0], 1.0, 1.0)
    assert axis_names == ["B♭4", "D♭4"]
    panel_context = window.note_panel
    window.model.update_settings(transposition="Bb")
    assert "B♭ instrument" in panel_context.context_text()
    feed_frames(window, 0.3, midi=61.0)
    assert window.note_panel.note_text() == "Eb4"      # plain in what goes to files and tests


def test_window_title_names_the_source_once(make_window):
    window = make_window()
    # The window system appends the application name: "default input — pitchlive".
    assert window.windowTitle() == "default input"
    window.track_file(DEMO)
    assert window.windowTitle() == DEMO.name


def test_lost_device_clears_listening_from_the_status_bar(qtbot, make_window, monkeypatch):
    from pitchlive.audio import sources

    monkeypatch.setattr(sources, "MicrophoneSource", DyingSource)
    window = make_window()
    window.set_model(FixedPitchModel())
    window.start_tracking()
    qtbot.waitUntil(lambda: "Listening to" in window.status.device_label.text(), timeout=5000)
    qtbot.waitUntil(lambda: window.banner.kind == "error", timeout=5000)
    qtbot.waitUntil(lambda: not window.session.running, timeout=3000)
    assert "Listening" not in window.status.device_label.text()
    assert window.status.device_label.text() in ("The input stopped", "Not listening")


def test_finished_recording_says_so_in_the_status_bar(qtbot, make_window, tmp_path):
    import soundfile

    short = tmp_path / "short.wav"
    soundfile.write(short, np.zeros(8000, np.float32), 16000)
    window = make_window()
    window.set_model(FixedPitchModel())
    window.track_file(short)
    qtbot.waitUntil(lambda: window.banner.title_text().startswith("Finished"), timeout=8000)
    text = window.status.device_label.text()
    assert text.startswith("Finished") and "Tracking" not in text


def test_try_again_rescans_the_devices_and_says_what_it_found(qtbot, make_window, monkeypatch):
    from pitchlive.audio import sources
    from pitchlive.audio.devices import InputDevice, NoInputDeviceError
    from pitchlive.ui import session as session_module

    openable: list = []

    class PluggableSource(DyingSource):
        """A microphone that can be opened once the test plugs it in; it then stays quiet."""

        def open(self) -> None:
            if not openable:
                raise NoInputDeviceError("No audio input device found. Plug in or enable a "
                                         "microphone.")
            self.device_name = openable[0].name

        def start(self, sink) -> None:
            sink.configure(self.sample_rate_hz, 1, None)

        def close(self) -> None:
            """Nothing runs."""

        def describe(self) -> str:
            return f"Listening to '{self.device_name}'."

    rescans = []
    found: list = []
    monkeypatch.setattr(sources, "MicrophoneSource", PluggableSource)
    monkeypatch.setattr(session_module, "rescan_devices", lambda: rescans.append(1))
    monkeypatch.setattr(session_module, "list_input_devices", lambda: list(found))
    window = make_window()
    window.set_model(FixedPitchModel())
    window.start_tracking()
    qtbot.waitUntil(lambda: window.banner.kind == "error", timeout=5000)
    window.banner.trigger("Try again")
    assert window.banner.title_text() == "Looking for microphones…"      # at once
    qtbot.waitUntil(lambda: len(rescans) == 1, timeout=5000)
    qtbot.waitUntil(lambda: window.banner.title_text() == "Still no microphone", timeout=5000)
    assert window.banner.kind == "error" and "press Try again" in window.banner.message_text()
    assert "Try again" in window.banner.action_texts()
    # A microphone that is listed but cannot be opened: the banner says both.
    found.append(InputDevice(3, "USB mic", 1, 48000.0, "ALSA", True))
    window.banner.trigger("Try again")
    qtbot.waitUntil(lambda: window.banner.kind == "error" and "USB mic" in
                    window.banner.message_text(), timeout=5000)
    assert window.banner.message_text().startswith("Found 1 input device: USB mic. No audio")
    # Found and opened: the banner names what was found and what is listened to.
    found.append(InputDevice(4, "Headset", 1, 16000.0, "ALSA", False))
    openable.append(found[0])
    window.banner.trigger("Try again")
    qtbot.waitUntil(lambda: window.session.running, timeout=5000)
    qtbot.waitUntil(lambda: "Listening" in window.banner.message_text(), timeout=5000)
    assert window.banner.kind == "info"
    assert window.banner.title_text() == "Found 2 input devices: USB mic, Headset"
    assert len(rescans) == 3
    assert devices_found_text(found[:1]) == "Found 1 input device: USB mic"


def test_rescan_texts_name_the_input_started_on():
    from pitchlive.audio.devices import InputDevice
    from pitchlive.ui.message_banner import rescan_texts

    devices = [InputDevice(1, "Built-in", 2, 48000.0, "ALSA", False),
               InputDevice(2, "USB mic", 1, 48000.0, "ALSA", True)]
    assert rescan_texts(devices, None) == ("Found 2 input devices: Built-in, USB mic",
                                           "Starting on 'USB mic'…")
    assert rescan_texts(devices, "Built-in")[1] == "Starting on 'Built-in'…"
    assert rescan_texts([], None)[0] == "Still no microphone"


# ---- sizes and restored layouts -----------------------------------------------------------------

def test_small_window_keeps_controls_wide_and_status_bar_whole(qtbot, make_window):
    window = make_window()
    window.resize(800, 500)
    qtbot.wait(20)
    assert window.size().toTuple() == (800, 500)      # nothing forces the window wider
    dock = window.controls_dock
    assert dock.width() >= window.controls.minimumSizeHint().width()
    assert dock.width() <= 0.4 * window.width()       # and leaves the views most of the room
    bar = window.statusBar()
    for widget in (window.status.meter, window.status.level_label, window.status.latency_label,
                   window.status.counts_label, window.status.model_label):
        rect = QRect(widget.mapTo(bar, QPoint(0, 0)), widget.size())
        assert widget.isVisible() and bar.rect().contains(rect), widget
    for label in (window.status.level_label, window.status.latency_label,
                  window.status.counts_label):
        assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())


def test_squeezed_controls_are_not_restored_squeezed(qtbot, make_window):
    window = make_window()
    window.resizeDocks([window.controls_dock], [40], Qt.Orientation.Horizontal)
    window.close()
    again = make_window()
    assert again.controls_dock.width() >= again.controls.minimumSizeHint().width()


def test_stored_geometry_larger_than_the_screen_is_clamped(qtbot, make_window, store,
                                                           tmp_path):
    window = make_window()
    window.setMinimumSize(0, 0)
    window.resize(4000, 3000)
    store.save_geometry(window.saveGeometry(), window.saveState())
    window.hide()
    args = argparse.Namespace(model=None, calibration=None, device=None, input=None)
    again = create_window(args, store, snapshot_dir=tmp_path)   # as `pitchlive` opens
    qtbot.addWidget(again)
    again.show()
    free = again.screen().availableGeometry()
    assert again.frameGeometry().width() <= free.width()
    assert again.frameGeometry().height() <= free.height()
    assert free.contains(again.frameGeometry().topLeft())
    again.close()


# ---- the needle and the note panel ----------------------------------------------------------------

@pytest.mark.parametrize("height", [44, 90, 160, 300])
def test_cents_scale_labels_are_whole_and_signed(qtbot, height):
    bar = CentsBar()
    qtbot.addWidget(bar)
    bar.resize(400, height)
    labels = dict(bar.label_rects())
    assert set(labels) == {"−50", "0", "+50"}
    for text, rect in labels.items():
        assert rect.left() >= 0 and rect.right() <= bar.width(), (height, text)
        assert rect.width() >= bar.fontMetrics().horizontalAdvance(text) * 0.9 or height < 60
    track = bar.track_rect()
    assert labels["−50"].center().x() == pytest.approx(track.left(), abs=1)
    assert labels["+50"].center().x() == pytest.approx(track.right(), abs=1)


def test_unpitched_sound_is_said_instead_of_a_blank(panel):
    panel.show_frame(PitchFrame(0.0, float("nan"), 0.2, -25.0, False, unpitched_sound=True))
    assert panel.info_text() == UNPITCHED and panel.note_text() == ""
    panel.show_frame(PitchFrame(0.03, float("nan"), 0.1, -90.0, False))
    assert panel.info_text() == ""


def test_vibrato_line_and_vibrato_centred_needle(panel):
    frame = PitchFrame(0.0, 452.0, 0.95, -20.0, True, reading_hz=440.0, vibrato_rate_hz=5.5,
                       vibrato_width_cents=40.0)
    panel.show_frame(frame)
    assert panel.info_text() == "vibrato 5.5 Hz ±40 c"
    assert panel.cents_text() == "0 cents"        # the centre, not the swing's top (+47)
    assert panel.needle.cents == pytest.approx(0.0, abs=0.5)
    panel.show_frame(PitchFrame(0.03, 452.0, 0.95, -20.0, True))
    assert panel.info_text() == "" and panel.cents_text() == "+47 cents"


# ---- the pitch view -----------------------------------------------------------------------------

def test_edge_marker_names_a_pitch_above_or_below_the_view(qtbot, make_window):
    window = make_window()
    view = window.pitch_view
    view.set_follow(False)
    view._set_y(60.0)
    feed_frames(window, 0.5, midi=40.0)               # E2, far below C3..C5
    view.tick()
    assert view.edge_marker_text() == "▼ E2"
    marker = QRect(view.edge_marker.mapTo(view, QPoint(0, 0)), view.edge_marker.size())
    assert view.rect().contains(marker)
    feed_frames(window, 0.5, midi=90.0)
    view.tick()
    assert view.edge_marker_text() == "▲ F♯6"
    feed_frames(window, 0.5, midi=62.0)
    view.tick()
    assert view.edge_marker_text() == ""


def test_pausing_keeps_the_lowest_note_off_the_edge(qtbot, make_window):
    window = make_window()
    view = window.pitch_view
    view.set_follow(False)
    view._set_y(60.0)                                  # 48..72
    y0, _ = view.y_range()
    frames = [PitchFrame(k * HOP_S, 440.0 * 2 ** ((48.2 - 69) / 12) if k % 2 else 440.0, 0.95,
                         -20.0, True) for k in range(60)]
    window._on_frames(frames)
    view.tick()
    view.set_paused(True)
    lo, hi = view.y_range()
    assert lo <= 48.2 - 0.99 and hi >= 69.0 + 0.99
