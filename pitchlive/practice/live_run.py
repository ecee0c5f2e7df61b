"""One practice run on a live stream that may have been running for a while (the window's).

The run knows where on the stream's clock its audio started playing and the calibrated round
trip; target time 0 falls a count-in plus that latency later. Each frame gets live feedback at
once (``LiveScorer``); the frames and a fine level envelope of the input are kept, so that at
the end the whole take is scored like ``pitchlive score`` does: optionally aligned within
±ALIGN_SEARCH_S of the calibrated timing (what the latency slider cannot know exactly, and
what a stalled output moved), with
onsets timed on the envelope.
"""

from __future__ import annotations

import math

import numpy as np

from pitchlive.frames import PitchFrame
from pitchlive.practice.live import LiveFeedback, LiveScorer
from pitchlive.practice.note_score import ScoringSettings
from pitchlive.practice.plan import PracticePlan
from pitchlive.practice.session import TAIL_S
from pitchlive.practice.sung import StreamingEnvelope, SungPitch
from pitchlive.practice.take_score import TakeScore, score_take

ALIGN_SEARCH_S = 0.5


class PracticeRun:
    """Scores a run whose audio started at stream time play_stream_s (s).

    Parameters
    ----------
    plan : PracticePlan
    scoring : ScoringSettings
    play_stream_s : float
        Stream time (the engine's clock) at which the played audio (the count-in) started.
    latency_ms : float
        Round trip from the output to the input (the calibration's figure).
    """

    def __init__(self, plan: PracticePlan, scoring: ScoringSettings, play_stream_s: float,
                 latency_ms: float = 0.0):
        self.plan = plan
        self.scoring = scoring
        self.play_stream_s = float(play_stream_s)
        self.latency_s = float(latency_ms) / 1000.0
        self.target_start_s = self.play_stream_s + plan.count_in_s + self.latency_s
        self.scorer = LiveScorer(plan.target, scoring, self.target_start_s)
        self.last_feedback: LiveFeedback | None = None
        self._times: list[float] = []
        self._hz: list[float] = []
        self._voiced: list[bool] = []
        self._envelope = StreamingEnvelope()
        self._env_start_s: float | None = None
        self._env_t: list[np.ndarray] = []
        self._env_db: list[np.ndarray] = []

    def target_time(self, stream_time_s: float) -> float:
        """Time on the target's timeline (0 = its first note) of a stream time."""
        return stream_time_s - self.target_start_s

    def count_in_beat(self, stream_time_s: float) -> int | None:
        """The count-in beat (1..beats) heard at a stream time, None outside the count-in."""
        elapsed = stream_time_s - self.play_stream_s - self.latency_s
        if elapsed < 0 or elapsed >= self.plan.count_in_s:
            return None
        return int(elapsed // self.plan.beat_s) + 1

    def push(self, frame: PitchFrame) -> LiveFeedback:
        """Feed one engine frame; the feedback on the note at that moment."""
        voiced = bool(frame.is_pitch) and math.isfinite(frame.frequency_hz)
        self._times.append(frame.time_s)
        self._hz.append(frame.frequency_hz)
        self._voiced.append(voiced)
        level = frame.level_dbfs if math.isfinite(frame.level_dbfs) else None
        self.last_feedback = self.scorer.push(frame.time_s, frame.frequency_hz, voiced, level)
        return self.last_feedback

    def push_audio(self, block: np.ndarray, sample_rate_hz: float,
                   stream_position_samples: int) -> None:
        """Feed input audio (mono, in order, without gaps); the first block's stream position
        places the envelope on the stream's clock."""
        if self._env_start_s is None:
            self._env_start_s = stream_position_samples / float(sample_rate_hz)
        times, level = self._envelope.push(block, sample_rate_hz)
        if times.size:
            self._env_t.append(times + self._env_start_s)
            self._env_db.append(level)

    def is_over(self, stream_time_s: float) -> bool:
        """True once the target and a short tail have passed."""
        return stream_time_s >= self.target_start_s + self.plan.target.duration_s + TAIL_S

    def sung(self) -> SungPitch:
        """The take so far on the target's timeline (calibrated timing)."""
        start = self.target_start_s
        env_t = np.concatenate(self._env_t) - start if self._env_t else None
        env_db = np.concatenate(self._env_db) if self._env_db else None
        return SungPitch(np.array(self._times, float) - start, np.array(self._hz, float),
                         np.array(self._voiced, bool), env_t, env_db)

    def finish(self, align: bool = True) -> TakeScore:
        """Score every note of the take: aligned within ±ALIGN_SEARCH_S of the calibrated timing
        when align (offset_s is then the residual), else exactly at it."""
        sung = self.sung()
        if not sung.times_s.size:
            return self.scorer.finish()
        if align:
            return score_take(self.plan.target, sung, self.scoring, None, ALIGN_SEARCH_S)
        return score_take(self.plan.target, sung, self.scoring, offset_s=0.0)
