"""Saving a take (pitchlive.takes.save): WAV + pitch CSV, atomically, never overwriting."""

import csv
import errno
import io
import os
import stat

import numpy as np
import pytest
import soundfile as sf

from pitchlive.exports.csv import COLUMNS
from pitchlive.takes import SavedTake, TakeError, save_take
from synth import harmonic_tone, write_wav
from test_takes import RAW, ToneModel, record_whole_file


@pytest.fixture
def take(tmp_path):
    path = write_wav(tmp_path / "in.wav", harmonic_tone(440.0, 1.0, 44100), 44100)
    return record_whole_file(path, tmp_path / "spool")


def test_save_take_writes_wav_and_pitch_csv_without_overwriting(tmp_path, take):
    out = tmp_path / "out"
    out.mkdir()
    saved = save_take(take, out, RAW)
    stem = take.started_at.strftime("take-%Y%m%d-%H%M%S")
    assert saved == SavedTake(out / f"{stem}.wav", out / f"{stem}.pitch.csv")
    audio, rate = sf.read(saved.wav_path, dtype="float32")
    assert rate == 44100 and audio.size == 44100
    np.testing.assert_array_equal(audio, sf.read(take.audio_path, dtype="float32")[0])
    rows = list(csv.reader(io.StringIO(saved.csv_path.read_text())))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 1 + take.track.n_frames
    assert all(r[3] == "1" and r[4] == "A4" and r[5] == "+0.0" for r in rows[1:])
    # Saving again never overwrites: -2, then -3; an explicit stem too.
    again = save_take(take, out, RAW)
    assert again.wav_path.name == f"{stem}-2.wav" and again.csv_path.name == f"{stem}-2.pitch.csv"
    assert save_take(take, out, RAW).wav_path.name == f"{stem}-3.wav"
    (out / "mine.pitch.csv").write_text("keep me")
    named = save_take(take, out, RAW, stem="mine")
    assert named.wav_path.name == "mine-2.wav" and (out / "mine.pitch.csv").read_text() == \
        "keep me"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]   # no temp files left
    assert take.audio_path.exists()                                   # the spool stays


def test_saved_files_get_ordinary_permissions(tmp_path, take):
    saved = save_take(take, tmp_path, RAW)
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    for path in (saved.wav_path, saved.csv_path):
        # as a plain open() makes them (umask applied), not mkstemp's private 0600
        assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


def test_a_missing_folder_is_a_take_error_and_the_take_stays(tmp_path, take):
    with pytest.raises(TakeError, match="does not exist") as info:
        save_take(take, tmp_path / "missing", RAW)
    assert str(take.audio_path) in str(info.value)
    assert take.audio_path.exists()


@pytest.mark.parametrize("failing", ["wav", "csv"])
def test_a_full_disk_leaves_no_partial_files(tmp_path, take, monkeypatch, failing):
    out = tmp_path / "out"
    out.mkdir()
    real_fsync = os.fsync
    calls = []

    def fsync(fd):
        calls.append(fd)
        if (failing == "wav") == (len(calls) == 1):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(TakeError) as info:
        save_take(take, out, RAW)
    message = str(info.value)
    assert "disk is full" in message and str(take.audio_path) in message
    assert "Traceback" not in message
    assert list(out.iterdir()) == []
    assert take.audio_path.exists()
    monkeypatch.setattr(os, "fsync", real_fsync)
    saved = save_take(take, out, RAW)                 # the same take saves fine afterwards
    assert saved.wav_path.exists() and saved.csv_path.exists()


def test_a_discarded_take_cannot_be_saved(tmp_path, take):
    take.discard()
    with pytest.raises(TakeError, match="is gone"):
        save_take(take, tmp_path, RAW)


def test_a_saved_take_is_voiced_by_the_level_it_was_recorded_at(tmp_path):
    quiet = harmonic_tone(440.0, 1.0, 16000) * 10 ** (-75 / 20) / 0.5    # below the gate
    take = record_whole_file(write_wav(tmp_path / "quiet.wav", quiet, 16000), tmp_path / "spool",
                             ToneModel())
    assert take.level_dbfs.shape == (take.track.n_frames,)
    assert np.all(take.level_dbfs[2:-2] < -70)
    saved = save_take(take, tmp_path, RAW)
    rows = list(csv.reader(io.StringIO(saved.csv_path.read_text())))[1:]
    assert all(r[3] == "0" and r[4] == "" for r in rows)               # confident, but gated
    saved = save_take(take, tmp_path, RAW.replace(level_gate_dbfs=-90.0))
    rows = list(csv.reader(io.StringIO(saved.csv_path.read_text())))[1:]
    assert all(r[3] == "1" and r[4] == "A4" for r in rows[2:-2])
