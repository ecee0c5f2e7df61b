"""Sliding 16 kHz analysis windows for live tracking: which window to run, which frame to keep.

Frames are due on a fixed grid: frame centres at multiples of the hop from the start of the
stream (the same times as whole-file analysis). The frame centred on sample c is taken from a
model call on the window_samples samples ending at c + right_context_samples. SPICE's frames lie
at multiples of 512 from the start of its input, so window_samples - right_context_samples must
be a multiple of 512 (a window of 2304 samples has a frame 256 samples before its end). SPICE's
last frame of a call is the least accurate (its right context is padding); 256 samples (16 ms) of
right context recover the accuracy of whole-file analysis (measured: bench/engine_windows.py).

Early reads: a window is due once per hop, so a new note waited on average half a hop for the
next one. With an ``early`` check (pitchlive.tracking.live: the fast note-change test against
the note on screen), each frame is looked at half a hop before its window completes too: when
the newest audio there already holds a new note, the frame is read at once from a window
EARLY_SAMPLES longer that ends EARLY_SAMPLES sooner (the same SPICE frame, with less right
context). The check decides on the same audio whenever it runs, so a recording read at full
speed gets the frames a live stream gets.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from pitchlive.audio.levels import LEVEL_SPAN_SAMPLES
from pitchlive.audio.ringbuffer import RingBuffer
from pitchlive.frames import HOP_SAMPLES
from pitchlive.music import level_dbfs, median_of

log = logging.getLogger(__name__)

MAX_WINDOW_SAMPLES = 65536

# Room for the largest window, the silence before the stream, and a 4 s burst of audio (what a
# worker that fell behind takes in at once) without overwriting the window in use.
RING_SAMPLES = 3 * MAX_WINDOW_SAMPLES
InferFn = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
# (window_16k (window_samples,), centre_index, level_dbfs) -> (frequency_hz, confidence) standing
# in for the model's kept frame when the model's answer cannot matter, or None to run the model.
# Injected by a later stage (pitchlive.tracking.steady), which knows what it does with the frame.
StandInFn = Callable[[np.ndarray, int, float], "tuple[float, float] | None"]
# window_16k (window_samples + EARLY_SAMPLES,), ending half a hop before the frame's window does
# -> True to read the frame from it at once. Injected by the tracking stage, like StandInFn.
EarlyFn = Callable[[np.ndarray], bool]
# An early read ends half a 32 ms hop (256 samples, 16 ms) sooner: a window ends every 16 ms.
EARLY_SAMPLES = 256
# ...and keeps at least this much right context (the least that kept live accuracy within 0.005
# of whole-file analysis, README "Latency study"): the default 768 allows early reads, the
# low-latency window's 256 does not.
MIN_EARLY_RIGHT_CONTEXT = 512

# A live worker that falls more than this behind the newest audio skips to the newest window.
# 4 hops (128 ms) absorbs late, bursty blocks and bounds the latency a slow model adds...
MAX_LAG_HOPS = 4
# ...unless its windows are cheap enough to work the backlog off within CATCH_UP_S (a LiteRT
# window with refinement takes ~3 ms, 10-20 ms of wall time in a starved process), up to
# MAX_CATCH_UP_HOPS (2 s) behind: a stall of the worker (a busy machine, another process
# burning a core, a garbage collection) then delays frames for a moment instead of dropping
# them. Measured (bench/engine_endurance.py --burn, load ~10): with 64 ms and 1 s the worker of
# a starved process skipped ~60 windows a minute, in bursts of 0.4-0.8 s it could work off.
CATCH_UP_S = 1.0
MAX_CATCH_UP_HOPS = 64


class WindowCost:
    """What one window typically costs the worker: the median of the last n (seconds).

    A median, so that the stall being caught up (one window that took 0.4 s) does not make the
    worker look slow and skip what it could work off.
    """

    def __init__(self, n: int = 31) -> None:
        self._costs: deque[float] = deque(maxlen=n)

    def add(self, cost_s: float) -> None:
        """Record the cost of one window (seconds)."""
        self._costs.append(cost_s)

    @property
    def typical_s(self) -> float:
        """Median cost of the recent windows; 0.0 before the first."""
        return median_of(self._costs)     # np.median cost more than the rest of a wake-up


def max_lag_samples(window_cost_s: float) -> int:
    """How far behind the newest audio (16 kHz samples) a live worker may fall before skipping.

    window_cost_s is what one window costs the worker (seconds; 0 before it is measured). While
    it works off n windows, n * window_cost_s / hop_s more arrive: a backlog of n clears in
    n * window_cost_s / (1 - window_cost_s / hop_s), never for a worker slower than real time.
    """
    hops = MAX_LAG_HOPS
    hop_s = HOP_SAMPLES / 16000
    if 0 < window_cost_s < hop_s:
        clearable = CATCH_UP_S * (1 - window_cost_s / hop_s) / window_cost_s
        hops = max(hops, min(MAX_CATCH_UP_HOPS, int(clearable)))
    return hops * HOP_SAMPLES


@dataclass(frozen=True, eq=False)   # holds an array: compared by identity
class WindowResult:
    """The kept frame of one model call; sample indices count 16 kHz samples from stream start.

    level_dbfs is the RMS of LEVEL_SPAN_SAMPLES around the centre (pitchlive.audio.levels),
    ending at the window's end when the window keeps less than half the span after the centre.
    """

    centre_sample: int
    end_sample: int
    frequency_hz: float
    confidence: float
    level_dbfs: float
    window_16k: np.ndarray   # the model's input, float32 (window_samples,), a read-only copy
    centre_index: int        # index of centre_sample in window_16k
    model_ran: bool = True   # False: frequency_hz and confidence came from the stand-in
    early: bool = False      # True: read EARLY_SAMPLES before its window's end (an early read)


def check_window(window_samples: int, right_context_samples: int) -> None:
    """Raise ValueError unless a SPICE frame lies right_context_samples before the window's end."""
    if not 0 < window_samples <= MAX_WINDOW_SAMPLES:
        raise ValueError(f"window must be 1-{MAX_WINDOW_SAMPLES} samples, got {window_samples}")
    if not 0 <= right_context_samples < window_samples or \
            (window_samples - right_context_samples) % HOP_SAMPLES:
        raise ValueError(f"no SPICE frame lies {right_context_samples} samples before the end of "
                         f"a {window_samples}-sample window (their difference must be a multiple "
                         f"of {HOP_SAMPLES})")


class SlidingWindows:
    """Accumulates 16 kHz audio and runs the model on each due window (worker-thread only)."""

    def __init__(self, hop_samples: int = HOP_SAMPLES,
                 capacity_samples: int = RING_SAMPLES) -> None:
        self.hop_samples = hop_samples
        self._ring = RingBuffer(capacity_samples)
        # Silence before the stream, so the first windows are full length like any other.
        self._ring.write(np.zeros(MAX_WINDOW_SAMPLES, dtype=np.float32))
        self._offset = MAX_WINDOW_SAMPLES
        self._next_centre = 0
        self._final_centre: int | None = None   # set by finish(): the last centre to emit
        self.skipped_windows = 0
        # Whether the last next_due call had an early check it could use, and the centre whose
        # early look is done (next_end_sample then names the window's own end).
        self._early_on = False
        self._early_looked: int | None = None
        self.early_reads = 0

    @property
    def samples(self) -> int:
        """16 kHz samples pushed (without the padding added by finish())."""
        return self._ring.written_samples - self._offset

    def push(self, audio_16k: np.ndarray) -> None:
        """Append newly resampled audio."""
        if audio_16k.shape[0] > self._ring.capacity_samples:
            raise ValueError("block longer than the window ring buffer; push smaller blocks")
        self._ring.write(audio_16k)

    def finish(self) -> None:
        """End of stream: pad with silence so the last frames (up to the final sample) come out."""
        n = self.samples
        # Whole-file analysis gives n // 512 + 1 frames: centres up to the last hop at or before n.
        self._final_centre = (n // HOP_SAMPLES) * HOP_SAMPLES
        self._ring.write(np.zeros(MAX_WINDOW_SAMPLES, dtype=np.float32))

    @property
    def next_centre_sample(self) -> int:
        """16 kHz sample (from stream start) at which the next frame is centred."""
        return self._next_centre

    def recent(self, n_samples: int) -> np.ndarray:
        """The last n_samples pushed (a view, float32 (n_samples,); silence before the stream)."""
        return self._ring.window(self._ring.written_samples, n_samples)

    def forget_before(self, centre_sample: int) -> int:
        """Give up the frames centred before centre_sample (hop grid, rounded up); not skips.

        For audio heard while no model could run (it is loading): only its newest part waits
        for the model. Returns how many frames were given up.
        """
        hop = self.hop_samples
        target = -(-centre_sample // hop) * hop
        if target <= self._next_centre:
            return 0
        forgotten = (target - self._next_centre) // hop
        self._next_centre = target
        return forgotten

    def next_end_sample(self, right_context_samples: int) -> int:
        """16 kHz sample count (from stream start) at which next_due has something to do next:
        the next window's end, or EARLY_SAMPLES before it while its early look is still due."""
        end = self._next_centre + right_context_samples
        if self._early_on and self._early_looked != self._next_centre:
            return end - EARLY_SAMPLES
        return end

    @staticmethod
    def input_lengths(window_samples: int, right_context_samples: int,
                      early: bool) -> tuple[int, ...]:
        """The model input lengths (16 kHz samples) these windows may call with: the window's,
        then, with an early check (early True), an early read's where allowed. A backend's
        first call on a length pays its set-up: a TensorFlow trace of 0.1-0.5 s, a LiteRT
        interpreter."""
        if early and SlidingWindows.allows_early(window_samples, right_context_samples):
            return window_samples, window_samples + EARLY_SAMPLES
        return (window_samples,)

    @staticmethod
    def allows_early(window_samples: int, right_context_samples: int) -> bool:
        """Whether frames of this window may be read early (enough right context is left)."""
        return (right_context_samples - EARLY_SAMPLES >= MIN_EARLY_RIGHT_CONTEXT
                and window_samples + EARLY_SAMPLES <= MAX_WINDOW_SAMPLES)

    @property
    def pending(self) -> bool:
        """After finish(): True while frames before the stream's end are still due."""
        return self._final_centre is not None and self._next_centre <= self._final_centre

    def next_due(self, infer: InferFn, window_samples: int, right_context_samples: int,
                 max_lag_samples: int | None = None, stand_in: StandInFn | None = None,
                 early: EarlyFn | None = None) -> WindowResult | None:
        """Run the model on the next complete window and return its kept frame (None if none).

        With max_lag_samples, windows whose end lies further than that behind the newest sample
        pushed are skipped (counted in skipped_windows) so a slow worker stays current; a live
        caller pushes new audio between calls so the lag is judged on fresh data. stand_in is
        asked first: an answer it gives replaces the model call (model_ran False). early (when
        allows_early) looks at each frame EARLY_SAMPLES before its window ends, once: True reads
        the frame there (early True; counted in early_reads).
        """
        check_window(window_samples, right_context_samples)
        hop = self.hop_samples
        available = self._ring.written_samples - self._offset
        if self._final_centre is not None:
            if self._next_centre > self._final_centre:
                return None
            max_lag_samples = None          # finish()'s padding arrives at once; no skipping
        self._early_on = early is not None and self.allows_early(window_samples,
                                                                right_context_samples)
        end = self._next_centre + right_context_samples
        if self._early_on and self._early_looked != self._next_centre and \
                end - EARLY_SAMPLES <= available and \
                (max_lag_samples is None or available - end <= max_lag_samples):
            self._early_looked = self._next_centre
            result = self._early_read(infer, early, window_samples + EARLY_SAMPLES,
                                      end - EARLY_SAMPLES)
            if result is not None:
                return result
        if end > available:
            return None
        if max_lag_samples is not None and available - end > max_lag_samples:
            newest_centre = ((available - right_context_samples) // hop) * hop
            log.info("skipping %d windows: %.2f s behind, more than %.2f s allowed",
                     (newest_centre - self._next_centre) // hop, (available - end) / 16000,
                     max_lag_samples / 16000)
            self.skipped_windows += (newest_centre - self._next_centre) // hop
            self._next_centre = newest_centre
            end = newest_centre + right_context_samples
        window = self._window_ending(end, window_samples)
        centre = self._next_centre
        centre_index = window_samples - right_context_samples
        level = self._level_at(centre, end)
        standing = stand_in(window, centre_index, level) if stand_in is not None else None
        if standing is not None:
            self._next_centre += hop
            return WindowResult(centre, end, float(standing[0]), float(standing[1]), level,
                                window, centre_index, model_ran=False)
        return self._model_read(infer, window, end, level)

    def _window_ending(self, end: int, window_samples: int) -> np.ndarray:
        """A read-only copy of the window_samples samples ending at end (16 kHz, from start)."""
        window = np.array(self._ring.window(end + self._offset, window_samples))
        window.flags.writeable = False
        return window

    def _level_at(self, centre: int, end: int) -> float:
        level_end = min(centre + LEVEL_SPAN_SAMPLES // 2, end)
        return level_dbfs(self._ring.window(level_end + self._offset, LEVEL_SPAN_SAMPLES))

    def _model_read(self, infer: InferFn, window: np.ndarray, end: int, level: float,
                    early: bool = False) -> WindowResult:
        """The next frame read by the model from window (which ends at end); advances."""
        centre = self._next_centre
        centre_index = window.shape[0] - (end - centre)
        frequency_hz, confidence = infer(window)
        kept_index = centre_index // HOP_SAMPLES
        self._next_centre += self.hop_samples
        return WindowResult(centre_sample=centre, end_sample=end,
                            frequency_hz=float(frequency_hz[kept_index]),
                            confidence=float(confidence[kept_index]), level_dbfs=level,
                            window_16k=window, centre_index=centre_index, early=early)

    def _early_read(self, infer: InferFn, early: EarlyFn, window_samples: int,
                    end: int) -> WindowResult | None:
        """The next frame from the window ending at end, when early says so; else None."""
        if not early(self._ring.window(end + self._offset, window_samples)):
            return None
        self.early_reads += 1
        return self._model_read(infer, self._window_ending(end, window_samples), end,
                                self._level_at(self._next_centre, end), early=True)

    def due(self, infer: InferFn, window_samples: int, right_context_samples: int,
            max_lag_samples: int | None = None, stand_in: StandInFn | None = None,
            early: EarlyFn | None = None) -> Iterator[WindowResult]:
        """Every window complete so far, in order (next_due until there is none)."""
        while True:
            result = self.next_due(infer, window_samples, right_context_samples, max_lag_samples,
                                   stand_in, early)
            if result is None:
                return
            yield result
