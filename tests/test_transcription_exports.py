"""Exports of a transcription, each read back by an independent reader and compared with it.

MIDI is read with mido, MusicXML with music21, the note list with the csv module.
"""

import csv
import os
from pathlib import Path

import mido
import music21
import numpy as np
import pytest

from pitchlive.settings import Settings
from pitchlive.tracking.transcription import TranscriptionOptions, transcribe
from test_transcription import melody_frames, track_from

# Ties across the bar line, dotted values, sixteenths, rests (one a whole bar), accidentals.
EVENTS = ((60, 1.5), (62, 0.5), (64, 0.75), (65, 0.25), (67, 3), (None, 1),
          (69, 0.5), (70, 0.5), (72, 2), (None, 5), (71, 1), (66, 2.5))


@pytest.fixture(scope="module")
def transcription():
    """A transcription whose score is known: EVENTS at 100 BPM."""
    result = transcribe(track_from(melody_frames(EVENTS, tempo_bpm=100.0, gap_s=0.05)),
                        Settings())
    assert result.tempo_bpm == pytest.approx(100.0, rel=0.02)
    written = [(m, b) for m, b in EVENTS]
    assert [(e.midi, e.duration_beats) for e in result.events] == written
    return result


def empty_transcription():
    """A transcription of silence."""
    result = transcribe(track_from(np.full(50, np.nan)), Settings())
    assert result.notes == ()
    return result


# --- MIDI ----------------------------------------------------------------------------------

def midi_notes(path: Path) -> list[tuple[int, float, float]]:
    """(pitch, start, end) in beats of every note in a MIDI file, read with mido."""
    midi = mido.MidiFile(str(path))
    now, sounding, notes = 0, {}, []
    for message in mido.merge_tracks(midi.tracks):
        now += message.time
        if message.type == "note_on" and message.velocity > 0:
            sounding[message.note] = now
        elif message.type in ("note_off", "note_on"):
            start = sounding.pop(message.note)
            notes.append((message.note, start / midi.ticks_per_beat,
                          now / midi.ticks_per_beat))
    return notes


def test_midi_reads_back_with_mido(tmp_path, transcription):
    from pitchlive.exports.midi import save_midi

    path = tmp_path / "take.mid"
    save_midi(path, transcription, title="take", timing="score")
    expected = [(n.midi, n.start_beats, n.end_beats) for n in transcription.notes]
    assert midi_notes(path) == expected
    midi = mido.MidiFile(str(path))
    metas = {m.type: m for m in midi.tracks[0] if m.is_meta}
    assert mido.tempo2bpm(metas["set_tempo"].tempo) == pytest.approx(transcription.tempo_bpm,
                                                                      rel=1e-4)
    assert (metas["time_signature"].numerator, metas["time_signature"].denominator) == (4, 4)
    assert metas["track_name"].name == "take"
    # The file lasts as long as the score.
    beat_s = 60.0 / transcription.tempo_bpm
    assert midi.length == pytest.approx(transcription.total_beats * beat_s, abs=0.01)


def test_midi_performance_timing_keeps_the_measured_seconds(tmp_path, transcription):
    from pitchlive.exports.midi import save_midi

    path = tmp_path / "performance.mid"
    save_midi(path, transcription, timing="performance")
    beat_s = 60.0 / transcription.tempo_bpm
    notes = midi_notes(path)
    first_s = transcription.notes[0].onset_s
    assert len(notes) == len(transcription.notes)
    for (pitch, start, end), note in zip(notes, transcription.notes):
        assert pitch == note.midi
        assert (start - notes[0][1]) * beat_s == pytest.approx(note.onset_s - first_s, abs=0.002)
        assert (end - start) * beat_s == pytest.approx(note.duration_s, abs=0.002)
    with pytest.raises(ValueError, match="timing"):
        save_midi(path, transcription, timing="swing")


def test_midi_without_notes_is_a_valid_bar_of_silence(tmp_path):
    from pitchlive.exports.midi import save_midi

    path = tmp_path / "silence.mid"
    save_midi(path, empty_transcription())
    midi = mido.MidiFile(str(path))
    assert midi_notes(path) == []
    assert midi.length == pytest.approx(4 * 0.5, abs=1e-6)   # one 4/4 bar at 120 BPM


# --- MusicXML ------------------------------------------------------------------------------

def score_events(path: Path, sounding: bool = True) -> list[tuple[int | None, float, float]]:
    """(MIDI or None, offset, length) in quarter notes of each note/rest, ties merged."""
    score = music21.converter.parse(str(path))
    if sounding:
        score = score.toSoundingPitch()
    flat = score.stripTies().flatten().notesAndRests
    return [(None if n.isRest else n.pitch.midi, float(n.offset), float(n.quarterLength))
            for n in flat]


def merge_rests(events):
    """Join consecutive rests (music21 keeps a rest per bar)."""
    out = []
    for event in events:
        if out and event[0] is None and out[-1][0] is None:
            out[-1] = (None, out[-1][1], out[-1][2] + event[2])
        else:
            out.append(event)
    return out


def test_musicxml_reads_back_with_music21(tmp_path, transcription):
    from pitchlive.exports.musicxml import save_musicxml

    path = tmp_path / "take.musicxml"
    save_musicxml(path, transcription, title="take")
    expected = [(e.midi, e.start_beats, e.duration_beats) for e in transcription.events]
    got = merge_rests(score_events(path))
    # The score is padded with a rest up to the last bar line.
    assert got[:len(expected)] == expected
    assert all(e[0] is None for e in got[len(expected):])
    assert sum(e[2] for e in got) % 4 == 0
    score = music21.converter.parse(str(path))
    assert score.metadata.title == "take"
    marks = list(score.flatten().getElementsByClass("MetronomeMark"))
    assert marks and marks[0].number == round(transcription.tempo_bpm)
    signature = score.flatten().getElementsByClass("TimeSignature")[0]
    assert signature.ratioString == "4/4"


def test_musicxml_is_well_formed_partwise_4(tmp_path, transcription):
    import xml.etree.ElementTree as ET

    from pitchlive.exports.musicxml import musicxml_string

    text = musicxml_string(transcription)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"')
    assert "-//Recordare//DTD MusicXML 4.0 Partwise//EN" in text
    root = ET.fromstring(text.split("\n", 2)[2])
    assert root.tag == "score-partwise" and root.get("version") == "4.0"
    for measure in root.iter("measure"):
        total = sum(int(n.find("duration").text) for n in measure.iter("note"))
        assert total == 16, f"bar {measure.get('number')} holds {total} sixteenths"
        for note in measure.iter("note"):
            if note.find("rest") is None or note.find("rest").get("measure") != "yes":
                assert note.find("type") is not None
    ties = [t.get("type") for t in root.iter("tie")]
    assert ties.count("start") == ties.count("stop") > 0


def test_musicxml_transposing_instrument_sounds_at_concert_pitch(tmp_path):
    from pitchlive.exports.musicxml import save_musicxml

    clarinet = transcribe(track_from(melody_frames(((60, 1), (65, 1), (70, 2)))),
                          Settings(transposition="Bb", prefer_flats=True))
    path = tmp_path / "clarinet.musicxml"
    save_musicxml(path, clarinet)
    written = [e for e in score_events(path, sounding=False) if e[0] is not None]
    sounding = [e for e in score_events(path, sounding=True) if e[0] is not None]
    assert [e[0] for e in written] == [62, 67, 72]
    assert [e[0] for e in sounding] == [60, 65, 70]
    text = path.read_text()
    assert "<chromatic>-2</chromatic>" in text and "<diatonic>-1</diatonic>" in text


def test_musicxml_spells_with_flats_and_uses_bass_clef_for_low_notes(tmp_path):
    from pitchlive.exports.musicxml import musicxml_string

    low = transcribe(track_from(melody_frames(((42, 1), (46, 1), (49, 2)))),
                     Settings(prefer_flats=True))
    text = musicxml_string(low)
    assert "<sign>F</sign>" in text
    assert text.count("<alter>-1</alter>") == 3   # Gb2 Bb2 Db3
    high = transcribe(track_from(melody_frames(((66, 1),))), Settings())
    assert "<sign>G</sign>" in musicxml_string(high) and "<alter>1</alter>" in \
        musicxml_string(high)


def test_musicxml_in_three_four(tmp_path):
    from pitchlive.exports.musicxml import save_musicxml

    waltz = transcribe(track_from(melody_frames(((67, 2), (64, 1), (65, 3), (62, 3)))),
                       Settings(), TranscriptionOptions(beats_per_bar=3))
    path = tmp_path / "waltz.musicxml"
    save_musicxml(path, waltz)
    score = music21.converter.parse(str(path))
    assert score.flatten().getElementsByClass("TimeSignature")[0].ratioString == "3/4"
    measures = score.parts[0].getElementsByClass("Measure")
    assert len(measures) == 3
    assert all(m.duration.quarterLength == 3 for m in measures)
    assert [e[0] for e in score_events(path)] == [67, 64, 65, 62]


def test_musicxml_without_notes_is_one_bar_of_rest(tmp_path):
    from pitchlive.exports.musicxml import save_musicxml

    path = tmp_path / "silence.musicxml"
    save_musicxml(path, empty_transcription())
    assert merge_rests(score_events(path)) == [(None, 0.0, 4.0)]
    assert 'measure="yes"' in path.read_text()


def test_note_values_are_writable_and_add_up():
    from pitchlive.exports.musicxml import VALUES, note_values

    lengths = {v for v, _, _ in VALUES}
    for position in range(16):
        for length in range(1, 17 - position):
            values = note_values(position, length)
            assert sum(values) == length and set(values) <= lengths
    assert note_values(0, 16) == [16]
    assert note_values(0, 6) == [6]          # dotted quarter on the beat
    assert note_values(1, 4) == [3, 1]       # never a quarter off the beat


# --- CSV -----------------------------------------------------------------------------------

def test_exports_get_ordinary_permissions(tmp_path, transcription):
    import stat

    from pitchlive.exports.transcription import save_transcription

    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    for name in ("take.mid", "take.musicxml", "take.csv"):
        save_transcription(tmp_path / name, transcription)
        # as a plain open() makes them, not mkstemp's private 0600
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == \
            stat.S_IMODE(plain.stat().st_mode)


def test_notes_csv_reads_back(tmp_path, transcription):
    from pitchlive.exports.notes_csv import COLUMNS, save_notes_csv

    path = tmp_path / "take.csv"
    save_notes_csv(path, transcription)
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0].keys()) == COLUMNS
    assert len(rows) == len(transcription.events)
    for row, event in zip(rows, transcription.events):
        assert float(row["onset_s"]) == pytest.approx(event.onset_s, abs=5e-4)
        assert float(row["duration_s"]) == pytest.approx(event.duration_s, abs=5e-4)
        assert float(row["start_beats"]) == event.start_beats
        assert float(row["duration_beats"]) == event.duration_beats
        if event.is_rest:
            assert row["kind"] == "rest" and row["midi"] == row["note"] == ""
        else:
            assert row["kind"] == "note" and int(row["midi"]) == event.midi
            assert row["note"] == event.name
            assert float(row["cents"]) == pytest.approx(event.cents, abs=0.05)
            expected_hz = 440.0 * 2 ** ((event.midi - 69) / 12 + event.cents / 1200
                                        + transcription.grid_offset_cents / 1200)
            assert float(row["frequency_hz"]) == pytest.approx(expected_hz, abs=0.01)


def test_notes_csv_without_notes_is_just_the_header(tmp_path):
    from pitchlive.exports.notes_csv import COLUMNS, save_notes_csv

    path = tmp_path / "silence.csv"
    save_notes_csv(path, empty_transcription())
    assert path.read_text() == ",".join(COLUMNS) + "\n"


# --- writing safely --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["take.mid", "take.musicxml", "take.csv"])
def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path, transcription,
                                                             monkeypatch, name):
    from pitchlive.cli.transcribe import save_transcription

    path = tmp_path / name
    path.write_text("previous contents")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        save_transcription(path, transcription)
    assert path.read_text() == "previous contents"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_unwritable_folder_raises_oserror(tmp_path, transcription):
    from pitchlive.cli.transcribe import save_transcription

    with pytest.raises(OSError):
        save_transcription(tmp_path / "missing" / "take.mid", transcription)
    with pytest.raises(ValueError, match="unknown"):
        save_transcription(tmp_path / "take.wav", transcription)


@pytest.mark.parametrize("transposition,steps", [
    ("C", (0, 0, 0)), ("Bb", (-1, -2, 0)), ("Eb", (-5, -9, 0)), ("F", (-4, -7, 0)),
    ("A", (-2, -3, 0)), ("D", (1, 2, 0)), ("G", (-3, -5, 0)), ("8va", (0, 0, 1)),
    ("8vb", (0, 0, -1)), ("+14", (-1, -2, -1)), ("-6", (3, 6, 0)),
])
def test_musicxml_transpose_steps_for_every_transposition(transposition, steps):
    from pitchlive.exports.musicxml import transpose_steps

    assert transpose_steps(Settings(transposition=transposition).transpose_semitones) == steps


@pytest.mark.parametrize("transposition", ["A", "D", "G", "8va", "8vb", "+14"])
def test_musicxml_new_transpositions_sound_at_concert_pitch(tmp_path, transposition):
    from pitchlive.exports.musicxml import save_musicxml

    take = transcribe(track_from(melody_frames(((60, 1), (65, 1), (70, 2)))),
                      Settings(transposition=transposition))
    path = tmp_path / "take.musicxml"
    save_musicxml(path, take)
    shift = Settings(transposition=transposition).transpose_semitones
    written = [e[0] for e in score_events(path, sounding=False) if e[0] is not None]
    sounding = [e[0] for e in score_events(path, sounding=True) if e[0] is not None]
    assert written == [60 + shift, 65 + shift, 70 + shift]
    assert sounding == [60, 65, 70]


# --- Key, metre and alignment ----------------------------------------------------------------

def seconds_of_notes(path: Path) -> list[tuple[int, float, float]]:
    """(pitch, start s, end s) of a MIDI file's notes, through its tempo map (mido)."""
    now, sounding, notes = 0.0, {}, []
    for message in mido.MidiFile(str(path)):
        now += message.time
        if message.type == "note_on" and message.velocity > 0:
            sounding[message.note] = now
        elif message.type in ("note_off", "note_on"):
            notes.append((message.note, sounding.pop(message.note), now))
    return notes


def test_midi_by_default_lines_up_with_the_recording(tmp_path, transcription):
    from pitchlive.exports.midi import TICKS_PER_BEAT, save_midi

    path = tmp_path / "aligned.mid"
    save_midi(path, transcription)
    tick_s = 60.0 / transcription.tempo_bpm / TICKS_PER_BEAT
    assert transcription.notes[0].onset_s > 0.3     # the take starts with silence
    notes = seconds_of_notes(path)
    assert [n[0] for n in notes] == [n.midi for n in transcription.notes]
    for (_, start, end), note in zip(notes, transcription.notes):
        assert start == pytest.approx(note.onset_s, abs=tick_s)
        assert end == pytest.approx(note.end_s, abs=tick_s)
    # Bars: the estimated tempo after one lead-in beat, and a bar line on the first downbeat.
    midi = mido.MidiFile(str(path))
    now, tempos, signatures = 0, [], []
    for message in midi.tracks[0]:
        now += message.time
        if message.type == "set_tempo":
            tempos.append((now, mido.tempo2bpm(message.tempo)))
        if message.type == "time_signature":
            signatures.append((now, message.numerator, message.denominator))
    assert tempos[-1][1] == pytest.approx(transcription.tempo_bpm, rel=1e-4)
    assert tempos[-1][0] == (TICKS_PER_BEAT if len(tempos) == 2 else 0)
    downbeat_s = transcription.score_start_s
    bar_s = 4 * 60.0 / transcription.tempo_bpm
    pickup_end = signatures[-1][0]
    seconds = mido.tick2second(pickup_end - tempos[-1][0], TICKS_PER_BEAT,
                               mido.bpm2tempo(transcription.tempo_bpm)) + \
        (60.0 / tempos[0][1] if len(tempos) == 2 else 0.0)
    assert ((seconds - downbeat_s) / bar_s) == pytest.approx(round((seconds - downbeat_s) / bar_s),
                                                             abs=1e-3)


def test_save_transcription_quantizes_midi_on_request(tmp_path, transcription):
    from pitchlive.exports.transcription import save_transcription

    save_transcription(tmp_path / "grid.mid", transcription, quantize=True)
    save_transcription(tmp_path / "real.mid", transcription)
    assert midi_notes(tmp_path / "grid.mid")[0][1] == 0.0
    assert seconds_of_notes(tmp_path / "real.mid")[0][1] == pytest.approx(
        transcription.notes[0].onset_s, abs=0.002)


def test_key_and_metre_reach_musicxml_and_midi(tmp_path):
    from pitchlive.exports.midi import save_midi
    from pitchlive.exports.musicxml import save_musicxml

    # D major, 3/4: long notes on the downbeats, F# and C# written as sharps by the signature.
    waltz = ((62, 2), (66, 1), (69, 2), (66, 1), (67, 2), (64, 1), (61, 2), (64, 1),
             (62, 2), (66, 1), (71, 2), (69, 1), (67, 2), (61, 1), (62, 3))
    result = transcribe(track_from(melody_frames(waltz)), Settings())
    assert (result.key.name, str(result.time_signature)) == ("D major", "3/4")
    assert result.key_estimated and result.metre_estimated
    path = tmp_path / "waltz.musicxml"
    save_musicxml(path, result)
    score = music21.converter.parse(str(path))
    key = score.flatten().getElementsByClass("KeySignature")[0]
    assert key.sharps == 2 and key.asKey().name == "D major"
    assert score.flatten().getElementsByClass("TimeSignature")[0].ratioString == "3/4"
    assert all(m.duration.quarterLength == 3 for m in score.parts[0].getElementsByClass("Measure"))
    names = [n.pitch.name for n in score.stripTies().flatten().notes]
    assert names[:4] == ["D", "F#", "A", "F#"] and "C#" in names and "D-" not in names
    save_midi(tmp_path / "waltz.mid", result)
    metas = {m.type: m for m in mido.MidiFile(str(tmp_path / "waltz.mid")).tracks[0]
             if m.is_meta}
    assert metas["key_signature"].key == "D"
    assert (metas["time_signature"].numerator, metas["time_signature"].denominator) == (3, 4)


def test_given_key_and_six_eight_are_written(tmp_path):
    from pitchlive.exports.musicxml import save_musicxml

    jig = ((65, 1.5), (70, 0.5), (69, 1), (67, 1.5), (65, 1.5)) * 3
    result = transcribe(track_from(melody_frames(jig)), Settings(),
                        TranscriptionOptions(key="Bb major", time_signature="6/8"))
    assert (result.key.name, str(result.time_signature)) == ("Bb major", "6/8")
    assert not result.key_estimated and not result.metre_estimated
    path = tmp_path / "jig.musicxml"
    save_musicxml(path, result)
    score = music21.converter.parse(str(path))
    assert score.flatten().getElementsByClass("KeySignature")[0].sharps == -2
    assert score.flatten().getElementsByClass("TimeSignature")[0].ratioString == "6/8"
    assert "B-" in [n.pitch.name for n in score.flatten().notes]


def test_bad_key_and_time_signature_options_say_what_to_write():
    from pitchlive.settings import SettingsError

    with pytest.raises(SettingsError, match="F# minor"):
        TranscriptionOptions(key="X major")
    with pytest.raises(SettingsError, match="6/8"):
        TranscriptionOptions(time_signature="3/5")
