"""What a singer practises against: a melody of target notes, with its tempo and source.

A target is immutable. Loaders (MIDI, MusicXML, UltraStar, exercises) build one and attach what
they had to change or could not find as ``warnings`` (sentences for the user), never prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from pitchlive.music import FLAT_NAMES, SHARP_NAMES

# Notes that overlap less than this (or than a quarter of the earlier note) are legato, not
# polyphony: keyboard players and MIDI editors routinely leave such overlaps.
LEGATO_OVERLAP_S = 0.05
# A note shorter than this after trimming to the top voice is dropped.
MIN_NOTE_S = 0.02


class TargetError(Exception):
    """A target cannot be loaded or built; the message says what to do."""


@dataclass(frozen=True)
class TargetNote:
    """One note to sing.

    Attributes
    ----------
    onset_s, duration_s : float
        Start and length in seconds on the target's timeline.
    midi : float
        Concert pitch as a (possibly fractional) MIDI number; 60 is C4.
    lyric : str
        Syllable sung on the note ("" when none).
    golden, freestyle, rap : bool
        UltraStar note kinds: golden notes count double in karaoke games; freestyle notes are
        not scored; rap notes are scored for timing only (their pitch is spoken).
    glide_to_midi : float or None
        For glides (sirens): the pitch at the note's end; the target pitch moves linearly in
        MIDI (i.e. exponentially in Hz) from ``midi`` to it.
    """

    onset_s: float
    duration_s: float
    midi: float
    lyric: str = ""
    golden: bool = False
    freestyle: bool = False
    rap: bool = False
    glide_to_midi: float | None = None

    @property
    def end_s(self) -> float:
        """End of the note in seconds."""
        return self.onset_s + self.duration_s

    @property
    def pitch_scored(self) -> bool:
        """True when the sung pitch is compared with this note's pitch."""
        return not (self.freestyle or self.rap)

    def midi_at(self, times_s: np.ndarray) -> np.ndarray:
        """Target pitch (MIDI) at times_s (s), shape like times_s; constant unless a glide."""
        times_s = np.asarray(times_s, dtype=np.float64)
        if self.glide_to_midi is None or self.duration_s <= 0:
            return np.full(times_s.shape, float(self.midi))
        fraction = np.clip((times_s - self.onset_s) / self.duration_s, 0.0, 1.0)
        return self.midi + fraction * (self.glide_to_midi - self.midi)

    def shifted(self, semitones: float = 0.0, seconds: float = 0.0) -> "TargetNote":
        """The note moved in pitch and time."""
        glide = None if self.glide_to_midi is None else self.glide_to_midi + semitones
        return replace(self, onset_s=self.onset_s + seconds, midi=self.midi + semitones,
                       glide_to_midi=glide)


@dataclass(frozen=True)
class Target:
    """A melody to sing, with where it came from.

    Attributes
    ----------
    notes : tuple of TargetNote
        In onset order, never overlapping (one voice).
    title : str
        Name to show (song title, file name or exercise name).
    source : str
        Description of the origin, e.g. ``"song.mid, track 2 'Melody'"``.
    tempo_bpm : float or None
        Main tempo in quarter notes per minute (None when unknown).
    key : str or None
        Key such as ``"D major"`` when known.
    line_breaks_s : tuple of float
        Lyric line starts after the first line (UltraStar ``-`` lines), seconds.
    backing_audio : Path or None
        The song's audio to play along with, when it exists.
    transpose_semitones : int
        How far the notes were moved from the source (0 as loaded).
    warnings : tuple of str
        What the loader changed or could not find, for the user.
    """

    notes: tuple[TargetNote, ...]
    title: str
    source: str
    tempo_bpm: float | None = None
    key: str | None = None
    line_breaks_s: tuple[float, ...] = ()
    backing_audio: Path | None = None
    transpose_semitones: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def duration_s(self) -> float:
        """End of the last note in seconds (0 without notes)."""
        return max((n.end_s for n in self.notes), default=0.0)

    @property
    def pitch_range(self) -> tuple[float, float]:
        """(lowest, highest) MIDI pitch of the pitch-scored notes, glides included."""
        pitches = [p for n in self.notes if n.pitch_scored
                   for p in (n.midi, n.glide_to_midi) if p is not None]
        if not pitches:
            raise TargetError(f"{self.title} has no notes with a pitch to sing.")
        return min(pitches), max(pitches)

    def with_warnings(self, *messages: str) -> "Target":
        """The same target with more warnings."""
        return replace(self, warnings=self.warnings + tuple(messages))


def require_notes(notes: list[TargetNote] | tuple[TargetNote, ...], where: str) -> None:
    """Raise TargetError when there is nothing to sing."""
    if not notes:
        raise TargetError(f"{where} has no notes to sing. Choose another file, track or part.")


def transpose(target: Target, semitones: int) -> Target:
    """The target moved by whole semitones (positive = up); its key name follows."""
    semitones = int(semitones)
    key = transpose_key_name(target.key, semitones) if target.key else None
    return replace(target, notes=tuple(n.shifted(semitones=semitones) for n in target.notes),
                   key=key, transpose_semitones=target.transpose_semitones + semitones)


def transpose_key_name(key: str, semitones: int) -> str:
    """'D major' moved by semitones, e.g. ('D major', 3) -> 'F major'; flats for flat keys."""
    tonic, _, mode = key.partition(" ")
    pitch_class = key_pitch_class(tonic)
    names = FLAT_NAMES if "b" in tonic[1:] or tonic == "F" else SHARP_NAMES
    new = names[(pitch_class + semitones) % 12]
    return f"{new} {mode}".strip()


def key_pitch_class(tonic: str) -> int:
    """Pitch class (0 = C) of a tonic name such as 'C', 'F#', 'Bb'; TargetError if unknown."""
    tonic = tonic.strip()
    for names in (SHARP_NAMES, FLAT_NAMES):
        if tonic.capitalize() in names:
            return names.index(tonic.capitalize())
    enharmonic = {"Cb": 11, "Fb": 4, "E#": 5, "B#": 0}
    if tonic.capitalize() in enharmonic:
        return enharmonic[tonic.capitalize()]
    raise TargetError(f"not a key: {tonic!r} (expected a note letter with an optional # or b, "
                      "e.g. C, F#, Bb)")


def top_voice(notes: list[TargetNote]) -> tuple[list[TargetNote], int]:
    """One voice from possibly overlapping notes: the highest sounding note wins (skyline).

    A higher note that starts while a lower one sounds cuts the lower one short; a note that
    starts under a sounding higher note is dropped. Small legato overlaps only trim.

    Returns
    -------
    notes : list of TargetNote
        Non-overlapping, in onset order.
    n_polyphonic : int
        How many notes overlapped others by more than a legato overlap (0 = monophonic).
    """
    ordered = sorted(notes, key=lambda n: (n.onset_s, -n.midi))
    voice: list[TargetNote] = []
    polyphonic = 0
    for note in ordered:
        if voice and note.onset_s < voice[-1].end_s - 1e-9:
            last = voice[-1]
            overlap_s = last.end_s - note.onset_s
            legato = (note.onset_s > last.onset_s + 1e-9 and
                      overlap_s <= max(LEGATO_OVERLAP_S, 0.25 * last.duration_s) and
                      note.end_s > last.end_s)
            if not legato:
                polyphonic += 1
            if legato or note.midi > last.midi:
                trimmed = note.onset_s - last.onset_s
                voice.pop()
                if trimmed >= MIN_NOTE_S:
                    voice.append(replace(last, duration_s=trimmed))
            else:
                continue
        voice.append(note)
    return voice, polyphonic


def polyphony_warning(where: str, n_polyphonic: int, n_kept: int) -> str:
    """The sentence users see when a polyphonic source was reduced to its top voice."""
    return (f"{where} is polyphonic ({n_polyphonic} notes overlap others); scoring follows its "
            f"top voice ({n_kept} notes). Choose a single-voice track or part to score another "
            "voice.")
