"""`pitchlive practice` with the real model, fed by a recording in real time."""

import json
from pathlib import Path

import numpy as np
import pytest

from pitchlive.practice.history import DATA_DIR_ENV_VAR, History
from synth import write_midi, write_wav
from scored_takes import HIGH, RATE, check, render

pytestmark = pytest.mark.model


def test_practice_scores_a_take_after_the_count_in(cli, tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV_VAR, str(tmp_path / "data"))
    audio, notes, truth = render(HIGH, lead_s=2.0)    # 4 beats at 120 BPM of count-in
    take = write_wav(tmp_path / "take.wav", audio, RATE)
    write_midi(notes, tmp_path / "melody.mid", 73)
    report = tmp_path / "r.json"
    code, out, err = cli("practice", tmp_path / "melody.mid", "--input", take, "-o", report,
                         "--record", tmp_path / "takes")
    assert code == 0, err
    rows = json.loads(report.read_text())["notes"]
    check(rows, truth)
    assert out.splitlines()[0].startswith("note 1 G4:")      # each note as it ends
    assert "worst notes:" in out and "saved to the practice history" in err
    (session,) = History().sessions()
    assert session.target_title == "melody" and len(History().note_scores(session.id)) == 10
    # the take is saved with its scores, and the history points at the files
    files = {kind: Path(path) for kind, path in session.take_files.items()}
    assert set(files) == {"wav", "pitch_csv", "scores_json"}
    assert all(path.parent == tmp_path / "takes" and path.is_file() for path in files.values())
    assert json.loads(files["scores_json"].read_text()) == json.loads(report.read_text())
    # the saved recording scores the same through `pitchlive score` (count-in: 2 s)
    code, out, err = cli("score", files["wav"], "--target", tmp_path / "melody.mid",
                         "--offset-ms", 2000, "-o", tmp_path / "again.json")
    assert code == 0, err
    check(json.loads((tmp_path / "again.json").read_text())["notes"], truth)


def test_exercise_transposed_to_the_singers_range(cli, tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV_VAR, str(tmp_path / "data"))
    silence = write_wav(tmp_path / "quiet.wav", np.zeros(5 * 16000, np.float32), 16000)
    code, out, err = cli("practice", "arpeggio", "--key", "C", "--tempo", 240, "--low", "C4",
                         "--high", "C5", "--range", "C3-C4", "--count-in", 0, "--input", silence,
                         "--no-history")
    assert code == 0, err
    assert "transpose" in err and "by -12" in err
    table = out[out.index("#  time"):]
    assert "C3" in table and "C4" in table and "7 not sung" in out
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("args, message", [
    (("yodel",), "neither a file nor an exercise"),
    (("scale", "--low", "C4", "--high", "E4"), "needs the notes C4-C5"),
    (("scale", "-o", "r.txt"), ".csv or .json"),
    (("scale", "--count-in", 20), "0-16 beats"),
    (("scale", "--range", "C3"), "two notes"),
    (("scale", "--range", "X-Y"), "not a note name"),
    (("missing.mid",), "does not exist"),
    (("scale", "--record", "/proc/no/such/folder"), "cannot record into"),
])
def test_bad_input(cli, args, message):
    code, out, err = cli("practice", *args)
    assert code == 1 and message in err, err
    assert "Traceback" not in err
