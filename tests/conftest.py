"""Shared fixtures: the real SPICE model, test audio, and the skip-outside-CI / fail-in-CI rule."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import pytest

# Qt tests run headless everywhere; set before any test imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

sys.path.insert(0, str(Path(__file__).parent))

# The software microphone's fixtures (fake_mic, private_fake_mic) for every test module.
pytest_plugins = ["fakemic"]

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    """Skip the test with reason when condition is false; in CI (CI=true) fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must not skip: {reason}", pytrace=False)
    pytest.skip(reason)


def local_model_dir() -> Path | None:
    """The SavedModel directory named by $PITCHLIVE_MODEL, if it is a local folder."""
    value = os.environ.get("PITCHLIVE_MODEL", "")
    path = Path(value).expanduser() if value else None
    return path if path and (path / "saved_model.pb").is_file() else None


@pytest.fixture(autouse=True)
def qt_objects_end_with_their_test(request):
    """Windows a Qt test closed are deleted, and its garbage collected, when the test ends.

    Left to the collector, a closed window's Python-owned Qt objects die at a random later
    allocation: in the middle of another test's event delivery or while a worker thread
    imports, which crashed the process (SIGSEGV inside the collector or in Qt's event filters).
    Here nothing of the test is running any more. What survives is frozen (gc.freeze), so the
    next test's collection looks only at objects made since (a full one takes ~0.2 s).
    """
    yield
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        return
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.freeze()


@pytest.fixture(scope="session", autouse=True)
def private_model_cache(tmp_path_factory):
    """Converted models (and TF Hub downloads) go to a folder of this test session, not the
    user's cache; subprocesses inherit it through the environment."""
    folder = tmp_path_factory.mktemp("model-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PITCHLIVE_MODEL_CACHE", str(folder))
        yield folder


@pytest.fixture(scope="session")
def spice_model():
    """The real SPICE model from $PITCHLIVE_MODEL (make test points it at SPICE v1)."""
    model_dir = local_model_dir()
    require(model_dir is not None,
            "needs the SPICE SavedModel: set PITCHLIVE_MODEL to a local SavedModel folder "
            "(make test does this when ../shared/models/spice_1_savedmodel exists)")
    from pitchlive.model import load_model
    from pitchlive.settings import Settings

    return load_model(Settings(model_source=str(model_dir)))


@pytest.fixture(scope="session")
def soundfont_path() -> Path:
    """A General MIDI soundfont for fluidsynth renders."""
    from synth import find_soundfont

    path = find_soundfont()
    require(path is not None and synth_available(),
            "needs fluidsynth and a General MIDI soundfont (Debian: fluidsynth fluid-soundfont-gm)")
    return path


def synth_available() -> bool:
    """True when the fluidsynth binary is on PATH."""
    import shutil

    return shutil.which("fluidsynth") is not None


@pytest.fixture
def cli(spice_model, monkeypatch, capsys):
    """Run `pitchlive ...` in-process with the session's model; returns (exit, stdout, stderr)."""
    import pitchlive.model

    monkeypatch.setattr(pitchlive.model, "load_model", lambda settings=None: spice_model)
    monkeypatch.setattr(pitchlive.model, "load_warm_model", lambda settings=None: spice_model)

    def run(*args):
        from pitchlive.cli import main

        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


# The run's exit status, for pytest_unconfigure below.
_SESSION_STATUS: dict[str, int] = {}


def pytest_sessionfinish(session, exitstatus) -> None:
    _SESSION_STATUS["status"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config) -> None:
    """End the test process without interpreter finalisation once TensorFlow is loaded.

    The in-process model tests load TensorFlow, and finalisation can abort the process from
    TensorFlow's own threads (SIGABRT, "terminate called after throwing an instance of ''")
    after every test has passed: `pitchlive`'s CLI leaves the same way for that reason
    (cli.entry). This runs last, after the summary is printed; the exit status is pytest's.
    """
    if "tensorflow" in sys.modules and "status" in _SESSION_STATUS:
        from pitchlive.shutdown import leave_now

        leave_now(_SESSION_STATUS["status"])
