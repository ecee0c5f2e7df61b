"""The Recording view to work in: note editing on the piano roll reaches the bars, the exports
and the Score tab; the transport plays, seeks, loops and slows the recording shown."""

from __future__ import annotations

import os
import threading
import time
import types
import xml.etree.ElementTree as ET
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from synth import harmonic_tone, write_wav  # noqa: E402
from test_ui_window import FixedPitchModel, make_window, store  # noqa: E402,F401 - fixtures

from pitchlive.audio import slowed as slowed_module  # noqa: E402

pytestmark = pytest.mark.gui
DEMO = Path(__file__).resolve().parent.parent / "assets" / "demo-ode-to-joy.flac"


def plot_pos(view, time_s: float, midi: float):
    """Viewport pixel of a point on the Recording view's pitch plot."""
    scene = view.plot.getViewBox().mapViewToScene(QPointF(time_s, midi))
    return view.graphics.mapFromScene(scene)


def press(window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key on the Recording view's plot (its shortcuts need the focus inside the view)."""
    window.file_view.graphics.setFocus()
    press.qtbot.keyClick(window.file_view.graphics, key, modifier)


class Drag:
    """A finished left-button drag from one plot point to another (what pyqtgraph hands over)."""

    def __init__(self, view, start, end, shift=False):
        vb = view.plot.getViewBox()
        self._down, self._now = vb.mapViewToScene(QPointF(*start)), vb.mapViewToScene(QPointF(*end))
        self._shift, self.accepted = shift, False

    def button(self):
        return Qt.MouseButton.LeftButton

    def modifiers(self):
        return Qt.KeyboardModifier.ShiftModifier if self._shift else Qt.KeyboardModifier.NoModifier

    def buttonDownScenePos(self):  # noqa: N802 - pyqtgraph's name
        return self._down

    def scenePos(self):  # noqa: N802
        return self._now

    def isStart(self):  # noqa: N802
        return True

    def isFinish(self):  # noqa: N802
        return True

    def accept(self):
        self.accepted = True


def pitched(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return [n.findtext("pitch/step") + (n.findtext("pitch/alter") or "") for n in root.iter("note")
            if n.find("pitch") is not None]


def transcribed_demo(qtbot, make_window, spice_model):
    """A window with the demo open in the Recording view and transcribed (Ctrl+T)."""
    window = make_window()
    window.set_model(spice_model)
    window.open_recording(DEMO)
    qtbot.waitUntil(lambda: window.file_view.result is not None, timeout=30000)
    with qtbot.waitSignal(window.takes.transcribed, timeout=30000):
        window.takes.transcribe()
    return window


def test_note_edits_reach_the_bars_the_score_and_the_exports(qtbot, make_window, spice_model,
                                                             tmp_path):
    press.qtbot = qtbot
    window = transcribed_demo(qtbot, make_window, spice_model)
    view, tools = window.file_view, window.recording_tools
    original = window.takes.transcription
    n = len(original.notes)
    score = window.views["Score"]
    qtbot.waitUntil(lambda: score.score is not None and len(score.score.note_ids) == n,
                    timeout=20000)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    editing = tools.editing
    press(window, Qt.Key.Key_E)
    assert editing.edit_check.isChecked()

    bar = view.notes.bars[2]
    qtbot.mouseClick(view.graphics.viewport(), Qt.MouseButton.LeftButton,
                     pos=plot_pos(view, (bar.start_s + bar.end_s) / 2, bar.centre_midi))
    assert editing.selected == 2
    press(window, Qt.Key.Key_Up)
    t = window.takes.transcription
    assert t.notes[2].midi == original.notes[2].midi + 1
    assert view.notes.bars[2].midi_row == bar.midi_row + 1        # the bar moved
    qtbot.waitUntil(lambda: score.transcription is t and score.score is not None
                    and score.status.text().startswith(window.takes.notes.title), timeout=20000)

    middle = (t.notes[2].onset_s + t.notes[2].end_s) / 2
    tools.transport.seek(middle)
    press(window, Qt.Key.Key_B)                                    # split at the cursor
    assert len(window.takes.transcription.notes) == n + 1
    press(window, Qt.Key.Key_M)                                    # and merge back
    assert len(window.takes.transcription.notes) == n
    press(window, Qt.Key.Key_Delete)
    assert len(window.takes.transcription.notes) == n - 1
    press(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.takes.transcription.notes) == n
    press(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
          | Qt.KeyboardModifier.ShiftModifier)
    assert len(window.takes.transcription.notes) == n - 1
    press(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    # Drag a bar down two rows; drag over empty space after the last note to add one.
    bar = view.notes.bars[0]
    editing._on_drag(Drag(view, ((bar.start_s + bar.end_s) / 2, bar.centre_midi),
                          ((bar.start_s + bar.end_s) / 2, bar.centre_midi - 2.1)))
    assert window.takes.transcription.notes[0].midi == original.notes[0].midi - 2
    end = window.takes.transcription.notes[-1].end_s
    last_row = view.notes.bars[-1].centre_midi
    drag = Drag(view, (end + 0.2, last_row + 5), (end + 0.6, last_row + 5))
    editing._on_drag(drag)
    assert drag.accepted
    edited = window.takes.transcription
    row_shift = view.notes.bars[0].centre_midi - edited.notes[0].midi   # tuning offset
    assert len(edited.notes) == n + 1
    assert edited.notes[-1].midi == round(last_row + 5 - row_shift)
    assert edited.notes[-1].onset_s == pytest.approx(end + 0.2, abs=0.01)
    qtbot.waitUntil(lambda: score.transcription is edited and score.score is not None
                    and len(score.score.note_ids) == n + 1, timeout=20000)

    out = tmp_path / "edited.musicxml"
    window.takes.export(out)
    qtbot.waitUntil(out.exists, timeout=10000)
    assert len(pitched(out)) >= n + 1
    csv = tmp_path / "edited.csv"
    window.takes.export(csv)
    qtbot.waitUntil(csv.exists, timeout=10000)
    rows = [r for r in csv.read_text().splitlines() if r.startswith("note,")]
    assert len(rows) == n + 1


def test_transport_plays_seeks_loops_and_slows_without_blocking(qtbot, make_window, fake_mic,
                                                                 tmp_path, monkeypatch):
    press.qtbot = qtbot
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(330.0, 8.0, 44100), 44100)
    window = make_window()
    window.set_model(FixedPitchModel())
    window.open_recording(path)
    view, transport = window.file_view, window.recording_tools.transport
    qtbot.waitUntil(lambda: view.result is not None, timeout=20000)
    stretched_on = []
    real_stretch = slowed_module._stretch
    monkeypatch.setattr(slowed_module, "_stretch", lambda *a: (
        stretched_on.append(threading.current_thread().name), real_stretch(*a))[1])

    # A click on the plot seeks: the playhead goes there.
    qtbot.mouseClick(view.graphics.viewport(), Qt.MouseButton.LeftButton,
                     pos=plot_pos(view, 3.0, 60.0))
    assert transport.cursor_s == pytest.approx(3.0, abs=0.1)
    assert view.playhead.isVisible() and view.playhead.value() == pytest.approx(3.0, abs=0.1)

    transport.speed_box.setCurrentIndex(transport.speed_box.findData(0.5))
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    press(window, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: transport.playing_here and window.takes.playback.position_s > 0.3,
                    timeout=10000)
    assert stretched_on and "MainThread" not in stretched_on
    first_played, first_heard = window.takes.playback.position_s, transport.position_s
    qtbot.wait(1000)
    played = window.takes.playback.position_s - first_played
    heard = transport.position_s - first_heard
    assert played > 0.5 and heard == pytest.approx(played * 0.5, rel=0.1)
    assert transport.position_s > 3.0 and view.playhead.value() == pytest.approx(
        transport.position_s, abs=0.2)
    # No notes of this file: the Score tab has nothing to light.
    assert window.recording_tools.feed.position_s is None

    transport.seek(6.0)                                            # seeking while playing
    qtbot.waitUntil(lambda: transport.playing_here and transport.position_s >= 6.0,
                    timeout=10000)
    press(window, Qt.Key.Key_K)                                    # stop
    qtbot.waitUntil(lambda: window.takes.playing is None, timeout=5000)
    assert window.recording_tools.feed.position_s is None

    transport.speed_box.setCurrentIndex(0)
    editing = window.recording_tools.editing
    drag = Drag(view, (1.0, 60.0), (1.5, 60.0), shift=True)       # Shift+drag: a region
    editing._on_drag(drag)
    assert transport.loop_span() == pytest.approx((1.0, 1.5), abs=0.01)
    press(window, Qt.Key.Key_L)
    assert transport.loop_check.isChecked()
    transport.play()
    qtbot.waitUntil(lambda: window.takes.playback.position_s > 1.2, timeout=10000)
    for _ in range(10):
        assert 1.0 - 0.05 <= transport.position_s <= 1.5 + 0.05
        qtbot.wait(50)
    transport.toggle_play()
    qtbot.waitUntil(lambda: window.takes.playing is None, timeout=5000)
    start = time.monotonic()
    transport.speed_box.setCurrentIndex(transport.speed_box.findData(0.5))
    transport.loop_check.setChecked(False)
    transport.seek(0.0)
    transport.play()                       # returns at once: decoding and slowing run elsewhere
    assert time.monotonic() - start < 0.5
    qtbot.waitUntil(lambda: transport.playing_here, timeout=10000)
    transport.toggle_play()


def test_closing_the_window_while_slowed_playback_renders(qtbot, make_window, fake_mic,
                                                          tmp_path):
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(262.0, 20.0, 44100), 44100)
    window = make_window()
    window.set_model(FixedPitchModel())
    window.open_recording(path)
    transport = window.recording_tools.transport
    qtbot.waitUntil(lambda: window.file_view.result is not None, timeout=20000)
    transport.speed_box.setCurrentIndex(transport.speed_box.findData(0.6))
    transport.play()
    qtbot.waitUntil(lambda: transport.playing_here, timeout=10000)
    assert window.close()
    assert window.takes.playing is None
    assert not [t for t in threading.enumerate() if t.name == "pitchlive-render"]


def test_view_keys_are_in_help_and_clash_with_no_window_key(make_window):
    from pitchlive.ui.help_dialog import shortcut_rows
    from pitchlive.ui.view_keys import view_key_actions

    window = make_window()
    view_rows = shortcut_rows(view_key_actions(window))
    texts = dict(view_rows)
    assert texts["K or Return"] == "Recording: Play from the cursor / stop"
    assert texts["B"].startswith("Recording: Split") and texts["Ctrl+Z"].startswith("Recording")
    assert texts["PgDown"] == "Score: Next page"
    view_keys = {k for keys, _ in view_rows for k in keys.split(" or ")}
    window_keys = {k for keys, _ in shortcut_rows(window.shortcut_actions)
                   for k in keys.split(" or ")}
    # A key bound in both places would be ambiguous, and Qt would then run neither.
    assert not view_keys & window_keys


def test_a_takes_notes_reach_the_score_and_say_how_to_correct_them(qtbot, make_window, tmp_path):
    from test_ui_takes import give_take, make_take

    press.qtbot = qtbot
    window = make_window()
    give_take(window, make_take(tmp_path / "spool", seconds=1.5))
    with qtbot.waitSignal(window.takes.transcribed, timeout=20000):
        window.takes.transcribe()
    score = window.views["Score"]
    qtbot.waitUntil(lambda: score.score is not None, timeout=20000)
    assert len(score.score.note_ids) == len(window.takes.transcription.notes) == 1
    messages = []
    window.takes.status.connect(lambda text, _ms: messages.append(text))
    window.tabs.setCurrentWidget(window.file_view)
    window.recording_tools.editing.delete()
    assert messages and "Select a note first" in messages[-1]
    window.recording_tools.editing.selected = 0
    window.recording_tools.editing.delete()
    assert "take's" in messages[-1] and "Ctrl+O" in messages[-1]
    assert len(window.takes.transcription.notes) == 1            # nothing was changed
    window.takes.ask_unsaved_take = lambda: "discard"           # closing asks otherwise


def test_key_and_time_chosen_on_the_score_tab_rewrite_the_score_and_the_exports(
        qtbot, make_window, spice_model, tmp_path):
    import mido
    from music21 import converter

    window = transcribed_demo(qtbot, make_window, spice_model)
    tools = window.recording_tools
    auto = window.takes.transcription
    score = window.views["Score"]
    qtbot.waitUntil(lambda: score.score is not None and score.transcription is auto,
                    timeout=20000)
    assert score.key_box.itemText(0) == "Auto (D major)"

    score.key_box.setCurrentIndex(score.key_box.findText("Bb major"))
    score.signature_box.setCurrentIndex(score.signature_box.findText("3/4"))
    t = window.takes.transcription
    assert (t.key.name, str(t.time_signature)) == ("Bb major", "3/4")
    assert [n.onset_s for n in t.notes] == [n.onset_s for n in auto.notes]   # not re-transcribed
    qtbot.waitUntil(lambda: score.transcription is t and "Bb major, 3/4" in score.status.text(),
                    timeout=20000)
    assert len(score.score.note_ids) == len(auto.notes)
    out = tmp_path / "chosen.musicxml"
    window.takes.export(out)
    qtbot.waitUntil(out.exists, timeout=10000)
    parsed = converter.parse(str(out))
    assert parsed.recurse().getElementsByClass("KeySignature")[0].sharps == -2
    assert parsed.recurse().getElementsByClass("TimeSignature")[0].ratioString == "3/4"
    midi = tmp_path / "chosen.mid"
    window.takes.export(midi)
    qtbot.waitUntil(midi.exists, timeout=10000)
    metas = [m for track in mido.MidiFile(str(midi)).tracks for m in track if m.is_meta]
    assert any(m.type == "key_signature" and m.key == "Bb" for m in metas)
    assert any(m.type == "time_signature" and (m.numerator, m.denominator) == (3, 4)
               for m in metas)

    # A correction keeps the choice; Auto puts back the estimate.
    tools.editing._edit(lambda e: e.shift(0, 1), 0)
    assert window.takes.transcription.key.name == "Bb major"
    score.key_box.setCurrentIndex(0)
    score.signature_box.setCurrentIndex(0)
    t = window.takes.transcription
    assert (t.key.name, t.notes[0].midi) == ("D major", auto.notes[0].midi + 1)


def test_the_score_lights_notes_only_while_their_own_audio_plays(qtbot, make_window, spice_model,
                                                                 fake_mic, tmp_path):
    other = write_wav(tmp_path / "other.wav", harmonic_tone(330.0, 6.0, 44100), 44100)
    window = transcribed_demo(qtbot, make_window, spice_model)
    tools = window.recording_tools
    positions = []
    tools.feed.position_changed.connect(positions.append)
    window.takes.playback.play_file(other)              # something else plays (a take, say)
    qtbot.waitUntil(lambda: window.takes.playback.position_s > 1.0, timeout=10000)
    assert tools.feed.position_s is None and not [p for p in positions if p is not None]
    window.takes.stop_playback()
    qtbot.waitUntil(lambda: window.takes.playing is None, timeout=5000)
    tools.transport.play()                              # the notes' own recording
    qtbot.waitUntil(lambda: tools.feed.position_s is not None and tools.feed.position_s > 0.5,
                    timeout=10000)
    window.takes.stop_playback()
    qtbot.waitUntil(lambda: window.takes.playing is None, timeout=5000)
