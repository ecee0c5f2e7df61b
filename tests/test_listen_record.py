"""`pitchlive listen --record DIR`: the run saved as a take, however it ends; failures keep it."""

import csv
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from conftest import local_model_dir, require
from pitchlive.exports.csv import COLUMNS
from synth import harmonic_tone, write_wav

ROOT = Path(__file__).resolve().parents[1]
SAVED = re.compile(r"saved the take \(([\d.]+) s\): (\S+\.wav) and (\S+\.pitch\.csv)")


@pytest.fixture
def env(tmp_path):
    require(local_model_dir() is not None, "needs PITCHLIVE_MODEL (SPICE v1)")
    # Spool takes in the test's own cache folder, so leftovers are visible and cleaned up.
    return {**os.environ, "PITCHLIVE_MODEL": str(local_model_dir()),
            "XDG_CACHE_HOME": str(tmp_path / "cache")}


@pytest.fixture(scope="module")
def tone_file(tmp_path_factory):
    """0.3 s of silence, then 1.5 s of A4 (2.0 s at 44.1 kHz)."""
    audio = np.concatenate([np.zeros(13230, np.float32), harmonic_tone(440.0, 1.5, 44100),
                            np.zeros(8820, np.float32)])
    return write_wav(tmp_path_factory.mktemp("record") / "tone.wav", audio, 44100), audio


def listen(env, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "pitchlive", "listen", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def saved_paths(stderr: str) -> tuple[float, Path, Path]:
    match = SAVED.search(stderr)
    assert match, stderr
    return float(match.group(1)), Path(match.group(2)), Path(match.group(3))


def check_csv(path: Path) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(path.read_text())))
    assert tuple(rows[0]) == COLUMNS
    times = [float(r[0]) for r in rows[1:]]
    assert times == sorted(times) and times[0] >= 0
    return rows[1:]


def spooled(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "cache" / "pitchlive" / "takes"
    return sorted(folder.glob("*.wav")) if folder.exists() else []


@pytest.mark.model
def test_a_file_run_is_saved_whole(env, tone_file, tmp_path):
    path, audio = tone_file
    out = tmp_path / "new" / "takes"                     # created when missing
    result = listen(env, "--input", str(path), "--record", str(out))
    assert result.returncode == 0, result.stderr
    duration_s, wav, pitch_csv = saved_paths(result.stderr)
    assert wav.parent == out and pitch_csv.parent == out
    assert re.fullmatch(r"take-\d{8}-\d{6}", wav.name[:-4])
    assert pitch_csv.name == wav.name[:-4] + ".pitch.csv"
    recorded, rate = sf.read(wav, dtype="float32")
    assert rate == 44100 and recorded.size == audio.size and duration_s == pytest.approx(2.0)
    np.testing.assert_allclose(recorded, audio, atol=1e-6)
    rows = check_csv(pitch_csv)
    assert len(rows) == int(2.0 * 16000) // 512 + 1
    middle = [r for r in rows if 0.6 < float(r[0]) < 1.6]
    assert middle and all(r[3] == "1" and r[4] == "A4" for r in middle)
    assert spooled(tmp_path) == []                      # the spool is removed once saved
    # A second run never overwrites the first.
    again = listen(env, "--input", str(path), "--record", str(out), "--seconds", "0.5")
    assert again.returncode == 0, again.stderr
    assert len(list(out.glob("*.wav"))) == 2 and len(list(out.glob("*.pitch.csv"))) == 2


@pytest.mark.model
def test_seconds_and_ctrl_c_both_save_the_take(env, tone_file, tmp_path):
    path, _ = tone_file
    result = listen(env, "--input", str(path), "--record", str(tmp_path / "a"), "--seconds", "1")
    assert result.returncode == 0, result.stderr
    duration_s, wav, pitch_csv = saved_paths(result.stderr)
    info = sf.info(wav)
    assert info.samplerate == 44100 and 1.0 <= info.duration <= 1.3
    assert duration_s == pytest.approx(info.duration, abs=0.06)       # printed to 0.1 s
    assert float(check_csv(pitch_csv)[-1][0]) <= info.duration

    process = subprocess.Popen([sys.executable, "-m", "pitchlive", "listen", "--input",
                                str(path), "--csv", "--record", str(tmp_path / "b")], env=env,
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(15):
        process.stdout.readline()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    duration_s, wav, pitch_csv = saved_paths(err)
    assert 0.3 < sf.info(wav).duration < 1.9             # stopped early, saved what it had
    check_csv(pitch_csv)


@pytest.mark.model
def test_an_unusable_folder_is_refused_before_starting(env, tone_file, tmp_path):
    path, _ = tone_file
    blocker = tmp_path / "file.txt"
    blocker.write_text("in the way")
    started = time.monotonic()
    for target in (blocker, blocker / "takes"):
        result = listen(env, "--input", str(path), "--record", str(target))
        assert result.returncode == 1
        assert f"cannot record into {target}" in result.stderr
        assert "Choose a folder you can write to with --record DIR" in result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
    assert time.monotonic() - started < 30                # refused before tracking the file
    assert spooled(tmp_path) == []


@pytest.mark.model
def test_a_failed_save_keeps_the_recording_and_says_where(env, tone_file, tmp_path):
    path, audio = tone_file
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "pitchlive", "listen", "--input",
                                str(path), "--csv", "--record", str(out)], env=env, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdout.readline()
    shutil.rmtree(out)                                    # the folder vanishes mid-run
    out.write_text("not a folder any more")
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "Traceback" not in err
    assert f"Cannot save the take: the folder {out} does not exist" in err
    kept = spooled(tmp_path)
    assert len(kept) == 1 and f"the recording was not lost: it is in {kept[0]}" in err
    recorded, rate = sf.read(kept[0], dtype="float32")
    assert rate == 44100 and recorded.size == audio.size


@pytest.mark.model
def test_recording_the_microphone(env, tmp_path, private_fake_mic):
    mic_env = {**env, **private_fake_mic.env}
    out = tmp_path / "mic"
    process = subprocess.Popen([sys.executable, "-m", "pitchlive", "listen", "--csv",
                                "--seconds", "2.5", "--record", str(out)], env=mic_env,
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdout.readline()                            # the header: the device is open
    private_fake_mic.play(harmonic_tone(440.0, 1.5, 48000), 48000)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    _, wav, pitch_csv = saved_paths(err)
    recorded, rate = sf.read(wav, dtype="float32")
    assert rate in (44100, 48000) and 2.5 <= recorded.size / rate <= 2.9   # the device rate
    assert np.abs(recorded).max() > 0.1                  # the tone reached the take
    rows = check_csv(pitch_csv)
    assert sum(r[4] == "A4" for r in rows) > 20
