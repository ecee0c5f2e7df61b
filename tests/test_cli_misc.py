"""`pitchlive --version`, `info` and `devices`."""

import re
import subprocess
import sys

import pytest

from pitchlive import __version__
from pitchlive.audio.devices import InputDevice, format_device_table
from pitchlive.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and __version__ in capsys.readouterr().out


@pytest.mark.model
def test_info_names_model_version_and_calibration(spice_model, capsys):
    code = main(["info", "--model", spice_model.info.source])
    out = capsys.readouterr().out
    assert code == 0
    assert "SPICE v1" in out and "24.374 + 62.511" in out and "detected from" in out


def test_bad_threshold_is_a_message_not_a_traceback(capsys):
    code = main(["analyze", "x.wav", "--threshold", "2"])
    err = capsys.readouterr().err
    assert code == 1 and "confidence threshold must be between 0 and 1" in err


def test_device_table_format():
    table = format_device_table([InputDevice(3, "USB Mic", 2, 48000.0, "ALSA", True)])
    assert "USB Mic" in table and "48000" in table and table.splitlines()[1].startswith("*")
    assert format_device_table([]) == "No audio input devices found."



@pytest.mark.audio
def test_devices_lists_the_software_microphone(private_fake_mic):
    result = subprocess.run([sys.executable, "-m", "pitchlive", "devices"],
                            env=private_fake_mic.child_env(), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "pulse" in line]
    assert rows, result.stdout
    # index, name, channels and default rate of PulseAudio's ALSA device are in its row
    assert re.search(r"^\s*\*?\s*\d+\s+.*pulse.*\s\d+\s+\d+", rows[0]), rows[0]


def test_option_defaults_and_choices_are_the_settings_own():
    from pitchlive.cli import build_parser, settings_from_args
    from pitchlive.music import TRANSPOSITIONS_SEMITONES
    from pitchlive.settings import Settings

    parser = build_parser()
    for command in ("analyze", "transcribe", "listen"):
        args = parser.parse_args([command] + (["x.wav"] if command != "listen" else []))
        settings = settings_from_args(args)
        for field in ("confidence_threshold", "level_gate_dbfs", "a4_hz", "transposition",
                      "prefer_flats"):
            assert getattr(settings, field) == getattr(Settings(), field), (command, field)
    # --transpose takes exactly the Settings' keys, plus a custom count of semitones
    for key in TRANSPOSITIONS_SEMITONES:
        assert parser.parse_args(["analyze", "x.wav", "--transpose", key]).transpose == key
    for bad in ("H", "c", "+25"):
        with pytest.raises(SystemExit):
            parser.parse_args(["analyze", "x.wav", "--transpose", bad])
    args = parser.parse_args(["analyze", "x.wav", "--gate", "-30", "--threshold", "0.5"])
    assert settings_from_args(args).level_gate_dbfs == -30.0
    assert settings_from_args(args).confidence_threshold == 0.5


@pytest.mark.parametrize("argv,status", [(["listen", "--seconds", "1"], 0), ([], 0),
                                         (["analyze", "take.wav"], 130),
                                         (["transcribe", "take.wav"], 130)])
def test_ctrl_c_while_the_command_imports_exits_as_documented(monkeypatch, capsys, argv, status):
    import pitchlive.cli as cli

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert cli.main(argv) == status
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert ("interrupted by SIGINT" in err) == (status == 130)
