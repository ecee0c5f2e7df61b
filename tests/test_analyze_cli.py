"""`pitchlive analyze` on good and bad files: CSV content, messages and exit codes."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from synth import harmonic_tone, write_wav

pytestmark = pytest.mark.model


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_tone_gives_a_crepe_compatible_csv(cli, tmp_path):
    wav = write_wav(tmp_path / "a4.wav", harmonic_tone(440.0, 2.0, 16000), 16000)
    code, _, err = cli("analyze", wav)
    assert code == 0, err
    rows = read_rows(tmp_path / "a4.pitch.csv")
    assert list(rows[0].keys()) == ["time", "frequency", "confidence", "voiced", "note", "cents"]
    assert len(rows) == 32000 // 512 + 1
    assert float(rows[1]["time"]) == pytest.approx(0.032)
    middle = rows[10:-10]
    assert all(r["voiced"] == "1" and r["note"] == "A4" for r in middle)
    assert all(abs(float(r["cents"])) < 10 for r in middle)
    assert "SPICE v1" in err


def test_a4_and_naming_options_change_labels(cli, tmp_path):
    wav = write_wav(tmp_path / "bb.wav", harmonic_tone(466.16, 1.5, 16000), 16000)
    cli("analyze", wav, "--flats", "-o", tmp_path / "flat.csv")
    assert read_rows(tmp_path / "flat.csv")[20]["note"] == "Bb4"
    cli("analyze", wav, "--transpose", "Bb", "-o", tmp_path / "clarinet.csv")
    assert read_rows(tmp_path / "clarinet.csv")[20]["note"] == "C5"
    cli("analyze", wav, "--a4", "415", "-o", tmp_path / "baroque.csv")
    assert read_rows(tmp_path / "baroque.csv")[20]["note"] == "B4"


def test_stdout_output(cli, tmp_path):
    wav = write_wav(tmp_path / "t.wav", harmonic_tone(220.0, 0.5, 16000), 16000)
    code, out, _ = cli("analyze", wav, "-o", "-")
    assert code == 0 and out.startswith("time,frequency,confidence,voiced,note,cents\n")


def test_silence_gives_valid_all_unvoiced_csv(cli, tmp_path):
    wav = write_wav(tmp_path / "quiet.wav", np.zeros(16000 * 2, np.float32), 16000)
    code, _, err = cli("analyze", wav)
    rows = read_rows(tmp_path / "quiet.pitch.csv")
    assert code == 0 and len(rows) == 63
    assert all(r["voiced"] == "0" and r["note"] == "" for r in rows)
    assert "no voiced frames" in err


@pytest.mark.parametrize("rate_hz,channels", [(8000, 1), (96000, 1), (44100, 2), (48000, 6)])
def test_rates_and_channel_counts(cli, tmp_path, rate_hz, channels):
    tone = harmonic_tone(330.0, 1.5, rate_hz)
    audio = np.repeat(tone[:, None], channels, axis=1)
    wav = write_wav(tmp_path / "x.wav", audio, rate_hz, subtype="PCM_16")
    code, _, err = cli("analyze", wav)
    assert code == 0, err
    rows = read_rows(tmp_path / "x.pitch.csv")
    assert [r["note"] for r in rows[10:-10]] == ["E4"] * (len(rows) - 20)


def test_channel_option_picks_one_channel(cli, tmp_path):
    left, right = harmonic_tone(220.0, 1.5, 16000), harmonic_tone(330.0, 1.5, 16000)
    wav = write_wav(tmp_path / "lr.wav", np.stack([left, right], axis=1), 16000)
    cli("analyze", wav, "--channel", "1")
    assert read_rows(tmp_path / "lr.pitch.csv")[20]["note"] == "E4"
    code, _, err = cli("analyze", wav, "--channel", "2")
    assert code == 1 and "channel 2 does not exist" in err


def test_bad_files_fail_clearly_and_others_still_run(cli, tmp_path):
    good = write_wav(tmp_path / "good.wav", harmonic_tone(220.0, 1.0, 16000), 16000)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio\n" * 20)
    code, _, err = cli("analyze", tmp_path / "missing.wav", empty, text, good)
    assert code == 1
    assert "missing.wav: no such file" in err
    assert "empty.wav is empty" in err
    assert "notes.wav is not an audio file" in err
    assert "Traceback" not in err
    assert (tmp_path / "good.pitch.csv").exists()


def test_truncated_wav_keeps_what_is_there(cli, tmp_path):
    wav = write_wav(tmp_path / "full.wav", harmonic_tone(220.0, 2.0, 16000), 16000, "PCM_16")
    data = wav.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: len(data) // 2])
    code, _, err = cli("analyze", cut)
    assert code == 1 and "truncated" in err
    rows = read_rows(tmp_path / "cut.pitch.csv")
    assert 25 <= len(rows) <= 33


def test_truncated_flac_keeps_what_is_there(cli, tmp_path):
    path = tmp_path / "full.flac"
    sf.write(path, harmonic_tone(220.0, 3.0, 16000), 16000)
    data = path.read_bytes()
    cut = tmp_path / "cut.flac"
    cut.write_bytes(data[: len(data) // 2])
    code, _, err = cli("analyze", cut)
    assert code == 1 and ("damaged" in err or "truncated" in err)
    assert len(read_rows(tmp_path / "cut.pitch.csv")) > 5


def test_nan_and_inf_samples_count_as_silence(cli, tmp_path):
    audio = harmonic_tone(220.0, 2.0, 16000)
    audio[16000:16800] = np.nan
    audio[20000] = np.inf
    wav = write_wav(tmp_path / "nan.wav", audio, 16000)
    code, _, err = cli("analyze", wav)
    assert code == 1 and "801 NaN/Inf samples (first at 1.000 s)" in err
    rows = read_rows(tmp_path / "nan.pitch.csv")
    assert all(np.isfinite(float(r["frequency"])) for r in rows)
    assert rows[5]["note"] == "A3"


@pytest.mark.parametrize("fmt,ext", [("FLAC", "flac"), ("OGG", "ogg"), ("MP3", "mp3")])
def test_compressed_formats(cli, tmp_path, fmt, ext):
    path = tmp_path / f"tone.{ext}"
    sf.write(path, harmonic_tone(440.0, 1.5, 22050), 22050, format=fmt)
    code, _, err = cli("analyze", path)
    assert code == 0, err
    assert read_rows(tmp_path / "tone.pitch.csv")[20]["note"] == "A4"


def test_same_stem_inputs_do_not_overwrite_each_other(cli, tmp_path):
    sf.write(tmp_path / "take.wav", harmonic_tone(220.0, 1.0, 16000), 16000)
    sf.write(tmp_path / "take.flac", harmonic_tone(330.0, 1.0, 16000), 16000)
    code, _, _ = cli("analyze", tmp_path / "take.wav", tmp_path / "take.flac")
    assert code == 0
    assert read_rows(tmp_path / "take.wav.pitch.csv")[15]["note"] == "A3"
    assert read_rows(tmp_path / "take.flac.pitch.csv")[15]["note"] == "E4"


def test_output_over_an_input_is_refused(cli, tmp_path):
    wav = write_wav(tmp_path / "keep.wav", harmonic_tone(220.0, 1.0, 16000), 16000)
    before = wav.read_bytes()
    code, _, err = cli("analyze", wav, "-o", wav)
    assert code == 1 and "refusing to overwrite" in err and wav.read_bytes() == before


def test_unwritable_output_is_reported(cli, tmp_path):
    wav = write_wav(tmp_path / "t.wav", harmonic_tone(220.0, 1.0, 16000), 16000)
    code, _, err = cli("analyze", wav, "-o", tmp_path / "no" / "such" / "dir" / "t.csv")
    assert code == 1 and "cannot write" in err and "Traceback" not in err


def test_plot_is_written_and_not_blank(cli, tmp_path):
    wav = write_wav(tmp_path / "t.wav", harmonic_tone(220.0, 2.0, 16000), 16000)
    code, _, _ = cli("analyze", wav, "--plot", tmp_path / "t.png")
    import matplotlib.image

    image = matplotlib.image.imread(tmp_path / "t.png")
    assert code == 0 and image.shape[0] > 300 and image[..., :3].std() > 0.05


def test_several_files_with_output_folder(cli, tmp_path):
    paths = [write_wav(tmp_path / f"{n}.wav", harmonic_tone(f, 1.0, 16000), 16000)
             for n, f in (("a", 220.0), ("b", 440.0))]
    code, _, _ = cli("analyze", *paths, "-o", tmp_path / "out", "--plot", tmp_path / "plots")
    assert code == 0
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"a.pitch.csv", "b.pitch.csv"}
    assert {p.name for p in (tmp_path / "plots").iterdir()} == {"a.pitch.png", "b.pitch.png"}


def test_installed_command_runs_without_traceback(tmp_path):
    """The real entry point in a fresh process: model loading, errors, exit codes."""
    from conftest import local_model_dir, require

    require(local_model_dir() is not None, "needs PITCHLIVE_MODEL pointing at SPICE v1")
    wav = write_wav(tmp_path / "t.wav", harmonic_tone(220.0, 1.0, 16000), 16000)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    result = subprocess.run([sys.executable, "-m", "pitchlive", "analyze", str(wav),
                             str(tmp_path / "missing.flac")], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 1
    assert "missing.flac: no such file" in result.stderr
    assert "Traceback" not in result.stderr and "I0000" not in result.stderr
    assert (tmp_path / "t.pitch.csv").exists()
    bad_model = subprocess.run([sys.executable, "-m", "pitchlive", "analyze", str(wav),
                                "--model", str(tmp_path)], capture_output=True, text=True,
                               env=env, timeout=120)
    assert bad_model.returncode == 1 and "not a TensorFlow SavedModel" in bad_model.stderr


def test_progress_bar_on_a_terminal_for_long_files(cli, tmp_path, monkeypatch):
    import sys as _sys

    import pitchlive.cli.analyze as analyze

    wav = write_wav(tmp_path / "long.wav", harmonic_tone(220.0, 3.0, 16000), 16000)
    monkeypatch.setattr(_sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(analyze, "PROGRESS_MIN_DURATION_S", 2.0)
    code, _, err = cli("analyze", wav)
    assert code == 0 and "100%" in err and "sample/s" in err  # the tqdm bar
    monkeypatch.setattr(analyze, "PROGRESS_MIN_DURATION_S", 30.0)
    code, _, err = cli("analyze", wav)
    assert "sample/s" not in err


def test_the_level_gate_option_unvoices_quiet_frames(cli, tmp_path):
    wav = write_wav(tmp_path / "soft.wav", 0.05 * harmonic_tone(440.0, 1.0, 16000), 16000)
    cli("analyze", wav, "-o", tmp_path / "default.csv")
    cli("analyze", wav, "--gate", "-20", "-o", tmp_path / "gated.csv")
    default, gated = read_rows(tmp_path / "default.csv"), read_rows(tmp_path / "gated.csv")
    assert all(r["voiced"] == "1" for r in default[5:-5])      # about -35 dBFS: above -60
    assert all(r["voiced"] == "0" and r["note"] == "" for r in gated)


def test_live_writes_the_same_csv_from_the_live_path(cli, tmp_path):
    # C7 is beyond SPICE v1's range: the refined live path reads it; the rows are the frames the
    # window would have shown, one per hop, in the same CSV layout as whole-file analysis.
    from synth import exact_tone

    wav = write_wav(tmp_path / "c7.wav", exact_tone(2093.0045, 1.5, "saw"), 16000)
    code, _, err = cli("analyze", "--live", wav, "-o", tmp_path / "live.csv")
    assert code == 0, err
    code, _, err = cli("analyze", wav, "-o", tmp_path / "whole.csv")
    assert code == 0, err
    live, whole = read_rows(tmp_path / "live.csv"), read_rows(tmp_path / "whole.csv")
    assert list(live[0].keys()) == list(whole[0].keys())
    assert abs(len(live) - len(whole)) <= 1
    middle = live[8:-8]
    assert all(r["voiced"] == "1" and r["note"] == "C7" for r in middle)
    assert all(abs(float(r["cents"])) < 1 for r in middle)


def test_raw_gives_the_models_own_output(cli, tmp_path):
    from synth import exact_tone

    wav = write_wav(tmp_path / "c7.wav", exact_tone(2093.0045, 1.5, "saw"), 16000)
    cli("analyze", "--raw", wav, "-o", tmp_path / "raw.csv")
    cli("analyze", wav, "-o", tmp_path / "refined.csv")
    raw, refined = read_rows(tmp_path / "raw.csv")[8:-8], read_rows(tmp_path / "refined.csv")[8:-8]
    assert all(r["note"] == "C7" for r in refined)
    # SPICE v1 alone cannot read C7 (it tops out near 1.5 kHz).
    assert not any(r["note"] == "C7" for r in raw)
