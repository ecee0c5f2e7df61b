"""Playing audio to an output device: a take, a rendered transcription, or a file.

Player owns one sounddevice OutputStream at a time. Its callback (PortAudio's thread) only
copies samples that are already decoded: an array is read in place, a file is decoded ahead by a
small thread into a ring buffer (audio/decode_ahead.py, shared with a FileSource played aloud).
So the callback never waits on a disk or a lock, and a long file never has to fit in memory.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from pitchlive.audio.devices import DeviceError, import_sounddevice, pick_device
from pitchlive.audio.decode_ahead import DecodeAheadFeed
from pitchlive.audio.files import FileProblems, open_info, read_blocks
from pitchlive.audio.resample import StreamingResampler, resample_to
from pitchlive.audio.sources import abort_and_close, close_stream

log = logging.getLogger(__name__)

FILE_BUFFER_S = 2.0            # decoded ahead of the speaker when playing a file
DECODE_BLOCK_S = 0.25          # decoder reads this much per step
PREFILL_TIMEOUT_S = 1.0        # the decoder gets this long to fill half the buffer before start
# Output buffer. 0.1 s rides out a busy machine; PortAudio's "high" (ALSA's pulse plugin) was
# measured taking audio up to 6x faster than real time on a fresh PulseAudio null sink.
OUTPUT_LATENCY_S = 0.1


def find_output_device(spec: int | str | None) -> int | None:
    """PortAudio index of the output device named by index or name substring (None: default).

    Raises DeviceError when there is no output device or none matches.
    """
    sd = import_sounddevice()
    try:
        devices = sd.query_devices()
    except Exception as exc:  # noqa: BLE001 - PortAudio errors have no common type
        raise DeviceError(f"The audio system could not list devices ({exc}). Check that your "
                          "sound server (PulseAudio/PipeWire/ALSA) is running.") from exc
    outputs = [(i, d["name"]) for i, d in enumerate(devices) if d["max_output_channels"] > 0]
    if not outputs:
        raise DeviceError("No audio output device found. Plug in or enable speakers or "
                          "headphones (check the system sound settings) to play audio.")
    if spec is None or spec == "":
        return None
    return pick_device(spec, outputs, "output")


LOOP_FADE_IN_S = 0.08         # a looped drone swells in instead of clicking on


class _LoopFeed:
    """One array handed out over and over (a drone), faded in at the start; never finishes."""

    def __init__(self, loop: np.ndarray, fade_in_samples: int) -> None:
        self._loop = loop
        self._position = 0
        self._fade = np.linspace(0.0, 1.0, max(1, fade_in_samples), dtype=np.float32)
        self._played = 0
        self.finished = False

    def read_into(self, out: np.ndarray) -> int:
        n, filled = out.shape[0], 0
        while filled < n:
            take = min(n - filled, self._loop.shape[0] - self._position)
            out[filled:filled + take] = self._loop[self._position:self._position + take]
            filled += take
            self._position = (self._position + take) % self._loop.shape[0]
        if self._played < self._fade.shape[0]:
            k = min(n, self._fade.shape[0] - self._played)
            out[:k] *= self._fade[self._played:self._played + k]
        self._played += n
        return n

    def close(self) -> None:
        pass


class _ArrayFeed:
    """Samples of an array in memory, handed out in order."""

    def __init__(self, audio: np.ndarray) -> None:
        self._audio = audio
        self._position = 0
        self.finished = True            # everything is available from the start

    def read_into(self, out: np.ndarray) -> int:
        n = min(out.shape[0], self._audio.shape[0] - self._position)
        out[:n] = self._audio[self._position:self._position + n]
        self._position += n
        return n

    def close(self) -> None:
        pass


def _resampled(blocks: Iterator[np.ndarray], rate_hz: float, output_rate_hz: float
               ) -> Iterator[np.ndarray]:
    resampler = StreamingResampler(rate_hz, output_rate_hz)
    for block in blocks:
        yield resampler.process(block)
    yield resampler.flush()


class Player:
    """Plays one thing at a time on an output device; play_* replaces what is playing.

    on_finished, if set, is called once per playback when it ends (the audio ran out) or is
    stopped, on PortAudio's thread (or on the thread that called stop()): keep it short and
    thread-safe (e.g. emit a Qt signal). It may call play_* or stop().
    """

    def __init__(self, device: int | str | None = None,
                 latency_s: float = OUTPUT_LATENCY_S) -> None:
        self.device = device
        self.latency_s = latency_s      # output buffer; practice runs use a deeper one
        self.on_finished: Callable[[], None] | None = None
        self._lock = threading.RLock()
        self._stream = None
        self._feed = None
        self._rate_hz = 0.0
        self._played = 0
        self._playing = False
        self._generation = 0             # playback counter, so a late callback is ignored
        self._finishing_thread: int | None = None   # PortAudio's thread while it reports the end

    # -- state -------------------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        """True from play_* until the audio has all been played or stop() was called."""
        return self._playing

    @property
    def position_s(self) -> float:
        """Seconds of the current (or last) playback sent to the device so far."""
        return self._played / self._rate_hz if self._rate_hz else 0.0

    # -- playing -----------------------------------------------------------------------------

    def play_array(self, audio: np.ndarray, sample_rate_hz: float) -> None:
        """Play mono float audio (n,) (or (n, channels), mixed down); raises DeviceError."""
        audio = np.asarray(audio, dtype=np.float32)
        if audio.ndim == 2:
            audio = audio.mean(axis=1, dtype=np.float32)
        if audio.ndim != 1:
            raise ValueError(f"audio must have shape (n,) or (n, channels), got {audio.shape}")
        self.stop()
        device, rate_hz = self._output_rate(float(sample_rate_hz))
        if rate_hz != sample_rate_hz:
            audio = resample_to(audio, sample_rate_hz, rate_hz).astype(np.float32)
        self._start(_ArrayFeed(np.ascontiguousarray(audio)), device, rate_hz)

    def play_blocks(self, blocks: Iterator[np.ndarray], sample_rate_hz: float,
                    name: str = "pitchlive-render") -> None:
        """Play mono float32 blocks made by a thread of their own (`name`) ahead of the speaker,
        resampled to a rate the device takes (a file's, slowed audio's); raises DeviceError."""
        self.stop()
        device, rate_hz = self._output_rate(float(sample_rate_hz))
        if rate_hz != sample_rate_hz:
            blocks = _resampled(blocks, float(sample_rate_hz), rate_hz)
        feed = DecodeAheadFeed(blocks, int(FILE_BUFFER_S * rate_hz), name=name)
        feed.wait_prefilled(PREFILL_TIMEOUT_S)
        try:
            self._start(feed, device, rate_hz)
        except BaseException:
            feed.close()
            raise

    def play_loop(self, render: Callable[[float], np.ndarray], sample_rate_hz: float) -> None:
        """Play render(rate) over and over until stop(): a drone; raises DeviceError.

        render gets the rate the device accepts (sample_rate_hz if it can) and returns one
        seamless loop, mono float (n,) (e.g. pitchlive.tuner.reference_tone.drone_loop); it is
        rendered at that rate, not resampled, so the loop stays seamless.
        """
        self.stop()
        device, rate_hz = self._output_rate(float(sample_rate_hz))
        loop = np.ascontiguousarray(np.asarray(render(rate_hz), dtype=np.float32))
        if loop.ndim != 1 or loop.shape[0] == 0:
            raise ValueError(f"a loop must have shape (n,) with n > 0, got {loop.shape}")
        self._start(_LoopFeed(loop, int(LOOP_FADE_IN_S * rate_hz)), device, rate_hz)

    def play_file(self, path: Path) -> None:
        """Play an audio file, decoded in blocks as it plays; AudioFileError / DeviceError."""
        self.stop()
        info = open_info(Path(path))
        self.play_blocks(read_blocks(info, FileProblems(), block_s=DECODE_BLOCK_S),
                         float(info.sample_rate_hz), name="pitchlive-play-decoder")

    def stop(self) -> None:
        """Stop playing (on_finished is called if something was playing); safe at any time."""
        with self._lock:
            stream, self._stream = self._stream, None
            feed, self._feed = self._feed, None
        if stream is not None:
            if threading.get_ident() == self._finishing_thread:
                # Inside PortAudio's finished callback the stream cannot be closed and waited
                # for; close it from a helper thread once the callback has returned.
                threading.Thread(target=abort_and_close, args=(stream,),
                                 name="pitchlive-play-close", daemon=True).start()
            else:
                close_stream(stream, "closing the output stream")
        if feed is not None:
            feed.close()
        self._finish(self._generation)

    # -- internals -----------------------------------------------------------------------------

    def _output_rate(self, wanted_hz: float) -> tuple[int | None, float]:
        """(device index, a rate it accepts): wanted_hz, else the device's default rate."""
        sd = import_sounddevice()
        device = find_output_device(self.device)
        try:
            sd.check_output_settings(device=device, channels=1, dtype="float32",
                                     samplerate=wanted_hz)
            return device, wanted_hz
        except Exception:  # noqa: BLE001 - try the device's own rate below
            pass
        try:
            info = sd.query_devices(device if device is not None else sd.default.device[1])
            fallback_hz = float(info["default_samplerate"])
            sd.check_output_settings(device=device, channels=1, dtype="float32",
                                     samplerate=fallback_hz)
        except Exception as exc:  # noqa: BLE001
            raise DeviceError(f"The output device cannot play audio ({exc}). Check the system "
                              "sound settings or choose another output device.") from exc
        return device, fallback_hz

    def _start(self, feed, device: int | None, rate_hz: float) -> None:
        sd = import_sounddevice()
        with self._lock:
            self._generation += 1
            generation = self._generation
            self._rate_hz = rate_hz
            self._played = 0

        def callback(outdata, frames, time_info, status) -> None:
            # PortAudio's thread: copy what is decoded; never wait.
            finished_before = feed.finished   # read first: then a short read means the end
            n = feed.read_into(outdata[:, 0])
            self._played += n
            if n < frames:
                outdata[n:] = 0.0
                if finished_before:
                    raise sd.CallbackStop

        def finished() -> None:
            self._finishing_thread = threading.get_ident()
            try:
                self._finish(generation)
            finally:
                self._finishing_thread = None

        try:
            stream = sd.OutputStream(samplerate=rate_hz, channels=1, dtype="float32",
                                     device=device, latency=self.latency_s, callback=callback,
                                     finished_callback=finished)
            with self._lock:
                self._stream, self._feed = stream, feed
                self._playing = True
            stream.start()
        except Exception as exc:  # noqa: BLE001
            with self._lock:
                self._stream = self._feed = None
                self._playing = False
            raise DeviceError(f"Could not play on the output device ({exc}). Check the system "
                              "sound settings or choose another output device.") from exc

    def _finish(self, generation: int) -> None:
        """Mark playback `generation` over and call on_finished once for it."""
        with self._lock:
            if generation != self._generation or not self._playing:
                return
            self._playing = False
        callback = self.on_finished
        if callback is not None:
            try:
                callback()
            except Exception:  # noqa: BLE001 - a broken listener must not break playback
                log.exception("on_finished failed")
