"""`pitchlive tune`: the terminal tuner through --input tones of known detune, its display,
its reference tone and its errors."""

import os
from pathlib import Path

import numpy as np
import pytest

from conftest import local_model_dir, require
from pitchlive.cli import main
from pitchlive.cli.tune import strobe_bar, tune_line
from pitchlive.music import midi_to_hz
from pitchlive.tuner.instruments import preset
from pitchlive.tuner.meter import TunerConfig, step_tuner
from synth import harmonic_tone, write_wav
from terminal import run_on_terminal
from test_tuner_scala import WERCK3


def tone_file(folder: Path, name: str, frequency_hz: float, seconds: float = 1.6) -> Path:
    audio = np.concatenate([np.zeros(8820, np.float32),
                            harmonic_tone(frequency_hz, seconds, 44100)])
    return write_wav(folder / name, audio, 44100)


def steady_lines(out: str) -> list[str]:
    """Display lines with a pitch, without the first and last 5 (onset and release)."""
    lines = [line for line in out.splitlines() if " Hz" in line]
    return lines[5:-5]


def cents_of(line: str) -> float:
    return float(line.split(" c ")[0].split()[-1])


# ---- display ---------------------------------------------------------------------------------

def test_strobe_bar_drifts_with_the_phase():
    assert strobe_bar(None) == "[" + " " * 24 + "]"
    assert strobe_bar(0.0) == "[###   ###   ###   ###   ]"
    assert strobe_bar(1 / 6) == "[ ###   ###   ###   ###  ]"      # sharp: stripes move right
    assert strobe_bar(5 / 6) == "[##   ###   ###   ###   #]"      # flat: they move left
    assert strobe_bar(1.0) == strobe_bar(0.0)


def test_tune_line_shows_string_cents_direction_and_lock():
    guitar = preset("guitar")
    config = TunerConfig(strings_midi=guitar.strings_midi)
    reading = None
    for k in range(40):
        reading = step_tuner(reading, config, k * 0.032, midi_to_hz(45) * 2 ** (0.3 / 1200))
    line = tune_line(reading, guitar)
    assert line.startswith("A2   string 2/6    +0.3 c in tune ")
    assert line.endswith("110.02 Hz LOCKED")
    sharp = step_tuner(None, config, 0.0, midi_to_hz(40) * 2 ** (12.34 / 1200))
    sharp_line = tune_line(sharp, guitar)
    assert sharp_line.startswith("E2   string 1/6   +12.3 c tune down [") and "LOCKED" not in \
        sharp_line
    silent = tune_line(step_tuner(sharp, config, 0.1, None), guitar)
    assert silent.startswith("--") and "Hz" not in silent
    assert len(silent) == len(line) == len(sharp_line)           # redraws overwrite everything
    chromatic = tune_line(step_tuner(None, TunerConfig(), 0.0, 261.0))
    assert chromatic.startswith("C4      -4.1 c tune up ") and "string" not in chromatic
    assert len(tune_line(None)) == len(chromatic)


# ---- errors: one message, no traceback, before the model loads ------------------------------

@pytest.mark.parametrize("args,code,message", [
    (["--instrument", "banjo"], 2, "invalid choice: 'banjo'"),
    (["--tonic", "H"], 2, "not a pitch class: 'H'"),
    (["--transpose", "Z"], 2, "transposition must be one of"),
    (["--temperament", "foo"], 1, "unknown temperament 'foo'; choose one of equal"),
    (["--temperament", "missing.scl"], 1, "cannot read the scale file missing.scl"),
    (["--instrument", "custom"], 1, "--instrument custom needs its strings"),
    (["--instrument", "custom", "--strings", "E2 X9"], 1, "string 2: 'X9' is not a note name"),
    (["--strings", "E2 A2"], 1, "--strings sets the strings of --instrument custom"),
    (["--a4", "300"], 1, "A4 reference must be between 400 and 480 Hz"),
    (["--seconds", "0"], 1, "--seconds must be positive"),
    (["--reference", "7", "--instrument", "violin"], 1, "choose a string from 1 to 4 (Violin)"),
    (["--reference", "2"], 1, "names a string: choose an --instrument"),
    (["--reference", "Q4"], 1, "not a note name: 'Q4'"),
])
def test_bad_options_are_one_clear_message(args, code, message, capsys, monkeypatch):
    import pitchlive.model

    def no_model(settings=None):
        raise AssertionError("the model must not load for a bad option")

    monkeypatch.setattr(pitchlive.model, "load_model", no_model)
    if code == 2:
        with pytest.raises(SystemExit) as stop:
            main(["tune", *args])
        assert stop.value.code == 2
    else:
        assert main(["tune", *args]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_broken_scale_file_names_its_line(tmp_path, capsys):
    bad = tmp_path / "bad.scl"
    bad.write_text("broken\n3\n100.0\n-5/4\n2/1\n")
    assert main(["tune", "--temperament", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.scl, line 4: the ratio -5/4 is not positive" in err and "Traceback" not in err


# ---- the real model through --input ----------------------------------------------------------

@pytest.mark.model
def test_guitar_string_sharp_reads_tune_down(cli, tmp_path):
    wav = tone_file(tmp_path, "a2_sharp.wav", 110.0 * 2 ** (25 / 1200))
    code, out, err = cli("tune", "--instrument", "guitar", "--input", wav)
    assert code == 0, err
    assert "tuning to Guitar, standard, equal, A4 = 440 Hz." in err
    lines = steady_lines(out)
    assert len(lines) > 20
    assert all(line.startswith("A2   string 2/6 ") and "tune down" in line for line in lines)
    assert np.median([cents_of(line) for line in lines]) == pytest.approx(25, abs=6)


@pytest.mark.model
def test_custom_strings_flat_reads_tune_up(cli, tmp_path):
    wav = tone_file(tmp_path, "d3_flat.wav", midi_to_hz(50) * 2 ** (-30 / 1200))
    code, out, err = cli("tune", "--instrument", "custom", "--strings", "D2 A2 D3",
                         "--input", wav, "--seconds", "1.5")
    assert code == 0, err
    lines = steady_lines(out)
    assert lines and all(line.startswith("D3   string 3/3 ") and "tune up" in line
                         for line in lines)
    assert np.median([cents_of(line) for line in lines]) == pytest.approx(-30, abs=6)


@pytest.mark.model
def test_a_scala_temperament_moves_the_targets(cli, tmp_path):
    scl = tmp_path / "werck3.scl"
    scl.write_text(WERCK3)
    # C4 in Werckmeister III with A4 = 440 Hz: 888.27 cents below A4 = 263.40 Hz, 11.73 c sharp
    # of equal temperament.
    wav = tone_file(tmp_path, "c4_werck.wav", 440.0 * 2 ** (-888.27 / 1200))
    code, out, err = cli("tune", "--temperament", scl, "--input", wav)
    assert code == 0, err
    werck = [cents_of(line) for line in steady_lines(out)]
    code, out, err = cli("tune", "--input", wav)
    equal = [cents_of(line) for line in steady_lines(out)]
    assert all(line.startswith("C4 ") for line in steady_lines(out))
    assert np.median(equal) - np.median(werck) == pytest.approx(11.73, abs=1.0)
    assert abs(np.median(werck)) < 6


@pytest.mark.model
def test_on_a_terminal_one_line_is_redrawn_in_place(tmp_path):
    require(local_model_dir() is not None, "needs PITCHLIVE_MODEL (SPICE v1)")
    wav = tone_file(tmp_path, "e4.wav", midi_to_hz(64), seconds=1.0)
    env = {**os.environ, "PITCHLIVE_MODEL": str(local_model_dir())}
    code, text = run_on_terminal(["tune", "--instrument", "guitar", "--input", str(wav)], env)
    assert code == 0
    redraws = text.split("\r")
    assert len(redraws) > 15 and text.count("\n") == 1 and text.endswith("\n")
    assert any(r.startswith("E4   string 6/6 ") for r in redraws)


# ---- the reference tone on the output device -------------------------------------------------

@pytest.mark.audio
def test_reference_tone_of_a_string_in_a_temperament_is_played(fake_mic):
    from test_playback import RECORD_RATE, loud_part, record_while

    # Violin string 1 (G3) in just intonation on G with A4 = 440 Hz: A4 is 9/8 above G, so
    # G3 = 440 / (9/8) / 2 = 195.56 Hz (equal temperament: 196.00 Hz).
    codes = []
    recorded = record_while(lambda: codes.append(main(
        ["tune", "--reference", "1", "--instrument", "violin", "--temperament", "just",
         "--tonic", "G", "--seconds", "1.2", "--timbre", "rich"])), 0.4)
    assert codes == [0]
    heard = loud_part(recorded)
    assert heard.size / RECORD_RATE == pytest.approx(1.1, abs=0.2)
    spectrum = np.abs(np.fft.rfft(heard * np.hanning(heard.size), 32 * heard.size))
    peak_hz = np.argmax(spectrum) * RECORD_RATE / (32 * heard.size)
    assert peak_hz == pytest.approx(195.56, abs=0.15)


@pytest.mark.parametrize("key", ["A", "D", "G", "8va", "8vb", "+3", "-14"])
def test_every_command_takes_the_new_transpositions(key):
    from pitchlive.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["analyze", "x.wav", "--transpose", key]).transpose == key
    assert parser.parse_args(["tune", "--transpose", key]).transpose == key
