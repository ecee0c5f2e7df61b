"""Outputs never collide or land in the wrong place; long files plot in bounded memory;
interrupted runs keep what was finished; a slow file is not an unplugged device."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import hostile
from conftest import local_model_dir, require
from pitchlive.analysis.spectrogram import StreamingSpectrogram, semitone_spectrogram
from pitchlive.cli.outputs import distinct_names
from test_hostile_files import fake_cli, rows_of  # noqa: F401 - the fixture, shared

ROOT = Path(__file__).resolve().parents[1]


# ---- output names and folders ---------------------------------------------------------------

def test_distinct_names_for_same_names_in_different_folders():
    paths = [Path("a/take.wav"), Path("b/take.wav"), Path("b/take.flac"), Path("solo.wav"),
             Path("a/take.wav")]
    names = distinct_names(paths, ".pitch.csv")
    assert names[Path("solo.wav")] == "solo.pitch.csv"
    assert names[Path("b/take.flac")] == "take.flac.pitch.csv"
    assert names[Path("a/take.wav")].endswith("a-take.wav.pitch.csv")
    assert names[Path("b/take.wav")].endswith("b-take.wav.pitch.csv")
    assert len({names[p] for p in paths}) == 4           # the repeated file keeps one name


def test_two_take_wavs_from_different_folders_never_overwrite_each_other(fake_cli, tmp_path):
    low = hostile.good_wav(tmp_path / "monday", "take.wav", 220.0)
    high = hostile.good_wav(tmp_path / "tuesday", "take.wav", 330.0)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    code, _, err = fake_cli("analyze", low, high, "-o", f"{out}/", "--plot", f"{out}/")
    assert code == 0, err
    csvs = sorted(out.glob("*.pitch.csv"))
    pngs = sorted(out.glob("*.pitch.png"))
    assert [p.name for p in csvs] == ["monday-take.wav.pitch.csv", "tuesday-take.wav.pitch.csv"]
    assert len(pngs) == 2
    assert (out / "notes.txt").read_text() == "mine"
    assert csvs[0].read_text() != csvs[1].read_text() or \
        rows_of(csvs[0]) == rows_of(csvs[1])   # the fake model: same rows, two files


def test_a_trailing_slash_always_means_a_new_folder(fake_cli, tmp_path):
    good = hostile.good_wav(tmp_path)
    code, _, err = fake_cli("analyze", good, "-o", f"{tmp_path / 'newdir'}/", "--plot",
                            f"{tmp_path / 'plots'}/")
    assert code == 0, err
    assert (tmp_path / "newdir").is_dir() and (tmp_path / "newdir" / "good.pitch.csv").is_file()
    assert (tmp_path / "plots" / "good.pitch.png").is_file()


def test_transcribe_refuses_a_folder_output_clearly(fake_cli, tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        fake_cli("transcribe", hostile.good_wav(tmp_path), "-o", f"{tmp_path}/out/")
    assert exited.value.code == 2
    assert "is a folder (it ends with /)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("several", [False, True])
def test_an_unknown_plot_extension_is_refused_before_any_analysis(fake_cli, tmp_path, several):
    inputs = [hostile.good_wav(tmp_path, "a.wav")] + \
        ([hostile.good_wav(tmp_path, "b.wav")] if several else [])
    model = hostile.FakeModel()
    code, _, err = fake_cli("analyze", *inputs, "--plot", tmp_path / "out.xyz", using=model)
    assert code == 1
    assert "the extension .xyz" in err and ".png" in err and ".svg" in err
    assert model.samples_seen == 0
    assert not list(tmp_path.glob("*.csv")) and not (tmp_path / "out.xyz").exists()


def test_one_image_name_for_several_inputs_is_refused(fake_cli, tmp_path):
    inputs = [hostile.good_wav(tmp_path, "a.wav"), hostile.good_wav(tmp_path, "b.wav")]
    code, _, err = fake_cli("analyze", *inputs, "--plot", tmp_path / "plot.png")
    assert code == 1 and "give a folder" in err
    assert not (tmp_path / "plot.png").exists()


def test_quit_after_inf_gets_a_clear_message(capsys):
    from pitchlive.cli import main

    for value in ("inf", "nan", "-1"):
        with pytest.raises(SystemExit) as exited:
            main(["--quit-after", value])
        assert exited.value.code == 2
        assert "finite number of seconds" in capsys.readouterr().err


# ---- bounded memory for plots and the Recording view ----------------------------------------

def test_the_streamed_spectrogram_matches_the_whole_one_and_stays_bounded():
    t = np.arange(16000 * 20) / 16000
    audio = np.sin(2 * np.pi * 330 * t).astype(np.float32)
    whole = semitone_spectrogram(audio, max_columns=500)
    streamed = StreamingSpectrogram(audio.size, max_columns=500)
    for start in range(0, audio.size, 7777):
        streamed.push(audio[start:start + 7777])
    pieces = streamed.finish()
    np.testing.assert_allclose(pieces.level_db, whole.level_db, atol=1e-3)
    assert pieces.duration_s == pytest.approx(whole.duration_s)
    # A stream 10 times longer than announced: columns merged, never more than 2 x max.
    longer = StreamingSpectrogram(audio.size // 10, max_columns=100)
    for start in range(0, audio.size, 16000):
        longer.push(audio[start:start + 16000])
    image = longer.finish()
    assert 100 <= image.level_db.shape[1] <= 200
    assert image.start_s + image.duration_s == pytest.approx(20.0, abs=0.2)


def test_plotting_a_long_file_does_not_hold_its_audio(fake_cli, tmp_path):
    path = tmp_path / "long.flac"
    with sf.SoundFile(str(path), "w", 16000, 1, format="FLAC", subtype="PCM_16") as handle:
        for minute in range(10):
            handle.write(hostile.tone(220.0 * (1 + minute % 3), 60.0, amplitude=0.05))
    tracemalloc.start()
    try:
        code, _, err = fake_cli("analyze", path, "--plot", tmp_path / "long.png")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 0, err
    assert (tmp_path / "long.png").stat().st_size > 10_000
    # The whole-signal STFT took ~650 MB for these 10 minutes; the streamed image ~4 MB.
    assert peak < 120 * 2**20


def test_the_recording_view_analysis_keeps_a_bounded_spectrogram(tmp_path, monkeypatch):
    import pitchlive.analysis.recording as recording

    path = hostile.good_wav(tmp_path, duration_s=30.0)
    monkeypatch.setattr(recording, "MAX_KEPT_AUDIO_S", 10.0)
    result = recording.analyse_recording(path, hostile.FakeModel())
    assert result.analysis.audio_16k is None          # too long to keep ...
    assert result.spectrogram is not None             # ... but still drawn
    assert result.spectrogram.duration_s == pytest.approx(30.0, abs=0.3)


def test_transcribing_a_long_file_does_not_hold_its_audio(fake_cli, tmp_path, monkeypatch):
    import pitchlive.analysis.file as file_module
    import pitchlive.analysis.recording as recording

    monkeypatch.setattr(recording, "MAX_KEPT_AUDIO_S", 60.0)
    kept = []
    real = file_module.analyze_file
    monkeypatch.setattr(file_module, "analyze_file", lambda *a, **kw: kept.append(
        kw.get("keep_audio")) or real(*a, **kw))
    code, _, err = fake_cli("transcribe", hostile.good_wav(tmp_path, duration_s=90.0), "-o",
                            tmp_path / "long.mid")
    assert code == 0, err
    assert kept == [False] and "longer than 1 min" in err
    assert (tmp_path / "long.mid").stat().st_size > 0


# ---- a file slow to decode is not an unplugged device ---------------------------------------

def test_a_slow_decoding_file_is_not_reported_as_an_unplugged_device(tmp_path, monkeypatch):
    import pitchlive.audio.sources as sources
    import pitchlive.engine.core as core
    from pitchlive.engine import Engine
    from pitchlive.settings import Settings

    monkeypatch.setattr(core, "STALL_TIMEOUT_S", 0.3)
    real_read_blocks = sources.read_blocks

    def slow_blocks(*args, **kwargs):
        for number, block in enumerate(real_read_blocks(*args, **kwargs)):
            if number == 1:
                time.sleep(1.0)                    # a slow network disk, a busy decoder
            yield block

    monkeypatch.setattr(sources, "read_blocks", slow_blocks)
    path = hostile.good_wav(tmp_path, duration_s=1.5)
    events = []
    engine = Engine(Settings(smoothing=False), hostile.FakeModel(),
                    sources.FileSource(path, realtime=True, block_s=0.01))
    engine.subscribe_events(events.append)
    engine.start()
    deadline = time.monotonic() + 20
    while not any(e.kind == "stopped" for e in events) and time.monotonic() < deadline:
        time.sleep(0.05)
    engine.stop()
    assert not [e for e in events if e.kind == "error"], [e.message for e in events]
    assert any(e.kind == "stopped" and "end of good.wav" in e.message for e in events)


# ---- signals: SIGINT / SIGTERM stop cleanly, keep finished files ----------------------------

def _long_wav(folder: Path, name: str, seconds: float) -> Path:
    path = folder / name
    sf.write(str(path), hostile.tone(220.0, seconds), 16000, subtype="PCM_16")
    return path


def _interrupt(args: list[str], ready, signum: int, cwd: Path) -> subprocess.CompletedProcess:
    """Run pitchlive in a subprocess; send signum once ready (a Path that exists, or a line of
    stderr that starts with this text); return the result with stderr whole."""
    require(local_model_dir() is not None, "needs PITCHLIVE_MODEL (SPICE v1)")
    env = {**os.environ, "PITCHLIVE_MODEL": str(local_model_dir()), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "pitchlive", *args], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = ""
    if isinstance(ready, str):
        while process.poll() is None:
            line = process.stderr.readline()
            seen += line
            if line.startswith(ready) or not line:
                break
        time.sleep(0.5)                       # into the analysis
    else:
        deadline = time.monotonic() + 240
        while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    process.send_signal(signum)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(args, process.returncode, out, seen + err)


@pytest.mark.model
@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_analyze_keeps_finished_files_and_exits_128_plus_signal(
        tmp_path, signum, status):
    first = _long_wav(tmp_path, "first.wav", 1.0)
    second = _long_wav(tmp_path, "second.wav", 1800.0)     # minutes of work: interrupted
    out = tmp_path / "out"
    result = _interrupt(["analyze", str(first), str(second), "-o", f"{out}/", "--plot",
                         f"{out}/"], out / "first.pitch.png", signum, tmp_path)
    assert result.returncode == status, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["first.pitch.csv", "first.pitch.png"]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"pitchlive: interrupted by {signal.Signals(signum).name}: 1 of 2 ")
    assert "Traceback" not in result.stderr


@pytest.mark.model
def test_an_interrupted_transcribe_exits_143_and_leaves_no_partial_file(tmp_path):
    take = _long_wav(tmp_path, "take.wav", 1800.0)
    result = _interrupt(["transcribe", str(take), "-o", str(tmp_path / "take.mid")],
                        "pitchlive: SPICE", signal.SIGTERM, tmp_path)
    assert result.returncode == 143, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["take.wav"]
    assert result.stderr.strip().splitlines()[-1].startswith(
        "pitchlive: interrupted by SIGTERM")
