"""The take controller on its own: no main window, stand-ins for the engine and the dialogs."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from synth import harmonic_tone, write_wav

from pitchlive.frames import HOP_S, PitchTrack
from pitchlive.settings import Settings
from pitchlive.takes import Take
from pitchlive.ui.background import BackgroundJobs
from pitchlive.ui.prefs import DisplayPrefs
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.take_controller import TakeController
from pitchlive.ui.take_state import LIVE_VIEW, OpenRecording
from pitchlive.ui.take_texts import ERROR, INFO, NO_TAKE

pytestmark = pytest.mark.gui


class Dialogs:
    """Answers the controller's questions at once, and remembers them."""

    def __init__(self, folder: Path | None = None, choice: str = "discard") -> None:
        self.folder, self.choice, self.asked = folder, choice, []

    def save_folder(self, start: Path, default_name: str = "take") -> Path | None:
        self.asked.append(("save_folder", start))
        self.default_name = default_name
        return self.folder

    def export_path(self, start: Path) -> Path | None:
        self.asked.append(("export_path", start))
        return None

    def unsaved_take(self, duration_s: float) -> str:
        self.asked.append(("unsaved_take", duration_s))
        return self.choice


class Harness:
    """A controller with its signals recorded."""

    def __init__(self, tmp_path: Path, dialogs: Dialogs) -> None:
        self.model = SettingsModel(Settings(), DisplayPrefs())
        self.jobs = BackgroundJobs()
        self.tracking_asked = 0
        self.recording = OpenRecording()
        self.controller = TakeController(
            self.model, self.jobs, dialogs, engine=lambda: None,
            start_tracking=self._start_tracking, recording=lambda: self.recording,
            live_offset_s=lambda: None, spool_dir=tmp_path / "spool")
        self.notices, self.bars, self.views, self.states, self.strips = [], [], [], [], []
        c = self.controller
        c.notice.connect(self.notices.append)
        c.bars_changed.connect(lambda live, rec: self.bars.append((live, rec)))
        c.view_wanted.connect(self.views.append)
        c.state_changed.connect(self.states.append)
        c.strip_changed.connect(self.strips.append)

    def _start_tracking(self) -> None:
        self.tracking_asked += 1


@pytest.fixture
def harness(qtbot, tmp_path):
    h = Harness(tmp_path, Dialogs(tmp_path / "out"))
    yield h
    h.jobs.shutdown(10)


def make_take(folder: Path, seconds: float = 1.5, hz: float = 440.0) -> Take:
    """A finished take: a spool WAV and its pitch track."""
    folder.mkdir(parents=True, exist_ok=True)
    path = write_wav(folder / "take-spool.wav", harmonic_tone(hz, seconds, 16000), 16000)
    times = np.arange(int(seconds / HOP_S)) * HOP_S
    track = PitchTrack(times, np.full(times.size, hz), np.full(times.size, 0.95))
    return Take(path, 16000.0, seconds, track, datetime(2026, 11, 24, 12, 0, 0))


def test_recording_before_tracking_waits_for_it_and_a_failure_cancels(harness):
    c = harness.controller
    assert c.state_text() == NO_TAKE and not c.strip_state().recording
    c.toggle_recording()
    assert harness.tracking_asked == 1
    assert c.state_text() == "● Recording starts when tracking starts…"
    assert harness.strips[-1].recording and not harness.strips[-1].can_transcribe
    c.tracking_failed(None)
    assert c.state_text() == NO_TAKE and not harness.strips[-1].recording


def test_an_unsaved_take_is_not_replaced_without_asking(harness, tmp_path):
    c = harness.controller
    c.take = make_take(tmp_path / "spool")
    c.start_recording()
    notice = harness.notices[-1]
    assert (notice.kind, notice.title) == (INFO, "The last take is not saved")
    assert [label for label, _ in notice.actions] == ["Save take…", "Record anyway"]
    assert harness.tracking_asked == 0


def test_a_take_is_saved_where_the_dialog_says(qtbot, harness, tmp_path):
    c = harness.controller
    c.take = make_take(tmp_path / "spool")
    (tmp_path / "out").mkdir()
    c.save_take_dialog()
    qtbot.waitUntil(lambda: c.saved is not None, timeout=10000)
    assert c.saved.wav_path.parent == tmp_path / "out" and c.saved.wav_path.is_file()
    assert f"saved as {c.saved.wav_path.name}" in c.state_text()
    assert not c.take_unsaved


def test_a_transcribed_take_is_drawn_on_the_live_view_and_follows_a4(qtbot, harness, tmp_path):
    c = harness.controller
    c.take = make_take(tmp_path / "spool")
    with qtbot.waitSignal(c.transcribed, timeout=20000) as blocker:
        assert c.transcribe() is not None
    assert len(blocker.args[0].notes) == 1
    live, recording = harness.bars[-1]
    assert [b.midi_row for b in live] == [69] and recording == []
    assert harness.views == [LIVE_VIEW] and "1 notes" in c.state_text()
    assert harness.strips[-1].can_export and harness.strips[-1].can_play_notes
    harness.model.update_settings(a4_hz=466.2)          # a semitone up: the bars move down
    assert [b.midi_row for b in harness.bars[-1][0]] == [68]
    c.recording_opened()                                 # a take's notes stay
    assert c.transcription is not None


def test_nothing_to_transcribe_or_play_says_what_to_do(harness):
    c = harness.controller
    assert c.transcribe() is None
    assert harness.notices[-1].title == "Nothing to transcribe"
    harness.recording = OpenRecording(Path("song.wav"), None, shown=True)
    c.transcribe()
    assert harness.notices[-1].title == "The recording is still being analysed"
    harness.recording = OpenRecording()
    c.play_take()
    assert harness.notices[-1].title == "Nothing to play" and c.playing is None
    c.export_dialog()
    assert harness.notices[-1].title == "No notes to export"


def test_quitting_with_an_unsaved_take_asks_and_follows_the_answer(qtbot, tmp_path):
    dialogs = Dialogs(None, choice="cancel")
    h = Harness(tmp_path, dialogs)
    c = h.controller
    take = make_take(tmp_path / "spool")
    c.take = take
    assert not c.settle_before_quit() and take.audio_path.is_file()
    dialogs.choice = "save"                      # then the folder dialog is cancelled
    assert not c.settle_before_quit()
    assert [q for q, _ in dialogs.asked] == ["unsaved_take", "unsaved_take", "save_folder"]
    dialogs.folder = tmp_path / "kept"
    dialogs.folder.mkdir()
    assert c.settle_before_quit() and not take.audio_path.exists()
    assert len(list(dialogs.folder.iterdir())) == 2
    dialogs.choice = "discard"
    other = make_take(tmp_path / "spool2")
    c.take, c.saved = other, None
    assert c.settle_before_quit() and not other.audio_path.exists() and c.take is None
    h.jobs.shutdown(5)


def test_a_failed_save_keeps_the_take_and_offers_another_folder(qtbot, harness, tmp_path):
    c = harness.controller
    take = make_take(tmp_path / "spool")
    c.take = take
    c.save_take(Path("/proc"))
    qtbot.waitUntil(lambda: any(n.kind == ERROR for n in harness.notices), timeout=10000)
    notice = harness.notices[-1]
    assert notice.title == "The take could not be saved"
    assert [label for label, _ in notice.actions] == ["Save elsewhere…"]
    assert c.take is take and c.saved is None and take.audio_path.is_file()


def test_a_take_is_saved_under_the_name_given_and_offered_its_time_first(qtbot, harness,
                                                                          tmp_path):
    from pitchlive.takes import SaveTarget

    c = harness.controller
    c.take = make_take(tmp_path / "spool")
    (tmp_path / "out").mkdir()
    dialogs = c._dialogs
    dialogs.folder = SaveTarget(tmp_path / "out", "Ode to joy, verse 2")
    c.save_take_dialog()
    qtbot.waitUntil(lambda: c.saved is not None, timeout=10000)
    assert dialogs.default_name == "take-20261124-120000"
    assert c.saved.wav_path == tmp_path / "out" / "Ode to joy, verse 2.wav"
    assert c.saved.csv_path.name == "Ode to joy, verse 2.pitch.csv"


def test_the_save_dialog_starts_in_a_folder_that_exists(qtbot, harness, tmp_path, monkeypatch):
    from pitchlive.ui import take_dialogs

    monkeypatch.setattr(take_dialogs, "default_take_dir", lambda: tmp_path / "no-music")
    c = harness.controller
    c.take = make_take(tmp_path / "spool")
    harness.controller._dialogs.folder = None
    c.save_take_dialog()                             # nothing saved yet, no Music folder: home
    assert harness.controller._dialogs.asked[-1] == ("save_folder", Path.home())
    (tmp_path / "music").mkdir()
    monkeypatch.setattr(take_dialogs, "default_take_dir", lambda: tmp_path / "music")
    c.save_take_dialog()
    assert harness.controller._dialogs.asked[-1] == ("save_folder", tmp_path / "music")


def test_the_save_take_dialog_has_a_safe_name_and_an_existing_folder(qtbot, tmp_path):
    from pitchlive.ui.take_dialogs import SaveTakeDialog, TakeDialogs

    dialog = SaveTakeDialog(None, tmp_path, "take-20261124-120000")
    qtbot.addWidget(dialog)
    assert dialog.target().stem == "take-20261124-120000"
    dialog.name_edit.setText("my: take/1")
    assert dialog.target().stem == "my- take-1" and dialog.target().folder == tmp_path
    assert "my- take-1.wav" in dialog.file_label.text()
    dialogs = TakeDialogs(None)
    dialogs.last_folder = tmp_path / "deleted since"
    seen = []
    monkeypatch_exec = lambda self: (seen.append(self.folder_edit.text()), 1)[1]  # noqa: E731
    SaveTakeDialog.exec = monkeypatch_exec
    try:
        target = dialogs.save_folder(tmp_path / "also gone", "take-x")
    finally:
        del SaveTakeDialog.exec
    assert seen and Path(seen[0]).is_dir()
    assert target.stem == "take-x" and dialogs.last_folder == target.folder
