"""A transcription as a standard MIDI file (type 1, one track), written with mido."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import mido

from pitchlive import __version__
from pitchlive.exports.atomic import write_bytes_atomically
from pitchlive.tracking.notes import Transcription

TICKS_PER_BEAT = 480
VELOCITY = 80
DEFAULT_PROGRAM = 0   # General MIDI acoustic grand piano


@dataclass(frozen=True)
class TempoMap:
    """Seconds of the recording <-> ticks: an optional lead-in beat, then the estimated tempo.

    Tick 0 is the start of the recording. The lead-in beat (half to one and a half beats long)
    ends on a beat of the score's grid, so every later beat falls where the music puts it.
    """

    beat_s: float
    lead_s: float               # length of the lead-in beat; 0 when the grid starts at 0 s
    lead_ticks: int             # TICKS_PER_BEAT with a lead-in, else 0
    first_beat_index: int       # score beat (from the first downbeat) at the lead-in's end

    @classmethod
    def of(cls, transcription: Transcription) -> TempoMap:
        """The map of a transcription: its tempo and the phase of its beat grid."""
        beat_s = 60.0 / transcription.tempo_bpm
        start_s = transcription.score_start_s
        index = math.ceil(-start_s / beat_s - 1e-9)    # first grid beat at or after 0 s
        first_s = start_s + index * beat_s
        if first_s <= 1e-6:
            return cls(beat_s, 0.0, 0, index)
        if first_s < beat_s / 2:
            first_s, index = first_s + beat_s, index + 1
        return cls(beat_s, first_s, TICKS_PER_BEAT, index)

    def ticks(self, time_s: float) -> int:
        """The tick of a time in seconds from the start of the recording."""
        if time_s < self.lead_s:
            return round(time_s / self.lead_s * self.lead_ticks)
        return self.lead_ticks + round((time_s - self.lead_s) / self.beat_s * TICKS_PER_BEAT)


def _events(transcription: Transcription, timing: str) -> list[tuple[int, int, int]]:
    """(tick, 0 = off / 1 = on, MIDI note) for every note, sorted so offs come before ons."""
    out = []
    tempo_map = TempoMap.of(transcription)
    for note in transcription.notes:
        if timing == "score":
            start = round(note.start_beats * TICKS_PER_BEAT)
            end = round(note.end_beats * TICKS_PER_BEAT)
        else:
            start, end = tempo_map.ticks(note.onset_s), tempo_map.ticks(note.end_s)
        start = max(0, start)
        end = max(start + 1, end)
        out.append((start, 1, note.midi))
        out.append((end, 0, note.midi))
    out.sort(key=lambda e: (e[0], e[1]))
    return out


def _signature_meta(numerator_ticks: int, beat_type: int, time: int) -> mido.MetaMessage:
    """A time signature spanning numerator_ticks per bar, in beat_type units (or finer)."""
    for denominator in (beat_type, 4, 8, 16):
        unit = TICKS_PER_BEAT * 4 // denominator
        if numerator_ticks % unit == 0:
            return mido.MetaMessage("time_signature", numerator=numerator_ticks // unit,
                                    denominator=denominator, time=time)
    raise ValueError(f"no time signature spans {numerator_ticks} ticks")


def _metre_messages(transcription: Transcription, timing: str) -> list[tuple[int, object]]:
    """(tick, message) for tempo and time signature: in performance timing a short lead-in
    beat and a pickup bar, so that bar lines fall on the downbeats the transcription found."""
    signature = transcription.time_signature
    bar_ticks = signature.bar_sixteenths * TICKS_PER_BEAT // 4
    tempo = mido.bpm2tempo(transcription.tempo_bpm)
    if timing == "score":
        return [(0, mido.MetaMessage("set_tempo", tempo=tempo)),
                (0, _signature_meta(bar_ticks, signature.beat_type, 0))]
    tempo_map = TempoMap.of(transcription)
    out: list[tuple[int, object]] = []
    if tempo_map.lead_ticks:
        out.append((0, mido.MetaMessage("set_tempo", tempo=round(tempo_map.lead_s * 1e6))))
    out.append((tempo_map.lead_ticks, mido.MetaMessage("set_tempo", tempo=tempo)))
    position = (tempo_map.first_beat_index * TICKS_PER_BEAT) % bar_ticks
    pickup = tempo_map.lead_ticks + (bar_ticks - position) % bar_ticks
    pickup = pickup - bar_ticks if pickup > bar_ticks else pickup
    if 0 < pickup < bar_ticks:
        out.append((0, _signature_meta(pickup, signature.beat_type, 0)))
        out.append((pickup, _signature_meta(bar_ticks, signature.beat_type, 0)))
    else:
        out.append((0, _signature_meta(bar_ticks, signature.beat_type, 0)))
    return sorted(out, key=lambda item: item[0])


def build_midi(transcription: Transcription, title: str = "pitchlive transcription",
               program: int = DEFAULT_PROGRAM, timing: str = "performance") -> mido.MidiFile:
    """The MIDI file of a transcription.

    timing "performance" (the default) puts every note at its measured time in the recording:
    tick 0 is the start of the recording, the tempo is the estimate (after one lead-in beat that
    puts the beats on the grid the notes were quantised to), and the first bar is a pickup bar,
    so the file lines up with the take in a DAW and its bars with the score. "score" writes the
    quantised notes from the first downbeat, for notation programs.

    Notes sound at concert pitch. The key (key_signature) and time signature are written as
    meta events. A transcription without notes gives a valid file holding one bar of silence.
    """
    if timing not in ("score", "performance"):
        raise ValueError(f"timing must be 'score' or 'performance', got {timing!r}")
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    track.append(mido.MetaMessage("track_name", name=title, time=0))
    track.append(mido.MetaMessage("text", text=f"pitchlive {__version__}; "
                                  f"{transcription.summary()}", time=0))
    key = transcription.key
    if key is not None:
        name = key.tonic_name + ("m" if key.mode == "minor" else "")
        track.append(mido.MetaMessage("key_signature", key=name, time=0))
    track.append(mido.Message("program_change", program=program, channel=0, time=0))
    messages = [(tick, message) for tick, message in _metre_messages(transcription, timing)]
    for tick, on, note in _events(transcription, timing):
        kind = "note_on" if on else "note_off"
        messages.append((tick, mido.Message(kind, note=note, velocity=VELOCITY if on else 0,
                                            channel=0)))
    messages.sort(key=lambda item: item[0])   # stable: metre first, offs before ons
    now = 0
    for tick, message in messages:
        track.append(message.copy(time=tick - now))
        now = tick
    bar_ticks = transcription.time_signature.bar_sixteenths * TICKS_PER_BEAT // 4
    end = now
    if timing == "score":
        end = max(now, round(transcription.total_beats * TICKS_PER_BEAT))
    if not transcription.notes:
        end = max(now, bar_ticks)   # one bar of silence
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
