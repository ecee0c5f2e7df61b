"""Ring buffer, capture sink, arrival clock and streaming resampling: the engine's plumbing."""

import math
import threading
import time
import tracemalloc

import numpy as np
import pytest
from scipy.signal import resample_poly

from pitchlive.audio.capture import ArrivalClock, CaptureSink
from pitchlive.audio.resample import StreamingResampler
from pitchlive.audio.ringbuffer import RingBuffer, RingBufferOverrun


def test_random_blocks_read_back_exactly_across_wraps():
    rng = np.random.default_rng(1)
    ring = RingBuffer(1000)
    x = rng.standard_normal(20_000).astype(np.float32)
    pos = read = 0
    got = []
    while pos < x.size:
        n = int(rng.integers(1, 700))
        ring.write(x[pos:pos + n])
        pos = min(pos + n, x.size)
        if rng.random() < 0.7 or ring.written_samples - read > 300:
            got.append(ring.read(read, ring.written_samples))
            read = ring.written_samples
    got.append(ring.read(read, ring.written_samples))
    np.testing.assert_array_equal(np.concatenate(got), x)


def test_any_recent_window_is_one_contiguous_view():
    ring = RingBuffer(512)
    x = np.arange(3000, dtype=np.float32)
    for start in range(0, 3000, 97):
        ring.write(x[start:start + 97])
        end = ring.written_samples
        length = min(end, 512)
        view = ring.window(end, length)
        assert view.flags.c_contiguous and not view.flags.writeable
        assert np.shares_memory(view, ring._buffer)          # a view, not a copy
        np.testing.assert_array_equal(view, x[end - length:end])


def test_overwritten_samples_raise_overrun():
    ring = RingBuffer(100)
    ring.write(np.zeros(250, np.float32))
    assert ring.written_samples == 250
    with pytest.raises(RingBufferOverrun):
        ring.read(100, 250)
    assert ring.read(150, 250).shape == (100,)


def test_block_longer_than_capacity_keeps_its_tail():
    ring = RingBuffer(100)
    ring.write(np.arange(250, dtype=np.float32))
    assert ring.written_samples == 250
    np.testing.assert_array_equal(ring.read(150, 250), np.arange(150, 250))


def test_window_outside_written_range_is_refused():
    ring = RingBuffer(100)
    ring.write(np.ones(50, np.float32))
    with pytest.raises(ValueError):
        ring.window(60, 10)
    with pytest.raises(ValueError):
        ring.window(50, 200)


def test_concurrent_writer_and_reader_see_every_sample_in_order():
    ring = RingBuffer(4096)
    total = 400_000
    x = np.arange(total, dtype=np.float32) % 10007
    done = threading.Event()

    def writer():
        for start in range(0, total, 480):
            while ring.written_samples + 480 - reader_pos[0] > ring.capacity_samples:
                pass  # back-pressure so the test checks ordering, not overruns
            ring.write(x[start:start + 480])
        done.set()

    reader_pos = [0]
    got = []
    thread = threading.Thread(target=writer)
    thread.start()
    while not (done.is_set() and reader_pos[0] == ring.written_samples):
        end = ring.written_samples
        if end > reader_pos[0]:
            got.append(ring.read(reader_pos[0], end))
            reader_pos[0] = end
    thread.join()
    np.testing.assert_array_equal(np.concatenate(got), x)


@pytest.mark.parametrize("channels,channel", [(1, None), (2, None), (4, None), (4, 2)])
def test_sink_mixes_or_picks_channels(channels, channel):
    sink = CaptureSink()
    sink.configure(48000, channels, channel)
    block = np.random.default_rng(0).standard_normal((480, channels)).astype(np.float32)
    sink.write_block(block)
    expected = block[:, channel] if channel is not None else block.mean(axis=1)
    np.testing.assert_allclose(sink.ring.read(0, 480), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("channels", [2, 3, 7])
def test_sink_mix_is_numpys_sum_bit_for_bit(channels):
    sink = CaptureSink()
    sink.configure(48000, channels, None)
    block = np.random.default_rng(channels).standard_normal((480, channels)).astype(np.float32)
    sink.write_block(block)
    expected = np.sum(block, axis=1) * np.float32(1.0 / channels)
    assert np.array_equal(sink.ring.read(0, 480), expected)


def test_sink_mixes_blocks_larger_than_its_scratch():
    sink = CaptureSink()
    sink.configure(48000, 2, None)
    block = np.random.default_rng(0).standard_normal((40_000, 2)).astype(np.float32)
    sink.write_block(block)
    np.testing.assert_allclose(sink.ring.read(0, 40_000), block.mean(axis=1), atol=1e-6)


def test_sink_rejects_a_channel_the_stream_lacks():
    with pytest.raises(ValueError):
        CaptureSink().configure(48000, 2, 2)


@pytest.mark.parametrize("channel", [None, 1])
def test_callback_path_allocates_no_audio_memory(channel):
    """write_block (run in the PortAudio callback) must not allocate audio buffers per block.

    A mono copy of one 4,800-sample block is 19.2 kB; the only allocations allowed are the few
    small Python objects (slices, views, a float) of one call, freed at once.
    """
    sink = CaptureSink()
    sink.configure(48000, 2, channel)
    block = np.random.default_rng(0).standard_normal((4800, 2)).astype(np.float32)
    sink.write_block(block)                     # first call warms caches
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        for _ in range(500):
            sink.write_block(block)
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - before < 4000, f"peak grew by {peak - before} bytes"
    assert after - before < 1000


def test_sink_counts_status_flags_and_space():
    sink = CaptureSink()
    sink.configure(16000, 1, None)
    sink.note_status(True, False)
    sink.note_status(True, True)
    assert (sink.overflows, sink.underflows) == (2, 1)
    sink.write_block(np.zeros(1000, np.float32))
    sink.consumed_samples = 400
    assert sink.space_samples() == sink.ring.capacity_samples - 600


def test_capture_then_streaming_resampler_is_block_invariant():
    """The worker's path (ring buffer reads of whatever arrived + StreamingResampler) gives the
    same 16 kHz signal as resampling the whole recording, for random callback block sizes."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((44100 * 2, 2)).astype(np.float32)
    sink = CaptureSink()
    sink.configure(44100, 2, None)
    resampler = StreamingResampler(44100, 16000)
    out, pos, read = [], 0, 0
    while pos < x.shape[0]:
        n = int(rng.integers(1, 3000))
        sink.write_block(x[pos:pos + n])
        pos += n
        if rng.random() < 0.5:
            end = sink.ring.written_samples
            out.append(resampler.process(sink.ring.read(read, end)))
            read = end
    out.append(resampler.process(sink.ring.read(read, sink.ring.written_samples)))
    out.append(resampler.flush())
    whole = resample_poly(x.mean(axis=1), 160, 441)
    streamed = np.concatenate(out)
    assert streamed.shape == whole.shape
    np.testing.assert_allclose(streamed, whole, atol=2e-6)


def test_arrival_clock_finds_the_block_of_a_sample_and_forgets_old_ones():
    clock = ArrivalClock(entries=4)
    for i in range(1, 7):                       # blocks [0,100), [100,200), ... at times 1..6
        clock.record(100 * i, float(i))
    assert clock.arrival_time(350) == 4.0
    assert clock.arrival_time(599) == 6.0
    assert math.isnan(clock.arrival_time(600))  # not arrived yet
    assert math.isnan(clock.arrival_time(50))   # forgotten
    empty = ArrivalClock()
    assert math.isnan(empty.arrival_time(0))


def test_arrival_clock_agrees_with_a_plain_search_at_every_fill():
    """Searched in place (no reordered copy per frame): the answer of a linear scan over the
    blocks still remembered, before and after the ring wraps."""
    rng = np.random.default_rng(2)
    clock = ArrivalClock(entries=5)
    blocks: list[tuple[int, float]] = []
    end = 0
    for n in range(13):
        end += int(rng.integers(1, 50))
        clock.record(end, float(n))
        blocks.append((end, float(n)))
        kept = blocks[-5:]
        first_known = kept[0][0] - 0 if len(blocks) > 5 else 0
        for sample in range(0, end + 20):
            later = [t for e, t in kept if sample < e]
            expected = later[0] if later and (len(blocks) <= 5 or sample >= first_known) \
                else math.nan
            got = clock.arrival_time(sample)
            assert (math.isnan(got) and math.isnan(expected)) or got == expected, (n, sample)


def test_wake_ups_before_the_worker_waits_are_one_and_reach_a_waiting_worker():
    sink = CaptureSink()
    sink.configure(48000, 1, None)
    for _ in range(3):
        sink.wake()
    started = time.monotonic()
    sink.wait_for_data(5.0)                     # returns at once...
    assert time.monotonic() - started < 1.0
    started = time.monotonic()
    sink.wait_for_data(0.05)                    # ...and the three were one
    assert time.monotonic() - started >= 0.05
    waker = threading.Timer(0.05, sink.wake)    # from another thread, while it waits
    waker.start()
    started = time.monotonic()
    sink.wait_for_data(5.0)
    assert 0.03 < time.monotonic() - started < 1.0
    waker.join()
