"""`pitchlive listen`: CSV and terminal output, --seconds, --input/--play, Ctrl-C, errors."""

import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import local_model_dir, require
from pitchlive.cli.listen import cents_bar, status_line
from pitchlive.exports.csv import COLUMNS
from pitchlive.frames import PitchFrame
from synth import harmonic_tone, write_wav
from terminal import run_on_terminal

ROOT = Path(__file__).resolve().parents[1]
A4_PLUS_20_HZ = 440 * 2 ** (20 / 1200)


@pytest.fixture(scope="module")
def model_env():
    require(local_model_dir() is not None, "needs PITCHLIVE_MODEL (SPICE v1)")
    return {**os.environ, "PITCHLIVE_MODEL": str(local_model_dir())}


@pytest.fixture(scope="module")
def tone_file(tmp_path_factory):
    audio = np.concatenate([np.zeros(22050, np.float32), harmonic_tone(A4_PLUS_20_HZ, 2.0, 44100)])
    return write_wav(tmp_path_factory.mktemp("listen") / "tone.wav", audio, 44100)


def listen(env, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "pitchlive", "listen", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_status_line_and_cents_bar():
    assert cents_bar(None) == "[----------|----------]"
    assert cents_bar(0.0) == "[----------*----------]"
    assert cents_bar(50.0) == "[----------|---------*]"
    assert cents_bar(-25.0) == "[-----*----|----------]"
    assert cents_bar(-400.0) == "[*---------|----------]"
    voiced = PitchFrame(1.0, 446.0, 0.97, -23.4, True, midi=69, cents=23.6, note="A4")
    quiet = PitchFrame(1.0, 300.0, 0.3, float("-inf"), False)
    line = status_line(voiced)
    assert line.startswith("A4    +24 c [----------|----*-----]   446.0 Hz")
    assert "conf 0.97" in line and "level  -23.4 dBFS" in line
    other = status_line(quiet)
    assert other.startswith("--") and "Hz" not in other and "-inf dBFS" in other
    assert len(other) == len(line)                    # redraws overwrite the whole line


@pytest.mark.model
def test_csv_of_a_file_in_real_time(model_env, tone_file):
    started = time.monotonic()
    result = listen(model_env, "--input", str(tone_file), "--csv")
    took = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == COLUMNS
    data = rows[1:]
    times = [float(r[0]) for r in data]
    assert times[0] == 0.0 and times == sorted(times)
    assert len(data) == int(2.5 * 16000) // 512 + 1
    middle = [r for r in data if 0.8 < float(r[0]) < 2.2]
    assert middle and all(r[3] == "1" and r[4] == "A4" for r in middle)
    assert all(abs(float(r[5]) - 20) < 12 for r in middle)
    assert all(r[3] == "0" and r[4] == "" and r[5] == "" for r in data if float(r[0]) < 0.4)
    assert "Tracking tone.wav" in result.stderr
    assert took > 2.5                                  # paced in real time


@pytest.mark.model
def test_seconds_limits_the_run(model_env, tone_file):
    result = listen(model_env, "--input", str(tone_file), "--seconds", "1")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))   # not a terminal: CSV by default
    assert tuple(rows[0]) == COLUMNS
    assert 0.9 < float(rows[-1][0]) < 1.0


@pytest.mark.model
def test_terminal_shows_one_live_line(model_env, tone_file):
    code, text = run_on_terminal(["listen", "--input", str(tone_file)], model_env)
    assert code == 0
    redraws = text.split("\r")
    assert len(redraws) > 20                           # redrawn in place, many times
    assert "time,frequency" not in text                # no CSV on a terminal
    assert any(r.startswith("A4 ") and " Hz  conf " in r and "dBFS" in r for r in redraws)
    assert text.endswith("\n")                         # leaves the prompt on a fresh line


@pytest.mark.model
def test_ctrl_c_stops_cleanly_with_exit_0(model_env, tone_file):
    process = subprocess.Popen([sys.executable, "-m", "pitchlive", "listen", "--input",
                                str(tone_file), "--csv"], env=model_env, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [process.stdout.readline() for _ in range(5)]
    assert lines[0].startswith("time,")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert len(out.splitlines()) < 60                  # it stopped early, not at the file's end


@pytest.mark.model
def test_play_sends_the_file_to_the_output_device(model_env, tone_file, private_fake_mic):
    env = {**model_env, **private_fake_mic.env}
    process = subprocess.Popen([sys.executable, "-m", "pitchlive", "listen", "--input",
                                str(tone_file), "--play", "--csv"], env=env, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdout.readline()
    started = time.monotonic()
    time.sleep(0.5)
    playing = private_fake_mic._pactl("list", "short", "sink-inputs").stdout
    out, err = process.communicate(timeout=60)
    assert time.monotonic() - started > 2.0            # played in real time, not faster
    assert process.returncode == 0, err
    assert playing.strip(), "nothing was playing into the output device"
    rows = list(csv.reader(io.StringIO(out)))
    middle = [r for r in rows if 0.8 < float(r[0]) < 2.2]
    assert middle and all(r[4] == "A4" for r in middle)


@pytest.mark.model
def test_user_errors_exit_1_with_a_message(model_env, tmp_path):
    result = listen(model_env, "--play")
    assert result.returncode == 1 and "--play plays a recording" in result.stderr
    result = listen(model_env, "--input", str(tmp_path / "missing.wav"))
    assert result.returncode == 1 and "no such file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.model
def test_the_input_opens_before_the_model_and_what_it_heard_is_analysed(model_env, tone_file):
    result = listen(model_env, "--input", str(tone_file), "--csv")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    opened = next(i for i, line in enumerate(lines) if "Tracking tone.wav" in line)
    ready = next(i for i, line in enumerate(lines) if "pitch model is ready" in line)
    assert opened < ready and "heard meanwhile is analysed now" in lines[ready]
    # Every frame from the start of the file, although the input ran before the model was ready.
    times = [float(r[0]) for r in list(csv.reader(io.StringIO(result.stdout)))[1:]]
    assert times[0] == 0.0 and len(times) == int(2.5 * 16000) // 512 + 1
    assert np.allclose(np.diff(times), 0.032)


@pytest.mark.model
def test_a_model_that_cannot_load_stops_listen_with_a_message(model_env, tone_file, tmp_path):
    env = {**model_env, "PITCHLIVE_MODEL": str(tmp_path / "no-such-model")}
    result = listen(env, "--input", str(tone_file), "--csv")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no-such-model" in result.stderr



# The program stops with its model thread still loading: it must leave without interpreter
# finalisation, which kills such a thread inside TensorFlow and aborts the process (SIGABRT,
# 4 runs in 20 of bench/exit_stress.py --kinds listen before the fix). The stand-in load
# blocks; an atexit handler shows whether the process finalised.
STOPPED_WHILE_LOADING = """
import atexit, sys, time
import pitchlive.model

def loading(settings):
    print("LOADING", file=sys.stderr, flush=True)
    time.sleep(60)

pitchlive.model.load_warm_model = loading
atexit.register(lambda: print("FINALISED", file=sys.stderr, flush=True))
sys.argv = ["pitchlive", "listen", "--seconds", "0.3", "--input", sys.argv[1], "--csv"]
from pitchlive.cli import entry
entry()
"""


def test_a_command_ended_while_the_model_loads_leaves_without_finalising(model_env, tone_file):
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", STOPPED_WHILE_LOADING, str(tone_file)],
                            env=model_env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "LOADING" in result.stderr
    assert result.returncode == 0, result.stderr
    assert "FINALISED" not in result.stderr
    assert time.monotonic() - started < 30          # it did not wait for the load either


# Once TensorFlow is loaded, finalisation can abort the process from TensorFlow's own threads
# with no Python thread left (bench/exit_stress.py --kinds listen --backend tensorflow: 2 aborts
# in 55 runs). A stand-in module marks TensorFlow as loaded; the atexit handler shows whether
# the process finalised, and the command's output must still be complete.
AFTER_TENSORFLOW = """
import atexit, sys, types
sys.modules["tensorflow"] = types.ModuleType("tensorflow")
atexit.register(lambda: print("FINALISED", file=sys.stderr, flush=True))
sys.argv = ["pitchlive", "devices"]
from pitchlive.cli import entry
entry()
"""


def test_a_command_after_tensorflow_leaves_without_finalising_with_its_output_whole(model_env):
    without = AFTER_TENSORFLOW.replace('sys.modules["tensorflow"] = types.ModuleType("tensorflow")',
                                       "")
    plain = subprocess.run([sys.executable, "-c", without], env=model_env, cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    result = subprocess.run([sys.executable, "-c", AFTER_TENSORFLOW], env=model_env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert "FINALISED" in plain.stderr                 # without TensorFlow: finalised as usual
    assert "FINALISED" not in result.stderr
    assert result.returncode == plain.returncode
    assert result.stdout == plain.stdout and result.stdout.strip()


# A Ctrl-C that lands once the command has returned (its outputs closed) must not turn the exit
# into a KeyboardInterrupt traceback (bench/exit_stress.py: 1 listen in 50, its SIGINT sent as
# the run ended by itself). The atexit handler reports how SIGINT is handled while the process
# ends.
ENDED_COMMAND = """
import atexit, signal, sys
import pitchlive.cli
pitchlive.cli.main = lambda: 0
atexit.register(lambda: print("IGNORED" if signal.getsignal(signal.SIGINT) is signal.SIG_IGN
                              else "HANDLED", flush=True))
pitchlive.cli.entry()
"""


def test_a_ctrl_c_after_the_command_ended_is_ignored(model_env):
    result = subprocess.run([sys.executable, "-c", ENDED_COMMAND], env=model_env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "IGNORED"

