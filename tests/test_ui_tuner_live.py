"""The Tuner tab on the live engine with the real SPICE model: a tone read as its string, cents."""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings  # noqa: E402
from synth import exact_tone, write_wav  # noqa: E402

from pitchlive.ui.app import create_window  # noqa: E402
from pitchlive.ui.settings_store import SettingsStore  # noqa: E402

pytestmark = pytest.mark.gui

OFFSET_CENTS = -12.0             # a guitar A string a little flat
A2_HZ = 110.0


def test_a_flat_a_string_reads_as_the_a_string_and_its_cents(qtbot, tmp_path, spice_model):
    tone = exact_tone(A2_HZ * 2 ** (OFFSET_CENTS / 1200), 4.0, "saw", 16000)
    path = write_wav(tmp_path / "a-string.wav", tone, 16000)
    store = SettingsStore(QSettings(str(tmp_path / "pitchlive.ini"), QSettings.Format.IniFormat))
    args = argparse.Namespace(model=None, calibration=None, device=None, input=None)
    window = create_window(args, store, snapshot_dir=tmp_path)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    try:
        tuner = window.views["Tuner"]
        window.tabs.setCurrentWidget(tuner)
        window.model.update_prefs(tuner_instrument="guitar")
        window.set_model(spice_model)
        window.track_file(path)                     # through the engine, in real time
        readings = []

        def settled() -> bool:
            window.tabs.setCurrentWidget(tuner)     # tracking a file shows the Live tab first
            reading = tuner.reading
            if reading is not None and reading.cents is not None:
                readings.append((tuner.target_text(), reading.cents, tuner.turn_text()))
            return len(readings) >= 30
        qtbot.waitUntil(settled, timeout=8000)
        steady = readings[-20:]
        assert {text for text, _c, _t in steady} == {"String 5 · A2 · 110.00 Hz"}
        cents = sorted(c for _t, c, _d in steady)[len(steady) // 2]
        assert cents == pytest.approx(OFFSET_CENTS, abs=1.5)
        assert all(turn.startswith("Tighten") for _t, _c, turn in steady)
        assert tuner.note_text() == "A2" and not tuner.locked()
        window.stop_tracking()
    finally:
        window.close()
