"""The live engine: source -> ring buffer -> windows -> model -> tracking stage -> subscribers.

Data flow (one way):

    source thread (the microphone reader, or a file feeder thread)
        -> CaptureSink: mixes/picks the channel into a native-rate RingBuffer, nothing else
    worker thread
        -> StreamingResampler (native rate -> 16 kHz, block-invariant)
        -> SlidingWindows: every hop, the model on the last ``settings.live_window`` samples,
           keeping the frame that has its right context of audio after its centre
        -> ModelFrame -> LiveTracker (pitchlive.tracking.live: voicing, smoothing, tuning
           offset, naming) -> PitchFrame -> every subscriber (called on the worker thread)
    and every native-rate block the worker takes from the ring buffer -> audio subscribers
    (also on the worker thread, in order, before the frames computed from it), e.g. a TakeRecorder.

An engine may start before its model has loaded (set_model() later): the source runs at once,
level subscribers get an InputLevel every hop, and the audio waits in the window ring (its
newest PENDING_AUDIO_S) to be analysed, frames in stream order, once the model is there.

The engine owns only the stream: sources, ring buffer, windows, scheduling, lag and skips,
events. Subscribers get immutable PitchFrame / EngineEvent objects, so they may keep them or hand
them to another thread (the GUI turns them into Qt signals). The core never imports Qt or
TensorFlow: the model object is passed in and only its ``infer(audio_16k)`` is used.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

import numpy as np

from pitchlive.audio.capture import CaptureSink
from pitchlive.audio.ringbuffer import RingBufferOverrun
from pitchlive.audio.sources import Source
from pitchlive.audio.windows import SlidingWindows
from pitchlive.engine.events import (
    AudioCallback,
    EngineEvent,
    EngineStats,
    EventCallback,
    FrameCallback,
    LevelCallback,
    PitchModel,
    Subscribers,
    failure_message,
)
from pitchlive.engine.stream import Stream
from pitchlive.frames import HOP_SAMPLES, MODEL_SAMPLE_RATE_HZ, PitchFrame
from pitchlive.model import ModelError, warm_up
from pitchlive.settings import Settings
from pitchlive.tracking.live import LiveTracker

log = logging.getLogger(__name__)

# A live source that delivers no audio for this long is treated as gone (unplugged device,
# sound server stopped). PortAudio often just stops calling back instead of reporting an error.
STALL_TIMEOUT_S = 2.0
# Overflow events are rate-limited so a struggling machine does not flood the GUI.
OVERFLOW_EVENT_INTERVAL_S = 1.0
# Lost audio (a ring overrun) reaches audio subscribers as silence in blocks of at most this many
# seconds, so a recording keeps its length and stays aligned with the frame times.
LOST_AUDIO_BLOCK_S = 0.5
# Audio heard while the model loads waits for it, up to this much (the newest is kept): a
# LiteRT model works 6 s off in about half a second once it is ready.
PENDING_AUDIO_S = 6.0


class Engine:
    """Live pitch tracking of one source with one model; start(), stop() and start() again.

    Subscribers run on the worker thread: keep them short (append to a list, emit a Qt signal).
    An exception raised by a subscriber is logged and does not stop the engine.
    """

    def __init__(self, settings: Settings, model: PitchModel | None, source: Source,
                 hop_samples: int = HOP_SAMPLES) -> None:
        self._settings = settings
        self.hop_samples = hop_samples   # 16 kHz samples between model calls (frame spacing)
        # None until set_model(): the source runs meanwhile (levels, audio subscribers) and the
        # audio waits for the model (the newest PENDING_AUDIO_S of it).
        self._model = model
        self._arriving_model: PitchModel | None = None
        self._warm_up_s = 0.0
        self._level_subscribers = Subscribers("level")
        self.source = source
        self._frame_subscribers = Subscribers("frame")
        self._event_subscribers = Subscribers("event")
        self._audio_subscribers = Subscribers("audio")
        self._audio_position = 0         # stream index of the block being handed to subscribers
        self._tracker = LiveTracker(settings)
        self._lifecycle_lock = threading.RLock()
        self._worker: threading.Thread | None = None
        self._stop_requested = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()
        self._sink: CaptureSink | None = None
        self._running = False
        self._reset_counters()

    # -- subscriptions ---------------------------------------------------------------------

    def subscribe(self, callback: FrameCallback) -> Callable[[], None]:
        """Call callback(frame) for every PitchFrame; returns a function that unsubscribes."""
        return self._frame_subscribers.add(callback)

    def subscribe_events(self, callback: EventCallback) -> Callable[[], None]:
        """Call callback(event) for every EngineEvent; returns a function that unsubscribes."""
        return self._event_subscribers.add(callback)

    def subscribe_audio(self, callback: AudioCallback) -> Callable[[], None]:
        """Call callback(block, sample_rate_hz) for every block of input; returns unsubscribe.

        block is float32 (n,), mono as analysed (mixed or the chosen channel), at the source's
        native rate. Called on the worker thread (never PortAudio's), in order and without gaps:
        concatenated, the blocks are the stream from its first sample, whatever windows the model
        skips; audio lost to a ring overrun arrives as silence so the length stays true. Keep the
        callback short (a file write of the block is fine): the worker waits for it.
        """
        return self._audio_subscribers.add(callback)

    def subscribe_levels(self, callback: LevelCallback) -> Callable[[], None]:
        """Call callback(InputLevel) for new input (at most once a hop) until the model is set.

        Once the model runs, the level travels in the frames. Returns a function that
        unsubscribes.
        """
        return self._level_subscribers.add(callback)

    def set_model(self, model: PitchModel) -> None:
        """Give an engine started without a model its model (any thread).

        The worker warms it up, works off the audio heard meanwhile (frames keep their audio
        times, so they come late but in order from the stream's start) and goes on live.
        """
        self._arriving_model = model
        sink = self._sink
        if sink is not None:
            sink.wake()

    @property
    def has_model(self) -> bool:
        """True once the worker runs a model (given at construction or by set_model)."""
        return self._model is not None

    # -- settings and state ------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The settings in use."""
        return self._settings

    def update_settings(self, settings: Settings) -> None:
        """Use new settings from the next frame on (threshold, gate, naming, window, smoothing).

        The device and channel are the source's: changing them needs a new source and a restart.
        """
        self._settings = settings

    @property
    def audio_position_samples(self) -> int:
        """Native-rate index, in the current stream, of the block audio subscribers are given.

        Read it inside an audio callback to place the block in the stream (0 at each start()).
        """
        return self._audio_position

    @property
    def running(self) -> bool:
        """True from a successful start() until the engine stops (stop(), error, end of file)."""
        return self._running

    def stats(self) -> EngineStats:
        """Current counters."""
        sink = self._sink
        return EngineStats(
            frames_emitted=self._frames_emitted,
            overflows=sink.overflows if sink else 0,
            skipped_windows=self._skipped_windows,
            latency_s=self._latency_s,
            input_level_dbfs=self._level_dbfs,
            device_name=self.source.device_name,
            device_rate_hz=float(self.source.sample_rate_hz or 0.0),
            running=self._running,
            ring_overruns=self._ring_overruns,
            underflows=sink.underflows if sink else 0,
            model_calls=self._model_calls,
        )

    def sample_arrival_time(self, sample_index: int) -> float:
        """time.monotonic() at which native-rate sample sample_index entered the ring buffer.

        NaN when unknown (not yet arrived, or too old). For latency measurements.
        """
        sink = self._sink
        return sink.clock.arrival_time(sample_index) if sink else math.nan

    def recent_audio(self, start_sample: int, end_sample: int) -> np.ndarray:
        """Copy of native-rate mono input samples [start, end) still in the ring buffer.

        Raises ValueError if they are not there (not yet arrived or already overwritten).
        """
        sink = self._sink
        if sink is None:
            raise ValueError("the engine has not been started")
        try:
            return sink.ring.read(start_sample, end_sample)
        except RingBufferOverrun as exc:
            raise ValueError(str(exc)) from exc

    @property
    def input_samples(self) -> int:
        """Native-rate samples that have entered the ring buffer since start()."""
        sink = self._sink
        return sink.ring.written_samples if sink else 0

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Open the source and start the worker; raises DeviceError / AudioFileError / ModelError.

        Emits a 'started' event whose message names the device and rate (and any rate fallback).
        Starting a running engine does nothing.
        """
        with self._lifecycle_lock:
            if self._running:
                return
            self._join_worker()
            self._reset_counters()
            self._stop_requested.clear()
            sink = CaptureSink()
            self.source.open()                       # raises on a bad device/file, holds nothing
            # Made here, the first call on this window length would make the worker skip the
            # first windows of every stream.
            if self._model is not None:
                self._warm_up(self._model)
            self._sink = sink
            try:
                self.source.start(sink)
            except BaseException:
                self._sink = None
                self.source.close()
                raise
            self._running = True
            self._stopped.clear()
            # Before the worker starts, so 'started' always precedes frames and 'stopped'.
            self._emit_event(EngineEvent("started", self.source.describe()))
            self._worker = threading.Thread(target=self._run_worker, name="pitchlive-engine",
                                            daemon=True)
            self._worker.start()

    def stop(self) -> None:
        """Stop the source and the worker and release the device; safe to call at any time.

        Called from a subscriber (the worker thread) it requests the stop and returns at once.
        """
        with self._lifecycle_lock:
            self._stop_requested.set()
            sink = self._sink
            if sink is not None:
                sink.wake()
            if threading.current_thread() is self._worker:
                return
            self._join_worker()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the engine has stopped (end of file, error or stop()); False on timeout."""
        return self._stopped.wait(timeout_s)

    # -- internals -------------------------------------------------------------------------------

    def _reset_counters(self) -> None:
        self._frames_emitted = 0
        self._skipped_windows = 0
        self._ring_overruns = 0
        self._model_calls = 0
        self._latency_s = math.nan
        self._level_dbfs = math.nan

    def _warm_up(self, model: PitchModel) -> None:
        started = time.perf_counter()
        try:
            warm_up(model, self._settings.live_window[0])
            self._warm_up_s = time.perf_counter() - started   # first guess at a window's cost
            for n_samples in SlidingWindows.input_lengths(
                    *self._settings.live_window, self._tracker.reads_early(self._settings))[1:]:
                warm_up(model, n_samples)    # an early read's: not on the first note change
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken model must give a clear message
            raise ModelError(failure_message(exc)) from exc

    def _join_worker(self) -> None:
        worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join()
            self._worker = None

    def _emit_event(self, event: EngineEvent) -> None:
        log.info("engine %s: %s", event.kind, event.message)
        self._event_subscribers.call(event)

    def _emit_audio(self, block: np.ndarray, rate_hz: float) -> None:
        self._audio_subscribers.call(block, rate_hz)
        self._audio_position += block.shape[0]

    def _emit_lost_audio(self, n_samples: int, rate_hz: float) -> None:
        """Silence in place of n_samples of lost input, for the audio subscribers."""
        if not self._audio_subscribers:
            return
        step = max(1, int(LOST_AUDIO_BLOCK_S * rate_hz))
        for start in range(0, n_samples, step):
            self._emit_audio(np.zeros(min(step, n_samples - start), np.float32), rate_hz)

    def _emit_frame(self, frame: PitchFrame) -> None:
        self._frame_subscribers.call(frame)

    def _run_worker(self) -> None:
        sink = self._sink
        assert sink is not None
        try:
            reason, error_message = self._process(sink)
        except Exception as exc:  # noqa: BLE001 - any model/runtime failure stops cleanly
            log.debug("worker failed", exc_info=True)
            reason, error_message = "stopped after an error", failure_message(exc)
        finally:
            self.source.close()
            self._running = False
        if error_message is not None:
            self._emit_event(EngineEvent("error", error_message))
        self._emit_event(EngineEvent("stopped", reason))
        self._stopped.set()

    # -- the worker loop ---------------------------------------------------------------------

    def _process(self, sink: CaptureSink) -> tuple[str, str | None]:
        """The worker loop; returns (why it ended, user-facing error message or None)."""
        stream = Stream.starting(float(sink.sample_rate_hz), self.hop_samples, self._warm_up_s)
        # A new stream starts a new tuning offset (another source, or the same after a pause).
        self._tracker.start_stream(self._settings)
        self._audio_position = 0
        while not self._stop_requested.is_set():
            now = time.monotonic()
            if self._model is None and self._arriving_model is not None:
                self._adopt_model(stream)
            self._take_in(sink, stream, now)
            overflow = stream.overflow_message(sink, now, OVERFLOW_EVENT_INTERVAL_S)
            if overflow is not None:
                self._emit_event(EngineEvent("overflow", overflow))
            # One window at a time, taking in new audio in between: a slow model is then judged
            # on how far behind the newest audio it is, and skips to stay current.
            settings = self._settings
            if self._run_next_window(sink, stream, settings):
                continue
            ended = stream.end_reason(sink, self.source, now, STALL_TIMEOUT_S)
            if ended is not None:
                return ended
            # Sleep until the capture has the next window's input (+ the resampler's lookahead).
            stream.set_wake_targets(sink, settings.live_window[1] if self._model is not None
                                    else None)
            sink.wait_for_data(timeout_s=0.1)
        return "stopped", None

    def _take_in(self, sink: CaptureSink, stream: "Stream", now: float) -> None:
        """Move new input from the ring to the audio subscribers and the windows."""
        written = sink.ring.written_samples
        # A file read as fast as possible is taken in only when its windows are done, so the
        # feeder waits for the worker instead of the worker's windows being overwritten.
        # Without a model, a file read as fast as possible waits for it (a microphone does not).
        takes_in = self.source.realtime or (not stream.frame_came and self._model is not None)
        if written > stream.read_pos and takes_in:
            stream.last_data_time = now
            try:
                block = sink.ring.read(stream.read_pos, written)
            except RingBufferOverrun:
                block = self._recover_overrun(sink, stream, written)
            stream.read_pos = sink.consumed_samples = written
            self._emit_audio(block, stream.rate_hz)
            stream.windows.push(stream.resampler.process(block))
            if self._model is None:
                self._wait_for_model(stream)
        elif sink.end_of_stream and not stream.flushed and written == stream.read_pos:
            stream.windows.push(stream.resampler.flush())
            stream.windows.finish()
            stream.flushed = True

    def _wait_for_model(self, stream: Stream) -> None:
        """No model yet: keep the newest PENDING_AUDIO_S for it and tell the level."""
        level = stream.level_while_waiting(PENDING_AUDIO_S, self.hop_samples,
                                           self._settings.level_gate_dbfs)
        if level is not None:
            self._level_dbfs = level.level_dbfs
            self._level_subscribers.call(level)

    def _adopt_model(self, stream: Stream) -> None:
        """The model arrived: warm it up and run every window heard meanwhile (no skipping)."""
        model = self._arriving_model
        self._warm_up(model)
        self._model = model
        stream.guess_window_cost(self._warm_up_s)
        stream.catch_up_end_16k = stream.windows.samples
        waiting = stream.windows.samples - stream.windows.next_centre_sample
        log.info("model ready: the %.1f s heard meanwhile is analysed now", waiting / 16000)

    def _recover_overrun(self, sink: CaptureSink, stream: "Stream", written: int) -> np.ndarray:
        """The worker fell a whole ring behind (audio lost): restart the timeline at a sample
        still there, so frame times stay true to the audio. Returns the block to take in."""
        self._ring_overruns += 1
        log.warning("ring buffer overrun: the worker fell %.1f s behind",
                    (written - stream.read_pos) / stream.rate_hz)
        lost_from = stream.read_pos
        stream.restart(written - sink.ring.capacity_samples // 2, self.hop_samples)
        self._emit_lost_audio(stream.read_pos - lost_from, stream.rate_hz)
        self._tracker.skip()
        return sink.ring.read(stream.read_pos, written)

    def _run_next_window(self, sink: CaptureSink, stream: "Stream", settings: Settings) -> bool:
        """Run the model on the next due window and emit its frame; False if none was due."""
        if self._model is None:
            return False
        window_samples, right_context_samples = settings.live_window
        if stream.catch_up_end_16k == 0 and stream.windows.next_end_sample(
                right_context_samples) > stream.windows.samples:   # not due: skip the bookkeeping
            stream.frame_came = False
            return False
        started = time.perf_counter()
        # How far behind the worker may fall before it skips windows (Stream.allowed_lag_16k).
        max_lag = stream.allowed_lag_16k(sink, right_context_samples) if self.source.realtime \
            else None
        if stream.catching_up(stream.windows.next_end_sample(right_context_samples), max_lag):
            max_lag = None      # audio heard while the model loaded: all of it is analysed
        result = stream.windows.next_due(self._model.infer, window_samples, right_context_samples,
                                         max_lag, **self._tracker.window_checks(settings))
        self._skipped_windows = stream.windows.skipped_windows
        stream.frame_came = result is not None
        if result is None:
            return False
        self._model_calls += result.model_ran
        self._level_dbfs = result.level_dbfs
        self._emit_frame(self._tracker.process(stream.model_frame(result), settings))
        self._frames_emitted += 1
        stream.window_cost.add(time.perf_counter() - started)
        centre_native = stream.anchor_native + int(round(
            result.centre_sample * stream.rate_hz / MODEL_SAMPLE_RATE_HZ))
        arrival = sink.clock.arrival_time(min(centre_native, sink.ring.written_samples - 1))
        self._latency_s = time.monotonic() - arrival
        return True
