"""The README's Tuner screenshot: a real window in a real X server, a tone through the engine.

A guitar's D string played 3.2 cents flat (a band-limited sawtooth, 16 kHz) is tracked in real
time by the real model, with the Tuner tab showing the standard guitar's strings. Run it in an X
server at 1280x800 (assets/make_screenshots.sh does):

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python assets/make_tuner_screenshot.py OUT.png
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile
from PySide6.QtCore import QSettings, QTimer

from pitchlive.ui.app import application, create_window
from pitchlive.ui.settings_store import SettingsStore

RATE_HZ = 16000
TONE_HZ = 146.832 * 2 ** (-3.2 / 1200)     # D3, 3.2 cents flat
SHOT_AFTER_READINGS_S = 1.6                # the needle has settled by then


def sawtooth(frequency_hz: float, seconds: float) -> np.ndarray:
    """A band-limited sawtooth with 20 ms fades, float32 (n,)."""
    t = np.arange(int(seconds * RATE_HZ)) / RATE_HZ
    out = sum(np.sin(2 * np.pi * k * frequency_hz * t) / k
              for k in range(1, int(0.45 * RATE_HZ / frequency_hz) + 1))
    out *= 0.5 / np.max(np.abs(out))
    fade = np.linspace(0.0, 1.0, int(0.02 * RATE_HZ))
    out[:fade.size] *= fade
    out[-fade.size:] *= fade[::-1]
    return out.astype(np.float32)


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "assets/screenshot-tuner.png")
    folder = Path(tempfile.mkdtemp())
    tone = folder / "d-string.wav"
    soundfile.write(tone, sawtooth(TONE_HZ, 12.0), RATE_HZ)
    app = application()
    store = SettingsStore(QSettings(str(folder / "pitchlive.ini"), QSettings.Format.IniFormat))
    args = argparse.Namespace(model=None, calibration=None, device=None, input=None,
                              theme="dark")
    window = create_window(args, store, snapshot_dir=folder)
    window.resize(1280, 800)
    window.show()
    tuner = window.views["Tuner"]
    window.tabs.setCurrentWidget(tuner)
    window.model.update_prefs(tuner_instrument="guitar")
    window.load_model_async()
    window.track_file(tone)
    first = []

    def poll() -> None:
        reading = tuner.reading
        if reading is None or reading.cents is None:
            return
        if not first:
            first.append(reading.time_s)
            window.tabs.setCurrentWidget(tuner)   # tracking a file shows the Live tab first
        if reading.time_s - first[0] >= SHOT_AFTER_READINGS_S:
            timer.stop()
            window.save_snapshot(out)
            print(f"saved {out}: {tuner.note_text()} {tuner.target_text()} "
                  f"{tuner.cents_text()} {tuner.turn_text()}")
            window.close()

    timer = QTimer(interval=50)
    timer.timeout.connect(poll)
    timer.start()
    QTimer.singleShot(60_000, window.close)          # never hang
    app.exec()
    return 0 if out.is_file() else 1


if __name__ == "__main__":
    sys.exit(main())
