"""The real-time engine: audio source -> ring buffer -> SPICE worker -> PitchFrame subscribers.

Data flow (one way):

    source callback (PortAudio thread, or a file feeder thread)
        -> CaptureSink: mixes/picks the channel into a native-rate RingBuffer, nothing else
    worker thread
        -> StreamingResampler (native rate -> 16 kHz, block-invariant)
        -> SlidingWindows: every hop, SPICE on the last ``settings.window_samples`` samples,
           keeping the frame that has ``right_context_samples`` of audio after its centre
        -> voicing (confidence threshold + level gate), optional LiveSmoother
        -> RunningOffset (the performer's tuning offset over the last few seconds)
        -> note naming (on the A4 grid, or on the grid shifted by that offset)
        -> PitchFrame -> every subscriber (called on the worker thread)
    and every native-rate block the worker takes from the ring buffer -> audio subscribers
    (also on the worker thread, in order, before the frames computed from it), e.g. a TakeRecorder.

Subscribers get immutable PitchFrame / EngineEvent objects, so they may keep them or hand them to
another thread (the GUI turns them into Qt signals). The core never imports Qt or TensorFlow: the
model object is passed in and only its ``infer(audio_16k) -> (frequency_hz, confidence)`` is used.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from pitchlive.audio.capture import CaptureSink
from pitchlive.audio.resample import StreamingResampler
from pitchlive.audio.ringbuffer import RingBufferOverrun
from pitchlive.audio.sources import FileSource, MicrophoneSource, Source
from pitchlive.audio.windows import SlidingWindows, WindowResult
from pitchlive.frames import HOP_SAMPLES, MODEL_SAMPLE_RATE_HZ, PitchFrame
from pitchlive.model import ModelError
from pitchlive.music import nearest_note, note_name
from pitchlive.settings import Settings
from pitchlive.tracking.refine import refine_live_frame
from pitchlive.tracking.smoothing import LiveSmoother
from pitchlive.tracking.vibrato import VibratoReader
from pitchlive.tracking.tuning import RunningOffset, TuningOffset, naming_a4_hz

log = logging.getLogger(__name__)

EVENT_KINDS = ("started", "stopped", "error", "overflow")

# A live worker that is more than this far behind the newest audio skips to the newest window.
# 4 hops (128 ms) absorbs late, bursty blocks and a busy machine's hiccups without skipping (the
# 10-minute run through PulseAudio skipped none), and bounds the latency a slow machine adds.
MAX_LAG_HOPS = 4
# A live source that delivers no audio for this long is treated as gone (unplugged device,
# sound server stopped). PortAudio often just stops calling back instead of reporting an error.
STALL_TIMEOUT_S = 2.0
# Overflow events are rate-limited so a struggling machine does not flood the GUI.
OVERFLOW_EVENT_INTERVAL_S = 1.0


class PitchModel(Protocol):
    """What the engine needs of a model (pitchlive.model.SpiceModel has it)."""

    def infer(self, audio_16k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Frequency (Hz) and confidence (0-1) per 512-sample hop of 16 kHz mono audio."""
        ...


@dataclass(frozen=True)
class EngineStats:
    """A snapshot of the engine's counters (safe to read from any thread)."""

    frames_emitted: int
    overflows: int            # audio lost before it reached us (PortAudio input overflow flags)
    skipped_windows: int      # stale windows the worker skipped to stay current
    latency_s: float          # last frame: emitted minus its centre sample's arrival (NaN before)
    input_level_dbfs: float   # level of the last frame (-inf for silence, NaN before the first)
    device_name: str
    device_rate_hz: float
    running: bool
    ring_overruns: int = 0    # times the worker fell a whole ring buffer behind (audio lost)
    underflows: int = 0       # PortAudio input underflow flags
    model_calls: int = 0      # SPICE calls made


@dataclass(frozen=True)
class EngineEvent:
    """Something that happened to the engine; message is a user-facing sentence."""

    kind: str                 # 'started' | 'stopped' | 'error' | 'overflow'
    message: str


FrameCallback = Callable[[PitchFrame], None]
EventCallback = Callable[[EngineEvent], None]
# (block: float32 (n,) mono as analysed at the source's native rate, sample_rate_hz)
AudioCallback = Callable[[np.ndarray, float], None]
# Lost audio (a ring overrun) reaches audio subscribers as silence in blocks of at most this many
# seconds, so a recording keeps its length and stays aligned with the frame times.
LOST_AUDIO_BLOCK_S = 0.5


class Engine:
    """Live pitch tracking of one source with one model; start(), stop() and start() again.

    Subscribers run on the worker thread: keep them short (append to a list, emit a Qt signal).
    An exception raised by a subscriber is logged and does not stop the engine.
    """

    def __init__(self, settings: Settings, model: PitchModel, source: Source,
                 hop_samples: int = HOP_SAMPLES) -> None:
        self._settings = settings
        self.hop_samples = hop_samples   # 16 kHz samples between model calls (frame spacing)
        self._model = model
        self.source = source
        self._frame_subscribers: tuple[FrameCallback, ...] = ()
        self._event_subscribers: tuple[EventCallback, ...] = ()
        self._audio_subscribers: tuple[AudioCallback, ...] = ()
        self._audio_position = 0         # stream index of the block being handed to subscribers
        self._running_offset = RunningOffset(threshold=0.0, a4_hz=settings.a4_hz)
        self._vibrato = VibratoReader()
        self._subscribers_lock = threading.Lock()
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
        with self._subscribers_lock:
            self._frame_subscribers = self._frame_subscribers + (callback,)

        def unsubscribe() -> None:
            with self._subscribers_lock:
                self._frame_subscribers = tuple(
                    cb for cb in self._frame_subscribers if cb is not callback)
        return unsubscribe

    def subscribe_events(self, callback: EventCallback) -> Callable[[], None]:
        """Call callback(event) for every EngineEvent; returns a function that unsubscribes."""
        with self._subscribers_lock:
            self._event_subscribers = self._event_subscribers + (callback,)

        def unsubscribe() -> None:
            with self._subscribers_lock:
                self._event_subscribers = tuple(
                    cb for cb in self._event_subscribers if cb is not callback)
        return unsubscribe

    def subscribe_audio(self, callback: AudioCallback) -> Callable[[], None]:
        """Call callback(block, sample_rate_hz) for every block of input; returns unsubscribe.

        block is float32 (n,), mono as analysed (mixed or the chosen channel), at the source's
        native rate. Called on the worker thread (never PortAudio's), in order and without gaps:
        concatenated, the blocks are the stream from its first sample, whatever windows the model
        skips; audio lost to a ring overrun arrives as silence so the length stays true. Keep the
        callback short (a file write of the block is fine): the worker waits for it.
        """
        with self._subscribers_lock:
            self._audio_subscribers = self._audio_subscribers + (callback,)

        def unsubscribe() -> None:
            with self._subscribers_lock:
                self._audio_subscribers = tuple(
                    cb for cb in self._audio_subscribers if cb is not callback)
        return unsubscribe

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
    def tuning_offset(self) -> TuningOffset:
        """The running tuning offset of the current (or last) stream; invalid until known."""
        return self._running_offset.current

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
            # TensorFlow's first call on a new input size takes ~0.1-0.5 s; made here, it would
            # make the worker skip the first windows of every stream.
            try:
                self._model.infer(np.zeros(self._settings.window_samples, dtype=np.float32))
            except ModelError:
                raise
            except Exception as exc:  # noqa: BLE001 - a broken model must give a clear message
                raise ModelError(_failure_message(exc)) from exc
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

    def _join_worker(self) -> None:
        worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join()
            self._worker = None

    def _emit_event(self, event: EngineEvent) -> None:
        log.info("engine %s: %s", event.kind, event.message)
        for callback in self._event_subscribers:
            try:
                callback(event)
            except Exception:  # noqa: BLE001 - a broken subscriber must not stop the engine
                log.exception("event subscriber failed")

    def _emit_audio(self, block: np.ndarray, rate_hz: float) -> None:
        for callback in self._audio_subscribers:
            try:
                callback(block, rate_hz)
            except Exception:  # noqa: BLE001
                log.exception("audio subscriber failed")
        self._audio_position += block.shape[0]

    def _emit_lost_audio(self, n_samples: int, rate_hz: float) -> None:
        """Silence in place of n_samples of lost input, for the audio subscribers."""
        if not self._audio_subscribers:
            return
        step = max(1, int(LOST_AUDIO_BLOCK_S * rate_hz))
        for start in range(0, n_samples, step):
            self._emit_audio(np.zeros(min(step, n_samples - start), np.float32), rate_hz)

    def _emit_frame(self, frame: PitchFrame) -> None:
        for callback in self._frame_subscribers:
            try:
                callback(frame)
            except Exception:  # noqa: BLE001
                log.exception("frame subscriber failed")

    def _run_worker(self) -> None:
        sink = self._sink
        assert sink is not None
        try:
            reason, error_message = self._process(sink)
        except Exception as exc:  # noqa: BLE001 - any model/runtime failure stops cleanly
            log.debug("worker failed", exc_info=True)
            reason, error_message = "stopped after an error", _failure_message(exc)
        finally:
            self.source.close()
            self._running = False
        if error_message is not None:
            self._emit_event(EngineEvent("error", error_message))
        self._emit_event(EngineEvent("stopped", reason))
        self._stopped.set()

    def _process(self, sink: CaptureSink) -> tuple[str, str | None]:
        """The worker loop; returns (why it ended, user-facing error message or None)."""
        rate_hz = float(sink.sample_rate_hz)
        realtime = self.source.realtime
        max_lag = MAX_LAG_HOPS * HOP_SAMPLES if realtime else None
        resampler = StreamingResampler(rate_hz, MODEL_SAMPLE_RATE_HZ)
        native_per_16k = rate_hz / MODEL_SAMPLE_RATE_HZ
        # resample_poly's filter spans 10 * max(up, down) taps each side at the upsampled rate.
        resampler_lookahead = (0 if resampler.up == resampler.down else
                               math.ceil(10 * max(resampler.up, resampler.down) / resampler.up)
                               + 1)
        windows = SlidingWindows(self.hop_samples)
        smoother = LiveSmoother()
        self._vibrato = VibratoReader()
        # A new stream starts a new offset estimate (another source, or the same after a pause).
        self._running_offset = RunningOffset(threshold=0.0, a4_hz=self._settings.a4_hz)
        self._audio_position = 0
        read_pos = 0                 # native samples consumed from the ring
        anchor_native = 0            # native index where the current 16 kHz timeline starts
        last_data_time = time.monotonic()
        last_overflow_event = -math.inf
        reported_overflows = 0
        flushed = False
        frame_came = False
        while not self._stop_requested.is_set():
            now = time.monotonic()
            written = sink.ring.written_samples
            # A file read as fast as possible is taken in only when its windows are done, so the
            # feeder waits for the worker instead of the worker's windows being overwritten.
            if written > read_pos and (realtime or not frame_came):
                last_data_time = now
                try:
                    block = sink.ring.read(read_pos, written)
                except RingBufferOverrun:
                    # The worker fell a whole ring behind (audio lost): restart the timeline
                    # at a sample still there, so frame times stay true to the audio.
                    self._ring_overruns += 1
                    log.warning("ring buffer overrun: the worker fell %.1f s behind",
                                (written - read_pos) / rate_hz)
                    lost_from = read_pos
                    read_pos = anchor_native = written - sink.ring.capacity_samples // 2
                    self._emit_lost_audio(read_pos - lost_from, rate_hz)
                    block = sink.ring.read(read_pos, written)
                    resampler = StreamingResampler(rate_hz, MODEL_SAMPLE_RATE_HZ)
                    windows = SlidingWindows(self.hop_samples)
                    smoother.reset()
                read_pos = written
                sink.consumed_samples = read_pos
                self._emit_audio(block, rate_hz)
                windows.push(resampler.process(block))
            elif sink.end_of_stream and not flushed and written == read_pos:
                windows.push(resampler.flush())
                windows.finish()
                flushed = True
            if sink.overflows > reported_overflows and \
                    now - last_overflow_event >= OVERFLOW_EVENT_INTERVAL_S:
                reported_overflows = sink.overflows
                last_overflow_event = now
                self._emit_event(EngineEvent(
                    "overflow", f"Audio input overflowed ({sink.overflows} times so far): some "
                                "sound was lost because the computer was too busy."))
            # One window at a time, taking in new audio in between: a slow model is then judged
            # on how far behind the newest audio it is, and skips to stay current.
            settings = self._settings
            result = windows.next_due(self._model.infer, settings.window_samples,
                                      settings.right_context_samples, max_lag)
            self._skipped_windows = windows.skipped_windows
            frame_came = result is not None
            if result is not None:
                self._model_calls += 1
                self._emit_frame(self._make_frame(result, settings, smoother, rate_hz,
                                                  anchor_native))
                self._frames_emitted += 1
                centre_native = anchor_native + int(round(
                    result.centre_sample * rate_hz / MODEL_SAMPLE_RATE_HZ))
                arrival = sink.clock.arrival_time(min(centre_native, written - 1))
                self._latency_s = time.monotonic() - arrival
                continue
            if flushed and not windows.pending:
                return sink.end_reason or "end of input", None
            if sink.failure and sink.ring.written_samples == read_pos:
                return "stopped after an error", sink.failure
            if realtime and not sink.end_of_stream and now - last_data_time > STALL_TIMEOUT_S:
                return "stopped after an error", (
                    f"The input device '{self.source.device_name}' stopped delivering audio (it "
                    "was unplugged, disabled, or the sound server stopped). Check it and start "
                    "again.")
            # Sleep until the capture has the input the next window needs (plus what the
            # resampler's filter looks ahead).
            end_16k = windows.next_end_sample(settings.right_context_samples)
            sink.wake_at_samples = (anchor_native + math.ceil(end_16k * native_per_16k)
                                    + resampler_lookahead)
            sink.wait_for_data(timeout_s=0.1)
        return "stopped", None

    def _make_frame(self, result: WindowResult, settings: Settings, smoother: LiveSmoother,
                    rate_hz: float, anchor_native: int) -> PitchFrame:
        time_s = anchor_native / rate_hz + result.centre_sample / MODEL_SAMPLE_RATE_HZ
        frequency_hz = float(result.frequency_hz)
        confidence = float(result.confidence)
        if settings.refine and result.window is not None:
            refined = refine_live_frame(result.window, result.centre_index, frequency_hz,
                                        confidence)
            frequency_hz = float(refined.frequency_hz[0])
            confidence = float(refined.confidence[0])
        level = float(result.level_dbfs)
        self._level_dbfs = level
        voiced = (confidence >= settings.confidence_threshold
                  and level >= settings.level_gate_dbfs
                  and math.isfinite(frequency_hz) and frequency_hz > 0)
        if settings.smoothing:
            frequency_hz, voiced = smoother.update(frequency_hz, voiced)
        else:
            smoother.reset()
        running = self._running_offset
        if running.a4_hz != settings.a4_hz:
            # The offset is measured from the A4 grid: a new A4 makes the old frames meaningless.
            running = self._running_offset = RunningOffset(threshold=0.0, a4_hz=settings.a4_hz)
        # The engine's own voicing (threshold and level gate) decides what counts.
        running.push(time_s, frequency_hz if voiced else math.nan, confidence)
        estimate = running.current
        offset_cents = estimate.offset_cents if estimate.valid else None
        a4_hz = naming_a4_hz(settings, offset_cents)
        # The needle and the name read the vibrato's centre; the trace keeps the contour.
        reading = self._vibrato.update(frequency_hz, voiced and settings.refine)
        midi = cents = name = None
        if voiced:
            nearest = nearest_note(reading.centre_hz, a4_hz)
            if nearest is not None:
                midi, cents = nearest.midi, nearest.cents
                name = note_name(midi, settings.prefer_flats, settings.transpose_semitones)
            else:
                voiced = False
        return PitchFrame(time_s=time_s, frequency_hz=frequency_hz, confidence=confidence,
                          level_dbfs=level, voiced=voiced, midi=midi, cents=cents, note=name,
                          tuning_offset_cents=offset_cents,
                          reading_hz=reading.centre_hz if voiced else None,
                          vibrato_rate_hz=reading.rate_hz if voiced else None,
                          vibrato_width_cents=reading.width_cents if voiced else None,
                          unpitched_sound=not voiced and level >= settings.level_gate_dbfs)


def _failure_message(exc: BaseException) -> str:
    """User-facing text for an exception raised by the model."""
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, ModelError):
        return text
    return (f"Pitch tracking stopped: the model failed while running ({type(exc).__name__}: "
            f"{text.splitlines()[0]}).")


def source_from_settings(settings: Settings, input_path: str | None = None,
                         realtime: bool = True, play: bool = False) -> Source:
    """The source the settings describe: a file when input_path is given, else the microphone."""
    if input_path:
        return FileSource(input_path, realtime=realtime, play=play, channel=settings.channel)
    return MicrophoneSource(device=settings.device, channel=settings.channel)
