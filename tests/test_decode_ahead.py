"""The decode-ahead feed shared by Player.play_file and a FileSource played aloud."""

import threading
import time

import numpy as np
import pytest

from pitchlive.audio.decode_ahead import DecodeAheadFeed
from pitchlive.audio.files import AudioFileError


def _blocks(total: int, size: int, released: list | None = None):
    """Blocks of a ramp 0..total-1; appends to released when the generator is closed."""
    try:
        for start in range(0, total, size):
            yield np.arange(start, min(total, start + size), dtype=np.float32)
    finally:
        if released is not None:
            released.append(True)


def _drain(feed: DecodeAheadFeed, read_size: int, timeout_s: float = 5.0) -> np.ndarray:
    """Read like a callback would until the feed ended and is empty."""
    out = np.empty(read_size, dtype=np.float32)
    pieces = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ended = feed.finished
        n = feed.read_into(out)
        pieces.append(out[:n].copy())
        if n < read_size and ended:
            return np.concatenate(pieces)
        time.sleep(0.001)
    raise AssertionError("the feed did not end")


def _alive(name: str) -> bool:
    return any(t.name == name and t.is_alive() for t in threading.enumerate())


def test_prefill_fills_half_the_ring_and_the_decoder_never_overruns_the_reader():
    feed = DecodeAheadFeed(_blocks(100_000, 100), 1000, name="test-prefill")
    try:
        feed.wait_prefilled(2.0)
        assert feed.available_samples >= 500
        time.sleep(0.05)                      # the decoder waits for room, never overwrites
        assert feed.available_samples <= 1000
        assert not feed.finished
        out = np.empty(1000, dtype=np.float32)
        assert feed.read_into(out) == feed.taken_samples
        np.testing.assert_array_equal(out[:feed.taken_samples], np.arange(feed.taken_samples))
    finally:
        feed.close()


def test_reads_across_block_boundaries_give_every_sample_once_in_order():
    # Reads of 250 across blocks of 100, and one block longer than the whole ring.
    def blocks():
        yield from _blocks(3000, 100)
        yield np.arange(3000, 6000, dtype=np.float32)
    feed = DecodeAheadFeed(blocks(), 1000, name="test-boundaries")
    try:
        audio = _drain(feed, 250)
    finally:
        feed.close()
    np.testing.assert_array_equal(audio, np.arange(6000, dtype=np.float32))
    assert feed.error is None


def test_end_of_file_sets_finished_and_short_reads_stay_empty():
    feed = DecodeAheadFeed(_blocks(300, 100), 1000, name="test-end")
    feed.wait_prefilled(2.0)              # returns at the end: the ring will never be half full
    assert feed.finished
    out = np.full(512, 7.0, dtype=np.float32)
    assert feed.read_into(out) == 300
    np.testing.assert_array_equal(out[:300], np.arange(300))
    assert feed.read_into(out) == 0
    feed.close()


def test_a_decoding_error_ends_the_feed_with_its_message_after_the_good_audio():
    def broken():
        yield np.ones(200, dtype=np.float32)
        raise AudioFileError("take.wav is damaged after 0.2 s")
    messages: list[str] = []
    feed = DecodeAheadFeed(broken(), 1000, on_error=messages.append, name="test-error")
    audio = _drain(feed, 64)
    feed.close()
    np.testing.assert_array_equal(audio, np.ones(200, dtype=np.float32))
    assert feed.error == "take.wav is damaged after 0.2 s"
    assert messages == [feed.error]


def test_close_stops_a_waiting_decoder_joins_its_thread_and_releases_the_file():
    released: list = []
    feed = DecodeAheadFeed(_blocks(10**9, 100, released), 1000, name="test-close")
    feed.wait_prefilled(2.0)
    time.sleep(0.02)                          # the ring is full: the decoder is waiting for room
    assert _alive("test-close")
    started = time.monotonic()
    feed.close()
    assert time.monotonic() - started < 1.0
    assert not _alive("test-close")
    assert released == [True]
    assert not feed.finished                  # stopped, not the end of the audio


@pytest.mark.parametrize("capacity", [1, 2])
def test_a_tiny_ring_still_passes_everything(capacity):
    feed = DecodeAheadFeed(_blocks(50, 7), capacity, name="test-tiny")
    try:
        audio = _drain(feed, 3)
    finally:
        feed.close()
    np.testing.assert_array_equal(audio, np.arange(50, dtype=np.float32))
