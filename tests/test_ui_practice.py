"""The Practice tab's controls, offscreen, with a stand-in engine and player.

The engine stand-in produces what the real one hands the view: audio blocks (with their stream
positions) and PitchFrames on the same clock. Its microphone hears what the stand-in player
played, a fixed delay later, plus what the test "sings"; so every control is checked through
the same code paths as a real run (the real model and sound are in test_ui_practice_mic.py).
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import mido
import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QObject, Signal

from pitchlive.frames import PitchFrame
from pitchlive.music import midi_to_hz
from pitchlive.practice.history import DB_NAME, History
from pitchlive.practice.range_fit import suggest_transposition
from pitchlive.practice.report import note_rows
from pitchlive.settings import Settings
from pitchlive.ui.background import BackgroundJobs
from pitchlive.ui.practice_audio import PRE_ROLL_S
from pitchlive.ui.practice_view import PracticeView
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.theme import DARK
from pitchlive.ui.view_tabs import VIEW_TABS, ViewContext

pytestmark = pytest.mark.gui

RATE = 16000
BLOCK = 512                       # one frame per block: 32 ms


class FakePlayer:
    """Records what is played and when (on the engine's clock)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.played: list[np.ndarray] = []
        self.stops = 0

    def play_array(self, audio, rate_hz) -> None:
        assert rate_hz == 44100
        self.played.append(np.asarray(audio)[int(PRE_ROLL_S * 44100):])   # as the plan made it
        self.engine.heard_from = (self.engine.position / RATE, np.asarray(audio))

    def stop(self) -> None:
        self.stops += 1


class FakeEngine:
    """Audio blocks and frames on one clock; hears the player delay_s later."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.position = 0
        self.audio_position_samples = 0
        self.audio_subs, self.frame_subs = [], []
        self.delay_s = delay_s
        self.heard_from = None          # (stream s when play started, audio at 44.1 kHz)

    def subscribe_audio(self, callback):
        self.audio_subs.append(callback)
        return lambda: self.audio_subs.remove(callback)

    def subscribe(self, callback):
        self.frame_subs.append(callback)
        return lambda: self.frame_subs.remove(callback)

    def step(self, sung_hz: float | None = None) -> PitchFrame:
        """One block: the player's sound (delayed) plus a sung tone; returns its frame."""
        t = (self.position + np.arange(BLOCK)) / RATE
        block = np.zeros(BLOCK)
        if self.heard_from is not None:
            start_s, audio = self.heard_from
            index = np.round((t - start_s - self.delay_s) * 44100).astype(int)
            ok = (index >= 0) & (index < audio.size)
            block[ok] += audio[index[ok]]
        if sung_hz:
            block += 0.3 * np.sin(2 * np.pi * sung_hz * t)
        block = block.astype(np.float32)
        self.audio_position_samples = self.position
        for callback in list(self.audio_subs):
            callback(block, float(RATE))
        level = 10 * np.log10(max(np.mean(block ** 2), 1e-12))
        frame = PitchFrame(float(t[BLOCK // 2]), sung_hz or 0.0, 0.95 if sung_hz else 0.1,
                           float(level), bool(sung_hz))
        for callback in list(self.frame_subs):
            callback(frame)
        self.position += BLOCK
        return frame


class FakeSession(QObject):
    frames = Signal(list)
    starting = Signal()
    running_changed = Signal(bool)

    def __init__(self, engine) -> None:
        super().__init__()
        self.engine = engine
        self.running = False

    def start(self) -> None:
        self.running = True
        self.running_changed.emit(True)

    def stop(self) -> None:
        self.running = False
        self.running_changed.emit(False)


@pytest.fixture
def rig(qtbot, tmp_path, monkeypatch):
    """(view, engine, notices) with the history and takes in tmp_path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PITCHLIVE_DATA_DIR", str(tmp_path / "data"))
    engine = FakeEngine()
    session = FakeSession(engine)
    notices, statuses = [], []
    context = ViewContext(SettingsModel(Settings()), BackgroundJobs(), session, DARK,
                          notices.append, lambda text, ms: statuses.append(text))
    view = PracticeView(context, player_factory=lambda: FakePlayer(engine),
                        takes_dir=tmp_path / "takes")
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.statuses = statuses
    yield view, engine, notices
    context.jobs.shutdown()


def pump(qtbot, view, engine, seconds: float, hz_at=None) -> None:
    """Run the stand-in engine for seconds; hz_at(target_time_s) says what is sung."""
    batch = []
    for _ in range(int(seconds * RATE / BLOCK)):
        t = engine.position / RATE
        hz = hz_at(view.run.target_time(t)) if hz_at and view.run else None
        batch.append(engine.step(hz))
        if len(batch) == 3:
            view.session.frames.emit(batch)
            batch = []
            qtbot.wait(1)


def sing(target, cents, late_s=0.0):
    """hz_at for a target: every note sung `cents` off, late_s late."""
    def hz_at(t):
        for note in target.notes:
            if note.onset_s + late_s <= t < note.end_s:
                return float(midi_to_hz(note.midi + cents / 100))
        return None
    return hz_at


def start(qtbot, view, engine):
    view.start_practice()
    qtbot.waitUntil(lambda: view._tap is not None, timeout=5000)
    engine.step()                               # the first block: play starts after it
    qtbot.waitUntil(lambda: view.run is not None, timeout=5000)
    return view.run


def test_the_practice_tab_is_a_view_tab():
    assert [row.title for row in VIEW_TABS].count("Practice") == 1


def test_exercise_controls_build_the_target(rig):
    view, _, notices = rig
    c = view.controls
    c.high_edit.setText("C6")
    c.kind_box.setCurrentText("arpeggio")
    c.key_box.setCurrentText("D")
    c.mode_box.setCurrentText("minor")
    assert view.source_target.title == "D minor arpeggio from D4"
    assert [n.midi for n in view.roll.target.notes][:4] == [62, 65, 69, 74]
    c.high_edit.setText("E4")
    c.high_edit.editingFinished.emit()
    assert notices[-1].kind == "error" and "Widen the range" in notices[-1].message


def write_two_track_midi(path: Path) -> Path:
    song = mido.MidiFile(ticks_per_beat=480)
    for name, pitches in (("Chords", [(60, 64), (62, 65)]), ("Melody", [(72,), (74,)])):
        track = mido.MidiTrack([mido.MetaMessage("track_name", name=name)])
        for chord in pitches:
            track += [mido.Message("note_on", note=p, velocity=80, time=0) for p in chord]
            track += [mido.Message("note_off", note=p, velocity=0, time=480 if i == 0 else 0)
                      for i, p in enumerate(chord)]
        song.tracks.append(track)
    song.save(str(path))
    return path


def test_midi_track_choice_and_polyphony_are_explained(qtbot, rig, tmp_path):
    view, _, notices = rig
    view.open_target(write_two_track_midi(tmp_path / "two.mid"))
    qtbot.waitUntil(lambda: view.controls.voice_box.count() == 2, timeout=5000)
    assert [n.midi for n in view.source_target.notes] == [64, 65]     # top voice of chords
    assert "polyphonic" in notices[-1].message and "top voice" in notices[-1].message
    view.controls.voice_box.setCurrentIndex(1)
    view.controls.voice_box.activated.emit(1)
    qtbot.waitUntil(lambda: [n.midi for n in view.source_target.notes] == [72, 74], timeout=5000)


def test_musicxml_part_choice(qtbot, rig, tmp_path):
    view, _, _ = rig
    def part(pid, step):
        return (f'<part id="{pid}"><measure number="1"><attributes><divisions>1</divisions>'
                f'</attributes><note><pitch><step>{step}</step><octave>4</octave></pitch>'
                '<duration>1</duration></note></measure></part>')
    path = tmp_path / "duo.musicxml"
    path.write_text('<?xml version="1.0"?><score-partwise version="4.0"><part-list>'
                    '<score-part id="P1"><part-name>Alto</part-name></score-part>'
                    '<score-part id="P2"><part-name>Tenor</part-name></score-part></part-list>'
                    + part("P1", "E") + part("P2", "G") + "</score-partwise>")
    view.open_target(path)
    qtbot.waitUntil(lambda: view.controls.voice_box.count() == 2, timeout=5000)
    assert view.source_target.notes[0].midi == 64
    view.controls.voice_box.activated.emit(1)
    qtbot.waitUntil(lambda: view.source_target.notes[0].midi == 67, timeout=5000)


def test_bad_targets_get_banners_and_the_session_goes_on(qtbot, rig, tmp_path):
    view, engine, notices = rig
    bad = tmp_path / "bad.txt"
    bad.write_text("#TITLE:x\n#BPM:120\n: 0 4 0 la\n: zero 4 2 oops\nE\n")
    view.open_target(bad)
    qtbot.waitUntil(lambda: len(notices) == 1, timeout=5000)
    assert notices[0].kind == "error" and "bad.txt:4:" in notices[0].message
    empty = tmp_path / "empty.mid"
    mido.MidiFile().save(str(empty))
    view.open_target(empty)
    qtbot.waitUntil(lambda: len(notices) == 2, timeout=5000)
    assert "no notes" in notices[1].message
    song = tmp_path / "song.txt"
    song.write_text("#TITLE:Song\n#MP3:gone.mp3\n#BPM:120\n: 0 4 0 la\n: 8 4 2 la\nE\n")
    view.open_target(song)
    qtbot.waitUntil(lambda: view.source_target is not None and "Song" in view.source_target.title,
                    timeout=5000)
    assert "gone.mp3" in notices[2].message and notices[2].kind == "info"
    view.controls.backing_box.setCurrentIndex(view.controls.backing_box.findData("song"))
    run = start(qtbot, view, engine)
    assert "without the backing" in notices[3].message
    assert run.plan.target.title.endswith("Song")                   # the run goes on


def test_a_run_scores_saves_and_shows_live_feedback(qtbot, rig):
    view, engine, _ = rig
    view.controls.kind_box.setCurrentText("sustained")
    view.controls.exercise_tempo.setValue(240)
    view.controls.count_in.setValue(2)
    run = start(qtbot, view, engine)
    assert "Count-in" in view.feedback.text() or run.count_in_beat(0) is None
    pump(qtbot, view, engine, PRE_ROLL_S + 0.1)
    assert view.feedback.text().startswith("Count-in 1 of 2")
    pump(qtbot, view, engine, 1.0, sing(run.plan.target, -40))
    assert "flat -40 cents" in view.feedback.text()
    assert view.feedback.verdict == "flat" and view.roll.current.isVisible()
    assert view.roll.trace_points() > 20
    pump(qtbot, view, engine, run.plan.target.duration_s + 1.0, sing(run.plan.target, -40))
    qtbot.waitUntil(lambda: view.last_saved is not None, timeout=10000)
    rows = note_rows(view.summary.score)
    assert all(r["mean_cents"] == pytest.approx(-40, abs=1) for r in rows)
    assert view.summary.cell(0, "mean_cents") == "-40"
    assert view.summary.overall.text().startswith("0% in tune")
    assert set(view.last_saved.files) == {"wav", "pitch_csv", "scores_csv", "scores_json"}
    assert all(p.is_file() for p in view.last_saved.files.values())
    assert len(History().sessions()) == 1 and view.pages.currentWidget() is view.summary


def test_count_in_metronome_and_backing_tones_are_played(qtbot, rig):
    view, engine, _ = rig
    c = view.controls
    c.count_in.setValue(3)
    c.metronome.setChecked(True)
    run = start(qtbot, view, engine)
    audio = view.player.played[-1]
    beat = int(run.plan.beat_s * 44100)
    clicks = [np.abs(audio[k * beat:k * beat + 300]).max() for k in range(3 + 4)]
    assert min(clicks) > 0.3                                   # count-in and metronome clicks
    first = run.plan.target.notes[0]
    piece = audio[int((run.plan.count_in_s + 0.05) * 44100):][:4096]
    spectrum = np.abs(np.fft.rfft(piece * np.hanning(piece.size)))
    assert np.argmax(spectrum) * 44100 / 4096 == pytest.approx(midi_to_hz(first.midi), rel=0.03)
    view.stop_practice()
    c.metronome.setChecked(False)
    c.backing_box.setCurrentIndex(c.backing_box.findData("none"))
    run = start(qtbot, view, engine)
    after = view.player.played[-1][int(run.plan.count_in_s * 44100) + 2000:]
    assert np.abs(after).max() == 0


def test_transpose_and_suggest_a_key_from_the_sung_range(qtbot, rig):
    view, engine, notices = rig
    view.controls.suggest_button.click()
    assert "Sing first" in notices[-1].title
    for k in range(120):                       # A2 .. E3 sung while tracking
        frame = engine.step(float(midi_to_hz(45 + 7 * (k % 2))))
        view.on_frames([frame])
    view.controls.suggest_button.click()
    expected = suggest_transposition(view.source_target, 45, 52).semitones
    assert view.controls.transpose_spin.value() == expected != 0
    assert view.roll.target.notes[0].midi == view.source_target.notes[0].midi + expected


def test_loop_a_section_slowed_down(qtbot, rig):
    view, engine, _ = rig
    c = view.controls
    c.first_note.setValue(2)
    c.last_note.setValue(3)
    c.repeats.setValue(3)
    c.tempo_percent.setValue(50)
    run = start(qtbot, view, engine)
    source = view.source_target.notes
    notes = run.plan.target.notes
    assert [n.midi for n in notes] == [source[1].midi, source[2].midi] * 3
    assert notes[0].duration_s == pytest.approx(2 * source[1].duration_s)
    assert notes[2].onset_s == pytest.approx(2 * (source[3].onset_s - source[1].onset_s))


def test_latency_slider_moves_where_the_target_is_expected(qtbot, rig):
    view, engine, _ = rig
    view.controls.latency_slider.setValue(200)
    run = start(qtbot, view, engine)
    assert run.target_start_s == pytest.approx(run.play_stream_s + run.plan.count_in_s + 0.2)


def test_clap_along_calibration_measures_the_round_trip(qtbot, rig):
    view, engine, _ = rig
    engine.delay_s = 0.12
    view.calibrate()
    qtbot.waitUntil(lambda: view._tap is not None, timeout=5000)
    engine.step()
    qtbot.waitUntil(lambda: view._calibration.play_stream_s is not None, timeout=5000)
    pump(qtbot, view, engine, PRE_ROLL_S + 7.5)
    assert view._calibration is None
    assert view.controls.latency_ms == pytest.approx(120, abs=6)
    assert view.feedback.text().startswith("Latency 1")


# The stand-in sings whole 32 ms blocks, so a note 60 ms late starts 60-92 ms late.
@pytest.mark.parametrize("align, low_ms, high_ms", [(True, -12, 12), (False, 55, 97)])
def test_align_the_summary_to_the_singers_timing(qtbot, rig, align, low_ms, high_ms):
    view, engine, _ = rig
    view.controls.exercise_tempo.setValue(160)
    view.controls.align_box.setChecked(align)
    run = start(qtbot, view, engine)
    pump(qtbot, view, engine, PRE_ROLL_S + run.plan.duration_s + 1.5,
         sing(run.plan.target, 0, late_s=0.06))
    qtbot.waitUntil(lambda: view.summary.score is not None, timeout=5000)
    onsets = [r["onset_ms"] for r in note_rows(view.summary.score) if r["onset_ms"] is not None]
    assert low_ms <= np.median(onsets) <= high_ms


def test_progress_over_days_and_a_corrupt_history(qtbot, rig, tmp_path):
    view, engine, notices = rig
    from datetime import datetime, timedelta, timezone

    from test_practice_history import score   # a TakeScore with known cents per note
    history = History()
    for day in range(4):
        history.add_session(score(), started_at=datetime.now(timezone.utc)
                            - timedelta(days=3 - day))
    view.pages.setCurrentWidget(view.progress)
    qtbot.waitUntil(lambda: len(view.progress.curves) == 1, timeout=5000)
    assert view.progress.flat_table.rowCount() >= 1
    assert view.progress.flat_table.item(0, 1).text() == "-30"
    (tmp_path / "data" / DB_NAME).write_bytes(b"this is not a database" * 100)
    view.progress.refresh()
    qtbot.waitUntil(lambda: any("damaged" in n.title for n in notices), timeout=5000)
    assert list((tmp_path / "data").glob(f"{DB_NAME}.corrupt-*"))


def test_band_and_stopping_early_from_the_button(qtbot, rig):
    view, engine, _ = rig
    c = view.controls
    c.kind_box.setCurrentText("sustained")
    c.exercise_tempo.setValue(240)
    c.count_in.setValue(0)
    c.band_spin.setValue(50.0)
    c.start_button.click()
    qtbot.waitUntil(lambda: view._tap is not None, timeout=5000)
    engine.step()
    qtbot.waitUntil(lambda: view.run is not None, timeout=5000)
    assert c.start_button.text() == "Stop" and not c.calibrate_button.isEnabled()
    run = view.run
    pump(qtbot, view, engine, PRE_ROLL_S + 0.6, sing(run.plan.target, -40))
    assert view.feedback.verdict == "in_tune" and "in tune -40 cents" in view.feedback.text()
    now = view.roll.now_s
    (x0, x1), _ = view.roll.pitch_plot.getViewBox().viewRange()
    assert view.roll.now_line.value() == now and x0 < now < x1 and now - x0 < x1 - now
    c.start_button.click()                                   # Stop: the notes so far are scored
    assert view.run is None and c.start_button.text() == "Start"
    qtbot.waitUntil(lambda: view.last_saved is not None, timeout=10000)
    rows = note_rows(view.summary.score)
    assert rows[0]["in_tune_pct"] > 50 and rows[-1]["voiced_pct"] == 0.0


def test_tracking_stopped_during_calibration_ends_it_and_the_clicks(qtbot, rig):
    view, engine, _ = rig
    view.calibrate()
    qtbot.waitUntil(lambda: view._tap is not None, timeout=5000)
    engine.step()
    qtbot.waitUntil(lambda: view._calibration.play_stream_s is not None, timeout=5000)
    stops = view.player.stops
    view.session.stop()
    assert view._calibration is None and view._tap is None and view.player.stops == stops + 1
    assert engine.audio_subs == []                      # the tap no longer listens


def test_calibrated_latency_and_run_choices_are_kept_for_next_time(qtbot, rig, tmp_path):
    view, engine, _ = rig
    engine.delay_s = 0.08
    view.controls.metronome.setChecked(True)
    view.controls.band_spin.setValue(40.0)
    view.calibrate()
    qtbot.waitUntil(lambda: view._tap is not None, timeout=5000)
    engine.step()
    qtbot.waitUntil(lambda: view._calibration.play_stream_s is not None, timeout=5000)
    pump(qtbot, view, engine, PRE_ROLL_S + 7.5)
    again = PracticeView(view.context, player_factory=lambda: FakePlayer(engine))
    qtbot.addWidget(again)
    assert again.controls.latency_ms == pytest.approx(80, abs=6)
    assert again.controls.metronome.isChecked() and again.controls.band_spin.value() == 40.0
    (tmp_path / "data" / "practice.json").write_text('{"latency_ms": "soon", "band_cents": 7}')
    damaged = PracticeView(view.context, player_factory=lambda: FakePlayer(engine))
    qtbot.addWidget(damaged)
    assert damaged.controls.latency_ms == 0 and damaged.controls.band_spin.value() == 7.0


def test_feedback_and_summary_spell_notes_and_cents_as_the_window_does():
    from pitchlive.practice.live import LiveFeedback
    from pitchlive.practice.report import format_summary
    from pitchlive.tracking.naming import display_note_name
    from pitchlive.ui.practice_summary import feedback_text
    import dataclasses

    fields = {f.name: None for f in dataclasses.fields(LiveFeedback)}
    one = LiveFeedback(**{**fields, "note_index": 0, "cents": 1.2})
    assert feedback_text(one, 25.0)[0].startswith("note 1: in tune +1 cent")
    zero = LiveFeedback(**{**fields, "note_index": 0, "cents": -0.3})
    assert "in tune 0 cents" in feedback_text(zero, 25.0)[0]
    assert display_note_name("F#4") == "F\u266f4"
    assert format_summary.__defaults__ == (str,)   # files and the terminal keep ASCII names
