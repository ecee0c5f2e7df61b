"""Transcription from pitch tracks (pitchlive.tracking.transcription): notes, rests, the score.

Everything here runs on tracks and audio made by the test itself (no model), so each rule is
checked on a case where the right answer is known exactly.
"""

import numpy as np
import pytest

from pitchlive.frames import HOP_S, PitchTrack
from pitchlive.music import midi_to_hz
from pitchlive.settings import Settings, SettingsError
from pitchlive.tracking import tempo
from pitchlive.tracking.transcription import TranscriptionOptions, transcribe
from synth import harmonic_tone

SR = 16000


def track_from(pitch_midi: np.ndarray, voiced: np.ndarray | None = None) -> PitchTrack:
    """A PitchTrack with one frame per hop: NaN pitch means unvoiced."""
    pitch_midi = np.asarray(pitch_midi, dtype=float)
    if voiced is None:
        voiced = np.isfinite(pitch_midi)
    frequency = np.where(voiced, midi_to_hz(np.nan_to_num(pitch_midi, nan=60.0)), 200.0)
    confidence = np.where(voiced, 0.95, 0.2)
    return PitchTrack(np.arange(pitch_midi.size) * HOP_S, frequency, confidence)


def melody_frames(events, tempo_bpm=120.0, lead_in_s=0.5, gap_s=0.064, offset_cents=0.0,
                  vibrato_cents=0.0, tail_s=0.5) -> np.ndarray:
    """Frame pitches (MIDI, NaN = unvoiced) of (midi or None, beats) events."""
    beat_s = 60.0 / tempo_bpm
    total = lead_in_s + sum(b for _, b in events) * beat_s + tail_s
    times = np.arange(int(total / HOP_S)) * HOP_S
    pitch = np.full(times.size, np.nan)
    t = lead_in_s
    for midi, beats in events:
        end = t + beats * beat_s
        if midi is not None:
            inside = (times >= t) & (times < end - gap_s)
            pitch[inside] = midi + offset_cents / 100.0 + vibrato_cents / 100.0 * np.sin(
                2 * np.pi * 5.5 * (times[inside] - t))
        t = end
    return pitch


FOLK = ((67, 0.5), (69, 0.5), (71, 1), (None, 1), (72, 0.5), (74, 0.5), (76, 1.5), (74, 0.5),
        (72, 2), (None, 2), (67, 1), (69, 1), (71, 2))


def test_steady_notes_and_rests_come_out_with_their_rhythm():
    transcription = transcribe(track_from(melody_frames(FOLK)), Settings())
    notes = [(n.midi, n.start_beats, n.duration_beats) for n in transcription.notes]
    assert [n[0] for n in notes] == [m for m, _ in FOLK if m is not None]
    assert transcription.tempo_bpm == pytest.approx(120.0, rel=0.03)
    assert transcription.tempo_estimated
    written = [b for m, b in FOLK if m is not None]
    starts = np.cumsum([0] + [b for _, b in FOLK])[:-1]
    written_starts = [s for (m, _), s in zip(FOLK, starts) if m is not None]
    assert [n[1] for n in notes] == pytest.approx(written_starts)
    assert [n[2] for n in notes] == pytest.approx(written)
    rests = [e for e in transcription.events if e.is_rest]
    assert [(r.start_beats, r.duration_beats) for r in rests] == [(2.0, 1.0), (8.0, 2.0)]
    assert transcription.notes[0].name == "G4" and transcription.notes[0].cents == pytest.approx(
        0.0, abs=0.5)


def test_measured_times_follow_the_frames():
    transcription = transcribe(track_from(melody_frames(FOLK)), Settings())
    first = transcription.notes[0]
    # The first voiced frame is centred at or after 0.5 s; the note starts half a hop before.
    assert first.onset_s == pytest.approx(0.5, abs=HOP_S)
    assert first.duration_s == pytest.approx(0.25 - 0.064, abs=HOP_S)


def test_vibrato_stays_inside_one_note():
    events = ((64, 2), (67, 2), (64, 2))
    transcription = transcribe(track_from(melody_frames(events, gap_s=0, vibrato_cents=70)),
                               Settings())
    assert [n.midi for n in transcription.notes] == [64, 67, 64]
    assert all(abs(n.cents) < 10 for n in transcription.notes)


def test_a_glide_between_notes_splits_once_at_its_middle():
    n_frames = 60
    pitch = np.full(n_frames, 60.0)
    pitch[30:] = 65.0
    pitch[26:34] = np.linspace(60, 65, 8)   # a 0.25 s portamento up a fourth
    transcription = transcribe(track_from(pitch), Settings(), TranscriptionOptions(tempo_bpm=120))
    assert [n.midi for n in transcription.notes] == [60, 65]
    boundary = transcription.notes[1].onset_s
    assert boundary == pytest.approx(30 * HOP_S, abs=2 * HOP_S)


def test_scoops_and_single_frame_octave_slips_are_absorbed():
    pitch = np.full(40, 62.0)
    pitch[:3] = [60.6, 61.2, 61.7]    # a scoop up into the note
    pitch[20] = 74.0                  # one frame an octave up
    transcription = transcribe(track_from(pitch), Settings())
    assert [n.midi for n in transcription.notes] == [62]


def test_a_long_scoop_into_a_note_and_a_fall_out_of_it_stay_inside_it():
    pitch = np.full(50, np.nan)
    pitch[5:11] = np.linspace(57.0, 62.0, 6)     # 190 ms slide up a fourth after a rest
    pitch[11:40] = 62.0
    pitch[40:46] = np.linspace(62.0, 58.5, 6)    # and a fall at the end
    transcription = transcribe(track_from(pitch), Settings())
    assert [n.midi for n in transcription.notes] == [62]
    note = transcription.notes[0]
    assert note.onset_s == pytest.approx(5 * HOP_S - HOP_S / 2)
    assert note.end_s == pytest.approx(45 * HOP_S + HOP_S / 2)


def test_blips_shorter_than_a_note_vanish():
    pitch = np.full(80, np.nan)
    pitch[10:12] = 70.0               # 64 ms of something
    pitch[30:60] = 65.0
    transcription = transcribe(track_from(pitch), Settings())
    assert [n.midi for n in transcription.notes] == [65]


@pytest.mark.parametrize("offset_cents", [-45, -30, 35])
def test_offset_correction_on_and_off(offset_cents):
    events = ((60, 1), (62, 1), (64, 1), (65, 1), (67, 2), (None, 1), (65, 1), (64, 1), (62, 2))
    pitch = melody_frames(events, offset_cents=offset_cents, vibrato_cents=15)
    track = track_from(pitch)
    corrected = transcribe(track, Settings())
    assert corrected.offset_corrected
    assert corrected.offset.offset_cents == pytest.approx(offset_cents, abs=2)
    assert [n.midi for n in corrected.notes] == [m for m, _ in events if m is not None]
    assert all(abs(n.cents) < 5 for n in corrected.notes)
    assert corrected.grid_offset_cents == corrected.offset.offset_cents
    assert corrected.note_hz(60) == pytest.approx(midi_to_hz(60 + offset_cents / 100), rel=1e-3)
    plain = transcribe(track, Settings(), TranscriptionOptions(correct_offset=False))
    assert not plain.offset_corrected and plain.grid_offset_cents == 0.0
    assert plain.offset.offset_cents == pytest.approx(offset_cents, abs=2)
    assert [n.midi for n in plain.notes] == [m for m, _ in events if m is not None]
    # The same frames measured against the plain grid: every deviation moves by the offset.
    for p, c in zip(plain.notes, corrected.notes):
        assert p.cents == pytest.approx(c.cents + corrected.offset.offset_cents, abs=0.5)


def test_naming_follows_settings():
    pitch = melody_frames(((61, 1), (70, 1), (66, 1)))
    flats = transcribe(track_from(pitch), Settings(prefer_flats=True))
    assert [n.name for n in flats.notes] == ["Db4", "Bb4", "Gb4"]
    clarinet = transcribe(track_from(pitch), Settings(transposition="Bb"))
    assert [n.name for n in clarinet.notes] == ["D#4", "C5", "G#4"]
    assert [n.midi for n in clarinet.notes] == [61, 70, 66]   # MIDI stays concert pitch
    a415 = transcribe(track_from(pitch), Settings(a4_hz=415.0),
                      TranscriptionOptions(correct_offset=False))
    assert [n.midi for n in a415.notes] == [62, 71, 67]


def test_no_voiced_frames_give_no_notes():
    silent = track_from(np.full(100, np.nan))
    transcription = transcribe(silent, Settings())
    assert transcription.notes == () and transcription.events == ()
    assert not transcription.offset.valid
    assert transcription.tempo_bpm == tempo.DEFAULT_TEMPO_BPM and not transcription.tempo_estimated
    assert "0 notes" in transcription.summary() and "unknown" in transcription.summary()
    empty = transcribe(PitchTrack.empty(), Settings())
    assert empty.notes == () and empty.duration_s == 0.0


def test_threshold_decides_what_is_voiced():
    pitch = melody_frames(((60, 1), (64, 1)))
    track = track_from(pitch)
    confidence = np.where(np.isfinite(pitch), 0.85, 0.2)
    track = PitchTrack(track.times_s, track.frequency_hz, confidence)
    assert transcribe(track, Settings()).notes == ()
    assert len(transcribe(track, Settings(confidence_threshold=0.8)).notes) == 2


def test_tempo_override_and_meter():
    transcription = transcribe(track_from(melody_frames(FOLK)), Settings(),
                               TranscriptionOptions(tempo_bpm=60.0, beats_per_bar=3))
    assert transcription.tempo_bpm == 60.0 and not transcription.tempo_estimated
    assert transcription.beats_per_bar == 3
    # At half the tempo every written value halves.
    assert [n.duration_beats for n in transcription.notes][:3] == [0.25, 0.25, 0.5]


def test_options_are_validated():
    with pytest.raises(SettingsError, match="method"):
        TranscriptionOptions(method="magic")
    with pytest.raises(SettingsError, match="tempo"):
        TranscriptionOptions(tempo_bpm=5.0)
    with pytest.raises(SettingsError, match="beats per bar"):
        TranscriptionOptions(beats_per_bar=0)
    assert TranscriptionOptions().replace(tempo_bpm=90.0).tempo_bpm == 90.0


def test_single_note_gets_the_default_tempo():
    transcription = transcribe(track_from(melody_frames(((69, 2),))), Settings())
    assert len(transcription.notes) == 1 and not transcription.tempo_estimated
    assert transcription.notes[0].start_beats == 0


# --- audio-based refinements ---------------------------------------------------------------

def tones(parts, sample_rate_hz=SR) -> np.ndarray:
    """Concatenated harmonic tones / silences: (midi or None, seconds)."""
    out = []
    for midi, seconds in parts:
        if midi is None:
            out.append(np.zeros(int(seconds * sample_rate_hz), np.float32))
        else:
            out.append(harmonic_tone(float(midi_to_hz(midi)), seconds, sample_rate_hz))
    return np.concatenate(out)


def test_repeated_notes_split_on_the_level_rise():
    audio = tones([(None, 0.3), (64, 0.46), (None, 0.04), (64, 0.46), (None, 0.04), (64, 0.5),
                   (None, 0.3)])
    # The pitch track sees one long note (the gaps are shorter than a frame's reach).
    pitch = np.full(int(audio.size / 512) + 1, np.nan)
    times = np.arange(pitch.size) * HOP_S
    pitch[(times > 0.31) & (times < 1.78)] = 64.0
    track = track_from(pitch)
    without = transcribe(track, Settings())
    assert len(without.notes) == 1
    with_audio = transcribe(track, Settings(), audio_16k=audio)
    assert [n.midi for n in with_audio.notes] == [64, 64, 64]
    assert [n.onset_s for n in with_audio.notes[1:]] == pytest.approx([0.8, 1.3], abs=0.02)
    no_audio_use = transcribe(track, Settings(), TranscriptionOptions(use_audio=False),
                              audio_16k=audio)
    assert len(no_audio_use.notes) == 1


def test_onsets_move_to_where_the_new_note_sounds():
    # Legato A3 -> E4 -> C4; the pitch track changes 96 ms late, as SPICE does on slow attacks.
    audio = tones([(None, 0.3), (57, 0.5), (64, 0.5), (60, 0.6), (None, 0.3)])
    times = np.arange(audio.size // 512 + 1) * HOP_S
    pitch = np.full(times.size, np.nan)
    lag = 0.096
    pitch[(times >= 0.3 + 0.032) & (times < 0.8 + lag)] = 57.0
    pitch[(times >= 0.8 + lag) & (times < 1.3 + lag)] = 64.0
    pitch[(times >= 1.3 + lag) & (times < 1.9)] = 60.0
    track = track_from(pitch)
    late = transcribe(track, Settings())
    assert [n.onset_s for n in late.notes[1:]] == pytest.approx([0.8 + lag, 1.3 + lag],
                                                                abs=HOP_S)
    refined = transcribe(track, Settings(), audio_16k=audio)
    assert [n.midi for n in refined.notes] == [57, 64, 60]
    assert [n.onset_s for n in refined.notes] == pytest.approx([0.3, 0.8, 1.3], abs=0.025)
    # The previous note now ends where the next begins.
    assert refined.notes[0].end_s == pytest.approx(refined.notes[1].onset_s)
