"""prepare_environment(): every variable the model side adds exists before any thread starts.

glibc's setenv() frees the environment array when it adds a variable, under any getenv() running
on another thread: the window's SIGSEGV of issue 15. These tests read the C library's own
environment (not os.environ), so variables that native code adds count too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import local_model_dir, require

from pitchlive.model.environment import TENSORFLOW_SETS, TF_VERSION_VAR, prepare_environment

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "assets" / "demo-ode-to-joy.flac"
ADDED = {*TENSORFLOW_SETS, TF_VERSION_VAR, "TFHUB_CACHE_DIR", "TF_NUM_INTRAOP_THREADS",
         "TF_NUM_INTEROP_THREADS"}

# The names in the C library's environment (glibc's `environ`), for the drivers below.
C_ENVIRONMENT_NAMES = '''
import ctypes

def c_environment_names():
    environ = ctypes.POINTER(ctypes.c_char_p).in_dll(ctypes.CDLL(None), "environ")
    names, i = set(), 0
    while environ[i] is not None:
        names.add(environ[i].split(b"=", 1)[0].decode(errors="replace"))
        i += 1
    return names
'''

# Run in a fresh process: prepare, then load and run the model every way the window does, and
# print the names the C environment gained meanwhile.
LOAD_EVERYTHING = C_ENVIRONMENT_NAMES + """
import sys
from pathlib import Path

from pitchlive.model.environment import prepare_environment
if sys.argv[1] == "prepared":
    prepare_environment()
before = c_environment_names()
from pitchlive.analysis.recording import analyse_recording
from pitchlive.model import load_live_model, load_warm_model
from pitchlive.settings import Settings
settings = Settings(model_source=sys.argv[2])
for backend in ("tensorflow", "litert"):
    model = load_live_model(settings, backend, warm_up_samples=settings.window_samples)
    analyse_recording(Path(sys.argv[3]), model)
load_warm_model(settings)
print("ADDED:" + ",".join(sorted(c_environment_names() - before)))
"""


def load_everything(tmp_path: Path, mode: str) -> list[str]:
    """Names the C environment gained while loading and running the model, in a fresh process
    whose environment holds none of the variables (as a user's shell)."""
    env = {name: value for name, value in os.environ.items() if name not in ADDED}
    env.update({"PYTHONPATH": str(ROOT), "PITCHLIVE_MODEL_CACHE": str(tmp_path / "cache")})
    result = subprocess.run([sys.executable, "-c", LOAD_EVERYTHING, mode,
                             str(local_model_dir()), str(DEMO)], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("ADDED:"))
    return [name for name in line[len("ADDED:"):].split(",") if name]


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads glibc's environ")
def test_loading_and_running_the_model_adds_no_variable_once_prepared(tmp_path):
    require(local_model_dir() is not None, "needs the SPICE SavedModel in $PITCHLIVE_MODEL")
    # Without the preparation the same loading adds TensorFlow's variables (the test can fail).
    assert set(load_everything(tmp_path, "bare")) & ADDED
    assert load_everything(tmp_path, "prepared") == []


def test_prepare_environment_keeps_what_the_user_set(monkeypatch):
    for name in ADDED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "4")
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    prepare_environment()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "1"
    assert os.environ["TF_NUM_INTRAOP_THREADS"] == "4"
    assert os.environ["TF2_BEHAVIOR"] == "1" and os.environ["TPU_ML_PLATFORM"] == "Tensorflow"
    assert ADDED <= set(os.environ)


def test_prepare_environment_says_when_other_threads_already_run(monkeypatch):
    for name in ADDED:
        monkeypatch.delenv(name, raising=False)
    release = threading.Event()
    other = threading.Thread(target=release.wait, name="pitchlive-test-other")
    other.start()
    try:
        assert prepare_environment() is False
    finally:
        release.set()
        other.join()
    assert ADDED <= set(os.environ)


def test_whole_file_commands_keep_tensorflows_thread_pools(monkeypatch):
    for name in ADDED:
        monkeypatch.delenv(name, raising=False)
    prepare_environment(streaming=False)
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"     # TensorFlow's standard kernels
    assert "TF_NUM_INTRAOP_THREADS" not in os.environ
    assert "TF_NUM_INTEROP_THREADS" not in os.environ
    assert os.environ["TF2_BEHAVIOR"] == "1"


# `pitchlive listen` opens the input before the model loads (issue 11), so the model's variables
# would be added while the capture and loading threads run: the command prepares them first.
LISTEN_DRIVER = C_ENVIRONMENT_NAMES + """
import sys, threading

at_first_thread = []
real_start = threading.Thread.start

def start(self):
    if not at_first_thread:
        at_first_thread.append(c_environment_names())
    return real_start(self)

threading.Thread.start = start
from pitchlive.cli import main
status = main(sys.argv[1:])
# A one-second run may end before its model has loaded (a first LiteRT conversion takes longer):
# wait for the loader, so that what it adds counts, then leave as the program does (cli.entry).
for thread in threading.enumerate():
    if thread.name == "pitchlive-model":
        thread.join(240)
before = at_first_thread[0] if at_first_thread else c_environment_names()
print("ADDED:" + ",".join(sorted(c_environment_names() - before)), flush=True)
from pitchlive.shutdown import leave_now
leave_now(status)
"""


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads glibc's environ")
@pytest.mark.parametrize("backend", ["tensorflow", "litert"])
def test_listen_adds_no_variable_once_its_threads_run(tmp_path, backend):
    require(local_model_dir() is not None, "needs the SPICE SavedModel in $PITCHLIVE_MODEL")
    env = {name: value for name, value in os.environ.items() if name not in ADDED}
    env.update({"PYTHONPATH": str(ROOT), "PITCHLIVE_MODEL_CACHE": str(tmp_path / "cache"),
                "PITCHLIVE_MODEL": str(local_model_dir()), "PITCHLIVE_BACKEND": backend})
    result = subprocess.run([sys.executable, "-c", LISTEN_DRIVER, "listen", "--seconds", "1",
                             "--input", str(DEMO), "--csv"],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("ADDED:"))
    assert line == "ADDED:", line
