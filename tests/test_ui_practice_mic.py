"""The Practice tab on the software microphone with the real SPICE model (issue 13's done-when).

The software microphone's input is the monitor of the output's null sink, so what the tab plays
comes back as what it hears: a loopback. The clap-along calibration then measures the exact
round trip (the clicks answer themselves), and an UltraStar song whose audio is a rendered take
with known detunings and late notes is "sung" by its own backing. Every note must be scored
within ±3 cents and ±20 ms of the truth, like `pitchlive score` (test_score_cli.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings
from scored_takes import HIGH, LEAD_S, RATE, check, render
from synth import write_wav

from pitchlive.practice.history import DATA_DIR_ENV_VAR, History
from pitchlive.practice.report import note_rows
from pitchlive.ui.app import create_window
from pitchlive.ui.settings_store import SettingsStore

pytestmark = [pytest.mark.gui, pytest.mark.audio, pytest.mark.model, pytest.mark.slow]

SHOTS = os.environ.get("PITCHLIVE_PRACTICE_SHOTS")   # a folder: save screenshots of the run


def ultrastar_song(folder: Path, notes, audio_name: str) -> Path:
    """An UltraStar file for notes (120 BPM: a beat of 0.125 s), its audio named audio_name."""
    lines = ["#TITLE:Known melody", "#ARTIST:Test", f"#MP3:{audio_name}", "#BPM:120",
             f"#GAP:{LEAD_S * 1000:g}"]
    for note in notes:
        lines.append(f": {round(note.start_s / 0.125)} {int(note.duration_s / 0.125)} "
                     f"{note.midi - 60} la")
    path = folder / "known.txt"
    path.write_text("\n".join(lines + ["E"]) + "\n")
    return path


@pytest.fixture
def window(qtbot, tmp_path, fake_mic, spice_model, monkeypatch):  # noqa: F811
    data = tmp_path / "data"
    if SHOTS:    # the pictures show a user's folders (~/...), not pytest's
        home = tmp_path / "maria"
        monkeypatch.setenv("HOME", str(home))
        data = home / ".local" / "share" / "pitchlive"
    monkeypatch.setenv(DATA_DIR_ENV_VAR, str(data))
    store = SettingsStore(QSettings(str(tmp_path / "pitchlive.ini"), QSettings.Format.IniFormat))
    args = argparse.Namespace(model=None, calibration=None, device=None, input=None)
    win = create_window(args, store, snapshot_dir=tmp_path)
    qtbot.addWidget(win)
    win.move(0, 0)
    win.resize(1280, 800)
    win.show()
    win.set_model(spice_model)
    win.session.list_devices()     # as `pitchlive` starts: the input picker lists the devices
    yield win
    win.close()


def arrival_shifts_ms(rendered, notes, truth, recording) -> list[float]:
    """How much later than the others each note reached the microphone (ms), measured on the
    recording the window saved: each rendered note's level envelope (2 ms steps, from 100 ms
    before its tone to 300 ms into it) is found in the recording's by normalised correlation.
    A busy sound server now and then stalls or skips a few tens of ms; the scores must match
    what arrived, so the truth moves by these shifts (about 0 when nothing slipped).
    """
    import numpy as np
    import soundfile as sf

    from pitchlive.practice.sung import level_envelope

    heard, rate = sf.read(str(recording), dtype="float64")
    hop = 0.002
    _, sent_db = level_envelope(rendered, RATE, hop)
    _, heard_db = level_envelope(heard, rate, hop)
    sent, got = 10 ** (sent_db / 20), 10 ** (heard_db / 20)

    def best_lag(template, lo, hi):
        scores = []
        for lag in range(lo, hi):
            piece = got[lag:lag + template.size]
            if lag < 0 or piece.size < template.size:
                scores.append(-np.inf)
                continue
            scores.append(np.corrcoef(template, piece)[0, 1])
        return lo + int(np.argmax(scores))

    base = best_lag(sent, 0, got.size - sent.size)     # where the take starts in the recording
    lags = []
    for note, (_, late_ms, _) in zip(notes, truth):
        first = int(round((LEAD_S + note.start_s + late_ms / 1000 - 0.1) / hop))
        template = sent[first:first + int(0.4 / hop)]
        search = int(0.15 / hop)
        lags.append((best_lag(template, base + first - search, base + first + search)
                     - base - first) * hop * 1000)
    return list(np.array(lags) - np.median(lags))


def damaged_notes(rendered, notes, truth, recording) -> set[int]:
    """Notes (indices) whose sound did not arrive intact: some 20 ms piece of the tone matches
    the rendered one with a correlation under 0.9 at every shift within ±1 ms of where the
    take sits (a skip or a gap inside the note, which no scorer can be asked to see through)."""
    import numpy as np
    import soundfile as sf
    from scipy.signal import correlate, resample_poly

    heard, rate = sf.read(str(recording), dtype="float64")
    if rate != RATE:
        rendered = resample_poly(rendered, int(rate), RATE)
    base = int(np.argmax(correlate(heard, rendered, mode="valid", method="fft")))
    piece, slack = int(0.02 * rate), int(0.001 * rate)
    damaged = set()
    for i, (note, (_, late_ms, _)) in enumerate(zip(notes, truth)):
        first = int((LEAD_S + note.start_s + late_ms / 1000) * rate)
        last = int((LEAD_S + note.start_s + note.duration_s) * rate) - piece
        for k in range(first, last, piece):
            sent = rendered[k:k + piece]
            got = heard[max(0, base + k - slack):base + k + piece + slack]
            if got.size < piece + 2 * slack:
                damaged.add(i)
                break
            match = correlate(got, sent, mode="valid") / np.sqrt(
                np.dot(sent, sent) * np.convolve(got ** 2, np.ones(piece), "valid") + 1e-12)
            if match.max() < 0.9:
                damaged.add(i)
                break
    return damaged


def shoot(window, name: str) -> None:
    """Under a real X server (xvfb-run) the screen as X shows it, else the window's picture."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    path = Path(SHOTS) / name
    if os.environ.get("DISPLAY") and shutil.which("import") and \
            os.environ.get("QT_QPA_PLATFORM") == "xcb":
        subprocess.run(["import", "-window", "root", str(path)], check=True, timeout=30)
    else:
        window.grab().save(str(path))


def test_detuned_and_late_notes_scored_through_the_microphone(qtbot, window, tmp_path):
    view = window.views["Practice"]
    window.tabs.setCurrentWidget(view)
    # 1. calibrate the round trip: the clicks come back through the loopback
    view.calibrate()
    qtbot.waitUntil(lambda: view._calibration is not None, timeout=10000)
    qtbot.waitUntil(lambda: view._calibration is None, timeout=20000)
    latency_ms = view.controls.latency_ms
    answers = re.search(r"Latency -?\d+ ms \(±\d+ ms, (\d+) claps\)", view.feedback.text())
    assert answers and int(answers.group(1)) >= 6, view.feedback.text()   # 8 clicks are scored
    assert -100 <= latency_ms <= 500
    # 2. the song: its audio is a take with known detunings and late notes
    audio, notes, truth = render(HIGH)
    write_wav(tmp_path / "known.wav", audio, RATE)
    song = ultrastar_song(tmp_path, notes, "known.wav")
    view.open_target(song)
    qtbot.waitUntil(lambda: view.source_target is not None and
                    view.source_target.title.endswith("Known melody"), timeout=5000)
    assert view.source_target.backing_audio == tmp_path / "known.wav"
    view.controls.backing_box.setCurrentIndex(view.controls.backing_box.findData("song"))
    view.controls.count_in.setValue(2)
    view.start_practice()
    qtbot.waitUntil(lambda: view.run is not None, timeout=10000)
    qtbot.waitUntil(lambda: view.run is None or view.run.target_time(
        view.roll.now_s + view.run.target_start_s) > 3.2, timeout=10000)
    shoot(window, "practice-live.png")
    qtbot.waitUntil(lambda: view.last_saved is not None, timeout=20000)
    view.summary.table.scrollToTop()
    qtbot.wait(300)                           # the new texts laid out before the picture
    shoot(window, "practice-summary.png")
    score = view.summary.score
    rows = note_rows(score)
    recording = view.last_saved.files["wav"]
    shifts = arrival_shifts_ms(audio, notes, truth, recording)
    damaged = damaged_notes(audio, notes, truth, recording)
    print(f"latency {latency_ms} ms, residual offset {score.offset_s * 1000:+.0f} ms, "
          f"arrival shifts {[round(x) for x in shifts]} ms, damaged in transit {sorted(damaged)}")
    assert len(damaged) <= 2, "the sound server damaged most of the take; nothing to measure"
    intact = [i for i in range(len(truth)) if i not in damaged]
    check([rows[i] for i in intact], [(truth[i][0], truth[i][1] + shifts[i], truth[i][2])
                                      for i in intact])
    assert abs(score.offset_s) <= 0.1       # the calibration placed the take within 0.1 s
    # saved with its scores, and in the history
    saved = view.last_saved
    assert set(saved.files) == {"wav", "pitch_csv", "scores_csv", "scores_json"}
    assert json.loads(saved.files["scores_json"].read_text())["notes"] == rows
    (session,) = History().sessions()
    assert session.target_title.endswith("Known melody") and session.take_files["wav"] == \
        str(saved.files["wav"])
    view.pages.setCurrentWidget(view.progress)
    qtbot.waitUntil(lambda: len(view.progress.curves) == 1, timeout=5000)
    qtbot.wait(300)
    shoot(window, "practice-progress.png")
    window.stop_tracking()
