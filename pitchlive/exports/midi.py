"""A transcription as a standard MIDI file (type 1, one track), written with mido."""

from __future__ import annotations

import io
from pathlib import Path

import mido

from pitchlive import __version__
from pitchlive.exports.atomic import write_bytes_atomically
from pitchlive.tracking.notes import Transcription

TICKS_PER_BEAT = 480
VELOCITY = 80
DEFAULT_PROGRAM = 0   # General MIDI acoustic grand piano


def _events(transcription: Transcription, timing: str) -> list[tuple[int, int, int]]:
    """(tick, 0 = off / 1 = on, MIDI note) for every note, sorted so offs come before ons."""
    out = []
    beat_s = 60.0 / transcription.tempo_bpm
    # Performance timing counts from the first beat, or from the first note if that is early.
    origin_s = min([transcription.score_start_s] + [n.onset_s for n in transcription.notes[:1]])
    for note in transcription.notes:
        if timing == "score":
            start_beats, end_beats = note.start_beats, note.end_beats
        else:
            start_beats = (note.onset_s - origin_s) / beat_s
            end_beats = (note.end_s - origin_s) / beat_s
        start = max(0, round(start_beats * TICKS_PER_BEAT))
        end = max(start + 1, round(end_beats * TICKS_PER_BEAT))
        out.append((start, 1, note.midi))
        out.append((end, 0, note.midi))
    out.sort(key=lambda e: (e[0], e[1]))
    return out


def build_midi(transcription: Transcription, title: str = "pitchlive transcription",
               program: int = DEFAULT_PROGRAM, timing: str = "score") -> mido.MidiFile:
    """The MIDI file of a transcription; timing is "score" (quantised) or "performance"
    (the measured onsets and durations, at the transcription's tempo).

    Notes sound at concert pitch. A transcription without notes gives a valid file holding one
    bar of silence (tempo, time signature and end of track only).
    """
    if timing not in ("score", "performance"):
        raise ValueError(f"timing must be 'score' or 'performance', got {timing!r}")
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    track.append(mido.MetaMessage("track_name", name=title, time=0))
    track.append(mido.MetaMessage("text", text=f"pitchlive {__version__}; "
                                  f"{transcription.summary()}", time=0))
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(transcription.tempo_bpm),
                                  time=0))
    track.append(mido.MetaMessage("time_signature", numerator=transcription.beats_per_bar,
                                  denominator=4, time=0))
    track.append(mido.Message("program_change", program=program, channel=0, time=0))
    now = 0
    for tick, on, note in _events(transcription, timing):
        kind = "note_on" if on else "note_off"
        track.append(mido.Message(kind, note=note, velocity=VELOCITY if on else 0, channel=0,
                                  time=tick - now))
        now = tick
    end = max(now, round(transcription.total_beats * TICKS_PER_BEAT))
    if not transcription.notes:
        end = transcription.beats_per_bar * TICKS_PER_BEAT   # one bar of silence
    track.append(mido.MetaMessage("end_of_track", time=end - now))
    return midi


def midi_bytes(transcription: Transcription, **kwargs) -> bytes:
    """The standard MIDI file as bytes (see build_midi for the options)."""
    buffer = io.BytesIO()
    build_midi(transcription, **kwargs).save(file=buffer)
    return buffer.getvalue()


def save_midi(path: Path, transcription: Transcription, **kwargs) -> None:
    """Save a transcription as a .mid file, atomically (see build_midi for the options)."""
    write_bytes_atomically(Path(path), midi_bytes(transcription, **kwargs))
