"""The window on the software microphone with the real SPICE model: real time, end to end."""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings
from synth import harmonic_tone

from pitchlive.ui.app import create_window
from pitchlive.ui.settings_store import SettingsStore

pytestmark = [pytest.mark.gui, pytest.mark.audio]

TONE_RATE_HZ = 16000


@pytest.fixture
def window(qtbot, tmp_path, fake_mic):  # noqa: F811 - fixture injection
    """A window on the default input (the software microphone); no model yet."""
    store = SettingsStore(QSettings(str(tmp_path / "pitchlive.ini"), QSettings.Format.IniFormat))
    args = argparse.Namespace(model=None, calibration=None, device=None, input=None)
    win = create_window(args, store, snapshot_dir=tmp_path)
    qtbot.addWidget(win)
    win.resize(1200, 720)
    win.show()
    yield win
    win.close()


def pitchlive_threads() -> set[str]:
    """Names of this process's pitchlive threads that are alive."""
    return {t.name for t in threading.enumerate() if t.name.startswith("pitchlive")}


def seconds_until_note(qtbot, window, fake_mic, hz: float, name: str,
                       steady: list | None = None) -> float:  # noqa: F811
    """Play a tone into the microphone; seconds until the note panel names it.

    steady, when given, receives (note, cents text) read 0.3 s later, while the tone still
    sounds (after it ends the panel holds the decay's last reading).
    """
    player = fake_mic.play(harmonic_tone(hz, 2.5, TONE_RATE_HZ), TONE_RATE_HZ, wait=False)
    started = time.monotonic()
    try:
        qtbot.waitUntil(lambda: window.note_panel.note_text() == name, timeout=3000)
        elapsed = time.monotonic() - started
        if steady is not None:
            qtbot.wait(300)
            steady.append((window.note_panel.note_text(), window.note_panel.cents_text()))
        return elapsed
    finally:
        player.wait(10)


def test_device_picker_lists_the_software_microphone(qtbot, window):
    window.session.list_devices()
    qtbot.waitUntil(lambda: any(n.startswith("pulse") for n in window.controls.device_names()),
                    timeout=5000)
    names = window.controls.device_names()
    assert names[0] == "System default (default)"
    assert any(n.startswith("pulse ·") for n in names)


def test_a_sung_tone_shows_its_note_within_a_second(qtbot, window, fake_mic,  # noqa: F811
                                                    spice_model):
    window.set_model(spice_model)
    window.start_tracking()
    qtbot.waitUntil(lambda: window.session.running, timeout=5000)
    qtbot.wait(300)
    steady: list = []
    elapsed = seconds_until_note(qtbot, window, fake_mic, 392.0, "G4", steady)
    assert elapsed < 1.0, f"G4 appeared after {elapsed:.2f} s"
    (note, cents), = steady
    assert note == "G4" and abs(float(cents.split()[0])) <= 15
    assert "Listening to" in window.status.device_label.text()


def test_switching_device_and_restarting_while_running(qtbot, window, fake_mic,  # noqa: F811
                                                       spice_model):
    window.set_model(spice_model)
    before = pitchlive_threads()
    window.start_tracking()
    qtbot.waitUntil(lambda: window.session.running, timeout=5000)
    for device in ("pulse", None, "default", "pulse"):
        window.choose_device(device)            # switch while running
        qtbot.waitUntil(lambda: window.session.running, timeout=5000)
        assert window.session.engine.source.device_name == (device or "default")
    for _ in range(3):
        window.stop_tracking()
        assert not window.session.running
        window.start_tracking()
        qtbot.waitUntil(lambda: window.session.running, timeout=5000)
    qtbot.wait(300)
    elapsed = seconds_until_note(qtbot, window, fake_mic, 220.0, "A3")
    assert elapsed < 1.0
    assert window.banner.kind is None
    window.stop_tracking()
    qtbot.waitUntil(lambda: not (pitchlive_threads() - before),
                    timeout=5000)


def test_recording_played_aloud_is_tracked(qtbot, window, spice_model):
    window.set_model(spice_model)
    demo = Path(__file__).resolve().parent.parent / "assets" / "demo-ode-to-joy.flac"
    window.track_file(demo, play=True)            # the 'Play aloud' box of the recording view
    qtbot.waitUntil(lambda: window.session.running, timeout=5000)
    assert "playing it" in window.status.device_label.text()
    qtbot.waitUntil(lambda: window.note_panel.note_text() in {"F#4", "G4", "A4"}, timeout=3000)
    window.stop_tracking()



def test_refresh_finds_a_microphone_connected_after_start(qtbot, window, fake_mic,
                                                          monkeypatch, tmp_path):  # noqa: F811
    from fakemic import reinitialize_portaudio

    def pulse_listed() -> bool:
        return any(n.startswith("pulse") for n in window.controls.device_names())

    real_server = os.environ["PULSE_SERVER"]
    # PortAudio starts while no sound server is reachable: as if no microphone were connected.
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path / 'no-server'}")
    reinitialize_portaudio()
    try:
        import sounddevice as sd

        if any(d["max_input_channels"] > 0 for d in sd.query_devices()):
            pytest.skip(reason="this machine has sound cards of its own, so 'nothing "
                               "connected' cannot be arranged here")
        with qtbot.waitSignal(window.session.devices_listed, timeout=5000):
            window.session.list_devices()
        assert not pulse_listed()
        # The microphone "arrives"; a plain listing does not see it, a refresh (F5) does.
        monkeypatch.setenv("PULSE_SERVER", real_server)
        with qtbot.waitSignal(window.session.devices_listed, timeout=5000):
            window.session.list_devices()
        assert not pulse_listed()
        window.refresh_devices()
        qtbot.waitUntil(pulse_listed, timeout=5000)
    finally:
        monkeypatch.setenv("PULSE_SERVER", real_server)
        reinitialize_portaudio()


def test_refresh_while_tracking_restarts_the_microphone(qtbot, window, fake_mic, spice_model):
    window.set_model(spice_model)
    window.start_tracking()
    qtbot.waitUntil(lambda: window.session.running, timeout=10000)
    first = window.session.engine
    window.refresh_devices()
    qtbot.waitUntil(lambda: window.session.running and window.session.engine is not first,
                    timeout=10000)
    assert seconds_until_note(qtbot, window, fake_mic, 392.0, "G4") < 1.5
    window.stop_tracking()


def test_the_microphone_opens_before_the_model_and_its_audio_is_analysed_later(
        qtbot, window, fake_mic, spice_model):  # noqa: F811
    window.start_tracking()                       # at launch: no model yet
    qtbot.waitUntil(lambda: window.session.running, timeout=5000)
    assert window.session.model is None and len(window.history) == 0
    player = fake_mic.play(harmonic_tone(392.0, 2.0, TONE_RATE_HZ), TONE_RATE_HZ, wait=False)
    try:
        # The level meter moves while the model is still loading; no frame, no note yet.
        qtbot.waitUntil(lambda: window.status.meter.level_dbfs > -30, timeout=3000)
        assert len(window.history) == 0 and window.note_panel.note_text() != "G4"
        qtbot.wait(500)
        window.set_model(spice_model)             # the model has loaded
        qtbot.waitUntil(lambda: window.note_panel.note_text() == "G4", timeout=3000)
    finally:
        player.wait(10)
    # The trace starts at the stream's start: what was heard meanwhile has its frames.
    assert window.history.earliest_time_s == 0.0
    assert window.session.engine.stats().skipped_windows == 0
    window.stop_tracking()
