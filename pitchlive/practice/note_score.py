"""Score one sung note against its target: in-tune share, cents offsets and onset timing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pitchlive.practice.onset import (STABLE_CENTS, first_stable_frame, level_onset,
                                      pitch_crossing_onset)
from pitchlive.practice.sung import SungPitch
from pitchlive.practice.target import TargetNote
from pitchlive.practice.vibrato import vibrato_centre_cents

# ±25 cents: a quarter of a semitone. Sustained sung notes further off than ~20-30 cents are
# commonly heard as out of tune, while ±50 would accept anything that rounds to the right note.
DEFAULT_BAND_CENTS = 25.0
# The first 100 ms of a note (at most a quarter of it) is the attack: singers scoop into
# notes and the model blurs the change; it is left out of the in-tune share and the offsets.
ATTACK_S = 0.10
RELEASE_S = 0.05            # the model already hears the next note this long before it starts
OUTLIER_CENTS = 100.0       # frames this far from the note's median (octave slips) are dropped
ONSET_SEARCH_S = 0.30       # a note may start this much early or late and still be found


@dataclass(frozen=True)
class ScoringSettings:
    """How notes are judged.

    Attributes
    ----------
    band_cents : float
        In tune when within ±band_cents of the target (1-100).
    a4_hz : float
        Tuning reference of the target.
    fold_octaves : bool
        Score a note sung a whole octave away by its cents from the nearest octave (men singing
        a melody written for higher voices); the octave is reported separately.
    onset_search_s : float
        How early or late a note may start and still be found (s).
    """

    band_cents: float = DEFAULT_BAND_CENTS
    a4_hz: float = 440.0
    fold_octaves: bool = True
    onset_search_s: float = ONSET_SEARCH_S

    def __post_init__(self) -> None:
        if not 1.0 <= self.band_cents <= 100.0:
            raise ValueError(f"the in-tune band must be 1-100 cents, got {self.band_cents:g}.")
        if not 400.0 <= self.a4_hz <= 480.0:
            raise ValueError(f"A4 must be 400-480 Hz, got {self.a4_hz:g}.")


@dataclass(frozen=True)
class NoteScore:
    """How one target note was sung (NaN where it could not be measured).

    Attributes
    ----------
    index : int
        Position of the note in the target.
    note : TargetNote
    in_tune_share : float
        Share (0-1) of the note's time after its attack sung within the band; NaN for notes
        whose pitch is not scored (freestyle, rap).
    mean_cents : float
        Mean offset of the sustain from the target in cents (+ = sharp), attack and octave
        slips left out.
    vibrato_cents : float
        Offset of the vibrato's centre (mean over whole cycles), cents.
    onset_ms : float
        Sung onset minus target onset in ms (+ = late).
    voiced_share : float
        Share of the note's time with any voiced pitch.
    octave : int
        Whole octaves between the sung pitch and the target (0 unless folded).
    """

    index: int
    note: TargetNote
    in_tune_share: float
    mean_cents: float
    vibrato_cents: float
    onset_ms: float
    voiced_share: float
    octave: int = 0

    @property
    def sung(self) -> bool:
        """True when any voiced pitch was heard during the note."""
        return self.voiced_share > 0


def _attack_s(note: TargetNote) -> float:
    return min(ATTACK_S, 0.25 * note.duration_s)


def _cents(sung_midi: np.ndarray, target_midi: np.ndarray) -> np.ndarray:
    return (sung_midi - target_midi) * 100.0


def score_note(note: TargetNote, sung: SungPitch, settings: ScoringSettings = ScoringSettings(),
               index: int = 0, sung_midi: np.ndarray | None = None) -> NoteScore:
    """Score one note against a take already aligned to the target's timeline.

    Parameters
    ----------
    note : TargetNote
    sung : SungPitch
        The take, times on the target's timeline (shift it by the alignment offset first).
    settings : ScoringSettings
    index : int
        The note's position, copied into the result.
    sung_midi : ndarray, shape (n_frames,), optional
        ``sung.midi(settings.a4_hz)`` when the caller has it already.
    """
    times = np.asarray(sung.times_s, float)
    midi = sung.midi(settings.a4_hz) if sung_midi is None else sung_midi
    nan = float("nan")
    span = (times >= note.onset_s) & (times < note.end_s)
    voiced_share = float(np.mean(np.isfinite(midi[span]))) if span.any() else 0.0
    # Octave and the note's typical pitch, from the sustain in target time.
    body = (times >= note.onset_s + _attack_s(note)) & (times < note.end_s - RELEASE_S)
    body &= np.isfinite(midi)
    raw = _cents(midi, note.midi_at(times))
    if not body.any():
        return NoteScore(index, note, 0.0 if note.pitch_scored else nan, nan, nan, nan,
                         voiced_share)
    octave = int(round(float(np.median(raw[body])) / 1200.0)) if settings.fold_octaves else 0
    cents = raw - 1200.0 * octave
    median = float(np.median(cents[body]))
    on_pitch = np.isfinite(cents) & (np.abs(cents - median) <= STABLE_CENTS)
    if note.rap:   # spoken: any voicing starts it
        on_pitch = np.isfinite(midi)
    onset_s = _find_onset(note, sung, times, midi, cents, on_pitch, body, settings)
    onset_ms = (onset_s - note.onset_s) * 1000.0 if onset_s is not None else nan
    if not note.pitch_scored:
        return NoteScore(index, note, nan, nan, nan, onset_ms, voiced_share, octave)
    start = max(note.onset_s, onset_s if onset_s is not None else note.onset_s)
    sustain = (times >= start + _attack_s(note)) & (times < note.end_s - RELEASE_S) & \
        np.isfinite(cents) & (np.abs(cents - median) <= OUTLIER_CENTS)
    mean_cents = float(np.mean(cents[sustain])) if sustain.any() else nan
    vibrato = _vibrato(times, cents, sustain) if sustain.any() else nan
    graded = (times >= note.onset_s + _attack_s(note)) & (times < note.end_s)
    if graded.any():
        in_band = np.isfinite(cents[graded]) & (np.abs(cents[graded]) <= settings.band_cents)
        in_tune = float(np.mean(in_band))
    else:
        in_tune = nan
    return NoteScore(index, note, in_tune, mean_cents, vibrato, onset_ms, voiced_share, octave)


def _vibrato(times: np.ndarray, cents: np.ndarray, sustain: np.ndarray) -> float:
    """vibrato_centre_cents over the longest contiguous stretch of the sustain."""
    idx = np.flatnonzero(sustain)
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    longest = max(runs, key=len)
    return vibrato_centre_cents(times[longest], cents[longest])


def _find_onset(note: TargetNote, sung: SungPitch, times: np.ndarray, midi: np.ndarray,
                cents: np.ndarray, on_pitch: np.ndarray, body: np.ndarray,
                settings: ScoringSettings) -> float | None:
    """Sung onset time (s) near the target onset, or None when not measurable."""
    stop = min(note.onset_s + settings.onset_search_s, note.end_s - 1e-9)
    first = first_stable_frame(times, on_pitch, note.onset_s - settings.onset_search_s, stop)
    if first is None:
        return None
    coarse = float(times[first])
    if sung.envelope_times_s is not None and sung.envelope_times_s.size:
        env_t, env_db = sung.envelope_times_s, sung.envelope_db
        inside = (env_t >= coarse) & (env_t < note.end_s)
        if inside.any():
            rise = level_onset(env_t, env_db, coarse, float(np.median(env_db[inside])))
            if rise is not None:
                return rise
    crossing = pitch_crossing_onset(times, midi, first, float(np.median(midi[body])))
    return crossing if crossing is not None else coarse
