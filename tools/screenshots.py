"""Screenshots of the window at four screen sizes, each in four states, in one command.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel .venv/bin/python tools/screenshots.py OUT_DIR

For each screen size (800x500, 1280x800, 1600x1000, 1920x1080) it starts a real X server (Xvfb,
through xvfb-run) of that size and runs the real window on it, with fresh settings, tracking
the demo recording in real time with the real model. When a note is on display it grabs the
whole X screen (not just the window) in each state: normal, presentation mode (Ctrl+L), full
screen (F11), presentation in full screen, the Tuner tab, the mini window on a green chroma
key, and the Practice and Score tabs. For each picture it prints whether the note, the needle
and the cents reading lie wholly on the screen (and inside their panel or tab) and are visible
(for the Practice and Score tabs: whether the tab is on screen and needs no more room than it
has); it exits 1 if any does not.
Pictures go to OUT_DIR/<W>x<H>-<state>.png.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "assets" / "demo-ode-to-joy.flac"
SIZES = ((800, 500), (1280, 800), (1600, 1000), (1920, 1080))
STATES = ("normal", "presentation", "fullscreen", "presentation-fullscreen", "tuner",
          "mini-chroma", "practice", "score")
TABS = {"tuner": "Tuner", "practice": "Practice", "score": "Score"}   # states shown on a tab
NOTE_TIMEOUT_S = 90.0
TRACE_S = 6.0          # of the demo tracked before the first picture, so the trace has a past


def run_all(out_dir: Path) -> int:
    """One Xvfb per size, this script inside it; returns the worst exit status."""
    out_dir.mkdir(parents=True, exist_ok=True)
    worst = 0
    for width, height in SIZES:
        with tempfile.TemporaryDirectory() as config:
            env = {**os.environ, "XDG_CONFIG_HOME": config, "PYTHONPATH": str(ROOT),
                   "QT_QPA_PLATFORM": "xcb", "TF_CPP_MIN_LOG_LEVEL": "2"}
            status = subprocess.call(
                ["xvfb-run", "-a", "-s", f"-screen 0 {width}x{height}x24", sys.executable,
                 __file__, "--shoot", str(width), str(height), str(out_dir)], env=env)
        worst = max(worst, status)
    return worst


def wait_until(app, condition, timeout_s: float) -> bool:
    """Run the event loop until condition() or the timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.01)
    return False


def shoot(width: int, height: int, out_dir: Path) -> int:
    """Inside the X server: run the window and grab the screen in each state."""
    from PySide6.QtCore import QPoint, QRect

    from pitchlive.ui.app import application, create_window, start
    from pitchlive.ui.settings_store import SettingsStore

    app = application()
    args = argparse.Namespace(model=None, calibration=None, device=None, input=str(DEMO),
                              theme="dark", view="live", transcribe=False)
    window = create_window(args, SettingsStore())
    window.move(0, 0)
    window.resize(width, height)
    window.show()
    start(window, args)
    # The demo is short: start it again whenever it ends, so every state has a note to show.
    window.session.finished.connect(lambda _message: window.track_file(DEMO))
    screen = app.primaryScreen()
    failures = 0
    panel = window.note_panel
    tuner = window.views["Tuner"]

    def sung_note() -> bool:
        if window.tabs.currentWidget() is tuner:
            return tuner.reading is not None and tuner.reading.cents is not None
        reading = panel.reading
        return reading is not None and not reading.held

    def on_screen(widget) -> bool:
        rect = QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
        return widget.isVisible() and screen.geometry().contains(rect)

    wait_until(app, lambda: window.session.running, NOTE_TIMEOUT_S)
    wait_until(app, lambda: False, TRACE_S)
    for state in STATES:
        window.large_action.setChecked(state.startswith("presentation"))
        window.full_screen_action.setChecked(state.endswith("fullscreen"))
        window.tabs.setCurrentWidget(window.views[TABS[state]] if state in TABS else window.live)
        if state == "mini-chroma":   # the mini window on a green key, over the normal window
            window.presentation.set_chroma_key("#00b140")
            window.mini.move(width - window.mini.width() - 24, 48)
            window.mini_action.setChecked(True)
            panel = window.mini.panel
        else:
            panel = window.note_panel
        wait_until(app, lambda: False, 0.8)               # layouts settle, frames arrive
        if state in ("practice", "score"):      # no note to wait for: the layout is the point
            view = window.views[TABS[state]]
            window.mini_action.setChecked(False)
            wait_until(app, lambda: False, 0.5)
            path = out_dir / f"{width}x{height}-{state}.png"
            screen.grabWindow(0).save(str(path))
            ok = on_screen(view) and view.minimumSizeHint().width() <= view.width()
            print(f"{width}x{height} {state}: tab on screen and not squeezed: "
                  f"{'yes' if ok else 'NO'} -> {path}")
            failures += not ok
            continue
        if not wait_until(app, sung_note, NOTE_TIMEOUT_S):
            print(f"{width}x{height} {state}: no note within {NOTE_TIMEOUT_S:.0f} s")
            failures += 1
            continue
        path = out_dir / f"{width}x{height}-{state}.png"
        screen.grabWindow(0).save(str(path))
        if state == "tuner":
            shown = (tuner.note_label, tuner.gauge, tuner.cents_label, tuner.strobe)
            ok = all(on_screen(w) and tuner.rect().contains(
                QRect(w.mapTo(tuner, QPoint(0, 0)), w.size())) for w in shown) and all(
                label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
                for label in (tuner.note_label, tuner.cents_label, tuner.turn_label))
            texts = f"{tuner.note_text()} {tuner.cents_text()}"
        else:
            rows = panel.text_rects()
            texts_inside = all(panel.rect().contains(rows[name].toAlignedRect())
                               for name in ("note", "cents"))
            ok = on_screen(panel) and on_screen(panel.needle) and texts_inside
            texts = f"{panel.note_text()} {panel.cents_text()}"
        print(f"{width}x{height} {state}: note {texts}; "
              f"window {window.width()}x{window.height()}; note, needle and cents on screen: "
              f"{'yes' if ok else 'NO'} -> {path}")
        failures += not ok
    window.close()
    return 1 if failures else 0


def main() -> int:
    """Command line: OUT_DIR, or --shoot W H OUT_DIR inside an X server."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shoot", nargs=2, type=int, metavar=("W", "H"))
    parser.add_argument("out_dir", type=Path)
    options = parser.parse_args()
    if options.shoot:
        status = shoot(*options.shoot, options.out_dir)
        sys.stdout.flush()
        os._exit(status)   # as the app does: no interpreter finalisation with TF threads about
    return run_all(options.out_dir)


if __name__ == "__main__":
    sys.exit(main())
