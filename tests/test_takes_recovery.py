"""Crash recovery of takes (pitchlive.takes.recovery): leftover spools found and made whole."""

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pitchlive.audio.sources import FileSource
from pitchlive.engine import Engine
from pitchlive.takes import TakeRecorder, find_unsaved_takes, recover_take, save_take
from pitchlive.takes.spool import frames_path, legacy_frames_path
from synth import write_wav
from test_takes import RAW, ToneModel, noise


CRASHING_RECORDER = """
import os, sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from pitchlive.audio.sources import FileSource
from pitchlive.engine import Engine
from pitchlive.takes import TakeRecorder
from test_takes import RAW, ToneModel
engine = Engine(RAW, ToneModel(), FileSource(Path({audio!r}), realtime=False))
recorder = TakeRecorder(engine, spool_dir=Path({spool!r}))
recorder.start()
engine.start()
engine.wait(60)
print(recorder.spool_path, flush=True)
os._exit(0)     # dies like a crash: no stop(), the WAV header is never finished
"""


def crash_while_recording(tmp_path, audio, rate_hz: int) -> tuple[Path, Path]:
    """(spool folder, spool file) that a recorder killed mid-take left behind."""
    path = write_wav(tmp_path / "in.wav", audio, rate_hz)
    spool = tmp_path / "spool"
    script = CRASHING_RECORDER.format(tests=str(Path(__file__).parent), audio=str(path),
                                      spool=str(spool))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return spool, Path(result.stdout.strip())


def test_a_take_left_by_a_crash_is_found_and_recovered_whole(tmp_path):
    audio = noise(2.0, 48000, seed=3)
    spool, spool_path = crash_while_recording(tmp_path, audio, 48000)
    assert spool_path.is_file()
    assert find_unsaved_takes(spool) == [spool_path]
    take = recover_take(spool_path)
    assert take.sample_rate_hz == 48000 and take.duration_s == pytest.approx(2.0)
    recorded, rate = sf.read(take.audio_path, dtype="float32")   # a valid WAV again
    np.testing.assert_array_equal(recorded, audio)
    assert take.track.n_frames == 2 * 16000 // 512 + 1 and np.all(take.track.frequency_hz == 440)
    assert take.started_at.date() == datetime.now().date()
    # This process now holds it: it is not offered again while in use.
    assert find_unsaved_takes(spool) == []
    saved = save_take(take, tmp_path, RAW)
    assert sf.info(str(saved.wav_path)).duration == pytest.approx(2.0)
    take.discard()
    assert find_unsaved_takes(spool) == [] and not list(spool.iterdir())


def test_takes_in_use_are_not_unsaved_and_empty_leftovers_are_cleared(tmp_path):
    spool = tmp_path / "spool"
    engine = Engine(RAW, ToneModel(), FileSource(write_wav(tmp_path / "in.wav",
                                                           noise(1.0, 16000), 16000),
                                                 realtime=False))
    recorder = TakeRecorder(engine, spool_dir=spool)
    recorder.start()
    assert find_unsaved_takes(spool) == []              # being recorded
    engine.start()
    engine.wait(60)
    take = recorder.stop()
    engine.stop()
    assert find_unsaved_takes(spool) == []              # finished, but this window still has it
    (spool / "take-20260101-120000-crash.wav").write_bytes(b"")   # died before any audio
    assert find_unsaved_takes(spool) == []
    assert not (spool / "take-20260101-120000-crash.wav").exists()
    take.discard()
    assert not list(spool.iterdir())


def test_a_recovered_take_keeps_the_level_of_each_frame(tmp_path):
    audio = noise(1.0, 16000, seed=4)
    audio[8000:] = 0.0                                   # silence in the second half
    _, spool_path = crash_while_recording(tmp_path, audio, 16000)
    take = recover_take(spool_path)
    assert take.level_dbfs.shape == (take.track.n_frames,)
    assert np.all(take.level_dbfs[3:12] > -30) and np.all(np.isneginf(take.level_dbfs[18:]))
    take.discard()


def test_frames_an_older_version_left_are_still_recovered(tmp_path):
    _, spool_path = crash_while_recording(tmp_path, noise(1.0, 16000, seed=5), 16000)
    # An older version's sidecar: (time, frequency, confidence) rows, and a torn last row.
    old = np.array([(k * 0.032, 440.0, 0.95) for k in range(32)], np.float64).tobytes()
    frames_path(spool_path).unlink()
    legacy_frames_path(spool_path).write_bytes(old + b"\0" * 5)
    take = recover_take(spool_path)
    assert take.track.n_frames == 32 and np.all(take.track.frequency_hz == 440.0)
    assert take.level_dbfs is None                       # not kept then: the gate cannot apply
    saved = save_take(take, tmp_path, RAW)
    assert saved.csv_path.read_text().count(",1,A4,") == 32
    take.discard()
    assert not legacy_frames_path(spool_path).exists() and not spool_path.exists()
