"""Live scoring: frames arrive one at a time; feedback on the current note comes back at once,
and each note's full score as soon as the note (and its onset search) is over."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np

from pitchlive.frames import HOP_S
from pitchlive.music import hz_to_midi
from pitchlive.practice.note_score import ATTACK_S, NoteScore, ScoringSettings, score_note
from pitchlive.practice.onset import STABLE_FRAMES
from pitchlive.practice.sung import SILENCE_DB, StreamingEnvelope, SungPitch
from pitchlive.practice.take_score import TakeScore
from pitchlive.practice.target import Target

# Frames kept before the earliest unscored note's onset search (s): enough for its onset.
KEEP_BEFORE_S = 0.5


@dataclass(frozen=True)
class LiveFeedback:
    """What to show for one frame.

    Attributes
    ----------
    time_s : float
        Frame time on the target's timeline (s).
    note_index : int or None
        The target note sounding now; None between notes.
    target_midi : float or None
        Its pitch at this moment (glides move).
    sung_midi : float or None
        The sung pitch; None when unvoiced.
    cents : float or None
        Sung minus target in cents, whole octaves removed when folding; None without both.
    in_band : bool or None
        Whether cents is within the band.
    note_in_tune_share : float or None
        Share of the current note's frames after its attack sung in the band so far.
    finished : tuple of NoteScore
        Notes whose scores were completed by this frame.
    """

    time_s: float
    note_index: int | None
    target_midi: float | None
    sung_midi: float | None
    cents: float | None
    in_band: bool | None
    note_in_tune_share: float | None
    finished: tuple[NoteScore, ...] = ()


class LiveScorer:
    """Scores a performance frame by frame against a target.

    Parameters
    ----------
    target : Target
    settings : ScoringSettings
    start_s : float
        Stream time (s) at which the target's time 0 falls: the end of the count-in plus the
        measured input latency.
    """

    def __init__(self, target: Target, settings: ScoringSettings = ScoringSettings(),
                 start_s: float = 0.0):
        self.target = target
        self.settings = settings
        self.start_s = float(start_s)
        self._onsets = [n.onset_s for n in target.notes]
        self._times: list[float] = []
        self._hz: list[float] = []
        self._voiced: list[bool] = []
        self._level: list[float] = []
        self._next_to_score = 0
        self._scores: list[NoteScore] = []
        self._running = {}   # note index -> [frames graded, frames in band]
        self._envelope = StreamingEnvelope()
        self._env_t: list[float] = []
        self._env_db: list[float] = []

    @property
    def scores(self) -> tuple[NoteScore, ...]:
        """Scores of the notes finished so far, in order."""
        return tuple(self._scores)

    def _note_at(self, time_s: float) -> int | None:
        i = bisect.bisect_right(self._onsets, time_s) - 1
        if i >= 0 and time_s < self.target.notes[i].end_s:
            return i
        return None

    def push_audio(self, block: np.ndarray, sample_rate_hz: float) -> None:
        """Add input audio (mono, in order, without gaps from the stream's first sample).

        Its 2 ms level envelope then times onsets after silence, instead of the frames' levels.
        """
        times, level = self._envelope.push(block, sample_rate_hz)
        self._env_t.extend((times - self.start_s).tolist())
        self._env_db.extend(level.tolist())

    def push(self, time_s: float, frequency_hz: float, voiced: bool,
             level_dbfs: float | None = None) -> LiveFeedback:
        """Add one frame (stream time in s) and get the feedback for it."""
        t = float(time_s) - self.start_s
        self._times.append(t)
        self._hz.append(float(frequency_hz))
        self._voiced.append(bool(voiced) and math.isfinite(frequency_hz) and frequency_hz > 0)
        # -inf (digital silence) would break the envelope's arithmetic: floor it.
        self._level.append(max(float(level_dbfs), SILENCE_DB) if level_dbfs is not None
                           else math.nan)
        sung_midi = float(hz_to_midi(frequency_hz, self.settings.a4_hz)) \
            if self._voiced[-1] else None
        index = self._note_at(t)
        target_midi = cents = in_band = share = None
        if index is not None:
            note = self.target.notes[index]
            target_midi = float(note.midi_at(np.array([t]))[0])
            if sung_midi is not None and note.pitch_scored:
                cents = (sung_midi - target_midi) * 100.0
                if self.settings.fold_octaves:
                    cents -= 1200.0 * round(cents / 1200.0)
                in_band = abs(cents) <= self.settings.band_cents
            if note.pitch_scored and t >= note.onset_s + min(ATTACK_S, 0.25 * note.duration_s):
                counts = self._running.setdefault(index, [0, 0])
                counts[0] += 1
                counts[1] += bool(in_band)
            if index in self._running:
                share = self._running[index][1] / self._running[index][0]
        finished = self._score_ready(t)
        return LiveFeedback(t, index, target_midi, sung_midi, cents, in_band, share, finished)

    def _sung(self) -> SungPitch:
        times = np.array(self._times)
        level = np.array(self._level)
        if self._env_t:
            envelope = (np.array(self._env_t), np.array(self._env_db))
        elif np.isfinite(level).all() and level.size:
            envelope = (times, level)
        else:
            envelope = (None, None)
        return SungPitch(times, np.array(self._hz), np.array(self._voiced, bool), *envelope)

    def _score_ready(self, now_s: float, final: bool = False) -> tuple[NoteScore, ...]:
        done = []
        notes = self.target.notes
        settle_s = (STABLE_FRAMES + 1) * HOP_S
        while self._next_to_score < len(notes):
            note = notes[self._next_to_score]
            if not final and now_s < note.end_s + settle_s:
                break
            done.append(score_note(note, self._sung(), self.settings, self._next_to_score))
            self._next_to_score += 1
            self._forget_before(self._next_to_score)
        self._scores.extend(done)
        return tuple(done)

    def _forget_before(self, index: int) -> None:
        """Drop frames no unscored note can need, so memory stays bounded."""
        if index >= len(self.target.notes):
            return
        keep_from = self.target.notes[index].onset_s - self.settings.onset_search_s - \
            KEEP_BEFORE_S
        cut = bisect.bisect_left(self._times, keep_from)
        if cut:
            del self._times[:cut], self._hz[:cut], self._voiced[:cut], self._level[:cut]
        cut = bisect.bisect_left(self._env_t, keep_from)
        if cut:
            del self._env_t[:cut], self._env_db[:cut]

    def finish(self) -> TakeScore:
        """Score the notes still open and return the whole take's scores (offset 0)."""
        self._score_ready(math.inf, final=True)
        return TakeScore(self.target, tuple(self._scores), 0.0, None, self.settings)
