"""The real-time file feeder: paced like a microphone, but it wakes only when the worker waits.

A block the worker does not wait for (CaptureSink.awaited_samples) is written together with
the next one it waits for, stamped with the moment it was due: the worker sees the same audio
at the same moments, and the feeder thread wakes about once a window instead of once a block.
"""

import time

import numpy as np

from pitchlive.audio.capture import CaptureSink
from pitchlive.audio.file_feeder import block_ends
from pitchlive.audio.sources import FileSource
from pitchlive.engine import Engine
from pitchlive.settings import Settings
from synth import harmonic_tone, write_wav

RATE_HZ = 48000
BLOCK = RATE_HZ // 100


def log_blocks(writes: list, sink: CaptureSink, ends, arrived_at) -> None:
    """Note when each block of a write_blocks() call was written, its end and its stamp."""
    now = time.monotonic()
    first = sink.ring.written_samples - ends[-1]
    writes.extend((now, first + end, stamp) for end, stamp in zip(ends, arrived_at))


class LoggingSink(CaptureSink):
    """A sink that notes when each block was written and which arrival time it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[tuple[float, int, float | None]] = []   # (written at, end, stamp)
        self.blocks_per_write: list[int] = []

    def write_blocks(self, samples, ends, arrived_at) -> None:
        super().write_blocks(samples, ends, arrived_at)
        self.blocks_per_write.append(len(ends))
        log_blocks(self.writes, self, ends, arrived_at)


def feed(tmp_path, seconds: float, sink: CaptureSink) -> float:
    """Start a real-time FileSource on seconds of tone into sink; returns the start time."""
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(220.0, seconds, RATE_HZ), RATE_HZ)
    source = FileSource(path, realtime=True)
    source.open()
    started = time.monotonic()
    source.start(sink)
    deadline = started + seconds + 5.0
    while not sink.end_of_stream and sink.failure is None and time.monotonic() < deadline:
        time.sleep(0.01)
    source.close()
    assert sink.end_of_stream and sink.failure is None
    return started


def batches(writes: list, gap_s: float = 0.004) -> int:
    """How many times the feeder woke to write: writes closer than gap_s are one wake."""
    times = [w[0] for w in writes]
    return 1 + sum(1 for a, b in zip(times, times[1:]) if b - a > gap_s)


def test_blocks_no_one_waits_for_are_written_with_the_awaited_one_at_their_own_time(tmp_path):
    sink = LoggingSink()
    sink.wake_at_samples = int(0.3 * RATE_HZ) + 1        # the worker sleeps until 0.3 s are in
    started = feed(tmp_path, 0.5, sink)
    first_wake = [w for w in sink.writes if w[1] <= 31 * BLOCK]
    assert len(first_wake) == 31
    # Written at once, when the block that completes 0.3 s was due...
    assert first_wake[-1][0] - first_wake[0][0] < 0.05
    assert first_wake[0][0] - started > 0.29
    # ...each stamped with the moment it was due, as a microphone would have delivered it.
    for i, (_, end, stamp) in enumerate(first_wake[:-1]):
        assert end == (i + 1) * BLOCK
        assert abs(stamp - (started + end / RATE_HZ)) < 0.03
    assert abs(sink.clock.arrival_time(0) - (started + BLOCK / RATE_HZ)) < 0.03
    # One write for each decoded chunk (25 blocks) the wake spans, not one per block.
    assert sink.blocks_per_write[:2] == [25, 6]
    # Past the target no one waits (it is not renewed here): block by block, as before.
    later = [w for w in sink.writes if w[1] > 31 * BLOCK]
    assert len(later) == 50 - 31 and all(stamp is None for _, _, stamp in later)
    assert np.array_equal(sink.ring.read(0, sink.ring.written_samples),
                          harmonic_tone(220.0, 0.5, RATE_HZ))


def test_without_a_target_every_block_is_written_when_it_is_due(tmp_path):
    sink = LoggingSink()
    started = feed(tmp_path, 0.3, sink)
    assert len(sink.writes) == 30 and batches(sink.writes) > 10
    assert all(stamp is None for _, _, stamp in sink.writes)
    assert sink.writes[0][0] - started < 0.1


class FastModel:
    """SPICE's interface, answering 220 Hz at once."""

    def infer(self, audio):
        n = len(audio) // 512 + 1
        return np.full(n, 220.0), np.full(n, 0.95)


def test_the_engines_feeder_wakes_about_once_a_window(tmp_path, monkeypatch):
    writes: list = []
    original = CaptureSink.write_blocks

    def logged(self, samples, ends, arrived_at):
        original(self, samples, ends, arrived_at)
        log_blocks(writes, self, ends, arrived_at)

    monkeypatch.setattr(CaptureSink, "write_blocks", logged)
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(220.0, 1.5, RATE_HZ), RATE_HZ)
    engine = Engine(Settings(refine=False, smoothing=False), FastModel(),
                    FileSource(path, realtime=True))
    frames: list = []
    engine.subscribe(frames.append)
    engine.start()
    assert engine.wait(10)
    assert len(writes) == 150 and len(frames) == 24000 // 512 + 1
    # ~47 windows in 1.5 s: one wake each, instead of one per 10 ms block.
    assert batches(writes) < 0.6 * len(writes)
    stamps = [engine.sample_arrival_time(end - 1) for _, end, _ in writes[-20:]]
    assert all(np.isfinite(stamps)) and stamps == sorted(stamps)


def test_a_chunk_is_cut_into_blocks_the_last_one_shorter():
    assert block_ends(0, 1000, 480) == [480, 960, 1000]
    assert block_ends(12000, 960, 480) == [12480, 12960]


def test_blocks_written_at_once_keep_each_its_arrival_time_and_wake_the_worker_once():
    sink = CaptureSink()
    sink.configure(RATE_HZ, 1, None)
    sink.wake_at_samples = 3 * BLOCK
    samples = np.arange(3 * BLOCK, dtype=np.float32)
    before = time.monotonic()
    sink.write_blocks(samples[:2 * BLOCK], [BLOCK, 2 * BLOCK], [10.0, 10.01])
    sink.wait_for_data(0.05)                      # the awaited sample is not there yet
    assert time.monotonic() - before >= 0.05
    sink.write_blocks(samples[2 * BLOCK:], [BLOCK], [None])
    woken = time.monotonic()
    sink.wait_for_data(5.0)
    assert time.monotonic() - woken < 1.0
    assert np.array_equal(sink.ring.read(0, 3 * BLOCK), samples)
    assert sink.clock.arrival_time(0) == 10.0 and sink.clock.arrival_time(BLOCK - 1) == 10.0
    assert sink.clock.arrival_time(BLOCK) == 10.01
    assert before <= sink.clock.arrival_time(3 * BLOCK - 1) <= time.monotonic()
