"""Takes in the window: record, save, transcribe into piano-roll bars, export, play back.

The plumbing tests use a stand-in model (440 Hz for any audio) with the real engine and file
source; the transcription tests use the real SPICE model on melodies rendered with fluidsynth.
"""

from __future__ import annotations

import argparse
import os
import types
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

pytest.importorskip("pytestqt")

import soundfile as sf
from PySide6.QtCore import QSettings
from synth import harmonic_tone, melody_notes, render_midi, write_wav

from pitchlive.frames import HOP_S, PitchFrame, PitchTrack
from pitchlive.settings import Settings
from pitchlive.takes import Take
from pitchlive.tracking.transcription import transcribe
from pitchlive.ui.app import create_window
from pitchlive.ui.main_window import MainWindow
from pitchlive.ui.window_actions import FILE_TAB, LIVE_TAB
from pitchlive.ui.note_panel import tuning_text
from pitchlive.ui.settings_store import SettingsStore

pytestmark = pytest.mark.gui

DEMO = Path(__file__).resolve().parent.parent / "assets" / "demo-ode-to-joy.flac"
MELODY = [62, 64, 66, 67, 69, 67]     # D4 E4 F#4 G4 A4 G4
PROGRAM_FLUTE = 73                    # steady tone: SPICE v1 tracks every note of it
UNWRITABLE = Path("/proc")            # no file can be created there, even by root


class FixedPitchModel:
    """Stands in for SPICE where only plumbing is tested: 440 Hz, confident, for any audio."""

    info = types.SimpleNamespace(version="test", source="fixed-440",
                                 describe=lambda: "fixed 440 Hz stand-in")

    def infer(self, audio_16k: np.ndarray):
        """440 Hz with confidence 0.95 for each 512-sample hop."""
        n = np.asarray(audio_16k).size // 512 + 1
        return np.full(n, 440.0), np.full(n, 0.95)


@pytest.fixture
def make_window(qtbot, tmp_path):
    """Factory for shown windows with private settings and a private take spool folder."""
    made = []
    store = SettingsStore(QSettings(str(tmp_path / "pitchlive.ini"), QSettings.Format.IniFormat))

    def make() -> MainWindow:
        args = argparse.Namespace(model=None, calibration=None, device=None, input=None)
        window = create_window(args, store, snapshot_dir=tmp_path / "snapshots")
        window.takes.spool_dir = tmp_path / "spool"
        # Quitting with an unsaved take asks; tests that do not test that question discard it.
        window.takes.ask_unsaved_take = lambda: "discard"
        qtbot.addWidget(window)
        window.resize(1200, 720)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.takes.wait(10)
        window.close()


def make_take(folder: Path, seconds: float = 1.0, hz: float = 440.0) -> Take:
    """A take as TakeRecorder makes it: a spool WAV and its pitch track."""
    folder.mkdir(parents=True, exist_ok=True)
    rate = 16000
    path = write_wav(folder / "take-spool.wav", harmonic_tone(hz, seconds, rate), rate)
    times = np.arange(int(seconds / HOP_S)) * HOP_S
    track = PitchTrack(times, np.full(times.size, hz), np.full(times.size, 0.95))
    return Take(path, float(rate), seconds, track, datetime(2026, 11, 24, 12, 0, 0))


def give_take(window: MainWindow, take: Take) -> None:
    """Put a finished take in the window, as stopping a recording does."""
    window.takes.take, window.takes.saved = take, None
    window.takes.refresh()


def rendered_melody(tmp_path: Path, midis: list[int] = MELODY) -> Path:
    """A flute melody (0.5 s per note) as a 16 kHz WAV."""
    audio = render_midi(melody_notes(midis, note_s=0.5, gap_s=0.05, start_s=0.3),
                        PROGRAM_FLUTE, 16000)
    return write_wav(tmp_path / "melody.wav", audio, 16000)


def wait_transcribed(qtbot, window: MainWindow):
    with qtbot.waitSignal(window.takes.transcribed, timeout=30000) as blocker:
        window.transcribe_action.trigger()                    # Ctrl+T
    return blocker.args[0]


# ---- tuning offset ---------------------------------------------------------------------------

def test_tuning_offset_is_shown_and_correcting_for_it_renames_live(qtbot, make_window):
    window = make_window()
    assert window.note_panel.tuning_text() == "tuning: —"
    flat_a4 = 440.0 * 2 ** (-28 / 1200)
    frame = PitchFrame(0.0, flat_a4, 0.95, -20.0, True, tuning_offset_cents=-28.4)
    window._on_frames([frame])
    assert window.note_panel.tuning_text() == "tuning −28 c"
    assert window.note_panel.cents_text() == "-28 cents"
    window.controls.correct_tuning_check.setChecked(True)     # takes effect at once
    assert window.settings.correct_tuning_offset
    assert window.session.settings.correct_tuning_offset
    assert window.note_panel.note_text() == "A4" and window.note_panel.cents_text() == "0 cents"
    window._on_frames([PitchFrame(HOP_S, flat_a4, 0.95, -20.0, True)])   # offset not known yet
    assert window.note_panel.tuning_text() == "tuning: —"
    assert window.note_panel.cents_text() == "-28 cents"
    assert tuning_text(12.6) == "tuning +13 c" and tuning_text(0.2) == "tuning ±0 c"


# ---- recording and saving ----------------------------------------------------------------------

def test_a_take_recorded_while_tracking_a_recording_is_saved_as_wav_and_csv(
        qtbot, make_window, tmp_path):
    window = make_window()
    # The stand-in's 440 Hz as it is: the refinement stage would read the demo's real pitch.
    window.model.update_settings(refine=False)
    window.set_model(FixedPitchModel())
    window.track_file(DEMO)
    qtbot.waitUntil(lambda: window.session.running, timeout=5000)
    window.record_action.trigger()                            # R
    assert window.takes.recording and window.take_strip.record_button.isChecked()
    qtbot.waitUntil(lambda: window.takes.recorder.elapsed_s > 1.0, timeout=5000)
    assert window.takes.state_text().startswith("● Recording 0:0")
    window.record_action.trigger()
    take = window.takes.take
    assert not window.takes.recording and take is not None
    assert 1.0 < take.duration_s < 3.0
    assert take.track.n_frames > 20 and np.allclose(take.track.frequency_hz, 440.0)
    assert "not saved" in window.takes.state_text()

    out = tmp_path / "takes"
    out.mkdir()
    window.takes.save_take(out)
    qtbot.waitUntil(lambda: window.takes.saved is not None, timeout=10000)
    saved = window.takes.saved
    assert saved.wav_path.parent == out and saved.wav_path.is_file()
    assert saved.csv_path.is_file() and saved.csv_path.name.endswith(".pitch.csv")
    assert sf.info(str(saved.wav_path)).duration == pytest.approx(take.duration_s, abs=0.01)
    assert saved.csv_path.read_text().startswith("time,frequency,confidence")
    assert f"saved as {saved.wav_path.name}" in window.takes.state_text()
    window.stop_tracking()


def test_saving_into_an_unwritable_folder_explains_and_keeps_the_take(qtbot, make_window,
                                                                      tmp_path):
    window = make_window()
    take = make_take(tmp_path / "spool")
    give_take(window, take)
    window.takes.save_take(UNWRITABLE)
    qtbot.waitUntil(lambda: window.banner.kind == "error", timeout=10000)
    assert window.banner.title_text() == "The take could not be saved"
    assert "Choose a writable folder" in window.banner.message_text()
    assert window.banner.action_texts() == ["Save elsewhere…"]
    assert window.takes.take is take and window.takes.saved is None and take.audio_path.is_file()
    window.takes.save_take(tmp_path)                          # elsewhere: works
    qtbot.waitUntil(lambda: window.takes.saved is not None, timeout=10000)
    assert window.takes.saved.wav_path.is_file() and window.banner.kind is None


def test_quitting_with_an_unsaved_take_asks_and_loses_nothing(qtbot, make_window, tmp_path):
    window = make_window()
    take = make_take(tmp_path / "spool")
    give_take(window, take)
    window.takes.ask_unsaved_take = lambda: "cancel"
    assert not window.close()                                  # cancel: the window stays
    assert window.isVisible() and take.audio_path.is_file()
    window.takes.ask_unsaved_take = lambda: "save"
    window.takes.ask_save_folder = lambda: UNWRITABLE
    assert not window.close()                                  # the save failed: still open
    assert window.banner.title_text() == "The take could not be saved"
    assert take.audio_path.is_file() and window.takes.take is take
    window.takes.ask_save_folder = lambda: tmp_path / "kept"
    (tmp_path / "kept").mkdir()
    assert window.close()
    saved = sorted(p.name for p in (tmp_path / "kept").iterdir())
    assert len(saved) == 2 and saved[0].endswith(".pitch.csv") and saved[1].endswith(".wav")
    assert not take.audio_path.exists()                        # saved, so the spool is gone


def test_quitting_and_discarding_the_take_removes_its_audio(make_window, tmp_path):
    window = make_window()
    take = make_take(tmp_path / "spool")
    give_take(window, take)
    assert window.close() and not take.audio_path.exists()


def test_takes_an_earlier_run_left_unsaved_are_offered_after_the_model_loads(
        qtbot, make_window, tmp_path):
    window = make_window()
    spool = tmp_path / "spool"
    older = make_take(spool).audio_path                       # take-spool.wav
    newer = write_wav(spool / "take-20261124-130000-abcd.wav",
                      harmonic_tone(392.0, 1.5, 16000), 16000)
    os.utime(older, (1_700_000_000, 1_700_000_000))
    window.banner.show_info("Loading the pitch model…", "", busy=True)
    window.takes.recovery.look()
    qtbot.waitUntil(lambda: len(window.takes.recovery.found) == 2, timeout=5000)
    assert window.banner.title_text() == "Loading the pitch model…"     # not while loading
    window.set_model(FixedPitchModel())
    assert window.banner.title_text() == "An unsaved take was found"
    assert newer.name in window.banner.message_text()
    assert "1 older unsaved take will be offered" in window.banner.message_text()
    assert window.banner.action_texts() == ["Keep it", "Discard it"]
    window.banner.trigger("Discard it")
    assert not newer.exists() and older.exists()
    assert older.name in window.banner.message_text()                # then the next one
    window.banner.trigger("Keep it")
    qtbot.waitUntil(lambda: window.takes.take is not None, timeout=5000)
    take = window.takes.take
    assert window.takes.take_unsaved and take.audio_path == older
    assert take.duration_s == pytest.approx(1.0)
    assert window.tabs.currentIndex() == FILE_TAB                    # shown as a recording
    window.takes.save_take(tmp_path)
    qtbot.waitUntil(lambda: window.takes.saved is not None, timeout=10000)
    assert sf.info(str(window.takes.saved.wav_path)).duration == pytest.approx(1.0)


def test_recording_over_an_unsaved_take_asks_first(qtbot, make_window, tmp_path):
    window = make_window()
    window.set_model(FixedPitchModel())
    old = make_take(tmp_path / "spool")
    give_take(window, old)
    window.track_file(DEMO)
    qtbot.waitUntil(lambda: window.session.running, timeout=5000)
    window.takes.toggle_recording()
    assert not window.takes.recording and window.takes.take is old
    assert window.banner.title_text() == "The last take is not saved"
    assert window.banner.action_texts() == ["Save take…", "Record anyway"]
    window.banner.trigger("Record anyway")
    assert window.takes.recording
    qtbot.wait(400)
    window.stop_tracking()           # the take ends with the tracking, and is kept
    assert not window.takes.recording and window.takes.take is not old
    assert not old.audio_path.exists() and window.takes.take.audio_path.is_file()


# ---- transcription, export, no notes (real SPICE) --------------------------------------------------

def test_a_rendered_melody_becomes_bars_on_its_rows_and_exports_as_midi(
        qtbot, make_window, tmp_path, spice_model):
    mido = pytest.importorskip("mido")
    path = rendered_melody(tmp_path)
    window = make_window()
    window.set_model(spice_model)
    window.open_recording(path)
    qtbot.waitUntil(lambda: window.file_view.result is not None, timeout=20000)
    transcription = wait_transcribed(qtbot, window)
    bars = window.file_view.notes.bars
    assert [b.midi_row for b in bars] == MELODY
    assert not window.pitch_view.notes.bars
    starts = [b.start_s for b in bars]
    assert np.allclose(starts, [0.3 + 0.5 * k for k in range(len(MELODY))], atol=0.1)
    assert window.file_view.notes.visible_labels == ["D4", "E4", "F♯4", "G4", "A4", "G4"]
    assert f"{len(MELODY)} notes" in window.takes.state_text()
    assert "BPM" in window.takes.state_text() and "tuning" in window.takes.state_text()
    assert window.take_strip.export_button.isEnabled()

    window.takes.export(tmp_path / "melody.mid")
    qtbot.waitUntil(lambda: (tmp_path / "melody.mid").is_file(), timeout=10000)
    window.takes.wait()
    midi = mido.MidiFile(str(tmp_path / "melody.mid"))
    played = [m.note for m in midi if m.type == "note_on" and m.velocity > 0]
    assert played == MELODY

    window.takes.export(UNWRITABLE / "melody.mid")           # a folder nobody can write
    qtbot.waitUntil(lambda: window.banner.kind == "error", timeout=10000)
    assert window.banner.title_text() == "The notes could not be exported"
    assert "The notes are kept" in window.banner.message_text()
    assert window.takes.transcription is transcription
    window.takes.export(tmp_path / "melody.txt")              # not a known format
    qtbot.waitUntil(lambda: ".mid" in window.banner.message_text(), timeout=10000)

    window.controls.a4_spin.setValue(466.2)                   # a semitone up: bars move down 1
    assert [b.midi_row for b in window.file_view.notes.bars] == [m - 1 for m in MELODY]


def test_silence_gives_a_clear_no_notes_message(qtbot, make_window, tmp_path, spice_model):
    path = write_wav(tmp_path / "silence.wav", np.zeros(32000, np.float32), 16000)
    window = make_window()
    window.set_model(spice_model)
    window.open_recording(path)
    qtbot.waitUntil(lambda: window.file_view.result is not None, timeout=20000)
    transcription = wait_transcribed(qtbot, window)
    assert not transcription.notes and not window.file_view.notes.bars
    assert window.banner.kind == "info" and window.banner.title_text() == "No notes found"
    assert "confidence threshold" in window.banner.message_text()
    assert not window.take_strip.export_button.isEnabled()


def test_a_take_of_a_tracked_melody_is_transcribed_over_the_live_trace(
        qtbot, make_window, tmp_path, spice_model):
    path = rendered_melody(tmp_path)
    window = make_window()
    window.set_model(spice_model)
    window.track_file(path)                 # real time, about 3.5 s
    window.takes.start_recording()
    # The take begins with the engine, before it runs (the engine starts once it is imported).
    qtbot.waitUntil(lambda: window.takes.recording, timeout=5000)
    # The recording ends with the file; the take is kept.
    qtbot.waitUntil(lambda: window.takes.take is not None, timeout=15000)
    window.tabs.setCurrentIndex(LIVE_TAB)
    wait_transcribed(qtbot, window)
    bars = window.pitch_view.notes.bars
    assert [b.midi_row for b in bars] == MELODY
    assert window.pitch_view.paused                           # shown for looking at
    # Each bar lies over the trace of its own note (the take sits on the live timeline).
    times, midi = window.pitch_view.trace.getData()
    for bar in bars:
        inside = (times > bar.start_s + 0.05) & (times < bar.end_s - 0.05) & np.isfinite(midi)
        assert inside.sum() >= 5
        assert np.median(midi[inside]) == pytest.approx(bar.midi_row, abs=0.5)
    assert len(window.pitch_view.notes.visible_labels) == len(MELODY)
    x0, _ = window.pitch_view.x_range()
    window.pitch_view.pitch_plot.setXRange(x0, x0 + 120.0, padding=0)   # too narrow to name
    assert window.pitch_view.notes.visible_labels == []


def test_transcribe_with_nothing_to_transcribe_says_what_to_do(make_window):
    window = make_window()
    window.tabs.setCurrentIndex(FILE_TAB)
    assert window.takes.transcribe() is None
    assert window.banner.title_text() == "Nothing to transcribe"
    assert "Record a take (R)" in window.banner.message_text()


# ---- playback -------------------------------------------------------------------------------------

def notes_of_a_tone() -> object:
    """A transcription with one note, A4, 0.6 s."""
    times = np.arange(int(0.6 / HOP_S)) * HOP_S
    track = PitchTrack(times, np.full(times.size, 440.0), np.full(times.size, 0.95))
    return transcribe(track, Settings())


def test_take_and_notes_play_on_the_output_and_finish(qtbot, make_window, tmp_path,
                                                      fake_mic):
    window = make_window()
    give_take(window, make_take(tmp_path / "spool", seconds=0.6))
    with qtbot.waitSignal(window.takes.playing_changed, timeout=10000) as started:
        window.play_take_action.trigger()
    assert started.args == [True] and window.takes.playing == "take"
    strip = window.take_strip
    assert strip.stop_button.isEnabled() and not strip.play_take_button.isEnabled()
    with qtbot.waitSignal(window.takes.playing_changed, timeout=10000) as ended:
        pass
    assert ended.args == [False] and window.takes.playing is None
    assert strip.play_take_button.isEnabled() and not strip.stop_button.isEnabled()

    window.takes.notes.transcription = notes_of_a_tone()
    assert len(window.takes.transcription.notes) == 1
    window.takes.refresh()
    with qtbot.waitSignal(window.takes.playing_changed, timeout=10000):
        window.play_notes_action.trigger()
    assert window.takes.playing == "notes"
    window.stop_playback_action.trigger()                     # stopped by hand
    assert window.takes.playing is None and not window.takes.playback.player.playing
    assert window.banner.kind is None


def test_no_output_device_is_explained(qtbot, make_window, tmp_path, monkeypatch):
    from pitchlive.audio import playback
    from pitchlive.audio.devices import DeviceError

    def no_device(spec):
        raise DeviceError("No audio output device found. Plug in or enable speakers.")

    monkeypatch.setattr(playback, "find_output_device", no_device)
    window = make_window()
    give_take(window, make_take(tmp_path / "spool", seconds=0.3))
    window.takes.play_take()
    qtbot.waitUntil(lambda: window.banner.kind == "error", timeout=10000)
    assert window.banner.title_text() == "Nothing can be played"
    assert "No audio output device" in window.banner.message_text()
    assert window.takes.playing is None and window.take_strip.play_take_button.isEnabled()


def test_transcribe_option_shows_the_notes_of_the_input(qtbot, make_window, monkeypatch,
                                                         spice_model):
    from pitchlive.ui import app
    from pitchlive.ui import main_window as main_window_module

    monkeypatch.setattr(main_window_module, "load_warm_model", lambda settings: spice_model)
    window = make_window()
    args = argparse.Namespace(input=str(DEMO), view="recording", transcribe=True)
    with qtbot.waitSignal(window.takes.transcribed, timeout=40000):
        app.start(window, args)               # as `pitchlive --input DEMO --transcribe` does
    assert window.tabs.currentIndex() == FILE_TAB
    rows = {b.midi_row for b in window.file_view.notes.bars}
    assert rows == {62, 64, 66, 67, 69}       # the demo's D4 E4 F#4 G4 A4
    window.stop_tracking()
