"""What the take strip and its banners say: the Qt-free wording of takes (no Qt needed)."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import pytest

from pitchlive.audio.devices import DeviceError
from pitchlive.audio.files import AudioFileError
from pitchlive.takes import TakeError
from pitchlive.ui import take_texts as texts

ROOT = Path(__file__).resolve().parent.parent


def test_the_texts_and_the_ui_package_import_without_qt():
    code = ("import sys, pitchlive.ui, pitchlive.ui.take_texts; "
            "sys.exit(any(m.split('.')[0] == 'PySide6' for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


def test_clock_and_the_state_lines():
    assert texts.clock(0.0) == "0:00.0" and texts.clock(75.25) == "1:15.2"
    assert texts.clock(-3.0) == "0:00.0"
    assert texts.take_line(None, None, "") == texts.NO_TAKE
    assert texts.take_line(2.5, None, "") == "Take 0:02.5 (not saved)"
    assert texts.take_line(2.5, "a.wav", "3 notes") == "Take 0:02.5 (saved as a.wav) · 3 notes"
    assert texts.take_line(None, None, "3 notes") == "3 notes"
    assert texts.recording_line(61.0) == "● Recording 1:01.0"
    assert texts.playing_line("take", 1.0) == "▶ Playing take 0:01.0"
    assert texts.playing_line("notes", 0.0) == "▶ Playing notes 0:00.0"


def test_summary_of_a_transcription():
    def t(valid: bool, corrected: bool):
        return types.SimpleNamespace(notes=[1, 2, 3], tempo_bpm=96.4,
                                     offset=types.SimpleNamespace(valid=valid, offset_cents=-12.6),
                                     offset_corrected=corrected)

    assert texts.transcription_summary(None) == ""
    assert texts.transcription_summary(t(True, False)) == "3 notes · 96 BPM · tuning -13 c"
    assert texts.transcription_summary(t(True, True)).endswith("tuning -13 c (corrected)")
    assert texts.transcription_summary(t(False, False)).endswith("tuning —")


@pytest.mark.parametrize("duration_s, offset_valid, expected", [
    (0.05, True, "Record a longer take"),
    (3.0, False, "lower Confidence"),
    (3.0, True, "Hold the notes longer"),
])
def test_no_notes_message_says_why_and_what_to_do(duration_s, offset_valid, expected):
    assert expected in texts.no_notes_message(duration_s, offset_valid, 0.1)


def test_offers_and_questions():
    title, message = texts.unsaved_offer("take-1.wav", 2)
    assert title == "An unsaved take was found" and "take-1.wav" in message
    assert "2 older unsaved takes will be offered" in message
    assert "older" not in texts.unsaved_offer("take-1.wav", 0)[1]
    assert "1 older unsaved take will" in texts.unsaved_offer("t.wav", 1)[1]
    title, message = texts.replace_unsaved_question(4.0)
    assert title == "The last take is not saved" and "0:04.0" in message
    assert texts.nothing_to_transcribe(True)[0] == "The recording is still being analysed"
    assert "Record a take (R)" in texts.nothing_to_transcribe(False)[1]


def test_failures_are_told_apart_by_type():
    assert texts.playback_failure(DeviceError("no output"))[0] == "Nothing can be played"
    assert texts.playback_failure(AudioFileError("bad"))[0] == "The audio cannot be played"
    assert texts.playback_failure(TakeError("gone"))[0] == "The audio cannot be played"
    title, message = texts.playback_failure(RuntimeError("boom"))
    assert title == "Playback failed" and message.startswith("RuntimeError: boom")
    assert texts.save_failure(TakeError("Choose a writable folder.")) == "Choose a writable folder."
    assert "The take is kept" in texts.save_failure(ValueError("x"))
    assert "could not be written (Permission denied)" in texts.export_failure(
        Path("/x.mid"), PermissionError(13, "Permission denied"))
    assert texts.export_failure(Path("/x.txt"), ValueError("Unknown format .txt.")) == \
        "Unknown format .txt. The notes are kept."
    assert texts.transcription_failure(TakeError("gone")) == \
        "gone. Try again, or record a new take."
