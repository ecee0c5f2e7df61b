"""`pitchlive transcribe` end to end with the real model: outputs, messages and exit codes."""

import csv
import subprocess
import sys
from pathlib import Path

import mido
import numpy as np
import pytest

from pitchlive.music import midi_to_hz
from synth import harmonic_tone, write_wav

pytestmark = pytest.mark.model

MELODY = ((67, 0.5), (69, 0.5), (71, 1.0), (None, 0.5), (72, 0.5), (74, 1.0), (71, 0.5),
          (67, 1.5))   # (MIDI or None, beats) at 120 BPM


def melody_audio(offset_cents: float = 0.0, sample_rate_hz: int = 16000) -> np.ndarray:
    """MELODY as harmonic tones with vibrato, 0.4 s of silence around it."""
    parts = [np.zeros(int(0.4 * sample_rate_hz), np.float32)]
    for midi, beats in MELODY:
        seconds = beats * 0.5
        if midi is None:
            parts.append(np.zeros(int(seconds * sample_rate_hz), np.float32))
        else:
            hz = float(midi_to_hz(midi + offset_cents / 100.0))
            parts.append(harmonic_tone(hz, seconds - 0.03, sample_rate_hz, vibrato_cents=20))
            parts.append(np.zeros(int(0.03 * sample_rate_hz), np.float32))
    parts.append(np.zeros(int(0.4 * sample_rate_hz), np.float32))
    return np.concatenate(parts)


@pytest.fixture
def take(tmp_path) -> Path:
    """The melody sung 25 cents sharp, as a 44.1 kHz WAV."""
    return write_wav(tmp_path / "take.wav", melody_audio(25.0, 44100), 44100)


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(text.splitlines()))


def test_writes_midi_musicxml_and_csv(cli, take, tmp_path):
    import music21

    outputs = [tmp_path / "t.mid", tmp_path / "t.musicxml", tmp_path / "t.csv"]
    code, out, err = cli("transcribe", take, *[a for p in outputs for a in ("-o", p)])
    assert code == 0, err
    assert out == ""
    expected = [m for m, _ in MELODY if m is not None]
    midi_pitches = [m.note for m in mido.MidiFile(str(outputs[0])).tracks[0]
                    if m.type == "note_on" and m.velocity]
    assert midi_pitches == expected
    score = music21.converter.parse(str(outputs[1]))
    assert [n.pitch.midi for n in score.stripTies().flatten().notes] == expected
    rows = read_csv(outputs[2].read_text())
    assert [int(r["midi"]) for r in rows if r["kind"] == "note"] == expected
    assert [r["note"] for r in rows if r["kind"] == "note"][:3] == ["G4", "A4", "B4"]
    assert all(abs(float(r["cents"])) < 10 for r in rows if r["kind"] == "note")
    # Summary: tempo, offset, number of notes, where it went.
    assert "tempo 120 BPM (estimated)" in err
    assert "tuning offset +2" in err and "(corrected)" in err
    assert f"{len(expected)} notes" in err and str(outputs[0]) in err


def test_without_output_prints_the_note_list(cli, take):
    code, out, err = cli("transcribe", take)
    assert code == 0, err
    rows = read_csv(out)
    assert rows[0]["kind"] == "note" and rows[0]["note"] == "G4"
    code, out_dash, _ = cli("transcribe", take, "-o", "-")
    assert out_dash == out


def test_options_reach_the_transcription(cli, take, tmp_path):
    path = tmp_path / "opts.csv"
    code, _, err = cli("transcribe", take, "-o", path, "--no-offset-correction", "--tempo", "60",
                       "--flats", "--transpose", "Bb", "--a4", "442", "--threshold", "0.8")
    assert code == 0, err
    assert "tempo 60 BPM (given)" in err and "(not corrected)" in err
    rows = [r for r in read_csv(path.read_text()) if r["kind"] == "note"]
    # At 60 BPM the quarter-second eighths become sixteenths; against A442 and uncorrected, the
    # take (25 cents sharp of A440) reads about +17 cents.
    assert rows[0]["duration_beats"] == "0.25"
    assert all(5 < float(r["cents"]) < 30 for r in rows)
    assert rows[0]["note"] == "A4"   # G4 written for a B-flat instrument
    code, _, err = cli("transcribe", take, "-o", tmp_path / "nb.mid", "--method", "notebook")
    assert code == 0 and "notes" in err


def test_silence_gives_no_notes_and_valid_files(cli, tmp_path):
    import music21

    wav = write_wav(tmp_path / "quiet.wav", np.zeros(32000, np.float32), 16000)
    outputs = [tmp_path / "q.mid", tmp_path / "q.musicxml", tmp_path / "q.csv"]
    code, _, err = cli("transcribe", wav, *[a for p in outputs for a in ("-o", p)])
    assert code == 0
    assert "no notes found" in err and "confidence threshold" in err
    assert "0 notes" in err
    assert not [m for m in mido.MidiFile(str(outputs[0])).tracks[0] if m.type == "note_on"]
    score = music21.converter.parse(str(outputs[1]))
    assert not score.flatten().notes and score.flatten().notesAndRests
    assert outputs[2].read_text().count("\n") == 1


def test_very_short_file_is_explained(cli, tmp_path):
    tone = harmonic_tone(440.0, 0.05, 16000)
    wav = write_wav(tmp_path / "blip.wav", tone, 16000)
    code, _, err = cli("transcribe", wav, "-o", tmp_path / "blip.mid")
    assert code == 0
    assert "no notes found" in err and "only 0.05 s long" in err
    assert mido.MidiFile(str(tmp_path / "blip.mid")).length > 0


def test_unwritable_output_is_reported_and_loses_nothing(cli, take, tmp_path):
    good = tmp_path / "good.csv"
    bad = tmp_path / "no such folder" / "t.mid"
    code, out, err = cli("transcribe", take, "-o", bad, "-o", good)
    assert code == 1
    assert f"cannot write {bad}" in err and "Traceback" not in err
    assert good.exists() and not bad.exists()
    # The note list also comes out on standard output.
    assert read_csv(out) == read_csv(good.read_text())


def test_unknown_extension_and_input_as_output_are_refused(cli, take, tmp_path):
    code, _, err = cli("transcribe", take, "-o", tmp_path / "t.pdf")
    assert code == 1 and ".musicxml" in err and "SPICE" not in err   # refused before analysis
    code, _, err = cli("transcribe", take, "-o", take)
    assert code == 1 and "refusing to overwrite" in err
    code, _, err = cli("transcribe", take, "-o", tmp_path)
    assert code == 1 and "is a folder" in err
    code, _, err = cli("transcribe", tmp_path / "missing.wav", "-o", tmp_path / "x.mid")
    assert code == 1 and "no such file" in err
    code, _, err = cli("transcribe", take, "--tempo", "5")
    assert code == 1 and "tempo must be between" in err


def truth_notes(lead_s: float = 0.4) -> tuple[np.ndarray, np.ndarray]:
    """(intervals s, Hz) of MELODY as rendered by melody_audio."""
    intervals, pitches, t = [], [], lead_s
    for midi, beats in MELODY:
        if midi is not None:
            intervals.append((t, t + beats * 0.5 - 0.03))
            pitches.append(float(midi_to_hz(midi)))
        t += beats * 0.5
    return np.array(intervals), np.array(pitches)


def f_measure(notes) -> float:
    """mir_eval note F-measure (onset 50 ms, pitch 50 cents, offsets ignored) against MELODY."""
    import mir_eval

    ref_intervals, ref_pitches = truth_notes()
    est_intervals = np.array([(a, max(b, a + 1e-3)) for _, a, b in notes])
    est_pitches = midi_to_hz(np.array([m for m, _, _ in notes], dtype=float))
    return mir_eval.transcription.precision_recall_f1_overlap(
        ref_intervals, ref_pitches, est_intervals, est_pitches, offset_ratio=None)[2]


def test_midi_from_a_take_scores_in_seconds_like_the_note_list(cli, tmp_path):
    """Issue 14: the MIDI lines up with the take; --quantize gives the grid from beat 1."""
    from test_transcription_exports import seconds_of_notes

    take = write_wav(tmp_path / "late.wav", melody_audio(0.0, 44100), 44100)
    mid, csv_path, grid = tmp_path / "t.mid", tmp_path / "t.csv", tmp_path / "grid.mid"
    code, _, err = cli("transcribe", take, "-o", mid, "-o", csv_path)
    assert code == 0, err
    rows = [r for r in read_csv(csv_path.read_text()) if r["kind"] == "note"]
    listed = [(int(r["midi"]), float(r["onset_s"]), float(r["onset_s"]) + float(r["duration_s"]))
              for r in rows]
    in_midi = seconds_of_notes(mid)
    assert f_measure(listed) >= 0.9
    assert f_measure(in_midi) == pytest.approx(f_measure(listed))
    for (m1, on1, _), (m2, on2, _) in zip(listed, in_midi):
        assert m1 == m2 and on2 == pytest.approx(on1, abs=0.003)   # CSV rounds to 1 ms
    code, _, err = cli("transcribe", take, "-o", grid, "--quantize")
    assert code == 0, err
    # On the grid (120 BPM: sixteenths of 0.125 s) from the first bar, pickup rests included.
    starts = [start for _, start, _ in seconds_of_notes(grid)]
    assert all(abs(s / 0.125 - round(s / 0.125)) < 0.01 for s in starts)
    assert starts[0] != pytest.approx(in_midi[0][1], abs=0.01)


def test_key_and_time_signature_options(cli, take, tmp_path, capsys):
    import music21

    path = tmp_path / "k.musicxml"
    code, _, err = cli("transcribe", take, "-o", path, "--key", "E minor", "--time-signature",
                       "3/4")
    assert code == 0, err
    assert "3/4, E minor" in err
    score = music21.converter.parse(str(path))
    assert score.flatten().getElementsByClass("KeySignature")[0].sharps == 1
    assert score.flatten().getElementsByClass("TimeSignature")[0].ratioString == "3/4"
    code, _, err = cli("transcribe", take, "-o", path)
    assert code == 0 and "G major" in err          # estimated: G A B C D B G
    for bad, words in ((("--key", "Q major"), "cannot read the key"),
                       (("--time-signature", "3/5"), "beat type of 5"),
                       (("--time-signature", "6/8", "--beats-per-bar", "3"), "disagree")):
        try:
            code, _, err = cli("transcribe", take, "-o", path, *bad)
        except SystemExit as exit_:   # argparse refuses the value itself
            code, err = exit_.code, capsys.readouterr().err
        assert code != 0 and words in err and "Traceback" not in err


def test_command_line_entry_point(take, tmp_path):
    """The installed command: help lists the options; a real run in a fresh process."""
    from conftest import local_model_dir, require

    help_text = subprocess.run([sys.executable, "-m", "pitchlive", "transcribe", "--help"],
                               capture_output=True, text=True, check=True).stdout
    for option in ("--tempo", "--no-offset-correction", "--threshold", "--a4", "--method",
                   "--key", "--time-signature", "--quantize"):
        assert option in help_text
    require(local_model_dir() is not None, "needs PITCHLIVE_MODEL for the real run")
    out = tmp_path / "fresh.mid"
    run = subprocess.run([sys.executable, "-m", "pitchlive", "transcribe", str(take), "-o",
                          str(out)], capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr
    assert out.exists() and "notes" in run.stderr
