"""Sliding live windows (pitchlive.audio.windows): which window runs, which frame is kept."""

import math

import numpy as np
import pytest

from pitchlive.audio.windows import (EARLY_SAMPLES, MAX_CATCH_UP_HOPS, MAX_LAG_HOPS,
                                     MAX_WINDOW_SAMPLES, SlidingWindows, check_window,
                                     max_lag_samples)


def _position_model(audio):
    """A stand-in model whose 'frequency' of frame k is the sample just before its centre."""
    n = audio.size // 512 + 1
    padded = np.concatenate([np.zeros(1, np.float32), audio])
    return padded[np.arange(n) * 512].astype(np.float64), np.ones(n)


@pytest.mark.parametrize("window,right,hop", [(1024, 0, 512), (2048, 512, 512), (4096, 1024, 512),
                                              (4096, 512, 256), (2304, 256, 512), (1280, 256, 256)])
def test_windows_keep_the_frame_centred_where_they_say(window, right, hop):
    stream = np.arange(1, 20_001, dtype=np.float32)           # sample i holds i + 1
    windows = SlidingWindows(hop_samples=hop)
    results = []
    for start in range(0, stream.size, 333):
        windows.push(stream[start:start + 333])
        results.extend(windows.due(_position_model, window, right))
    windows.finish()
    results.extend(windows.due(_position_model, window, right))
    centres = [r.centre_sample for r in results]
    assert centres == list(range(0, (20_000 // 512) * 512 + 1, hop))
    for r in results:
        assert r.end_sample == r.centre_sample + right
        expected = r.centre_sample if 0 < r.centre_sample <= stream.size else 0.0
        assert r.frequency_hz == expected


def test_windows_wait_for_the_kept_frames_right_context():
    windows = SlidingWindows()
    windows.push(np.zeros(1000, np.float32))
    got = list(windows.due(_position_model, 2048, 512))
    assert [r.centre_sample for r in got] == [0]               # centre 512 needs samples to 1024


def test_lagging_windows_are_skipped_and_counted():
    windows = SlidingWindows()
    windows.push(np.zeros(512 * 20, np.float32))
    got = list(windows.due(_position_model, 2048, 512, max_lag_samples=4 * 512))
    # Newest complete window ends at 10240 (centre 9728); frames 0..(9728 - 4*512) are stale.
    assert got[-1].centre_sample == 512 * 19
    assert windows.skipped_windows + len(got) == 20
    assert len(got) <= 5


def test_window_level_is_the_rms_around_the_frame():
    windows = SlidingWindows()
    tone = (0.5 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)).astype(np.float32)
    windows.push(tone)
    levels = [r.level_dbfs for r in windows.due(_position_model, 2048, 512)]
    assert levels[10] == pytest.approx(20 * math.log10(0.5 / math.sqrt(2)), abs=0.1)
    assert levels[0] < levels[10] - 2.5       # half of the first frame's span is silence


def test_windows_accept_any_window_up_to_the_maximum():
    windows = SlidingWindows()
    windows.push(np.zeros(MAX_WINDOW_SAMPLES, np.float32))
    assert len(list(windows.due(_position_model, MAX_WINDOW_SAMPLES, 512))) == 128


@pytest.mark.parametrize("window,right", [(2048, 256), (2304, 0), (1024, 1024), (0, 0),
                                          (MAX_WINDOW_SAMPLES + 512, 512)])
def test_windows_without_a_frame_at_the_asked_place_are_refused(window, right):
    with pytest.raises(ValueError):
        list(SlidingWindows().due(_position_model, window, right))


def test_default_settings_name_a_frame_inside_the_window():
    from pitchlive.settings import Settings

    settings = Settings()
    right = settings.right_context_samples
    check_window(settings.window_samples, right)
    # The studies' finding (bench/engine_windows.py, then bench/accuracy_windows.py with the
    # refinement stage): at most one hop and a half of context, i.e. one hop of added delay.
    assert 0 <= right <= 768


def test_the_kept_frame_comes_with_the_window_the_model_saw():
    stream = np.arange(1, 20_001, dtype=np.float32)           # sample i holds i + 1
    windows = SlidingWindows()
    windows.push(stream)
    seen = []

    def model(audio):
        seen.append(audio)
        return _position_model(audio)

    results = list(windows.due(model, 2304, 256))
    for result, window in zip(results, seen):
        assert result.window_16k is window and result.window_16k.shape == (2304,)
        assert not result.window_16k.flags.writeable
        assert result.centre_index == 2304 - 256
        centre = result.centre_sample
        expected = centre + 1 if centre < stream.size else 0.0   # sample c holds c + 1
        assert result.window_16k[result.centre_index] == expected
    # A copy: later audio does not change the window a frame came with.
    before = results[3].window_16k.copy()
    for _ in range(4):                                         # wraps the ring around
        windows.push(np.zeros(60_000, np.float32))
        list(windows.due(model, 2304, 256))
    np.testing.assert_array_equal(results[3].window_16k, before)


def test_a_worker_that_can_catch_up_may_fall_further_behind():
    assert max_lag_samples(0.0) == MAX_LAG_HOPS * 512              # not measured yet
    assert max_lag_samples(0.070) == MAX_LAG_HOPS * 512            # slower than real time
    assert max_lag_samples(0.028) == MAX_LAG_HOPS * 512            # barely faster: 4 only
    assert max_lag_samples(0.016) == 31 * 512                      # 1 s clears 31 windows
    assert max_lag_samples(0.001) == MAX_CATCH_UP_HOPS * 512       # bounded at 2 s
    assert MAX_CATCH_UP_HOPS * 512 / 16000 == 2.048


def test_one_stalled_window_does_not_make_the_worker_look_slow():
    from pitchlive.audio.windows import WindowCost

    cost = WindowCost()
    assert cost.typical_s == 0.0
    for _ in range(20):
        cost.add(0.001)
    cost.add(0.4)                        # the window during which the worker was stalled
    assert cost.typical_s == pytest.approx(0.001)
    assert max_lag_samples(cost.typical_s) == MAX_CATCH_UP_HOPS * 512


def test_window_cost_is_the_median_of_the_last_n_odd_and_even():
    from pitchlive.audio.windows import WindowCost

    rng = np.random.default_rng(3)
    for n_added in (1, 2, 5, 6, 31, 40):
        cost = WindowCost(n=31)
        values = rng.uniform(0.001, 0.05, n_added)
        for value in values:
            cost.add(float(value))
        assert cost.typical_s == float(np.median(values[-31:]))


def test_a_stand_in_answer_replaces_the_model_call():
    calls, asked = [], []

    def model(audio):
        calls.append(audio.size)
        return _position_model(audio)

    def stand_in(window, centre_index, level_dbfs):
        asked.append((window.size, centre_index, level_dbfs))
        return (123.0, 0.75) if len(asked) % 2 == 0 else None

    windows = SlidingWindows()
    windows.push(np.full(8000, 0.1, np.float32))
    results = list(windows.due(model, 2304, 256, stand_in=stand_in))
    windows_stood = [r for r in results if not r.model_ran]
    assert len(results) == len(asked) == 16 and len(calls) == len(windows_stood) == 8
    assert all((r.frequency_hz, r.confidence) == (123.0, 0.75) for r in windows_stood)
    assert all(r.frequency_hz != 123.0 for r in results if r.model_ran)
    # The stand-in sees what the model would have: the window, its kept frame, its level.
    assert asked[3][:2] == (2304, 2048) and asked[3][2] == pytest.approx(-20.0, abs=0.01)
    assert [r.centre_sample for r in results] == [512 * k for k in range(16)]


def test_an_early_read_takes_the_frame_half_a_hop_sooner_from_a_longer_window():
    stream = np.arange(1, 20_001, dtype=np.float32)           # sample i holds i + 1
    windows = SlidingWindows()
    looked = []

    def early(window):
        looked.append((int(window[-1]) - 1, window.size))      # the look's last sample, length
        return len(looked) == 3

    windows.push(stream[:4096])
    results = list(windows.due(_position_model, 2304, 768, early=early))
    # Each frame is looked at once, 256 samples before its own window ends, on 2560 samples
    # (frame 3584 too, whose window is not complete yet).
    assert looked == [(512 * k + 512 - 1, 2560) for k in range(8)]
    assert [r.centre_sample for r in results] == [512 * k for k in range(7)]
    read_early = [r for r in results if r.early]
    assert len(read_early) == 1 and windows.early_reads == 1
    frame = read_early[0]
    # The same SPICE frame (centred where it says), read with right context 512.
    assert frame.centre_sample == 1024 and frame.end_sample == 1024 + 512
    assert frame.window_16k.size == 2560 and frame.centre_index == 2048
    assert frame.frequency_hz == 1024.0
    assert all(r.end_sample == r.centre_sample + 768 for r in results if not r.early)


def test_a_live_window_is_looked_at_early_as_soon_as_its_audio_is_in():
    windows = SlidingWindows()
    says = {"change": False}
    early = lambda window: says["change"]  # noqa: E731
    windows.push(np.zeros(768, np.float32))
    assert windows.next_due(_position_model, 2304, 768, early=early) is not None   # centre 0
    # Frame 512 is due at 1280; its early look at 1024, once, then its window's end again.
    assert windows.next_end_sample(768) == 1024
    windows.push(np.zeros(256, np.float32))
    assert windows.next_due(_position_model, 2304, 768, early=early) is None
    assert windows.next_end_sample(768) == 1280
    says["change"] = True                                      # looked already: not again
    assert windows.next_due(_position_model, 2304, 768, early=early) is None
    windows.push(np.zeros(256, np.float32))
    assert not windows.next_due(_position_model, 2304, 768, early=early).early
    # Frame 1024: the look says change, so it comes at 1536 instead of 1792.
    windows.push(np.zeros(256, np.float32))
    result = windows.next_due(_position_model, 2304, 768, early=early)
    assert result.early and result.centre_sample == 1024 and result.end_sample == 1536


@pytest.mark.parametrize("window,right", [(2304, 256), (2048, 512), (MAX_WINDOW_SAMPLES, 1024)])
def test_windows_with_too_little_right_context_are_never_read_early(window, right):
    windows = SlidingWindows()
    windows.push(np.zeros(8000, np.float32))
    looks = []
    results = list(windows.due(_position_model, window, right,
                               early=lambda w: looks.append(w) or True))
    assert results and not looks and not any(r.early for r in results)
    assert windows.next_end_sample(right) == windows.next_centre_sample + right


def test_input_lengths_name_an_early_reads_window_only_where_it_can_come():
    assert SlidingWindows.input_lengths(2304, 768, True) == (2304, 2304 + EARLY_SAMPLES)
    assert SlidingWindows.input_lengths(2304, 768, False) == (2304,)
    assert SlidingWindows.input_lengths(1792, 256, True) == (1792,)    # too little right context
