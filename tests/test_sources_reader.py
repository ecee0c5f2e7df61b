"""The microphone's reader thread: reads up to the worker's next window, not a callback.

A stand-in for sounddevice records what MicrophoneSource asks of PortAudio; the real path
through the software microphone is in test_engine_mic.py.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from pitchlive.audio import sources
from pitchlive.audio.capture import CaptureSink
from pitchlive.audio.devices import InputDevice
from pitchlive.audio.mic_reader import PreallocatedRead
from pitchlive.audio.sources import MicrophoneSource

RATE = 48000
BLOCK = 480


class FakeStream:
    """A blocking InputStream: read(n) returns n frames of a counter after n / RATE / 20 s."""

    def __init__(self, fail_after: int | None = None, **kwargs) -> None:
        self.kwargs = kwargs
        self.reads: list[int] = []
        self.read_sample = 0
        self.closed = False
        self.fail_after = fail_after
        self.lock = threading.Lock()

    def start(self) -> None:
        self.started_at = time.monotonic()

    @property
    def read_available(self) -> int:
        """Frames 'recorded' since start() at RATE (20 times real time) not read yet."""
        return max(0, int((time.monotonic() - self.started_at) * RATE * 20) - self.read_sample)

    def read(self, frames: int):
        if self.fail_after is not None and len(self.reads) >= self.fail_after:
            raise RuntimeError("Unanticipated host error")
        time.sleep(frames / RATE / 20)
        with self.lock:
            self.reads.append(frames)
        data = np.arange(self.read_sample, self.read_sample + frames, dtype=np.float32)
        self.read_sample += frames
        channels = self.kwargs["channels"]
        return np.repeat(data[:, None], channels, axis=1), len(self.reads) == 2

    def abort(self, ignore_errors: bool = True) -> None:
        pass

    def close(self, ignore_errors: bool = True) -> None:
        self.closed = True


class FakeSoundDevice:
    def __init__(self, **stream_args) -> None:
        self.stream_args = stream_args
        self.stream: FakeStream | None = None

    def InputStream(self, **kwargs):
        assert "callback" not in kwargs
        self.stream = FakeStream(**self.stream_args, **kwargs)
        return self.stream


def _source(monkeypatch, fake: FakeSoundDevice) -> MicrophoneSource:
    monkeypatch.setattr(sources, "import_sounddevice", lambda: fake)
    source = MicrophoneSource()
    source.device_info = InputDevice(0, "fake", 2, RATE, "ALSA", True)
    source.device_name = "fake"
    source.sample_rate_hz, source.channels = float(RATE), 2
    return source


def _wait_for(condition, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


def test_the_reader_reads_up_to_the_awaited_window_in_one_read(monkeypatch):
    fake = FakeSoundDevice()
    source = _source(monkeypatch, fake)
    sink = CaptureSink()
    sink.wake_at_samples = 6 * BLOCK + 7        # nothing awaited yet: one block a read
    source.start(sink)
    try:
        _wait_for(lambda: sink.ring.written_samples >= 6 * BLOCK + 7)
        stream = fake.stream
        with stream.lock:
            first = list(stream.reads)
        # The first read saw the target already set: it asked for all of it at once.
        assert first[0] == 6 * BLOCK + 7
        # Then the worker 'works': the next target is announced, and a read ends right on it.
        target = sink.ring.written_samples + 3 * 1536
        sink.then_wake_at_samples = target
        _wait_for(lambda: sink.ring.written_samples >= target)
        with stream.lock:
            assert target in np.cumsum(stream.reads)
            assert max(stream.reads[len(first):]) > BLOCK
        assert sink.overflows == 1
        # Mixed to mono, every sample in order.
        ring = sink.ring
        newest = ring.read(ring.written_samples - 64, ring.written_samples)
        assert np.array_equal(newest, np.arange(ring.written_samples - 64,
                                                ring.written_samples, dtype=np.float32))
    finally:
        source.close()
    assert fake.stream.closed
    # No target beyond what was written: block-sized reads (the level meter, no model yet).
    assert all(n >= BLOCK for n in fake.stream.reads)


def test_a_read_that_fails_reports_the_device_as_stopped(monkeypatch):
    fake = FakeSoundDevice(fail_after=3)
    source = _source(monkeypatch, fake)
    sink = CaptureSink()
    source.start(sink)
    try:
        _wait_for(lambda: sink.failure is not None)
        assert "The input device 'fake' stopped" in sink.failure
    finally:
        source.close()
    assert fake.stream.closed


def test_reads_go_into_one_buffer_allocated_up_front():
    """sounddevice's read() allocates, zero-fills and wraps a new buffer each call."""
    class Lib:
        paInputOverflowed = -9981

        def __init__(self) -> None:
            self.results = [0, -9981, -9999]
            self.next_sample = 0

        def Pa_ReadStream(self, handle, buffer, frames):
            assert handle == "stream-handle"
            buffer[:frames] = np.arange(self.next_sample, self.next_sample + frames)[:, None]
            self.next_sample += frames
            return self.results.pop(0)

    class PortAudioError(Exception):
        pass

    def check(err):
        if err < 0:
            raise PortAudioError(err)
        return err

    class SoundDevice:
        _lib = Lib()
        _ffi = type("Ffi", (), {"from_buffer": staticmethod(lambda array: array)})()
        _check = staticmethod(check)

    stream = type("Stream", (), {"_ptr": "stream-handle", "dtype": "float32"})()
    reader = PreallocatedRead(SoundDevice, stream, channels=2, most_frames=4800)
    assert reader.preallocated
    first, overflowed = reader.read(1536)
    assert first.shape == (1536, 2) and not overflowed
    assert np.array_equal(first[:, 1], np.arange(1536, dtype=np.float32))
    first_memory = first.__array_interface__["data"][0]
    second, overflowed = reader.read(480)
    assert overflowed and second.shape == (480, 2) and second[0, 0] == 1536
    assert second.__array_interface__["data"][0] == first_memory      # the same buffer
    with pytest.raises(PortAudioError):
        reader.read(480)
    # A stream without sounddevice's handles (another version) is read with its read().
    plain = FakeStream(channels=2)
    plain.start()
    fallback = PreallocatedRead(SoundDevice, plain, channels=2, most_frames=4800)
    assert not fallback.preallocated and fallback.read(480)[0].shape == (480, 2)


def test_the_installed_sounddevice_reads_into_the_preallocated_buffer(fake_mic):
    """Its private handles (_lib, _ffi, _check, stream._ptr) are what PreallocatedRead uses:
    an upgrade that renames them must show here, not as a silent slowdown."""
    from pitchlive.audio.devices import import_sounddevice

    sd = import_sounddevice()
    stream = sd.InputStream(samplerate=RATE, channels=2, dtype="float32", blocksize=BLOCK,
                            latency="low")
    stream.start()
    try:
        reader = PreallocatedRead(sd, stream, channels=2, most_frames=4800)
        assert reader.preallocated
        data, _ = reader.read(BLOCK)
        assert data.shape == (BLOCK, 2) and data.dtype == np.float32
    finally:
        stream.abort()
        stream.close()
