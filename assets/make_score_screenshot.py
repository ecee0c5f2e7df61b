"""The README's Score tab and note-editing screenshots: a real window in a real X server.

The demo recording is analysed and transcribed by the real model in the window, exactly as a
user does it (open, Ctrl+T). Then two pictures:

* the Score tab, with the note under a playhead at 3.1 s lit (the position is set through the
  window's NotesFeed, as playback sets it; Xvfb has no sound card to play through);
* the Recording view with Edit notes on, the fourth note selected and moved up a semitone
  (↑), and a region marked for looping.

Run it in an X server at 1280x800 (assets/make_screenshots.sh does):

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python assets/make_score_screenshot.py \\
        assets/screenshot-score.png assets/screenshot-note-editing.png
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer

from pitchlive.ui.app import application, create_window
from pitchlive.ui.settings_store import SettingsStore

DEMO = Path(__file__).resolve().parent / "demo-ode-to-joy.flac"
PLAYHEAD_S = 3.1


def main() -> int:
    score_png = Path(sys.argv[1] if len(sys.argv) > 1 else "assets/screenshot-score.png")
    edit_png = Path(sys.argv[2] if len(sys.argv) > 2 else "assets/screenshot-note-editing.png")
    folder = Path(tempfile.mkdtemp())
    app = application()
    store = SettingsStore(QSettings(str(folder / "pitchlive.ini"), QSettings.Format.IniFormat))
    args = argparse.Namespace(model=None, calibration=None, device=None, input=None,
                              theme="dark")
    window = create_window(args, store, snapshot_dir=folder)
    window.resize(1280, 800)
    window.show()
    window.load_model_async()
    window.open_recording(DEMO)
    tools, score = window.recording_tools, window.views["Score"]
    state = {"step": "analysing"}

    def poll() -> None:
        step = state["step"]
        if step == "analysing" and window.file_view.result is not None:
            state["step"] = "transcribing"
            window.takes.transcribe()
        elif step == "transcribing" and score.score is not None:
            state["step"] = "shot"
            window.tabs.setCurrentWidget(score)
            tools.feed.set_position(PLAYHEAD_S)
            QTimer.singleShot(500, shoot_score)

    def shoot_score() -> None:
        window.save_snapshot(score_png)
        print(f"saved {score_png}: {score.status.text()}; lit note {score.lit_note}")
        tools.feed.set_position(None)
        window.tabs.setCurrentWidget(window.file_view)
        editing, view = tools.editing, window.file_view
        editing.edit_check.setChecked(True)
        editing.select(3)
        editing.shift(1)
        bars = view.notes.bars
        tools.transport.set_region(bars[5].start_s, bars[8].end_s)
        tools.transport.loop_check.setChecked(True)
        tools.transport.speed_box.setCurrentIndex(tools.transport.speed_box.findData(0.75))
        tools.transport.seek(bars[3].start_s + 0.1)
        QTimer.singleShot(500, shoot_editing)

    def shoot_editing() -> None:
        window.save_snapshot(edit_png)
        print(f"saved {edit_png}")
        timer.stop()
        window.close()

    timer = QTimer(interval=100)
    timer.timeout.connect(poll)
    timer.start()
    QTimer.singleShot(120_000, window.close)          # never hang
    app.exec()
    return 0 if score_png.is_file() and edit_png.is_file() else 1


if __name__ == "__main__":
    sys.exit(main())
