"""`pitchlive score` end to end with the real model: known detunings and late notes are measured
within ±3 cents and ±20 ms per note (issue 13's done-when), and bad input gets clear messages."""

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from scored_takes import HIGH, LEAD_S, LOW, RATE, check, render
from synth import Note, write_midi, write_wav

pytestmark = pytest.mark.model


@pytest.mark.parametrize("melody, program", [(HIGH, 73), (LOW, 53)], ids=["high", "low"])
def test_detuned_and_late_notes_measured_from_midi_target(cli, tmp_path, melody, program):
    audio, notes, truth = render(melody)
    take = write_wav(tmp_path / "take.wav", audio, RATE)
    write_midi(notes, tmp_path / "melody.mid", program)
    report = tmp_path / "report.json"
    code, out, err = cli("score", take, "--target", tmp_path / "melody.mid", "-o", report)
    assert code == 0, err
    data = json.loads(report.read_text())
    assert data["summary"]["offset_ms"] == pytest.approx(LEAD_S * 1000, abs=10)
    assert data["summary"]["offset_searched"] is True
    check(data["notes"], truth)
    # the table and summary are printed too
    assert out.splitlines()[1].split()[:4] == ["#", "time", "target", "lyric"]
    assert "worst notes:" in out and "report written" in err


def test_ultrastar_target_with_given_offset_and_csv(cli, tmp_path):
    audio, notes, truth = render(HIGH, lead_s=0.0)
    take = write_wav(tmp_path / "take.wav", np.concatenate((np.zeros(RATE, np.float32), audio)),
                     RATE)
    # BPM 120 means UltraStar beats of 60 / (120 * 4) = 0.125 s; a quarter note is 4 of them.
    lines = ["#TITLE:Known", "#ARTIST:Test", "#MP3:missing.mp3", "#VIDEO:v.mp4", "#BPM:120,0",
             "#GAP:250"]
    for note in notes:
        lines.append(f": {round(note.start_s / 0.125)} {round(note.duration_s / 0.125 * 10) / 10:g}"
                     .split(".")[0] + f" {note.midi - 60} la")
    target = tmp_path / "song.txt"
    target.write_text("\n".join(lines + ["E"]) + "\n")
    report = tmp_path / "r.csv"
    code, out, err = cli("score", take, "--target", target, "--offset-ms", 750, "-o", report)
    assert code == 0, err
    assert "missing.mp3" in err   # the missing backing is a warning, scoring goes on
    import csv

    rows = [{k: float(v) if k in ("mean_cents", "vibrato_cents", "onset_ms") else v
             for k, v in row.items()} for row in csv.DictReader(report.open())]
    check(rows, truth)


def test_polyphonic_track_is_scored_on_its_top_voice(cli, tmp_path):
    audio, notes, truth = render(HIGH)
    take = write_wav(tmp_path / "take.wav", audio, RATE)
    chords = notes + [Note(n.start_s, n.duration_s, n.midi - 7) for n in notes]
    write_midi(chords, tmp_path / "chords.mid", 0)
    code, out, err = cli("score", take, "--target", tmp_path / "chords.mid")
    assert code == 0, err
    assert "polyphonic" in err and "top voice (10 notes)" in err


def write_silence(path: Path) -> Path:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16000)
        handle.writeframes(b"\0\0" * 16000)
    return path


@pytest.fixture
def melody_mid(tmp_path):
    path = tmp_path / "m.mid"
    write_midi([Note(0.0, 0.5, 60), Note(0.5, 0.5, 62)], path, 0)
    return path


def test_bad_input_messages(cli, tmp_path, melody_mid):
    take = write_silence(tmp_path / "silence.wav")
    cases = [
        (("score", tmp_path / "nope.wav", "--target", melody_mid), "does not exist"),
        (("score", take, "--target", tmp_path / "nope.mid"), "does not exist"),
        (("score", take, "--target", melody_mid, "--track", 5), "has no track 5"),
        (("score", take, "--target", melody_mid, "-o", tmp_path / "r.xlsx"), ".csv or .json"),
        (("score", take, "--target", melody_mid, "--band", 0), "--band must be"),
        (("score", take, "--target", melody_mid, "--part", "Alto"), "use --track N"),
        (("score", take, "--target", melody_mid), "no voiced pitch"),
    ]
    bad_txt = tmp_path / "bad.txt"
    bad_txt.write_text("#BPM:100\n: 0 4 0 la\n: 4 four 2 lo\n")
    cases.append((("score", take, "--target", bad_txt), "bad.txt:3: cannot read this line"))
    empty = tmp_path / "empty.txt"
    empty.write_text("#BPM:100\nE\n")
    cases.append((("score", take, "--target", empty), "no notes"))
    cases.append((("score", take, "--target", empty, "--track", 2), "--part for MusicXML"))
    garbage = tmp_path / "g.wav"
    garbage.write_bytes(b"this is not audio")
    cases.append((("score", garbage, "--target", melody_mid), "g.wav"))
    for args, message in cases:
        code, out, err = cli(*args)
        assert code == 1, (args, err)
        assert message in err, (args, err)
        assert "Traceback" not in err and "internal error" not in err, err
