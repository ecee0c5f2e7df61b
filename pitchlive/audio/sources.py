"""Audio sources for the engine: a microphone (sounddevice InputStream) or a recording.

A source resolves and checks its input in open() (raising DeviceError / AudioFileError with a
user-facing message), delivers audio to a CaptureSink from start() on, and releases everything
in close(). close() never hangs: PortAudio calls that may block on a dead sound server run on a
helper thread with a deadline.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Protocol

from pitchlive.audio.capture import CaptureSink
from pitchlive.audio.decode_ahead import DecodeAheadFeed
from pitchlive.audio.devices import DeviceError, InputDevice, find_input_device, import_sounddevice
from pitchlive.audio.file_feeder import RealTimeFeed
from pitchlive.audio.files import AudioFileError, FileProblems, open_info, read_blocks
from pitchlive.audio.mic_reader import PreallocatedRead, read_into_sink
from pitchlive.settings import Settings

log = logging.getLogger(__name__)

# Rates tried, in order, after the requested one and the device's default.
FALLBACK_RATES_HZ = (48000.0, 44100.0, 32000.0, 22050.0, 16000.0, 96000.0)
# Microphone blocks: PortAudio's choice (0) varies per host; 10 ms keeps latency low everywhere.
# 5 ms was measured through PulseAudio: ~2 ms sooner for ~0.03 of a core more (README, "Latency
# study"), so 10 ms stays.
MIC_BLOCK_S = 0.010
# The microphone's reader thread reads at most this much at once (so close() waits no longer).
READ_MAX_S = 0.1
# File sources deliver blocks of this length, like a microphone would.
FILE_BLOCK_S = 0.010
DECODE_CHUNK_BLOCKS = 25
PLAYBACK_BUFFER_S = 1.0
CLOSE_TIMEOUT_S = 3.0


class Source(Protocol):
    """What the engine needs of an audio source."""

    device_name: str
    sample_rate_hz: float
    channels: int
    channel: int | None
    realtime: bool
    # True for a device, whose silence for seconds means it is gone (unplugged); False for a
    # recording, which may only be slow to decode and must never be reported as unplugged.
    is_device: bool

    def open(self) -> None:
        """Resolve and check the input; raises DeviceError or AudioFileError; holds nothing."""

    def start(self, sink: CaptureSink) -> None:
        """Configure sink and start delivering audio to it."""

    def close(self) -> None:
        """Stop delivering and release the device; idempotent, never hangs."""

    def describe(self) -> str:
        """One user-facing sentence: what is being listened to."""


def _call_with_deadline(action, timeout_s: float, what: str) -> bool:
    """Run action() on a helper thread; False (and a log line) if it did not finish in time."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - closing a broken stream may raise anything
            errors.append(exc)

    helper = threading.Thread(target=target, name=f"pitchlive-{what}", daemon=True)
    helper.start()
    helper.join(timeout_s)
    if helper.is_alive():
        log.warning("%s did not return within %.1f s; leaving it behind", what, timeout_s)
        return False
    if errors:
        log.debug("%s raised %r", what, errors[0])
    return True


def abort_and_close(stream) -> None:
    """Stop a PortAudio stream at once and release it, ignoring errors of a dead server."""
    try:
        stream.abort(ignore_errors=True)
    finally:
        stream.close(ignore_errors=True)


def close_stream(stream, what: str) -> bool:
    """abort_and_close, giving up after CLOSE_TIMEOUT_S (a dead sound server can hang it)."""
    return _call_with_deadline(lambda: abort_and_close(stream), CLOSE_TIMEOUT_S, what)


class MicrophoneSource:
    """A live input device, opened at its native rate (or the one asked for, with fallback).

    device: index or case-insensitive name substring, None for the system default.
    channel: analyse this input channel (from 0); None mixes the first two channels (or one).
    """

    realtime = True
    is_device = True

    def __init__(self, device: int | str | None = None, channel: int | None = None,
                 sample_rate_hz: float | None = None) -> None:
        self.device = device
        self.channel = channel
        self.requested_rate_hz = sample_rate_hz
        self.device_info: InputDevice | None = None
        self.device_name = str(device) if device is not None else "default input"
        self.sample_rate_hz = 0.0
        self.channels = 0
        self.fallback_note = ""
        self._stream = None
        self._reader: threading.Thread | None = None
        self._sink: CaptureSink | None = None
        self._closing = False

    def open(self) -> None:
        """Find the device and a sample rate it accepts; raises DeviceError."""
        sd = import_sounddevice()
        info = find_input_device(self.device)
        self.device_info = info
        self.device_name = info.name
        if self.channel is not None and self.channel >= info.max_input_channels:
            raise DeviceError(
                f"Channel {self.channel} does not exist on '{info.name}': it has "
                f"{info.max_input_channels} input channel(s) (0-{info.max_input_channels - 1}).")
        # Mixing more than two channels of a 'default'/'pulse' device only adds upmixed copies;
        # opening fewer than two would let the sound server downmix before a channel is picked.
        self.channels = min(2, info.max_input_channels)
        if self.channel is not None:
            self.channels = max(self.channels, self.channel + 1)
        wanted = self.requested_rate_hz or info.default_sample_rate_hz
        candidates = [wanted, info.default_sample_rate_hz, *FALLBACK_RATES_HZ]
        tried: list[float] = []
        for rate in candidates:
            if rate in tried or rate <= 0:
                continue
            tried.append(rate)
            try:
                sd.check_input_settings(device=info.index, channels=self.channels,
                                        samplerate=rate, dtype="float32")
            except Exception as exc:  # noqa: BLE001 - PortAudioError or ValueError
                log.info("%s refuses %.0f Hz: %s", info.name, rate, exc)
                continue
            self.sample_rate_hz = float(rate)
            self.fallback_note = "" if rate == wanted else (
                f" ({wanted:.0f} Hz was refused by the device, so {rate:.0f} Hz is used)")
            return
        raise DeviceError(
            f"'{info.name}' accepts none of the sample rates tried "
            f"({', '.join(f'{r:.0f}' for r in tried)} Hz) with {self.channels} channel(s). "
            "Choose another device with --device (see `pitchlive devices`).")

    def start(self, sink: CaptureSink) -> None:
        """Open the InputStream and start capturing into sink; raises DeviceError.

        The stream has no callback: a reader thread (mic_reader.read_into_sink) reads the
        samples the worker waits for next (sink.awaited_samples) in one PortAudio blocking
        read, so Python runs about once a window instead of once a 10 ms block. The audio
        reaches the worker at the same moment (a read returns as soon as the awaited sample
        has arrived); a Python callback per block cost ~0.008 of a core more through
        PulseAudio (README, "Latency, CPU and endurance").
        """
        sd = import_sounddevice()
        assert self.device_info is not None, "open() first"
        sink.configure(self.sample_rate_hz, self.channels, self.channel)
        self._sink = sink
        self._closing = False
        block = max(1, int(round(self.sample_rate_hz * MIC_BLOCK_S)))
        try:
            stream = sd.InputStream(
                device=self.device_info.index, channels=self.channels,
                samplerate=self.sample_rate_hz, dtype="float32", blocksize=block,
                latency="low")
            stream.start()
        except Exception as exc:  # noqa: BLE001 - PortAudioError carries the host's reason
            raise DeviceError(f"Could not open '{self.device_name}' at "
                              f"{self.sample_rate_hz:.0f} Hz ({exc}). Check that no other program "
                              "holds it exclusively, or choose another device with --device."
                              ) from exc
        self._stream = stream
        self._reader = threading.Thread(target=self._read, args=(stream, sink, block),
                                        name="pitchlive-microphone", daemon=True)
        self._reader.start()

    def _read(self, stream, sink: CaptureSink, block: int) -> None:
        """Reader thread: read what the worker waits for (at least a block, at most
        READ_MAX_S) and write it to the sink, until close() or the device fails."""
        most = max(block, int(self.sample_rate_hz * READ_MAX_S))
        try:
            reader = PreallocatedRead(import_sounddevice(), stream, self.channels, most)
            read_into_sink(reader, sink, block, most, lambda: self._closing)
        except Exception as exc:  # noqa: BLE001 - PortAudioError: the device or server died
            if not self._closing:
                log.info("reading %s failed: %r", self.device_name, exc)
                sink.fail(f"The input device '{self.device_name}' stopped (it was unplugged, "
                          "disabled, or the sound server stopped). Check it and start again.")

    def close(self) -> None:
        """Stop and release the stream (bounded time even if the sound server died)."""
        self._closing = True
        stream, self._stream = self._stream, None
        reader, self._reader = self._reader, None
        if reader is not None and reader is not threading.current_thread():
            # The read in progress ends within READ_MAX_S; one that hangs on a dead server is
            # left behind with its stream (closing a stream under a read could crash).
            reader.join(READ_MAX_S + CLOSE_TIMEOUT_S)
            if reader.is_alive():
                log.warning("the microphone's reader did not stop; leaving its stream open")
                return
        if stream is not None:
            close_stream(stream, "closing the input stream")

    def describe(self) -> str:
        """What is being listened to."""
        what = (f"channel {self.channel}" if self.channel is not None
                else "mono" if self.channels == 1 else f"mix of {self.channels} channels")
        return (f"Listening to '{self.device_name}' at {self.sample_rate_hz:.0f} Hz, {what}"
                f"{self.fallback_note}.")


class FileSource:
    """A recording fed through the live pipeline: at real-time pace, as fast as the worker
    takes it (realtime=False: every window analysed, nothing skipped), or played aloud to the
    default output device in sync (play=True).
    """

    is_device = False

    def __init__(self, path: str | Path, realtime: bool = True, play: bool = False,
                 channel: int | None = None, block_s: float = FILE_BLOCK_S) -> None:
        if play and not realtime:
            raise ValueError("a played file is always paced in real time (play needs realtime)")
        self.path = Path(path)
        self.realtime = realtime
        self.play = play
        self.channel = channel
        self.block_s = block_s
        self.device_name = self.path.name
        self.sample_rate_hz = 0.0
        self.channels = 0
        self.problems = FileProblems()
        self._info = None
        self._stop = threading.Event()
        self._feeder: threading.Thread | None = None
        self._stream = None
        self._playback: DecodeAheadFeed | None = None

    def open(self) -> None:
        """Check the file (and the output when playing); raises AudioFileError / DeviceError."""
        info = open_info(self.path)
        if self.channel is not None and not 0 <= self.channel < info.channels:
            raise AudioFileError(f"{self.path} has {info.channels} channel"
                                 f"{'s' if info.channels != 1 else ''}; there is no channel "
                                 f"{self.channel} (0-{info.channels - 1}).")
        self._info = info
        self.sample_rate_hz = float(info.sample_rate_hz)
        self.channels = info.channels
        if self.play:
            sd = import_sounddevice()
            try:
                sd.check_output_settings(channels=1, samplerate=self.sample_rate_hz,
                                         dtype="float32")
            except Exception as exc:  # noqa: BLE001
                raise DeviceError(f"The output device cannot play {self.path.name} at "
                                  f"{self.sample_rate_hz:.0f} Hz ({exc}). Leave out --play, or "
                                  "convert the file to 44100 or 48000 Hz.") from exc

    def start(self, sink: CaptureSink) -> None:
        """Start the feeder thread (and the output stream when playing)."""
        assert self._info is not None, "open() first"
        sink.configure(self.sample_rate_hz, 1, None)   # read_blocks already mixes or picks
        self._stop.clear()
        self.problems = FileProblems()
        block_frames = max(1, int(round(self.sample_rate_hz * self.block_s)))
        if self.play:
            # Decoded ahead by the feed's thread; the output callback copies to both ends.
            self._playback = DecodeAheadFeed(
                self._blocks(block_frames), int(PLAYBACK_BUFFER_S * self.sample_rate_hz),
                on_error=sink.fail, name="pitchlive-file")
            self._start_output(sink, self._playback)
        else:
            self._feeder = threading.Thread(target=self._feed, args=(sink, block_frames),
                                            name="pitchlive-file", daemon=True)
            self._feeder.start()

    def _chunks(self, block_frames: int):
        """Mono chunks of DECODE_CHUNK_BLOCKS blocks (decoding per 10 ms block cost 4 % of a
        core)."""
        return read_blocks(self._info, self.problems, self.channel,
                           block_s=DECODE_CHUNK_BLOCKS * block_frames / self.sample_rate_hz)

    def _blocks(self, block_frames: int):
        """Mono blocks of block_frames samples."""
        for chunk in self._chunks(block_frames):
            for start in range(0, chunk.shape[0], block_frames):
                yield chunk[start:start + block_frames]

    def _feed(self, sink: CaptureSink, block_frames: int) -> None:
        """Deliver the blocks: paced like a microphone (file_feeder.RealTimeFeed: each when its
        last sample is 'recorded', those no one waits for with the next awaited one), or as
        fast as the worker takes them."""
        try:
            if self.realtime:
                feed = RealTimeFeed(sink, self.sample_rate_hz, block_frames, self._stop)
                if not feed.run(self._chunks(block_frames)):
                    return
            else:
                for block in self._blocks(block_frames):
                    while sink.space_samples() < block.shape[0]:
                        if self._stop.wait(0.002):
                            return
                    sink.write_block(block)
            sink.finish(self._end_message())
        except AudioFileError as exc:
            sink.fail(str(exc))

    def _end_message(self) -> str:
        extra = self.problems.summary()
        return f"end of {self.path.name}" + (f" ({'; '.join(extra)})" if extra else "")

    def _start_output(self, sink: CaptureSink, feed: DecodeAheadFeed) -> None:
        """Start the output stream whose callback plays feed and hands the same samples to
        sink; raises DeviceError (and closes feed)."""
        sd = import_sounddevice()
        feed.wait_prefilled()   # let the decoder get ahead: no underrun at the start

        def callback(outdata, frames, time_info, status) -> None:
            # PortAudio's thread: copy decoded audio to the speaker, then the same samples to
            # the analysis, so what is analysed is exactly what is heard.
            ended = feed.finished and feed.error is None   # first: a short read is then the end
            n = feed.read_into(outdata[:, 0])
            if n:
                sink.write_block(outdata[:n, 0])
            if n < frames:
                outdata[n:] = 0.0
                if ended:
                    raise sd.CallbackStop
                sink.note_status(False, True)

        def finished() -> None:
            if not self._stop.is_set():
                sink.finish(self._end_message())

        try:
            # PortAudio's own block size: with a fixed one (e.g. 441) ALSA's pulse plugin was
            # measured to take audio faster than real time.
            stream = sd.OutputStream(samplerate=self.sample_rate_hz, channels=1, dtype="float32",
                                     latency="high", callback=callback,
                                     finished_callback=finished)
            stream.start()
        except Exception as exc:  # noqa: BLE001
            self._stop.set()
            feed.close(CLOSE_TIMEOUT_S)
            raise DeviceError(f"Could not play {self.path.name} on the output device ({exc}). "
                              "Leave out --play to track it silently.") from exc
        self._stream = stream

    def close(self) -> None:
        """Stop feeding (and playing); idempotent."""
        self._stop.set()
        stream, self._stream = self._stream, None
        if stream is not None:
            close_stream(stream, "closing the output stream")
        feeder, self._feeder = self._feeder, None
        if feeder is not None and feeder is not threading.current_thread():
            feeder.join(CLOSE_TIMEOUT_S)
        playback, self._playback = self._playback, None
        if playback is not None:
            playback.close(CLOSE_TIMEOUT_S)

    def describe(self) -> str:
        """What is being tracked."""
        how = ("playing it" if self.play else "in real time" if self.realtime
               else "as fast as possible")
        return f"Tracking {self.path.name} ({self.sample_rate_hz:.0f} Hz), {how}."



def open_source(settings: Settings, input_path: str | Path | None = None, realtime: bool = True,
                play: bool = False, sample_rate_hz: float | None = None) -> Source:
    """The source to track: the recording input_path when given, else the settings' device.

    Nothing is opened yet: Engine.start() opens it (and raises DeviceError / AudioFileError).
    sample_rate_hz asks the device for a rate (microphone only).
    """
    if input_path:
        return FileSource(input_path, realtime=realtime, play=play, channel=settings.channel)
    return MicrophoneSource(device=settings.device, channel=settings.channel,
                            sample_rate_hz=sample_rate_hz)
