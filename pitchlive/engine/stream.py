"""The worker's state for one stream of the engine (worker thread only)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from pitchlive.audio.capture import CaptureSink
from pitchlive.audio.levels import LEVEL_SPAN_SAMPLES
from pitchlive.audio.resample import StreamingResampler
from pitchlive.audio.sources import Source
from pitchlive.audio.windows import SlidingWindows, WindowCost, WindowResult, max_lag_samples
from pitchlive.frames import MODEL_SAMPLE_RATE_HZ, InputLevel, ModelFrame
from pitchlive.music import level_dbfs


@dataclass
class Stream:
    """The worker's state for one stream (worker thread only)."""

    rate_hz: float
    resampler: StreamingResampler
    windows: SlidingWindows
    resampler_lookahead: int       # native samples the resampler's filter needs beyond a sample
    read_pos: int = 0              # native samples consumed from the ring
    anchor_native: int = 0         # native index where the current 16 kHz timeline starts
    last_data_time: float = 0.0
    last_overflow_event: float = -math.inf
    reported_overflows: int = 0
    flushed: bool = False
    frame_came: bool = False
    window_cost: WindowCost = field(default_factory=WindowCost)
    # Audio heard before the model was ready: windows ending before this 16 kHz sample are all
    # run (never skipped as stale) once it is; then again up to the newest sample while the
    # backlog keeps shrinking (catch_up_backlog_16k: the last round's).
    catch_up_end_16k: int = 0
    catch_up_backlog_16k: float = math.inf
    level_sample_16k: int = 0      # 16 kHz samples covered by the last InputLevel

    @staticmethod
    def starting(rate_hz: float, hop_samples: int, first_cost_s: float = 0.0) -> "Stream":
        """A stream's state at its start; first_cost_s: a first guess at a window's cost
        (the model's warm-up call), 0 for none."""
        resampler = StreamingResampler(rate_hz, MODEL_SAMPLE_RATE_HZ)
        # resample_poly's filter spans 10 * max(up, down) taps each side at the upsampled rate.
        lookahead = (0 if resampler.up == resampler.down else
                     math.ceil(10 * max(resampler.up, resampler.down) / resampler.up) + 1)
        stream = Stream(rate_hz, resampler, SlidingWindows(hop_samples), lookahead,
                        last_data_time=time.monotonic())
        stream.guess_window_cost(first_cost_s)
        return stream

    def guess_window_cost(self, cost_s: float) -> None:
        """Start the window costs from a guess (the model's warm-up call; 0: none). It counts
        as three windows, so one first window that stalls does not make the worker skip."""
        for _ in range(3 if cost_s > 0 else 0):
            self.window_cost.add(cost_s)

    @property
    def native_per_16k(self) -> float:
        return self.rate_hz / MODEL_SAMPLE_RATE_HZ

    def native_end(self, end_16k: int) -> int:
        """Native samples the ring must hold for the 16 kHz stream to reach end_16k samples
        (the resampler's lookahead included)."""
        return (self.anchor_native + math.ceil(end_16k * self.native_per_16k)
                + self.resampler_lookahead)

    def set_wake_targets(self, sink: CaptureSink, right_context_samples: int | None) -> None:
        """Tell the sink when to wake the worker: once its next window is complete (None: no
        model yet, at the next level), and when the window after that will be, which a source
        that delivers in batches may wait for while the worker works (0: unknown)."""
        hop = self.windows.hop_samples
        if right_context_samples is None:
            sink.then_wake_at_samples = 0
            sink.wake_at_samples = self.native_end(self.level_sample_16k + hop)
            return
        end_16k = self.windows.next_end_sample(right_context_samples)
        sink.then_wake_at_samples = self.native_end(end_16k + hop)
        sink.wake_at_samples = self.native_end(end_16k)

    def restart(self, native_sample: int, hop_samples: int) -> None:
        """Start a new 16 kHz timeline at a native sample (after lost audio)."""
        self.read_pos = self.anchor_native = native_sample
        self.resampler = StreamingResampler(self.rate_hz, MODEL_SAMPLE_RATE_HZ)
        self.windows = SlidingWindows(hop_samples)

    def model_frame(self, result: WindowResult) -> ModelFrame:
        """The tracking stage's input for a window's kept frame, timed from the stream start."""
        time_s = self.anchor_native / self.rate_hz + result.centre_sample / MODEL_SAMPLE_RATE_HZ
        return ModelFrame(time_s=time_s, frequency_hz=float(result.frequency_hz),
                          confidence=float(result.confidence),
                          level_dbfs=float(result.level_dbfs), window_16k=result.window_16k,
                          centre_index=result.centre_index, model_ran=result.model_ran)

    def level_while_waiting(self, pending_s: float, hop_samples: int,
                            level_gate_dbfs: float) -> InputLevel | None:
        """While no model runs: forget all but the newest pending_s of audio waiting for it,
        and the input level once every hop_samples (16 kHz) of new input, else None."""
        windows = self.windows
        windows.forget_before(windows.samples - int(pending_s * MODEL_SAMPLE_RATE_HZ))
        if windows.samples - self.level_sample_16k < hop_samples:
            return None
        self.level_sample_16k = windows.samples
        level = level_dbfs(windows.recent(LEVEL_SPAN_SAMPLES))
        time_s = (self.anchor_native / self.rate_hz
                  + (windows.samples - LEVEL_SPAN_SAMPLES // 2) / MODEL_SAMPLE_RATE_HZ)
        return InputLevel(max(0.0, time_s), level, level >= level_gate_dbfs)

    def end_reason(self, sink: CaptureSink, source: Source, now: float,
                   stall_timeout_s: float) -> tuple[str, str | None] | None:
        """(why, error or None) when the stream has ended, else None."""
        if self.flushed and not self.windows.pending:
            return sink.end_reason or "end of input", None
        if sink.failure and sink.ring.written_samples == self.read_pos:
            return "stopped after an error", sink.failure
        # Only a device can be unplugged; a recording that is slow to decode is waited for.
        if source.realtime and getattr(source, "is_device", True) and \
                not sink.end_of_stream and now - self.last_data_time > stall_timeout_s:
            return "stopped after an error", (
                f"The input device '{source.device_name}' stopped delivering audio (it "
                "was unplugged, disabled, or the sound server stopped). Check it and start "
                "again.")
        return None

    def allowed_lag_16k(self, sink: CaptureSink, right_context_samples: int) -> int:
        """How far the next window may lie behind the newest audio (16 kHz samples) before a
        live worker skips: max_lag_samples() of its own delay, plus any backlog that arrived
        late in one burst.

        A sound server on a busy machine holds audio back and then delivers it at once
        (measured through the software microphone with a core burning: 0.45 s of silence from
        PulseAudio, then the blocks together). That backlog is no delay of the worker, which
        works it off at its usual cost; it skips only when the next window's audio has waited
        for it longer than its own allowance.
        """
        allowed = max_lag_samples(self.window_cost.typical_s)
        end_16k = self.windows.next_end_sample(right_context_samples)
        backlog = self.windows.samples - end_16k
        if backlog <= allowed:
            return allowed
        arrived = sink.clock.arrival_time(min(self.native_end(end_16k),
                                              sink.ring.written_samples) - 1)
        if math.isnan(arrived):
            return allowed
        waited = int((time.monotonic() - arrived) * MODEL_SAMPLE_RATE_HZ)
        return allowed + max(0, backlog - waited)

    def catching_up(self, next_end_16k: int, max_lag_16k: int | None) -> bool:
        """True while the window ending at next_end_16k belongs to audio heard before the model
        was ready, or to what arrived while that was worked off (never skipped)."""
        if next_end_16k <= self.catch_up_end_16k:
            return True
        if self.catch_up_end_16k == 0 or max_lag_16k is None:
            return False
        backlog = self.windows.samples - next_end_16k
        if backlog <= max_lag_16k or backlog >= self.catch_up_backlog_16k:
            self.catch_up_end_16k = 0          # caught up, or not gaining: live as usual
            return False
        self.catch_up_backlog_16k = backlog
        self.catch_up_end_16k = self.windows.samples
        return True

    def overflow_message(self, sink: CaptureSink, now: float, interval_s: float) -> str | None:
        """The words for input overflows not yet reported, at most once per interval_s."""
        if sink.overflows <= self.reported_overflows or \
                now - self.last_overflow_event < interval_s:
            return None
        self.reported_overflows = sink.overflows
        self.last_overflow_event = now
        return (f"Audio input overflowed ({sink.overflows} times so far): some sound was lost "
                "because the computer was too busy.")
