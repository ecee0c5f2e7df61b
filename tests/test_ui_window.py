"""The whole window: loading state, errors, file tracking, persistence, snapshot, shortcuts.

Most tests use a stand-in model that reports 440 Hz for any audio: they test the plumbing (the
real engine, real file sources, threads, signals), not pitch accuracy. The tests at the end use
the real SPICE model.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
import types
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QEvent, QMimeData, QObject, QPointF, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication

from pitchlive.audio.devices import NoInputDeviceError
from pitchlive.frames import HOP_S, PitchFrame
from pitchlive.model import ModelError
from pitchlive.settings import Settings
from pitchlive.ui import main_window as main_window_module
from pitchlive.ui.app import create_window
from pitchlive.ui.help_dialog import shortcut_rows
from pitchlive.ui.main_window import MainWindow
from pitchlive.ui.settings_store import SettingsStore
from pitchlive.ui.theme import LIGHT

pytestmark = pytest.mark.gui

DEMO = Path(__file__).resolve().parent.parent / "assets" / "demo-ode-to-joy.flac"
DEMO_NOTES = {"D4", "E4", "F#4", "G4", "A4"}


class FixedPitchModel:
    """Stands in for SPICE where only plumbing is tested: 440 Hz, confident, for any audio."""

    info = types.SimpleNamespace(version="test", source="fixed-440",
                                 describe=lambda: "fixed 440 Hz stand-in")

    def __init__(self) -> None:
        self.threads: set[str] = set()

    def infer(self, audio_16k: np.ndarray):
        """440 Hz with confidence 0.95 for each 512-sample hop."""
        self.threads.add(threading.current_thread().name)
        n = np.asarray(audio_16k).size // 512 + 1
        return np.full(n, 440.0), np.full(n, 0.95)


@pytest.fixture
def store(tmp_path) -> SettingsStore:
    """Window settings in a private INI file (never the user's)."""
    return SettingsStore(QSettings(str(tmp_path / "pitchlive.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def make_window(qtbot, store, tmp_path):
    """Factory for shown windows built as `pitchlive` builds them (stored settings applied)."""
    made = []

    def make(**options) -> MainWindow:
        args = argparse.Namespace(**{"model": None, "calibration": None, "device": None,
                                     "input": None, **options})
        window = create_window(args, store, snapshot_dir=tmp_path / "snapshots")
        qtbot.addWidget(window)
        window.resize(1200, 720)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()


def pitchlive_threads() -> set[str]:
    """Names of this process's pitchlive threads that are alive."""
    return {t.name for t in threading.enumerate() if t.name.startswith("pitchlive")}


def feed_frames(window: MainWindow, seconds: float, midi: float = 69.0) -> None:
    """Synthetic frames through the same path the engine's frames take."""
    hz = 440.0 * 2 ** ((midi - 69) / 12)
    frames = [PitchFrame(k * HOP_S, hz, 0.95, -20.0, k % 40 < 32) for k in
              range(int(seconds / HOP_S))]
    window._on_frames(frames)
    window.pitch_view.tick()


# ---- loading and errors -------------------------------------------------------------------------

def test_window_is_usable_while_the_model_loads(qtbot, make_window, monkeypatch,
                                                fake_mic):  # noqa: F811
    # The input opens at once (before the model), so a microphone must be there.
    model = FixedPitchModel()

    def slow_load(settings):
        time.sleep(1.0)        # TensorFlow import + model load, off the GUI thread
        return model

    monkeypatch.setattr(main_window_module, "load_warm_model", slow_load)
    window = make_window()
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    started = time.monotonic()
    window.load_model_async()
    window.start_tracking()
    assert time.monotonic() - started < 0.3
    assert window.banner.title_text() == "Loading the pitch model…"
    assert window.status.model_label.text() == "Loading model…"
    qtbot.waitUntil(lambda: window.session.model is model, timeout=5000)
    timer.stop()
    # The event loop kept running during the load: no gap between timer ticks near 1 s.
    assert len(ticks) > 20 and max(np.diff(ticks)) < 0.5
    assert window.banner.kind is None
    assert window.status.model_label.text().startswith("SPICE test")


def test_model_that_cannot_be_loaded_is_explained_and_the_window_stays_usable(
        qtbot, make_window, monkeypatch):
    message = ("The model folder /nowhere does not exist. Point --model or $PITCHLIVE_MODEL at "
               "a SPICE SavedModel folder.")

    def failing_load(settings):
        raise ModelError(message)

    monkeypatch.setattr(main_window_module, "load_warm_model", failing_load)
    window = make_window()
    window.load_model_async()
    qtbot.waitUntil(lambda: window.banner.kind == "error", timeout=5000)
    assert window.banner.title_text() == "The pitch model could not be loaded"
    assert window.banner.message_text() == message
    assert "Retry" in window.banner.action_texts()
    window.controls.a4_spin.setValue(443.0)
    assert window.settings.a4_hz == 443.0
    monkeypatch.setattr(main_window_module, "load_warm_model", lambda s: FixedPitchModel())
    window.banner.trigger("Retry")
    qtbot.waitUntil(lambda: window.session.model is not None, timeout=5000)
    assert window.banner.kind is None


def test_no_microphone_is_explained_with_next_steps(qtbot, make_window, monkeypatch):
    from pitchlive.audio import sources

    def no_devices(spec):
        raise NoInputDeviceError("No audio input device found. Plug in or enable a microphone.")

    monkeypatch.setattr(sources, "find_input_device", no_devices)
    window = make_window()
    window.set_model(FixedPitchModel())
    window.start_tracking()
    qtbot.waitUntil(lambda: window.banner.kind == "error", timeout=5000)
    assert window.banner.title_text() == "No microphone available"
    assert "No audio input device found" in window.banner.message_text()
    assert window.banner.action_texts() == ["Try again", "Open a recording…"]
    assert not window.session.running
    assert window.controls.run_button.text() == "Start"


class DyingSource:
    """A microphone that delivers 0.3 s of audio and then reports that it was unplugged."""

    realtime = True

    def __init__(self, device=None, channel=None, sample_rate_hz=None) -> None:
        self.device_name, self.channel = "USB test mic", channel
        self.sample_rate_hz, self.channels = 16000.0, 1
        self._thread = None

    def open(self) -> None:
        """Nothing to check."""

    def start(self, sink) -> None:
        """Feed a little audio, then fail like a vanished device."""
        sink.configure(self.sample_rate_hz, 1, None)

        def run():
            for _ in range(30):
                sink.write_block(np.full((160, 1), 0.1, np.float32))
                time.sleep(0.01)
            sink.fail("The input device 'USB test mic' stopped (it was unplugged, disabled, or "
                      "the sound server stopped). Check it and start again.")

        self._thread = threading.Thread(target=run, name="pitchlive-test-mic", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Wait for the feeder."""
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2)

    def describe(self) -> str:
        """What is listened to."""
        return "Listening to 'USB test mic'."


def test_lost_device_is_explained_and_tracking_can_restart(qtbot, make_window, monkeypatch):
    from pitchlive.audio import sources

    monkeypatch.setattr(sources, "MicrophoneSource", DyingSource)
    window = make_window()
    window.set_model(FixedPitchModel())
    window.start_tracking()
    qtbot.waitUntil(lambda: window.banner.kind == "error", timeout=5000)
    assert window.banner.title_text() == "The input stopped"
    assert "unplugged" in window.banner.message_text()
    assert "Restart" in window.banner.action_texts()
    qtbot.waitUntil(lambda: not window.session.running, timeout=3000)
    assert window.controls.run_button.text() == "Start"
    window.banner.trigger("Restart")
    qtbot.waitUntil(lambda: window.session.running or window.banner.kind == "error",
                    timeout=3000)


def test_unreadable_recording_is_explained(qtbot, make_window, tmp_path):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF this is not really audio" * 10)
    window = make_window()
    window.set_model(FixedPitchModel())
    window.track_file(broken)
    qtbot.waitUntil(lambda: window.banner.kind == "error", timeout=5000)
    assert window.banner.title_text() == "This recording cannot be opened"
    assert "broken.wav" in window.banner.message_text()
    assert window.banner.action_texts() == ["Open another recording…", "Use microphone"]
    window.banner.clear()
    window.open_recording(broken)
    qtbot.waitUntil(lambda: window.banner.kind == "error", timeout=5000)
    assert window.banner.title_text() == "This recording cannot be opened"
    assert window.file_view.path is None


# ---- tracking through the real engine -------------------------------------------------------------

def test_recording_frames_reach_the_views_and_inference_stays_off_the_gui_thread(
        qtbot, make_window):
    model = FixedPitchModel()
    window = make_window()
    # The stand-in's 440 Hz goes to the views as it is: the refinement stage would read the
    # demo's real pitch from the audio instead.
    window.model.update_settings(refine=False)
    window.set_model(model)
    window.track_file(DEMO)
    qtbot.waitUntil(lambda: window.note_panel.note_text() == "A4", timeout=5000)
    assert window.session.running
    qtbot.wait(500)
    x, y = window.pitch_view.trace.getData()
    assert x.size > 5 and np.nanmax(y) == pytest.approx(69.0)
    assert threading.main_thread().name not in model.threads
    assert model.threads and all(name.startswith("pitchlive") for name in model.threads)
    assert "demo-ode-to-joy" in window.windowTitle()


def test_stop_start_and_switching_sources_do_not_leak_threads(qtbot, make_window, tmp_path):
    window = make_window()
    window.set_model(FixedPitchModel())
    before = pitchlive_threads()
    other = tmp_path / "copy.flac"
    other.write_bytes(DEMO.read_bytes())
    for i in range(4):
        window.track_file(DEMO if i % 2 else other)
        qtbot.waitUntil(lambda: window.session.running, timeout=5000)
        qtbot.wait(150)
        window.stop_tracking()
        window.start_tracking()
        qtbot.waitUntil(lambda: window.session.running, timeout=5000)
    window.stop_tracking()
    # What is left is the one helper thread that opens and closes devices, nothing per run.
    qtbot.waitUntil(lambda: not (pitchlive_threads() - before),
                    timeout=5000)
    window.close()
    qtbot.waitUntil(lambda: not (pitchlive_threads() - before), timeout=5000)


# ---- settings, snapshot, menus, looks ----------------------------------------------------------------

def test_every_control_is_remembered_between_runs(qtbot, make_window, store):
    first = make_window()
    c = first.controls
    c.a4_spin.setValue(442.5)
    c.transposition_combo.setCurrentIndex(c.transposition_combo.findData("Bb"))
    c.naming_combo.setCurrentIndex(1)
    c.threshold_slider.setValue(70)
    c.gate_slider.setValue(-48)
    c.history_spin.setValue(25)
    c.in_tune_spin.setValue(3.0)
    c.close_spin.setValue(12.0)
    c.hold_spin.setValue(1.2)
    c.correct_tuning_check.setChecked(True)
    c.smoothing_check.setChecked(False)
    first.choose_device("USB Mic")
    first.set_theme("light")
    first.close()
    second = make_window()
    s = second.settings
    assert (s.a4_hz, s.transposition, s.prefer_flats) == (442.5, "Bb", True)
    assert (s.confidence_threshold, s.level_gate_dbfs, s.history_s) == (0.7, -48.0, 25.0)
    assert s.device == "USB Mic" and s.correct_tuning_offset and not s.smoothing
    assert not second.controls.smoothing_check.isChecked()
    assert second.controls.correct_tuning_check.isChecked()
    p = second.prefs
    assert (p.in_tune_cents, p.close_cents, p.hold_s, p.theme) == (3.0, 12.0, 1.2, "light")
    assert second.controls.a4_spin.value() == 442.5
    assert second.controls.threshold_label.text() == "0.70"
    feed_frames(second, 0.2)                        # concert A4, named for a B-flat instrument
    assert second.note_panel.note_text() == "B4"


def test_damaged_stored_values_fall_back_to_defaults(tmp_path):
    qs = QSettings(str(tmp_path / "bad.ini"), QSettings.Format.IniFormat)
    qs.setValue("settings/a4_hz", "999")
    qs.setValue("settings/confidence_threshold", "not a number")
    qs.setValue("settings/prefer_flats", "true")
    qs.setValue("display/theme", "purple")
    store = SettingsStore(qs)
    settings = store.load_settings(Settings())
    assert (settings.a4_hz, settings.confidence_threshold, settings.prefer_flats) == \
        (440.0, 0.9, True)
    assert store.load_prefs().theme == "dark"


def image_std(path: Path) -> float:
    """Standard deviation of a PNG's grey levels."""
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_Grayscale8)
    buffer = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    rows = buffer.reshape(image.height(), image.bytesPerLine())[:, :image.width()]
    return float(rows.std())


def test_snapshot_is_a_real_picture(qtbot, make_window, tmp_path):
    window = make_window()
    feed_frames(window, 8.0, midi=64)
    path = window.save_snapshot(tmp_path / "shot.png")
    image = QImage(str(path))
    assert (image.width(), image.height()) == (window.width(), window.height())
    assert image_std(path) > 10.0
    window.snapshot_action.trigger()               # Ctrl+S
    saved = list((tmp_path / "snapshots").glob("pitchlive-*.png"))
    assert len(saved) == 1 and image_std(saved[0]) > 10.0


def test_blank_picture_fails_the_variance_check(tmp_path):
    blank = QImage(200, 100, QImage.Format.Format_RGB32)
    blank.fill(0x202020)
    blank.save(str(tmp_path / "blank.png"))
    assert image_std(tmp_path / "blank.png") < 1.0


def test_help_menu_lists_the_shortcuts(make_window):
    window = make_window()
    rows = dict(shortcut_rows(window.shortcut_actions))
    for keys in ("Space", "F11", "Ctrl+S", "Ctrl+L", "Ctrl+R", "Ctrl+O", "F", "Home", "F1",
                 "R", "Ctrl+Shift+S", "Ctrl+T", "Ctrl+E", "P", "N", "S", "Ctrl+Shift+T"):
        assert keys in rows, keys
    assert rows["Space"].startswith("Pause")
    assert rows["R"].startswith("Record") and rows["Ctrl+T"].startswith("Transcribe")
    assert rows["Ctrl+Shift+S"] == "Save take" and rows["Ctrl+E"] == "Export notes"


def test_theme_switch_recolours_the_application(make_window):
    window = make_window()
    window.set_theme("light")
    assert QApplication.instance().palette().window().color().name() == LIGHT.window
    feed_frames(window, 0.5)
    assert window.note_panel.note_colour().name() == LIGHT.in_tune
    assert window.prefs.theme == "light"


def test_live_settings_reach_the_running_engine(qtbot, make_window):
    window = make_window()
    window.set_model(FixedPitchModel())
    window.track_file(DEMO)
    qtbot.waitUntil(lambda: window.session.running, timeout=5000)
    window.controls.threshold_slider.setValue(99)   # above the stand-in's 0.95: nothing voiced
    assert window.session.engine.settings.confidence_threshold == 0.99
    window.controls.smoothing_check.setChecked(False)
    assert window.session.engine.settings.smoothing is False
    qtbot.waitUntil(lambda: window.note_panel.note_text() == "", timeout=3000)
    window.controls.transposition_combo.setCurrentIndex(
        window.controls.transposition_combo.findData("F"))
    window.controls.threshold_slider.setValue(50)
    qtbot.waitUntil(lambda: window.note_panel.note_text() == "E5", timeout=3000)


# ---- with the real SPICE model ----------------------------------------------------------------------

def test_recording_view_shows_the_whole_track_over_its_spectrogram(qtbot, make_window,
                                                                    spice_model):
    window = make_window()
    window.set_model(spice_model)
    window.open_recording(DEMO)
    qtbot.waitUntil(lambda: window.file_view.result is not None, timeout=20000)
    view = window.file_view
    assert window.tabs.currentWidget() is view
    x, y = view.trace.getData()
    voiced = np.isfinite(y)
    assert x[-1] == pytest.approx(14.3, abs=0.2) and voiced.mean() > 0.7
    assert set(np.round(y[voiced]).astype(int)) >= {62, 64, 66, 67, 69}
    assert view.image.image.shape[0] > 200 and view.image.image.shape[1] > 500
    top_before = view.image.mapRectToParent(view.image.boundingRect()).top()
    window.controls.a4_spin.setValue(466.2)         # a semitone up: everything moves down by 1
    top_after = view.image.mapRectToParent(view.image.boundingRect()).top()
    assert top_after - top_before == pytest.approx(-1.0, abs=0.01)


def test_recording_tracked_live_shows_the_melody_notes_within_a_second(qtbot, make_window,
                                                                      spice_model):
    window = make_window()
    window.set_model(spice_model)
    seen: list[tuple[float, str]] = []
    window.note_panel.reading_changed.connect(
        lambda r: seen.append((time.monotonic(), r.name)) if r else None)
    started = []
    window.session.started.connect(lambda _m: started.append(time.monotonic()))
    window.track_file(DEMO)
    qtbot.waitUntil(lambda: bool(started), timeout=5000)
    qtbot.wait(5000)        # the first nine notes: F#4 F#4 G4 A4 A4 G4 F#4 E4 D4
    first_note_s = seen[0][0] - started[0]
    # The melody's first note starts 0.4 s into the file.
    assert first_note_s < 1.4
    # Notes on display for a while are melody notes (glides between them pass others briefly).
    changes = [(t, name) for i, (t, name) in enumerate(seen) if i == 0 or seen[i - 1][1] != name]
    ends = [t for t, _ in changes[1:]] + [time.monotonic()]
    steady = {name for (t0, name), t1 in zip(changes, ends) if t1 - t0 >= 0.12}
    assert steady == DEMO_NOTES, changes


def test_keyboard_shortcuts_drive_the_view(qtbot, make_window):
    window = make_window()
    feed_frames(window, 20.0)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)   # shortcuts need focus
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.pitch_view.paused
    x0 = window.pitch_view.x_range()[0]
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert window.pitch_view.x_range()[0] < x0
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.pitch_view.paused
    qtbot.keyClick(window, Qt.Key.Key_F)
    assert not window.pitch_view.follow
    span = window.pitch_view.y_range()[1] - window.pitch_view.y_range()[0]
    qtbot.keyClick(window, Qt.Key.Key_Minus)
    assert window.pitch_view.y_range()[1] - window.pitch_view.y_range()[0] > span
    qtbot.keyClick(window, Qt.Key.Key_Home)
    assert window.pitch_view.follow


def test_a_dropped_file_opens_in_the_recording_view(qtbot, make_window, tmp_path):
    window = make_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(DEMO))])
    position = QPointF(window.width() / 2, window.height() / 2)
    enter = QDragEnterEvent(position.toPoint(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(position, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    assert window.tabs.currentWidget() is window.file_view
    assert window.file_view.path == DEMO
    assert "waiting for the model" in window.file_view.title.text()


def test_track_live_button_sends_the_open_recording_through_the_engine(qtbot, make_window):
    window = make_window()
    window.set_model(FixedPitchModel())
    window.open_recording(DEMO)
    qtbot.waitUntil(lambda: window.file_view.result is not None, timeout=20000)
    window.file_view.track_button.click()
    assert window.tabs.currentIndex() == 0
    qtbot.waitUntil(lambda: window.session.running, timeout=5000)
    assert window.session.spec.path == DEMO
    qtbot.waitUntil(lambda: window.file_view.playhead.isVisible(), timeout=3000)


def test_loading_message_stays_when_a_recording_is_queued(qtbot, make_window, monkeypatch):
    release = threading.Event()

    def blocked_load(settings):
        release.wait(10)
        return FixedPitchModel()

    monkeypatch.setattr(main_window_module, "load_warm_model", blocked_load)
    window = make_window()
    window.load_model_async()
    window.track_file(DEMO)                 # what `pitchlive --input FILE` does at start
    assert window.banner.busy and window.banner.title_text() == "Loading the pitch model…"
    release.set()
    qtbot.waitUntil(lambda: window.session.running, timeout=5000)
    assert window.banner.kind is None


def test_closing_hides_the_window_then_joins_a_model_still_loading(qtbot, make_window,
                                                                   monkeypatch):
    """No thread that may be inside TensorFlow outlives the window (issue 15), and the user
    does not wait for it: the window is gone from the screen before the join."""
    closing = threading.Event()
    events = []

    def load_until_closed(settings):
        closing.wait(10)
        time.sleep(0.3)                     # still "inside hub.load" after the close began
        events.append(("load ended", time.monotonic()))
        return FixedPitchModel()

    monkeypatch.setattr(main_window_module, "load_warm_model", load_until_closed)
    window = make_window()
    window.load_model_async()
    assert "pitchlive-model" in pitchlive_threads()
    window.closing.connect(closing.set)

    class HideWatch(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Hide:
                events.append(("hidden", time.monotonic()))
            return False

    watch = HideWatch()
    window.installEventFilter(watch)
    assert window.close()
    assert "pitchlive-model" not in pitchlive_threads()      # joined before close returned
    assert [name for name, _ in events][:2] == ["hidden", "load ended"]
    qtbot.wait(50)
    assert window.session.model is None                       # its result was dropped


def test_the_recording_view_analyses_after_the_live_view_shows_its_first_pitch(
        qtbot, make_window, monkeypatch):
    """`pitchlive --input FILE`: the whole-file analysis (TensorFlow) waits for the live pitch
    instead of competing with the engine working off the audio heard while the model loaded."""
    from pitchlive.ui import live_first
    from pitchlive.ui.file_view import FileView

    monkeypatch.setattr(live_first, "HOLD_LIMIT_S", 60.0)   # only the first pitch releases it
    notes_when_analysed = []
    real_set_model = FileView.set_model

    def set_model(view, model):
        notes_when_analysed.append(window.note_panel.note_text())
        real_set_model(view, model)

    monkeypatch.setattr(FileView, "set_model", set_model)
    window = make_window()
    window.track_file(DEMO)                 # at launch: tracking asked for, no model yet
    window.file_view.load(DEMO)
    window.set_model(FixedPitchModel())     # the model has loaded
    assert window.live_first.holding and "waiting for the model" in window.file_view.title.text()
    qtbot.waitUntil(lambda: bool(notes_when_analysed), timeout=15000)
    assert len(notes_when_analysed) == 1 and notes_when_analysed[0] != ""   # a note was shown
    qtbot.waitUntil(lambda: window.file_view.result is not None, timeout=20000)
    window.stop_tracking()


def test_the_recording_view_waits_no_longer_than_the_hold_limit_or_the_recording_tab(
        qtbot, make_window, monkeypatch, tmp_path):
    import soundfile as sf

    from pitchlive.ui import live_first
    from pitchlive.ui.window_actions import FILE_TAB

    silent = tmp_path / "silence.wav"
    sf.write(str(silent), np.zeros(16000 * 15, np.float32), 16000)   # no pitch to show
    window = make_window()
    window.track_file(silent)
    window.file_view.load(silent)
    window.set_model(FixedPitchModel())
    assert window.live_first.holding
    window.tabs.setCurrentIndex(FILE_TAB)   # the user looks at the recording: analyse it now
    assert not window.live_first.holding and "analysing" in window.file_view.title.text()
    qtbot.waitUntil(lambda: window.file_view.result is not None, timeout=20000)

    monkeypatch.setattr(live_first, "HOLD_LIMIT_S", 0.3)
    window.tabs.setCurrentIndex(0)
    window.set_model(FixedPitchModel())     # a reload (Retry) while tracking the silence
    assert window.live_first.holding
    qtbot.waitUntil(lambda: not window.live_first.holding, timeout=3000)
    assert window.session.running           # released by the limit, not by the end of the file
    monkeypatch.setattr(live_first, "HOLD_LIMIT_S", 60.0)
    window.set_model(FixedPitchModel())
    assert window.live_first.holding
    window.stop_tracking()                  # no first pitch will come: hand it over now
    assert not window.live_first.holding


@pytest.mark.parametrize("engine_imported", [False, True])
def test_a_recording_at_launch_starts_before_the_devices_are_listed(
        qtbot, make_window, monkeypatch, tmp_path, engine_imported):
    """Listing devices initialises PortAudio (0.1-0.2 s at launch); a recording needs none."""
    from pitchlive.ui import app
    from pitchlive.ui import session as session_module

    release_import = threading.Event()
    real_import = session_module._import_engine
    if not engine_imported:
        monkeypatch.setattr(session_module, "_import_engine",
                            lambda: (release_import.wait(10), real_import()))
    started_when_listed = []

    def list_devices():
        engine = window.session.engine
        started_when_listed.append(engine is not None and engine.running)
        return []

    monkeypatch.setattr(session_module, "list_input_devices", list_devices)
    monkeypatch.setattr(main_window_module, "load_warm_model", lambda settings: FixedPitchModel())
    window = make_window()
    window.takes.spool_dir = tmp_path / "spool"
    if engine_imported:
        qtbot.waitUntil(lambda: window.session._engine_imported, timeout=10000)
    app.start(window, argparse.Namespace(input=str(DEMO)))
    release_import.set()
    qtbot.waitUntil(lambda: bool(started_when_listed), timeout=10000)
    assert started_when_listed == [True]
    window.stop_tracking()
