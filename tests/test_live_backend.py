"""The live backend: LiteRT on a cached TFLite conversion, TensorFlow as the fallback.

Tolerance between the backends on the same audio: frequency within 0.05 cents and confidence
within 1e-5 (measured here on SPICE v1: at most 0.005 cents and 1.6e-6).
"""

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from conftest import local_model_dir, require
from pitchlive.audio.sources import FileSource
from pitchlive.engine import Engine
from pitchlive.model import ModelError, load_live_model
from pitchlive.model import live
from pitchlive.model.converted import entry_paths
from pitchlive.model.files import content_key, downloaded_folder, local_folder
from pitchlive.model.litert_backend import litert_version
from pitchlive.music import cents_between
from pitchlive.settings import Settings
from synth import PROGRAM_VIOLIN, harmonic_tone, melody_notes, render_midi, write_wav

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[1]
MAX_CENTS = 0.05
MAX_CONFIDENCE = 1e-5
FALLBACK_TEXT = "live tracking runs on TensorFlow instead of LiteRT"


def require_litert() -> None:
    require(litert_version() != "", "needs LiteRT: pip install ai-edge-litert")


@pytest.fixture
def model_dir():
    path = local_model_dir()
    require(path is not None, "needs PITCHLIVE_MODEL pointing at SPICE v1")
    return path


@pytest.fixture
def with_litert():
    require_litert()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty model cache of this test only."""
    monkeypatch.setenv("PITCHLIVE_MODEL_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("PITCHLIVE_BACKEND", raising=False)
    monkeypatch.setattr(live, "_fallback_reported", False)
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def litert_model():
    path = local_model_dir()
    require(path is not None, "needs PITCHLIVE_MODEL pointing at SPICE v1")
    require_litert()
    model = load_live_model(Settings(model_source=str(path)), backend="litert")
    assert model.backend == "LiteRT"
    return model


def block_litert(folder: Path) -> Path:
    """A folder that, first on sys.path, makes `import ai_edge_litert` fail as if uninstalled."""
    package = folder / "ai_edge_litert"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "raise ImportError(\"No module named 'ai_edge_litert'\")\n")
    return folder


def run_python(code: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_litert_and_tensorflow_give_the_same_model_output(spice_model, litert_model):
    rng = np.random.default_rng(3)
    audio = np.concatenate([harmonic_tone(f, 0.4) for f in (55, 110, 262, 440, 880, 1400)])
    audio = audio + 0.01 * rng.standard_normal(audio.size).astype(np.float32)
    for n_samples in (300, 1024, 2304, 4096, 16000):    # padded, live window, longer
        for start in range(0, audio.size - n_samples, 2011):
            window = audio[start:start + n_samples]
            f_tf, c_tf = spice_model.infer(window)
            f_lite, c_lite = litert_model.infer(window)
            assert f_lite.shape == f_tf.shape == (n_samples // 512 + 1,)
            assert np.max(np.abs(cents_between(f_lite, f_tf))) < MAX_CENTS
            assert np.max(np.abs(c_lite - c_tf)) < MAX_CONFIDENCE


def test_litert_and_tensorflow_give_the_same_live_frames(spice_model, litert_model, tmp_path,
                                                         soundfont_path):
    notes = melody_notes([45, 52, 57, 64, 69, 76, 81, 74, 67, 60], note_s=0.3)
    audio = render_midi(notes, PROGRAM_VIOLIN, 44100)
    path = write_wav(tmp_path / "violin.wav", audio, 44100)
    frames = {}
    for name, model in (("tf", spice_model), ("lite", litert_model)):
        engine = Engine(Settings(smoothing=False), model, FileSource(path, realtime=False))
        got = []
        engine.subscribe(got.append)
        engine.start()
        assert engine.wait(60)
        engine.stop()
        frames[name] = got
    tf_frames, lite_frames = frames["tf"], frames["lite"]
    assert len(tf_frames) == len(lite_frames) > 50
    assert [f.time_s for f in tf_frames] == [f.time_s for f in lite_frames]
    f_tf, f_lite = (np.array([f.frequency_hz for f in fr]) for fr in (tf_frames, lite_frames))
    c_tf, c_lite = (np.array([f.confidence for f in fr]) for fr in (tf_frames, lite_frames))
    assert np.max(np.abs(cents_between(f_lite, f_tf))) < MAX_CENTS
    assert np.max(np.abs(c_lite - c_tf)) < MAX_CONFIDENCE
    clear = np.abs(c_tf - 0.9) > MAX_CONFIDENCE      # voicing can only differ at the threshold
    assert [f.note for f, c in zip(tf_frames, clear) if c] == \
        [f.note for f, c in zip(lite_frames, clear) if c]


def test_first_use_converts_then_the_cache_is_used_without_tensorflow(model_dir, cache,
                                                                     with_litert, tmp_path):
    model = load_live_model(Settings(model_source=str(model_dir)))
    assert model.backend == "LiteRT" and model.info.version == "v1"
    key = content_key(model_dir)
    tflite, meta = entry_paths(key)
    assert tflite.is_file() and json.loads(meta.read_text())["parameter_count"] == \
        model.info.parameter_count
    # The key is the content: a copy elsewhere finds the same entry.
    copy = shutil.copytree(model_dir, tmp_path / "elsewhere" / "spice")
    assert content_key(copy) == key
    probe = f"""
        import sys
        import numpy as np
        from pitchlive.model import load_live_model
        from pitchlive.settings import Settings
        model = load_live_model(Settings(model_source={str(copy)!r}))
        f, c = model.infer(np.sin(2 * np.pi * 440 * np.arange(4096) / 16000).astype(np.float32))
        print(model.backend, model.info.version, round(float(np.median(f))),
              'tensorflow' in sys.modules, 'tensorflow_hub' in sys.modules)
        """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = run_python(probe, env)
    assert result.returncode == 0, result.stderr
    backend, version, hz, tf_imported, hub_imported = result.stdout.split()
    assert (backend, version, tf_imported, hub_imported) == ("LiteRT", "v1", "False", "False")
    assert 430 < int(hz) < 450
    assert result.stderr == ""      # neither TensorFlow's nor LiteRT's native log lines


def test_tf_hub_handle_finds_its_download_and_conversion_without_tensorflow(model_dir, cache,
                                                                           with_litert,
                                                                           monkeypatch):
    handle = "https://tfhub.dev/google/spice/2"
    monkeypatch.delenv("TFHUB_CACHE_DIR", raising=False)
    download = downloaded_folder(handle)
    # tensorflow_hub's own folder name for a handle: sha1 of the handle, in our cache.
    assert download.parent == cache / "tfhub" and len(download.name) == 40
    assert local_folder(handle) is None
    shutil.copytree(model_dir, download)    # as if downloaded on an earlier run
    assert local_folder(handle) == download
    first = load_live_model(Settings(model_source=handle))
    assert first.backend == "LiteRT" and first.info.source == handle
    probe = f"""
        import sys
        from pitchlive.model import load_live_model
        from pitchlive.settings import Settings
        model = load_live_model(Settings(model_source={handle!r}))
        print(model.backend, 'tensorflow' in sys.modules)
        """
    result = run_python(probe, {**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["LiteRT", "False"]


@pytest.mark.parametrize("damage", ["flipped bytes", "truncated", "metadata garbage",
                                    "metadata missing"])
def test_damaged_cached_file_is_detected_and_rebuilt(model_dir, cache, with_litert, caplog,
                                                     damage):
    settings = Settings(model_source=str(model_dir))
    load_live_model(settings)
    tflite, meta = entry_paths(content_key(model_dir))
    good = tflite.read_bytes()
    if damage == "flipped bytes":
        data = bytearray(good)
        data[len(data) // 2: len(data) // 2 + 64] = bytes(64)
        tflite.write_bytes(bytes(data))
    elif damage == "truncated":
        tflite.write_bytes(good[: len(good) // 3])
    elif damage == "metadata garbage":
        meta.write_text("{not json")
    else:
        meta.unlink()
    with caplog.at_level(logging.WARNING, logger="pitchlive.model"):
        model = load_live_model(settings)
    assert any("damaged" in r.getMessage() and "converting it again" in r.getMessage()
               for r in caplog.records)
    assert model.backend == "LiteRT"
    assert tflite.read_bytes() == good and json.loads(meta.read_text())["size_bytes"] == len(good)
    f, c = model.infer(harmonic_tone(440.0, 0.3))
    assert abs(np.median(cents_between(f[2:-2], 440.0))) < 20


def test_without_litert_tensorflow_takes_over_with_one_message(model_dir, cache, monkeypatch,
                                                               caplog):
    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)     # import fails: not installed
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    settings = Settings(model_source=str(model_dir))
    with caplog.at_level(logging.WARNING, logger="pitchlive.model"):
        first = load_live_model(settings)
        second = load_live_model(settings)
    assert first.backend == second.backend == "TensorFlow"
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and FALLBACK_TEXT in warnings[0]
    assert "pip install ai-edge-litert" in warnings[0]
    f, c = first.infer(harmonic_tone(440.0, 0.3))
    assert abs(np.median(cents_between(f[2:-2], 440.0))) < 20
    with pytest.raises(ModelError, match="LiteRT was asked for"):
        load_live_model(settings, backend="litert")


def test_cli_without_litert_says_so_once_and_tracks(model_dir, tmp_path):
    tone = write_wav(tmp_path / "tone.wav", harmonic_tone(440.0, 1.5, 44100), 44100)
    env = {**os.environ, "PYTHONPATH": f"{block_litert(tmp_path / 'blocked')}{os.pathsep}{ROOT}",
           "PITCHLIVE_MODEL": str(model_dir)}
    env.pop("PITCHLIVE_BACKEND", None)
    result = subprocess.run([sys.executable, "-m", "pitchlive", "listen", "--input", str(tone),
                             "--csv"], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert sum(FALLBACK_TEXT in line for line in lines) == 1
    assert not any(line.startswith(("I0000", "W0000", "E0000")) for line in lines), lines
    assert any(",1,A4," in row for row in result.stdout.splitlines())
    info = subprocess.run([sys.executable, "-m", "pitchlive", "info"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert info.returncode == 0 and "live backend: TensorFlow" in info.stdout


def test_info_names_the_litert_backend(model_dir, litert_model):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PITCHLIVE_MODEL": str(model_dir)}
    result = subprocess.run([sys.executable, "-m", "pitchlive", "info"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "live backend: LiteRT" in result.stdout and "SPICE v1" in result.stdout


def test_backend_choice_is_checked(model_dir, cache, monkeypatch):
    settings = Settings(model_source=str(model_dir))
    monkeypatch.setenv("PITCHLIVE_BACKEND", "gpu")
    with pytest.raises(ModelError, match="PITCHLIVE_BACKEND must be one of auto, litert"):
        load_live_model(settings)
    monkeypatch.setenv("PITCHLIVE_BACKEND", "tensorflow")
    assert load_live_model(settings).backend == "TensorFlow"
    assert not entry_paths(content_key(model_dir))[0].exists()   # nothing converted


def test_a_file_litert_cannot_run_falls_back_to_tensorflow(model_dir, cache, with_litert,
                                                           caplog):
    # A converted file whose checksum is right but which LiteRT refuses (say, an operator a
    # newer converter emitted that this LiteRT lacks): TensorFlow runs the model instead.
    settings = Settings(model_source=str(model_dir))
    load_live_model(settings)
    tflite, meta = entry_paths(content_key(model_dir))
    garbage = b"not a flatbuffer" * 100
    tflite.write_bytes(garbage)
    values = json.loads(meta.read_text())
    values.update(sha256=hashlib.sha256(garbage).hexdigest(), size_bytes=len(garbage))
    meta.write_text(json.dumps(values))
    with caplog.at_level(logging.WARNING, logger="pitchlive.model"):
        model = load_live_model(settings)
    assert model.backend == "TensorFlow"
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and FALLBACK_TEXT in warnings[0] and "LiteRT cannot run" in \
        warnings[0]


def test_an_unwritable_cache_falls_back_to_tensorflow(model_dir, cache, with_litert, caplog):
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING, logger="pitchlive.model"):
        model = load_live_model(Settings(model_source=str(model_dir)))
    assert model.backend == "TensorFlow"
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "PITCHLIVE_MODEL_CACHE" in warnings[0]


def test_the_window_and_listen_load_the_live_backend(model_dir, cache, with_litert):
    from pitchlive.model import load_warm_model

    model = load_warm_model(Settings(model_source=str(model_dir)))
    assert model.backend == "LiteRT"
    f, c = model.infer(harmonic_tone(220.0, 0.3))
    assert abs(np.median(cents_between(f[2:-2], 220.0))) < 20


def test_listen_with_a_converted_model_never_imports_tensorflow(model_dir, litert_model,
                                                                tmp_path):
    tone = write_wav(tmp_path / "tone.wav", harmonic_tone(440.0, 1.0, 48000), 48000)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PITCHLIVE_MODEL": str(model_dir)}
    env.pop("PITCHLIVE_BACKEND", None)
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "pitchlive", "listen",
                             "--input", str(tone), "--csv"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    assert "ai_edge_litert.interpreter" in imported
    assert not {m for m in imported if m.split(".")[0] in ("tensorflow", "tensorflow_hub",
                                                             "scipy")}
    assert any(",1,A4," in row for row in result.stdout.splitlines())
