"""A live practice run without any UI: count-in, then frames scored against the target.

The terminal command and the practice view both drive one of these with the engine's frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pitchlive.frames import PitchFrame
from pitchlive.practice.live import LiveFeedback, LiveScorer
from pitchlive.practice.note_score import ScoringSettings
from pitchlive.practice.take_score import TakeScore
from pitchlive.practice.target import Target

DEFAULT_TEMPO_BPM = 90.0     # count-in tempo for targets without one (sirens have none)
TAIL_S = 1.0                 # keep listening this long after the last note ends


@dataclass(frozen=True)
class CountIn:
    """beats clicks of beat_s seconds each before the target starts."""

    beats: int
    beat_s: float

    @property
    def duration_s(self) -> float:
        """Length of the count-in in seconds."""
        return self.beats * self.beat_s

    def beat_at(self, elapsed_s: float) -> int | None:
        """The count-in beat (1..beats) at elapsed_s seconds from its start; None outside it."""
        if elapsed_s < 0 or elapsed_s >= self.duration_s:
            return None
        return int(elapsed_s // self.beat_s) + 1


class PracticeSession:
    """Score a live performance of target that starts after a count-in.

    Parameters
    ----------
    target : Target
    scoring : ScoringSettings
    count_in_beats : int
        Beats counted before the first note (0-16), at the target's tempo.
    stream_start_s : float
        Stream time (s) at which the count-in starts.
    """

    def __init__(self, target: Target, scoring: ScoringSettings = ScoringSettings(),
                 count_in_beats: int = 4, stream_start_s: float = 0.0):
        if not 0 <= count_in_beats <= 16:
            raise ValueError(f"the count-in must be 0-16 beats, got {count_in_beats}.")
        tempo = target.tempo_bpm if target.tempo_bpm and target.tempo_bpm > 0 else \
            DEFAULT_TEMPO_BPM
        self.target = target
        self.count_in = CountIn(count_in_beats, 60.0 / tempo)
        self.stream_start_s = float(stream_start_s)
        self.target_start_s = self.stream_start_s + self.count_in.duration_s
        self.scorer = LiveScorer(target, scoring, self.target_start_s)

    def count_in_beat(self, stream_time_s: float) -> int | None:
        """The count-in beat being counted at a stream time, None before or after it."""
        return self.count_in.beat_at(stream_time_s - self.stream_start_s)

    def push(self, frame: PitchFrame) -> LiveFeedback:
        """Feed one engine frame; feedback on the note at that moment."""
        level = frame.level_dbfs if not math.isnan(frame.level_dbfs) else None
        return self.scorer.push(frame.time_s, frame.frequency_hz, frame.is_pitch, level)

    def push_audio(self, block, sample_rate_hz: float) -> None:
        """Feed the engine's input audio (``Engine.subscribe_audio``) for precise onsets; the
        stream must have started at stream_start_s = 0."""
        self.scorer.push_audio(block, sample_rate_hz)

    def is_over(self, stream_time_s: float) -> bool:
        """True once the target and a short tail have passed."""
        return stream_time_s >= self.target_start_s + self.target.duration_s + TAIL_S

    def result(self) -> TakeScore:
        """Scores of every note (those not reached count as not sung)."""
        return self.scorer.finish()
