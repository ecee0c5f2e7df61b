"""MIDI targets: track choice, tempo map, polyphony, drums, bad files."""

import mido
import pytest

from pitchlive.practice.midi_file import list_tracks, load_midi
from pitchlive.practice.target import TargetError


def write(path, tracks, ticks_per_beat=480, tempo_changes=((0, 120.0),)):
    """tracks: list of (name, channel, [(start_beat, beats, pitch)]); tempo in track 0."""
    midi = mido.MidiFile(ticks_per_beat=ticks_per_beat)
    conductor = mido.MidiTrack()
    now = 0
    for beat, bpm in tempo_changes:
        tick = int(beat * ticks_per_beat)
        conductor.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm),
                                          time=tick - now))
        now = tick
    conductor.append(mido.MetaMessage("key_signature", key="Bb", time=0))
    midi.tracks.append(conductor)
    for name, channel, notes in tracks:
        track = mido.MidiTrack()
        track.append(mido.MetaMessage("track_name", name=name, time=0))
        events = []
        for start, beats, pitch in notes:
            events.append((int(start * ticks_per_beat), 1, pitch))
            events.append((int((start + beats) * ticks_per_beat), 0, pitch))
        events.sort(key=lambda e: (e[0], e[1]))
        now = 0
        for tick, on, pitch in events:
            track.append(mido.Message("note_on" if on else "note_off", note=pitch,
                                      velocity=90 if on else 0, channel=channel,
                                      time=tick - now))
            now = tick
        midi.tracks.append(track)
    midi.save(str(path))
    return path


def test_tempo_map_is_respected(tmp_path):
    # 120 BPM for 2 beats (1 s), then 60 BPM: beat 3 is at 1 s + 1 s.
    path = write(tmp_path / "t.mid", [("Melody", 0, [(0, 1, 60), (2, 1, 62), (3, 0.5, 64)])],
                 tempo_changes=((0, 120.0), (2, 60.0)))
    target = load_midi(path)
    assert [round(n.onset_s, 6) for n in target.notes] == [0.0, 1.0, 2.0]
    assert [round(n.duration_s, 6) for n in target.notes] == [0.5, 1.0, 0.5]
    assert [n.midi for n in target.notes] == [60, 62, 64]
    assert target.tempo_bpm == 120.0 and target.key == "Bb major"
    assert target.warnings == ()


def test_several_tracks_default_to_first_melodic_and_list_them(tmp_path):
    path = write(tmp_path / "t.mid", [("Drums", 9, [(0, 1, 36)]),
                                      ("Voice", 0, [(0, 1, 67)]), ("Bass", 1, [(0, 1, 40)])])
    target = load_midi(path)
    assert [n.midi for n in target.notes] == [67]
    (warning,) = target.warnings
    assert "3 tracks with notes" in warning and "'Voice'" in warning and "'Bass'" in warning
    assert "--track" in warning
    assert [n.midi for n in load_midi(path, track=4).notes] == [40]
    assert [(t.number, t.name, t.n_notes, t.drums_only) for t in list_tracks(path)] == [
        (1, "", 0, False), (2, "Drums", 1, True), (3, "Voice", 1, False), (4, "Bass", 1, False)]


def test_bad_track_lists_the_tracks(tmp_path):
    path = write(tmp_path / "t.mid", [("Voice", 0, [(0, 1, 67)])])
    with pytest.raises(TargetError, match="no track 7.*2 'Voice' \\(1 notes\\)"):
        load_midi(path, track=7)
    with pytest.raises(TargetError, match="track 1 of t.mid has no notes"):
        load_midi(path, track=1)


def test_polyphonic_track_takes_top_voice_and_says_so(tmp_path):
    path = write(tmp_path / "t.mid", [("Piano", 0, [(0, 1, 60), (0, 1, 64), (0, 1, 67),
                                                     (1, 1, 65), (1, 1, 69)])])
    target = load_midi(path)
    assert [n.midi for n in target.notes] == [67, 69]
    assert any("polyphonic" in w and "top voice (2 notes)" in w for w in target.warnings)


def test_no_notes_and_garbage(tmp_path):
    with pytest.raises(TargetError, match="no notes"):
        load_midi(write(tmp_path / "empty.mid", [("Voice", 0, [])]))
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"not midi at all")
    with pytest.raises(TargetError, match="not a readable MIDI file"):
        load_midi(bad)
