"""What one practice run plays and scores: the target as practised (transposed, a section
looped, slowed down) and the audio heard with it (count-in, metronome, tones or the song).

Pure numpy; the practice view renders the audio on a background job and plays it on the output
device, and scores the sung take against ``PracticePlan.target`` placed after the count-in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from pitchlive.exports.tones import note_tone
from pitchlive.music import midi_to_hz
from pitchlive.practice.session import DEFAULT_TEMPO_BPM
from pitchlive.practice.target import Target, TargetError, TargetNote, transpose

MIN_TEMPO_PERCENT, MAX_TEMPO_PERCENT = 25, 200
MAX_REPEATS = 16
CLICK_S = 0.03              # length of one metronome click
CLICK_HZ, ACCENT_HZ = 1500.0, 2200.0
CLICK_LEVEL = 0.5
SONG_LEVEL = 0.8            # the song is scaled to this peak so clicks stay audible over it
BACKINGS = ("tones", "song", "none")


@dataclass(frozen=True)
class PlanOptions:
    """How the user wants to practise the loaded target.

    Attributes
    ----------
    semitones : int
        Transposition (positive = up).
    tempo_percent : float
        Speed in percent of the original (25-200); 50 is half speed, pitch unchanged.
    first_note, last_note : int or None
        A section to practise, note numbers from 1 (inclusive); None = from the start / to the end.
    repeats : int
        How many times the section is sung back to back (loop), 1-16.
    count_in_beats : int
        Clicks before the first note (0-16).
    metronome : bool
        Click every beat while singing too.
    backing : str
        "tones" (the target played as soft tones), "song" (the target's audio) or "none".
    """

    semitones: int = 0
    tempo_percent: float = 100.0
    first_note: int | None = None
    last_note: int | None = None
    repeats: int = 1
    count_in_beats: int = 4
    metronome: bool = False
    backing: str = "tones"

    def __post_init__(self) -> None:
        if not MIN_TEMPO_PERCENT <= self.tempo_percent <= MAX_TEMPO_PERCENT:
            raise TargetError(f"the tempo must be {MIN_TEMPO_PERCENT}-{MAX_TEMPO_PERCENT}% of the "
                              f"original, got {self.tempo_percent:g}%.")
        if not 1 <= self.repeats <= MAX_REPEATS:
            raise TargetError(f"a section repeats 1-{MAX_REPEATS} times, got {self.repeats}.")
        if not 0 <= self.count_in_beats <= 16:
            raise TargetError(f"the count-in must be 0-16 beats, got {self.count_in_beats}.")
        if self.backing not in BACKINGS:
            raise TargetError(f"backing must be one of {', '.join(BACKINGS)}, got "
                              f"{self.backing!r}.")


@dataclass(frozen=True)
class PracticePlan:
    """A run: the target as practised and where things fall on the played audio's timeline.

    Attributes
    ----------
    target : Target
        Notes as sung: transposed, the section repeated, times scaled by the tempo; time 0 is
        the first note of the section (at the end of the count-in).
    beat_s : float
        One beat at the practised tempo (s).
    count_in_beats : int
    metronome : bool
    backing : str
    section_start_s, section_end_s : float
        The section on the original target's (and the song's) timeline.
    speed : float
        tempo_percent / 100.
    """

    target: Target
    beat_s: float
    count_in_beats: int
    metronome: bool
    backing: str
    section_start_s: float
    section_end_s: float
    speed: float

    @property
    def count_in_s(self) -> float:
        """Length of the count-in (s): target time 0 falls this long after the audio starts."""
        return self.count_in_beats * self.beat_s

    @property
    def duration_s(self) -> float:
        """Length of the played audio: count-in plus every repetition of the section (s)."""
        return self.count_in_s + self.target.duration_s

    def click_times_s(self) -> list[tuple[float, bool]]:
        """(time on the played audio's timeline, accented) of every click."""
        clicks = [(i * self.beat_s, i == 0) for i in range(self.count_in_beats)]
        if self.metronome:
            n = int(np.ceil(self.target.duration_s / self.beat_s))
            clicks += [(self.count_in_s + i * self.beat_s, False) for i in range(n)]
        return clicks


def make_plan(target: Target, options: PlanOptions) -> PracticePlan:
    """The target prepared for practice as options say; TargetError for an empty section."""
    notes = target.notes
    first = 1 if options.first_note is None else options.first_note
    last = len(notes) if options.last_note is None else options.last_note
    if not 1 <= first <= last <= len(notes):
        raise TargetError(f"the section must run from note 1 to {len(notes)} with the first "
                          f"note not after the last, got notes {first}-{last}.")
    section = notes[first - 1:last]
    start_s = section[0].onset_s
    # Repetitions follow each other a whole section apart (plus the rest before the next note
    # when one follows, so the loop keeps the song's rhythm); after the last note a beat more,
    # so the song's audio is not cut off under the singer's last note.
    original_beat_s = 60.0 / (target.tempo_bpm or DEFAULT_TEMPO_BPM)
    end_s = notes[last].onset_s if last < len(notes) else section[-1].end_s + original_beat_s
    period_s = end_s - start_s
    speed = options.tempo_percent / 100.0
    repeated = []
    for r in range(options.repeats):
        for note in section:
            onset = (note.onset_s - start_s + r * period_s) / speed
            repeated.append(replace(note, onset_s=onset, duration_s=note.duration_s / speed))
    tempo = (target.tempo_bpm or DEFAULT_TEMPO_BPM) * speed
    practised = replace(target, notes=tuple(repeated), tempo_bpm=tempo,
                        line_breaks_s=(), transpose_semitones=target.transpose_semitones)
    practised = transpose(practised, options.semitones) if options.semitones else practised
    backing = options.backing
    return PracticePlan(practised, 60.0 / tempo, options.count_in_beats, options.metronome,
                        backing, start_s, end_s, speed)


def click(sample_rate_hz: int, accent: bool = False) -> np.ndarray:
    """One short metronome click, float32 (n,): a decaying sine burst."""
    n = int(CLICK_S * sample_rate_hz)
    t = np.arange(n) / sample_rate_hz
    hz = ACCENT_HZ if accent else CLICK_HZ
    return (CLICK_LEVEL * np.exp(-t / (CLICK_S / 5)) * np.sin(2 * np.pi * hz * t)
            ).astype(np.float32)


def _add(out: np.ndarray, start_s: float, sound: np.ndarray, sample_rate_hz: int) -> None:
    start = int(round(start_s * sample_rate_hz))
    stop = min(start + sound.size, out.size)
    if start < out.size:
        out[start:stop] += sound[:stop - start]


def render_plan(plan: PracticePlan, sample_rate_hz: int = 44100,
                song: np.ndarray | None = None) -> np.ndarray:
    """The audio heard during the run, float32 mono (n,), time 0 = the count-in's first click.

    song (mono, at sample_rate_hz, the target's whole audio) is the backing when plan.backing
    is "song": its section is cut, slowed or sped up keeping its pitch, shifted by the
    transposition and repeated; without it a "song" backing falls back to silence.
    """
    piece = song_section(plan, song, sample_rate_hz) if plan.backing == "song" and \
        song is not None and song.size else None
    period_s = (plan.section_end_s - plan.section_start_s) / plan.speed
    repeats = max(1, round(plan.target.duration_s / period_s)) if period_s > 0 else 1
    # The song rings on past the last note: its section ends a beat after it.
    end_s = plan.duration_s + CLICK_S
    if piece is not None:
        end_s = max(end_s, plan.count_in_s + (repeats - 1) * period_s + piece.size /
                    sample_rate_hz)
    out = np.zeros(int(np.ceil(end_s * sample_rate_hz)) + 1, np.float32)
    for time_s, accent in plan.click_times_s():
        _add(out, time_s, click(sample_rate_hz, accent), sample_rate_hz)
    if plan.backing == "tones":
        for note in plan.target.notes:
            if note.glide_to_midi is None:
                tone = note_tone(float(midi_to_hz(note.midi)), note.duration_s, sample_rate_hz)
            else:
                tone = _glide(note, sample_rate_hz)
            _add(out, plan.count_in_s + note.onset_s, tone, sample_rate_hz)
    elif piece is not None:
        for r in range(repeats):
            _add(out, plan.count_in_s + r * period_s, piece, sample_rate_hz)
    return out


def song_section(plan: PracticePlan, song: np.ndarray, sample_rate_hz: int) -> np.ndarray:
    """The section of the song as practised: cut, time-stretched and transposed, float32."""
    start = int(round(plan.section_start_s * sample_rate_hz))
    stop = int(round(plan.section_end_s * sample_rate_hz))
    piece = np.asarray(song[start:stop], np.float32)
    semitones = plan.target.transpose_semitones
    if piece.size and (plan.speed != 1.0 or semitones):
        import pedalboard

        piece = pedalboard.time_stretch(piece[np.newaxis, :], float(sample_rate_hz),
                                        stretch_factor=plan.speed,
                                        pitch_shift_in_semitones=float(semitones))[0]
    peak = float(np.max(np.abs(piece))) if piece.size else 0.0
    return (piece * (SONG_LEVEL / peak)).astype(np.float32) if peak > SONG_LEVEL else piece


def _glide(note: TargetNote, sample_rate_hz: int) -> np.ndarray:
    """A sine gliding from note.midi to note.glide_to_midi (linear in MIDI), float32."""
    n = int(round(note.duration_s * sample_rate_hz))
    midi = np.linspace(note.midi, note.glide_to_midi, n)
    phase = 2 * np.pi * np.cumsum(midi_to_hz(midi)) / sample_rate_hz
    fade = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / (0.02 * sample_rate_hz))
    return (0.3 * fade * np.sin(phase)).astype(np.float32)
