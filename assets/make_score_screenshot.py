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

import sys
import tempfile
import time
from pathlib import Path

from pitchlive.settings import Settings
from pitchlive.ui.app import application
from pitchlive.ui.main_window import MainWindow
from pitchlive.ui.prefs import DisplayPrefs

DEMO = Path(__file__).resolve().parent / "demo-ode-to-joy.flac"
PLAYHEAD_S = 3.1


def main() -> int:
    score_png = Path(sys.argv[1] if len(sys.argv) > 1 else "assets/screenshot-score.png")
    edit_png = Path(sys.argv[2] if len(sys.argv) > 2 else "assets/screenshot-note-editing.png")
    folder = Path(tempfile.mkdtemp())
    app = application()
    # Default settings, nothing stored: the picture does not depend on this machine's choices.
    window = MainWindow(Settings(), DisplayPrefs(theme="dark"), snapshot_dir=folder)
    window.resize(1280, 800)
    window.show()
    try:
        window.load_model_async()
        window.open_recording(DEMO)
        tools, score = window.recording_tools, window.views["Score"]
        wait_for(app, lambda: window.file_view.result is not None)
        window.takes.transcribe()                        # Ctrl+T
        wait_for(app, lambda: score.score is not None)
        window.tabs.setCurrentWidget(score)
        tools.feed.set_position(PLAYHEAD_S)
        wait_for(app, lambda: False, 0.5)
        window.save_snapshot(score_png)
        print(f"saved {score_png}: {score.status.text()}; lit note {score.lit_note}")

        tools.feed.set_position(None)
        window.tabs.setCurrentWidget(window.file_view)
        editing, transport, bars = tools.editing, tools.transport, window.file_view.notes.bars
        editing.edit_check.setChecked(True)
        editing.select(3)
        editing.shift(1)                                 # ↑ on the fourth note
        transport.set_region(bars[5].start_s, bars[8].end_s)
        transport.loop_check.setChecked(True)
        transport.speed_box.setCurrentIndex(transport.speed_box.findData(0.75))
        transport.seek(bars[3].start_s + 0.1)
        wait_for(app, lambda: False, 0.5)
        window.save_snapshot(edit_png)
        print(f"saved {edit_png}")
    finally:
        window.close()
    return 0


def wait_for(app, done, timeout_s: float = 120.0) -> None:
    """Let the window work (events, background jobs) until done() or timeout_s seconds."""
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            if timeout_s >= 60.0:
                raise TimeoutError("the demo was not transcribed in time")
            return
        app.processEvents()
        time.sleep(0.02)


if __name__ == "__main__":
    sys.exit(main())
