"""Built-in exercises generated for a key, tempo and vocal range.

Every note lasts one beat unless said otherwise. A siren is a target of glide notes (each
TargetNote with ``glide_to_midi``): the target pitch moves continuously, and scoring compares
each frame with the pitch of the glide at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass

from pitchlive.music import note_name, parse_note_name
from pitchlive.practice.target import Target, TargetError, TargetNote, key_pitch_class

MIN_TEMPO_BPM, MAX_TEMPO_BPM = 20.0, 300.0
LOWEST_MIDI, HIGHEST_MIDI = 24, 108     # C1..C8: beyond any voice
MAJOR_STEPS = (0, 2, 4, 5, 7, 9, 11, 12)
MINOR_STEPS = (0, 2, 3, 5, 7, 8, 10, 12)      # natural minor
MODES = {"major": MAJOR_STEPS, "minor": MINOR_STEPS}
INTERVAL_NAMES = {1: "m2", 2: "M2", 3: "m3", 4: "M3", 5: "P4", 6: "TT", 7: "P5", 8: "m6",
                  9: "M6", 10: "m7", 11: "M7", 12: "P8"}
EXERCISES = ("scale", "arpeggio", "intervals", "siren", "sustained")


@dataclass(frozen=True)
class ExerciseSpec:
    """What to generate.

    Attributes
    ----------
    kind : str
        One of EXERCISES.
    key : str
        Tonic name, e.g. ``"C"``, ``"F#"``, ``"Bb"``.
    mode : str
        ``"major"`` or ``"minor"`` (natural minor).
    tempo_bpm : float
        Beats per minute; one scale note per beat.
    low, high : str or int
        The singer's range: note names (``"A2"``) or MIDI numbers. The exercise starts on the
        lowest tonic in range and stays within it.
    """

    kind: str = "scale"
    key: str = "C"
    mode: str = "major"
    tempo_bpm: float = 80.0
    low: str | int = "C4"
    high: str | int = "C5"


def _midi(value: str | int, what: str) -> int:
    if isinstance(value, int):
        midi = value
    else:
        try:
            midi = parse_note_name(str(value))
        except ValueError as exc:
            raise TargetError(f"the {what} note: {exc}") from None
    if not LOWEST_MIDI <= midi <= HIGHEST_MIDI:
        raise TargetError(f"the {what} note {note_name(midi)} is outside C1-C8.")
    return midi


def _validate(spec: ExerciseSpec) -> tuple[int, int, int, tuple[int, ...]]:
    if spec.kind not in EXERCISES:
        raise TargetError(f"unknown exercise {spec.kind!r}; choose one of {', '.join(EXERCISES)}.")
    if spec.mode not in MODES:
        raise TargetError(f"mode must be major or minor, got {spec.mode!r}.")
    if not MIN_TEMPO_BPM <= spec.tempo_bpm <= MAX_TEMPO_BPM:
        raise TargetError(f"tempo must be {MIN_TEMPO_BPM:g}-{MAX_TEMPO_BPM:g} BPM, got "
                          f"{spec.tempo_bpm:g}.")
    low, high = _midi(spec.low, "low"), _midi(spec.high, "high")
    if high <= low:
        raise TargetError(f"the high note ({note_name(high)}) must be above the low note "
                          f"({note_name(low)}).")
    pitch_class = key_pitch_class(spec.key)
    tonic = low + (pitch_class - low) % 12
    # Scales, arpeggios and intervals span an octave from the tonic; sustained notes need the
    # tonic only; a siren glides over the whole range whatever the key.
    span = 0 if spec.kind in ("siren", "sustained") else 12
    if spec.kind != "siren" and tonic + span > high:
        raise TargetError(f"a {spec.key} {spec.mode} {spec.kind} needs the notes "
                          f"{note_name(tonic)}-{note_name(tonic + span)}, but the range is "
                          f"{note_name(low)}-{note_name(high)}. Widen the range or pick "
                          "another key.")
    return low, high, tonic, MODES[spec.mode]


def _pitches(spec: ExerciseSpec, low: int, high: int, tonic: int, steps: tuple[int, ...]
             ) -> list[tuple[int, float]]:
    """(MIDI, beats) per note."""
    if spec.kind == "scale":
        up = [tonic + s for s in steps]
        return [(m, 1.0) for m in up + up[-2::-1]][:-1] + [(tonic, 2.0)]
    if spec.kind == "arpeggio":
        chord = [tonic + steps[i] for i in (0, 2, 4, 7)]
        return [(m, 1.0) for m in chord + chord[-2:0:-1]] + [(tonic, 2.0)]
    if spec.kind == "intervals":
        notes = []
        for step in steps[1:]:
            notes += [(tonic, 1.0), (tonic + step, 1.0)]
        return notes + [(tonic, 2.0)]
    if spec.kind == "sustained":
        pitches = [tonic + s for s in (0, steps[2], steps[4], 12) if tonic + s <= high]
        return [(m, 4.0) for m in pitches]
    raise AssertionError(spec.kind)


def build_exercise(spec: ExerciseSpec) -> Target:
    """The exercise as a Target (starting at 0 s), or TargetError with what to change."""
    low, high, tonic, steps = _validate(spec)
    beat_s = 60.0 / spec.tempo_bpm
    key = f"{spec.key.strip().capitalize()} {spec.mode}"
    if spec.kind == "siren":
        glide_beats = 4.0
        notes = (TargetNote(0.0, glide_beats * beat_s, float(low), glide_to_midi=float(high)),
                 TargetNote(glide_beats * beat_s, glide_beats * beat_s, float(high),
                            glide_to_midi=float(low)))
        title = f"Siren {note_name(low)}-{note_name(high)}"
    else:
        notes, t = [], 0.0
        for midi, beats in _pitches(spec, low, high, tonic, steps):
            # 10% of each beat is left silent so repeated pitches are separate notes.
            notes.append(TargetNote(t, beats * beat_s * 0.9, float(midi)))
            t += beats * beat_s
        notes = tuple(notes)
        title = f"{key} {spec.kind} from {note_name(tonic)}"
    return Target(notes, title=title, source=f"exercise {spec.kind} in {key}, "
                  f"{spec.tempo_bpm:g} BPM, range {note_name(low)}-{note_name(high)}",
                  tempo_bpm=spec.tempo_bpm, key=key if spec.kind != "siren" else None)
