"""What transcription produces: notes and rests on a beat grid, and how to transcribe."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pitchlive.frames import HOP_S, PitchTrack
from pitchlive.music import midi_to_hz
from pitchlive.notation.key import Key, parse_key
from pitchlive.notation.metre import TimeSignature, parse_time_signature
from pitchlive.settings import Settings, SettingsError
from pitchlive.tracking import tempo as tempo_mod
from pitchlive.tracking.segmentation import CHANGE_PENALTY
from pitchlive.tracking.tuning import TuningOffset

METHODS = ("segments", "notebook")


@dataclass(frozen=True)
class TranscriptionOptions:
    """How to transcribe; voicing and naming come from Settings."""

    method: str = "segments"
    correct_offset: bool = True          # quantise and name relative to the singer's own tuning
    tempo_bpm: float | None = None       # None: estimate from the onsets
    beats_per_bar: int | None = None     # N/4; None: the time signature (given or estimated)
    min_note_s: float = 0.09             # shorter pieces merge into a neighbour or vanish
    change_penalty: float = CHANGE_PENALTY
    use_audio: bool = True               # with audio: split repeated notes, refine onsets
    notebook_min_group_s: float = 0.1    # notebook: shortest and longest eighth note searched
    notebook_max_group_s: float = 1.3
    key: Key | str | None = None         # e.g. "D major"; None: estimated from the notes
    time_signature: TimeSignature | str | None = None   # e.g. "6/8"; None: estimated

    def __post_init__(self) -> None:
        problems = []
        for name, parse in (("key", parse_key), ("time_signature", parse_time_signature)):
            if isinstance(getattr(self, name), str):
                try:
                    object.__setattr__(self, name, parse(getattr(self, name)))
                except ValueError as exc:
                    problems.append(str(exc).rstrip("."))
        if self.method not in METHODS:
            problems.append(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if self.tempo_bpm is not None and not 20.0 <= self.tempo_bpm <= 400.0:
            problems.append(f"tempo must be between 20 and 400 BPM, got {self.tempo_bpm}")
        if self.beats_per_bar is not None and not 1 <= self.beats_per_bar <= 16:
            problems.append(f"beats per bar must be between 1 and 16, got {self.beats_per_bar}")
        if not 0.0 <= self.min_note_s <= 2.0:
            problems.append(f"shortest note must be between 0 and 2 s, got {self.min_note_s}")
        if not 0.0 < self.notebook_min_group_s < self.notebook_max_group_s <= 10.0:
            problems.append("notebook group lengths must satisfy 0 < min < max <= 10 s")
        if problems:
            raise SettingsError("; ".join(problems) + ".")

    def replace(self, **changes) -> "TranscriptionOptions":
        """A copy with some fields changed (validated)."""
        return replace(self, **changes)

    @property
    def given_time_signature(self) -> TimeSignature | None:
        """The time signature asked for (time_signature, else beats_per_bar/4), or None."""
        if isinstance(self.time_signature, TimeSignature):
            return self.time_signature
        return TimeSignature(self.beats_per_bar, 4) if self.beats_per_bar else None


@dataclass(frozen=True)
class Note:
    """One note or rest: measured times in seconds and its place in the score in beats."""

    onset_s: float
    duration_s: float
    midi: int | None          # concert pitch; None for a rest
    name: str | None          # written name (transposition and flats applied); None for a rest
    cents: float              # mean deviation from the grid used; NaN for a rest
    start_beats: float        # score position from the first beat of the first bar
    duration_beats: float

    @property
    def is_rest(self) -> bool:
        """True for a rest."""
        return self.midi is None

    @property
    def end_s(self) -> float:
        """Measured end in seconds."""
        return self.onset_s + self.duration_s

    @property
    def end_beats(self) -> float:
        """Score end in beats."""
        return self.start_beats + self.duration_beats


@dataclass(frozen=True)
class Transcription:
    """Notes and rests of a take, with the tempo and tuning that place them."""

    events: tuple[Note, ...]          # notes and rests in time order
    tempo_bpm: float
    tempo_estimated: bool
    offset: TuningOffset              # estimated tuning offset of the take
    offset_corrected: bool            # True when the grid was shifted by the offset
    a4_hz: float = 440.0
    transposition: str = "C"
    transpose_semitones: int = 0
    prefer_flats: bool = False
    beats_per_bar: int = 4
    score_start_s: float = 0.0        # time of beat 0
    method: str = "segments"
    duration_s: float = 0.0           # length of the analysed track
    key: Key | None = None            # concert key (None: unknown, written as C major)
    beat_type: int = 4                # time signature beats_per_bar / beat_type
    key_estimated: bool = False
    metre_estimated: bool = False

    notes: tuple[Note, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "notes", tuple(e for e in self.events if not e.is_rest))

    @property
    def grid_offset_cents(self) -> float:
        """The shift applied to the equal-tempered grid (0 when not corrected)."""
        return self.offset.offset_cents if self.offset_corrected and self.offset.valid else 0.0

    @property
    def time_signature(self) -> TimeSignature:
        """The score's time signature."""
        return TimeSignature(self.beats_per_bar, self.beat_type)

    @property
    def bar_beats(self) -> float:
        """Length of a bar in beats (quarter notes): 3 for 3/4 and for 6/8."""
        return self.time_signature.bar_quarters

    @property
    def total_beats(self) -> float:
        """Score length in beats (end of the last event)."""
        return max((e.end_beats for e in self.events), default=0.0)

    def note_hz(self, midi: int) -> float:
        """Frequency of a transcribed MIDI note on the grid used (offset included)."""
        return float(midi_to_hz(midi + self.grid_offset_cents / 100.0, self.a4_hz))

    def summary(self) -> str:
        """One line: tempo, tuning offset, how many notes and rests."""
        how = "estimated" if self.tempo_estimated else "given"
        tempo = f"tempo {self.tempo_bpm:.0f} BPM ({how})"
        if self.offset.valid:
            correction = "corrected" if self.offset_corrected else "not corrected"
            offset = f"tuning offset {self.offset.offset_cents:+.1f} cents ({correction})"
        else:
            offset = "tuning offset unknown"
        rests = len(self.events) - len(self.notes)
        key = f", {self.key.name}" if self.key is not None else ""
        return (f"{tempo}, {self.time_signature}{key}, {offset}, {len(self.notes)} notes, "
                f"{rests} rests")


def empty_transcription(track: PitchTrack, settings: Settings, options: TranscriptionOptions,
                        offset: TuningOffset) -> Transcription:
    """A transcription without notes (nothing voiced, or every piece too short)."""
    tempo_bpm = options.tempo_bpm or tempo_mod.DEFAULT_TEMPO_BPM
    signature = options.given_time_signature or TimeSignature(4, 4)
    key = options.key if isinstance(options.key, Key) else None
    return Transcription((), tempo_bpm, False, offset, options.correct_offset, settings.a4_hz,
                         settings.transposition, settings.transpose_semitones,
                         settings.prefer_flats, signature.beats, 0.0, options.method,
                         track_duration_s(track), key, signature.beat_type)


def track_duration_s(track: PitchTrack) -> float:
    """Length of the audio a track covers, in seconds."""
    return float(track.times_s[-1] + HOP_S / 2) if track.n_frames else 0.0
