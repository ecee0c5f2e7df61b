"""Hostile files (tests/hostile.py): each gets a clear message, and never costs the other inputs.

Reader-level cases run without a model; CLI cases use a fake model (tests/hostile.FakeModel)
where only the containment matters, and the real SPICE model where the pitch does.
"""

from __future__ import annotations

import csv
import io
import math
import os
import subprocess
import sys
import time
import tracemalloc
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import hostile
from pitchlive.audio.files import (MAX_BLOCK_BYTES, AudioFileError, FileProblems, open_info,
                                   read_blocks)
from pitchlive.audio.resample import MAX_RATIO_TERM, StreamingResampler, rational_ratio

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fake_cli(monkeypatch, capsys):
    """Run `pitchlive ...` in-process with a FakeModel; returns (exit, stdout, stderr, model)."""
    import pitchlive.model

    model = hostile.FakeModel()
    monkeypatch.setattr(pitchlive.model, "load_model", lambda settings=None: model)

    def run(*args, using=None):
        from pitchlive.cli import main

        if using is not None:
            monkeypatch.setattr(pitchlive.model, "load_model", lambda settings=None: using)
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def rows_of(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def refusal(path: Path) -> str:
    with pytest.raises(AudioFileError) as caught:
        open_info(path)
    return str(caught.value)


# ---- headers: sanity limits before any allocation -------------------------------------------

def test_a_header_of_2_147_483_647_hz_is_refused_and_the_next_file_still_runs(fake_cli,
                                                                              tmp_path):
    bad, good = hostile.huge_rate_wav(tmp_path), hostile.good_wav(tmp_path)
    assert "2,147,483,647 Hz" in refusal(bad) and "1,000 Hz to 1,000,000 Hz" in refusal(bad)
    code, _, err = fake_cli("analyze", bad, good)
    assert code == 1
    assert "internal error" not in err
    assert (tmp_path / "good.pitch.csv").exists()
    assert not (tmp_path / "huge_rate.pitch.csv").exists()


def test_a_1_hz_header_is_refused_at_once_not_upsampled_for_minutes(tmp_path):
    started = time.monotonic()
    assert "the header says 1 Hz" in refusal(hostile.one_hz_wav(tmp_path))
    assert time.monotonic() - started < 2.0


def test_headerless_raw_pcm_is_named_as_such(fake_cli, tmp_path):
    raw = hostile.raw_pcm(tmp_path)
    assert "raw PCM has no header" in refusal(raw)
    unnamed = tmp_path / "take.bin"                 # the same bytes under a neutral name
    unnamed.write_bytes(raw.read_bytes())
    assert "not an audio file that pitchlive can read" in refusal(unnamed)
    code, _, err = fake_cli("analyze", raw, hostile.good_wav(tmp_path))
    assert code == 1 and "raw PCM has no header" in err and "internal error" not in err
    assert (tmp_path / "good.pitch.csv").exists()


def test_a_prime_rate_builds_a_small_filter_with_a_negligible_pitch_error():
    up, down = rational_ratio(999_983, 16_000)
    assert max(up, down) <= MAX_RATIO_TERM                       # 320,001 taps, not 20 million
    cents = 1200 * math.log2((up / down) / (16_000 / 999_983))
    assert abs(cents) < 0.06
    started = time.monotonic()
    resampler = StreamingResampler(999_983, 16_000)
    out = np.concatenate([resampler.process(hostile.tone(440.0, 0.25, 999_983)),
                          resampler.flush()])
    assert time.monotonic() - started < 20
    spectrum = np.abs(np.fft.rfft(out[1000:-1000] * np.hanning(out.size - 2000)))
    peak_hz = np.argmax(spectrum) * 16_000 / (out.size - 2000)
    assert peak_hz == pytest.approx(440.0, abs=16_000 / (out.size - 2000))


def test_every_rate_from_1_khz_to_1_mhz_resamples_within_0_06_cents():
    worst = 0.0
    for rate in [*range(1000, 1_000_001, 997), 31_999, 5_333, 999_983, 44_100, 47_999]:
        up, down = rational_ratio(rate, 16_000)
        assert max(up, down) <= MAX_RATIO_TERM
        worst = max(worst, abs(1200 * math.log2(Fraction(up, down) / Fraction(16_000, rate))))
    assert worst < 0.06
    for rate, exact in ((44_100, (160, 441)), (48_000, (1, 3)), (11_025, (640, 441)),
                        (384_000, (1, 24)), (8_000, (2, 1))):
        assert rational_ratio(rate, 16_000) == exact       # common rates stay exact


def test_1024_channels_at_384_khz_are_mixed_in_small_blocks(tmp_path):
    path = hostile.many_channels_wav(tmp_path)
    info = open_info(path)
    assert info.channels == 1024
    tracemalloc.start()
    try:
        blocks = list(read_blocks(info, FileProblems()))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sum(b.size for b in blocks) == info.frames
    assert peak < 4 * MAX_BLOCK_BYTES            # 1 s blocks took 1.5 GB; this file's one 78 MB
    assert np.abs(blocks[0]).max() == pytest.approx(0.5, abs=0.01)


# ---- what a path is: messages that say what is wrong ----------------------------------------

def test_a_symlink_loop_is_called_a_loop(tmp_path):
    message = refusal(hostile.symlink_loop(tmp_path))
    assert "symbolic link loop" in message and "no such file" not in message
    dangling = tmp_path / "dangling.wav"
    dangling.symlink_to(tmp_path / "gone.wav")
    assert "which does not exist" in refusal(dangling)


def test_a_fifo_is_refused_as_a_pipe_never_called_empty(tmp_path):
    # Refused from its type (stat), before anything is read, so no writer is needed; one would
    # block the test forever on open().
    message = refusal(hostile.fifo_with_wav(tmp_path))
    assert "pipe" in message and "empty" not in message and "save the stream" in message.lower()


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_dev_zero_and_urandom_are_devices_not_empty_files(device):
    message = refusal(Path(device))
    assert "is a device" in message and "empty" not in message


def test_an_unreadable_file_is_a_permission_problem(tmp_path, monkeypatch):
    good = hostile.good_wav(tmp_path)
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False)
    message = refusal(good)
    assert "permission denied" in message and "not an audio file" not in message


def test_an_unreadable_file_is_a_permission_problem_for_a_normal_user(tmp_path):
    """The real check: a child process without root (as root, it drops to nobody first)."""
    good = hostile.good_wav(tmp_path)
    good.chmod(0o000)
    tmp_path.chmod(0o755)
    drop_root = "os.setgid(65534); os.setuid(65534)\n" if os.geteuid() == 0 else ""
    script = ("import os, sys\n"
              "from pitchlive.audio.files import AudioFileError, open_info\n"
              + drop_root +
              "try:\n    open_info(sys.argv[1])\nexcept AudioFileError as exc:\n"
              "    print(exc)\n")
    result = subprocess.run([sys.executable, "-c", script, str(good)], cwd=ROOT, text=True,
                            capture_output=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "permission denied" in result.stdout, result.stderr
    assert "not an audio file" not in result.stdout


def test_an_mp3_holding_only_an_id3_tag_has_no_audio_frames(tmp_path):
    message = refusal(hostile.id3_only_mp3(tmp_path))
    assert "no audio frames" in message and "pipe" not in message


def test_a_wav_streamed_with_unknown_length_is_read_fully_and_exits_0(fake_cli, tmp_path):
    path = hostile.streamed_wav(tmp_path)
    code, _, err = fake_cli("analyze", path)
    assert code == 0, err
    assert "truncated" not in err
    assert len(rows_of(tmp_path / "streamed.pitch.csv")) == 32000 // 512 + 1     # all 2 s


# ---- numbers: no NaN or inf reaches an output -----------------------------------------------

def _all_finite(rows: list[dict[str, str]]) -> bool:
    return all(math.isfinite(float(row[key])) for row in rows
               for key in ("frequency", "confidence"))


@pytest.mark.model
def test_a_float_wav_near_3e38_gives_finite_rows_and_says_why(cli, tmp_path):
    path = hostile.overflowing_float_wav(tmp_path)
    code, _, err = cli("analyze", path)
    rows = rows_of(tmp_path / "overflow.pitch.csv")
    assert rows and _all_finite(rows)
    assert code == 1 and "far outside the range of audio" in err and "3e+38" in err


def test_a_model_returning_nan_at_full_confidence_gives_unvoiced_frames(fake_cli, tmp_path):
    good = hostile.good_wav(tmp_path, duration_s=2.0)
    broken = hostile.FakeModel(broken=True)
    code, _, err = fake_cli("analyze", good, using=broken)
    rows = rows_of(tmp_path / "good.pitch.csv")
    assert _all_finite(rows) and all(row["voiced"] == "0" for row in rows)
    assert code == 1 and "the model returned NaN/inf for" in err
    outputs = [tmp_path / "t.mid", tmp_path / "t.musicxml", tmp_path / "t.csv"]
    code, _, err = fake_cli("transcribe", good, *[a for o in outputs for a in ("-o", o)],
                            using=broken)
    assert code == 1 and "the model returned NaN/inf for" in err
    for path in outputs[1:]:
        text = path.read_text().lower()
        assert "nan" not in text and "inf" not in text.replace("info", "")


# ---- containment: a bug in one file does not cost the others --------------------------------

def test_an_internal_error_in_one_file_still_analyses_the_others(fake_cli, tmp_path,
                                                                 monkeypatch):
    import pitchlive.analysis.file as file_module

    first, second = hostile.good_wav(tmp_path, "a.wav"), hostile.good_wav(tmp_path, "b.wav")
    real = file_module.analyze_file

    def flaky(path, *args, **kwargs):
        if Path(path).name == "a.wav":
            raise RuntimeError("a bug")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(file_module, "analyze_file", flaky)
    code, _, err = fake_cli("analyze", first, second)
    assert code == 1
    assert "a.wav: unexpected internal error (RuntimeError: a bug)" in err
    assert (tmp_path / "b.pitch.csv").exists() and not (tmp_path / "a.pitch.csv").exists()
