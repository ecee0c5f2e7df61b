"""Tuning offset: robust circular estimate for whole tracks and the running live estimate."""

import math

import numpy as np
import pytest

from pitchlive.frames import HOP_S, PitchTrack
from pitchlive.music import midi_to_hz, nearest_notes
from pitchlive.settings import Settings
from pitchlive.tracking.notebook import notebook_offset_cents
from pitchlive.tracking.voicing import voiced
from pitchlive.tracking.tuning import (RunningOffset, TuningOffset, circular_offset_cents,
                                       circular_start, estimate_offset, offset_from_pitch,
                                       smooth_within_runs, voiced_runs, wrap_cents)


def whole_offset(track: PitchTrack, threshold: float = 0.9, a4_hz: float = 440.0):
    """estimate_offset of a track's frames voiced by the voicing rule (no level known)."""
    mask = voiced(track.frequency_hz, track.confidence, None,
                  Settings(confidence_threshold=threshold))
    return estimate_offset(track.frequency_hz, mask, a4_hz)


def sung_track(offset_cents: float, midis=(60, 62, 64, 65, 67, 65, 64, 62, 60), note_s=0.5,
               vibrato_cents=40.0, glide_s=0.1, rest_every=3, seed=0) -> PitchTrack:
    """Frames of a sung-like line: vibrato, glides between notes, rests, a few octave slips."""
    rng = np.random.default_rng(seed)
    times, pitch, conf = [], [], []
    t = 0.0
    for k, midi in enumerate(midis):
        n = int(note_s / HOP_S)
        local = np.arange(n) * HOP_S
        target = np.full(n, float(midi))
        if k and glide_s:   # a glide from the previous note over the first glide_s
            prev = midis[k - 1]
            g = local < glide_s
            target[g] = prev + (midi - prev) * (local[g] / glide_s)
        vibrato = vibrato_cents / 100 * np.sin(2 * np.pi * 5.5 * local + rng.uniform(0, 6))
        pitch.append(target + vibrato + offset_cents / 100 + rng.normal(0, 0.03, n))
        times.append(t + local)
        conf.append(np.full(n, 0.95))
        t += note_s
        if rest_every and k % rest_every == rest_every - 1:
            m = int(0.25 / HOP_S)
            times.append(t + np.arange(m) * HOP_S)
            pitch.append(rng.uniform(40, 80, m))   # junk pitch, low confidence
            conf.append(np.full(m, 0.3))
            t += m * HOP_S
    midi = np.concatenate(pitch)
    conf = np.concatenate(conf)
    slips = rng.choice(np.flatnonzero(conf > 0.9), 4, replace=False)
    midi[slips] += 12.0   # octave errors of single frames
    times = np.arange(midi.size) * HOP_S
    return PitchTrack(times, midi_to_hz(midi), conf)


def test_wrap_cents_maps_onto_the_semitone_circle():
    assert wrap_cents(0.0) == 0.0
    assert wrap_cents(50.0) == -50.0
    assert wrap_cents(-51.0) == pytest.approx(49.0)
    assert wrap_cents(230.0) == pytest.approx(30.0)
    np.testing.assert_allclose(wrap_cents(np.array([-150.0, 99.0])), [-50.0, -1.0])


def test_circular_estimate_handles_offsets_near_half_a_semitone():
    rng = np.random.default_rng(1)
    deviations = wrap_cents(-48.0 + rng.normal(0, 6, 500))   # straddles the +-50 edge
    offset, spread = circular_offset_cents(deviations)
    assert abs(wrap_cents(offset + 48.0)) < 1.0
    assert 4.0 < spread < 8.0
    assert abs(np.mean(deviations) + 48.0) > 20   # the plain mean fails here


def test_biweight_ignores_outliers():
    rng = np.random.default_rng(2)
    bulk = 12.0 + rng.normal(0, 3, 300)
    outliers = rng.uniform(-50, 50, 150)          # glides and transitions: anywhere
    offset, _ = circular_offset_cents(np.concatenate([bulk, outliers]))
    assert offset == pytest.approx(12.0, abs=1.0)


def test_no_values_give_nan():
    offset, spread = circular_offset_cents(np.array([]))
    assert math.isnan(offset) and math.isnan(spread)
    estimate = whole_offset(PitchTrack.empty())
    assert not estimate.valid and estimate.n_frames == 0


@pytest.mark.parametrize("offset_cents", [-45, -30, -15, 0, 10, 25, 40, 49])
def test_whole_track_offset_with_vibrato_glides_and_slips(offset_cents):
    track = sung_track(offset_cents, seed=offset_cents + 100)
    estimate = whole_offset(track)
    assert estimate.valid
    assert abs(wrap_cents(estimate.offset_cents - offset_cents)) < 2.0
    assert estimate.n_frames == int(np.count_nonzero(track.confidence >= 0.9))


def test_notebook_mean_is_worse_on_a_flat_singer_with_vibrato():
    track = sung_track(-30.0, vibrato_cents=45.0, seed=5)
    midi = 69 + 12 * np.log2(track.frequency_hz / 440.0)
    voiced = track.confidence >= 0.9
    assert abs(whole_offset(track).offset_cents + 30.0) < 2.0
    assert abs(notebook_offset_cents(midi, voiced) + 30.0) > 5.0


def test_low_confidence_frames_do_not_count():
    track = sung_track(20.0, rest_every=0, glide_s=0, seed=3)
    confidence = track.confidence.copy()
    frequency = track.frequency_hz.copy()
    # A third of the frames say something else, with confidence below the threshold.
    frequency[::3] = midi_to_hz(61.4)
    confidence[::3] = 0.5
    estimate = whole_offset(PitchTrack(track.times_s, frequency, confidence))
    assert estimate.offset_cents == pytest.approx(20.0, abs=2.0)


def test_a4_reference_moves_the_grid():
    track = sung_track(0.0, seed=4)
    # Sung at A440; measured against A442 that is 7.85 cents flat.
    estimate = whole_offset(track, a4_hz=442.0)
    assert estimate.offset_cents == pytest.approx(1200 * math.log2(440 / 442), abs=2.0)


def test_offset_corrects_note_naming():
    # 45 cents flat of A4 with vibrato: plain naming flips between G#4 and A4, the grid shifted
    # by the estimate names every frame A4.
    t = np.arange(200) * HOP_S
    midi = 69 - 0.45 + 0.3 * np.sin(2 * np.pi * 5.5 * t)
    track = PitchTrack(t, midi_to_hz(midi), np.full(t.size, 0.95))
    offset = whole_offset(track).offset_cents
    plain, _ = nearest_notes(track.frequency_hz)
    corrected, cents = nearest_notes(track.frequency_hz, offset_cents=offset)
    assert set(plain) == {68.0, 69.0}
    assert set(corrected) == {69.0} and np.max(np.abs(cents)) < 35


def test_smoothing_stays_inside_voiced_runs():
    values = np.array([1.0, 1.0, 1.0, 100.0, 100.0, 100.0, 5.0, 5.0, 5.0])
    voiced = np.array([True, True, True, False, False, False, True, True, True])
    smoothed = smooth_within_runs(values, voiced, 6)
    assert np.isnan(smoothed[3:6]).all()
    np.testing.assert_allclose(smoothed[[0, 1, 2]], 1.0)
    np.testing.assert_allclose(smoothed[[6, 7, 8]], 5.0)
    assert voiced_runs(voiced) == [(0, 3), (6, 9)]


def test_smoothing_bridges_dropouts_of_one_or_two_frames():
    values = np.array([1.0, 1.0, 1.0, 100.0, 3.0, 3.0, 3.0])
    voiced = np.array([True, True, True, False, True, True, True])
    smoothed = smooth_within_runs(values, voiced, 6)
    assert np.isnan(smoothed[3])
    assert 1.0 < smoothed[2] < 3.0 and 1.0 < smoothed[4] < 3.0   # averaged across the dropout
    assert np.nanmax(smoothed) < 3.0 + 1e-9                       # the unvoiced value never counts


def test_smoothing_cancels_vibrato_before_the_estimate():
    # Vibrato of +-45 cents: frame by frame the circle smears (resultant near 0); averaged over
    # a cycle, the estimate is exact.
    t = np.arange(400) * HOP_S
    midi = 64.15 + 0.45 * np.sin(2 * np.pi * 5.5 * t)
    voiced = np.ones(t.size, bool)
    assert offset_from_pitch(midi, voiced).offset_cents == pytest.approx(15.0, abs=1.5)


def feed(running: RunningOffset, track: PitchTrack, start_s: float = 0.0) -> None:
    mask = voiced(track.frequency_hz, track.confidence, None, Settings())
    for t, f, v in zip(track.times_s, track.frequency_hz, mask):
        running.push(start_s + t, f, v)


def test_running_offset_follows_a_change_within_its_window():
    running = RunningOffset(window_s=4.0)
    first = sung_track(-20.0, midis=(60, 62, 64, 65) * 3, seed=7)
    feed(running, first)
    assert running.current.offset_cents == pytest.approx(-20.0, abs=2.5)
    second = sung_track(25.0, midis=(67, 65, 64, 62) * 3, seed=8)
    feed(running, second, start_s=first.times_s[-1] + HOP_S)
    assert running.current.offset_cents == pytest.approx(25.0, abs=2.5)
    # Memory is bounded by the window, however long the take.
    window = running._times[running._first:]
    assert len(window) <= running.max_frames and len(running._times) <= 2 * running.max_frames + 1
    assert window[-1] - window[0] <= 4.0


def test_running_offset_needs_enough_frames_and_resets():
    running = RunningOffset(window_s=5.0, min_frames=16)
    for k in range(10):
        running.push(k * HOP_S, 440.0, True)
    assert not running.current.valid and running.current.n_frames == 10
    for k in range(10, 40):
        running.push(k * HOP_S, 440.0 * 2 ** (10 / 1200), True)
    assert running.current.valid
    assert running.current.offset_cents == pytest.approx(10.0, abs=3.0)
    running.reset()
    assert not running.current.valid and running.current.n_frames == 0


def test_running_offset_honours_the_voicing_it_is_given():
    running = RunningOffset(window_s=5.0, min_frames=5)
    for k in range(60):
        voiced = k % 2 == 0
        frequency = 440.0 * 2 ** (-25 / 1200) if voiced else 440.0 * 2 ** (30 / 1200)
        # Unvoiced frames (level gate) carry a confident but different pitch: ignored.
        running.push(k * HOP_S, frequency, voiced)
    assert running.current.offset_cents == pytest.approx(-25.0, abs=1.5)


def test_running_equals_whole_track_on_the_same_frames():
    track = sung_track(-12.0, seed=9)
    running = RunningOffset(window_s=1000.0)
    feed(running, track)
    whole = whole_offset(track)
    assert running.current.offset_cents == pytest.approx(whole.offset_cents, abs=1e-9)
    assert running.current.n_frames == whole.n_frames


def test_running_offset_from_two_threads():
    import threading

    running = RunningOffset(window_s=2.0, min_frames=5)
    stop = threading.Event()
    seen = []

    def reader():
        while not stop.is_set():
            seen.append(running.current)

    thread = threading.Thread(target=reader)
    thread.start()
    for k in range(3000):
        running.push(k * HOP_S, 440.0 * 2 ** (-12 / 1200), True)
    stop.set()
    thread.join()
    assert running.current.offset_cents == pytest.approx(-12.0, abs=0.5)
    assert len(seen) > 1


def test_a_time_gap_splits_the_run():
    before = 440.0 * 2 ** (np.linspace(-10, 10, 30) / 1200)
    after = 440.0 * 2 ** (np.full(12, 20.0) / 1200)
    running = RunningOffset(window_s=10.0, min_frames=5)
    for k, f in enumerate(before):
        running.push(k * HOP_S, f, True)
    for k, f in enumerate(after, start=50):      # 20 frames were dropped
        running.push(k * HOP_S, f, True)
    # The same as a whole track with the gap filled by unvoiced frames ...
    frequency = np.concatenate([before, np.full(20, 440.0), after])
    confidence = np.concatenate([np.full(30, 0.95), np.zeros(20), np.full(12, 0.95)])
    filled = whole_offset(PitchTrack(np.arange(62) * HOP_S, frequency, confidence))
    assert running.current.offset_cents == pytest.approx(filled.offset_cents, abs=1e-9)
    # ... and not as if the two sides were one run smoothed across the gap.
    joined = whole_offset(PitchTrack(np.arange(42) * HOP_S, np.concatenate([before, after]),
                                        np.full(42, 0.95)))
    assert abs(joined.offset_cents - filled.offset_cents) > 0.01


def test_tuning_offset_none_is_invalid():
    assert not TuningOffset.none().valid
    assert TuningOffset(3.0, 1.0, 10).valid


def test_running_offset_skips_only_recomputations_that_change_nothing():
    """Unvoiced frames entering or leaving the window's ends are not recomputed for; after every
    frame the estimate equals one computed afresh from the same frames."""
    rng = np.random.default_rng(5)
    running = RunningOffset(window_s=1.0)
    pushed = []
    t = 0.0
    for i in range(400):
        t += HOP_S * (4 if i % 97 == 50 else 1)               # a few time gaps
        voiced_now = bool(rng.random() < (0.9 if (i // 40) % 2 else 0.15))
        hz = 440.0 * 2 ** ((rng.normal(-20, 8)) / 1200)
        running.push(t, hz, voiced_now)
        pushed.append((t, hz, voiced_now))
        fresh = RunningOffset(window_s=1.0)
        for frame in pushed[-40:]:
            fresh.push(*frame)
        a, b = running.current, fresh.current
        assert (a.n_frames, a.valid) == (b.n_frames, b.valid)
        assert np.array_equal([a.offset_cents, a.spread_cents], [b.offset_cents, b.spread_cents],
                              equal_nan=True)


def _circular_offset_as_first_written(deviation_cents, weights=None, cutoff_cents=25.0,
                                      iterations=6):
    """circular_offset_cents' biweight with wrap_cents and np.median throughout: its reference
    (the same start, circular_start)."""
    deviation, base, centre = circular_start(deviation_cents, weights)
    if deviation.size == 0:
        return float("nan"), float("nan")
    for _ in range(iterations):
        residual = wrap_cents(deviation - centre)
        u = residual / cutoff_cents
        weight = base * np.where(np.abs(u) < 1.0, (1.0 - u * u) ** 2, 0.0)
        if weight.sum() <= 0:
            break
        step = float(np.sum(weight * residual) / weight.sum())
        centre = wrap_cents(centre + step)
        if abs(step) < 1e-3:
            break
    residual = wrap_cents(deviation - centre)
    spread = 1.4826 * float(np.median(np.abs(residual)))
    return float(wrap_cents(centre)), spread


def test_the_circular_offset_is_bit_for_bit_its_first_form():
    # Offsets near the wrap (+-50), spreads, outliers, weights, NaN, odd and even counts.
    rng = np.random.default_rng(9)
    for n in (1, 2, 3, 10, 57, 156, 157):
        for centre in (-49.9, -20.0, 0.0, 3.3, 49.95):
            deviation = centre + rng.normal(0, rng.uniform(0.5, 30.0), n)
            deviation[rng.random(n) < 0.1] += 50.0
            deviation = (deviation + 50.0) % 100.0 - 50.0
            if n > 3:
                deviation[0] = np.nan
            for weights in (None, rng.uniform(0.0, 2.0, n)):
                assert circular_offset_cents(deviation, weights) == \
                    _circular_offset_as_first_written(deviation, weights)
    assert np.isnan(circular_offset_cents(np.array([np.nan]))[0])


def _offset_from_pitch_of_window(times_s, midi, min_frames):
    """The running estimate as first written: offset_from_pitch of the window's frames, each
    time gap filled with unvoiced frames enough to end a run."""
    gaps = np.flatnonzero(np.diff(times_s) > 1.5 * HOP_S) + 1
    midi = np.insert(midi, np.repeat(gaps, 3), np.nan)
    estimate = offset_from_pitch(midi, np.isfinite(midi))
    if estimate.n_frames < min_frames:
        return TuningOffset(float("nan"), float("nan"), estimate.n_frames)
    return estimate


@pytest.mark.parametrize("window_s", [0.5, 2.0])
def test_the_incremental_running_offset_is_offset_from_pitch_of_its_window(window_s):
    # RunningOffset keeps each frame's smoothed deviation from the moment its neighbours are
    # in: after every frame, with voiced runs, short and long dropouts, time gaps and the window
    # sliding, its estimate is offset_from_pitch of the window's frames within float rounding.
    rng = np.random.default_rng(17)
    running = RunningOffset(window_s=window_s, min_frames=5)
    times, midis = [], []
    t = 0.0
    checked = 0
    for i in range(700):
        t += HOP_S * (int(rng.integers(2, 6)) if rng.random() < 0.02 else 1)
        phase = (i // 25) % 4
        voiced_now = bool(rng.random() < (0.97, 0.6, 0.85, 0.1)[phase])
        # Offsets near the circle's edge too, where a plain mean breaks.
        hz = 440.0 * 2 ** ((48.0 * math.sin(i / 90.0) + rng.normal(0, 6)) / 1200)
        running.push(t, hz, voiced_now)
        times.append(t)
        midis.append(69.0 + 12.0 * math.log2(hz / 440.0) if voiced_now else math.nan)
        keep = [k for k in range(len(times)) if times[k] > t - window_s][-running.max_frames:]
        expected = _offset_from_pitch_of_window(np.array(times)[keep], np.array(midis)[keep], 5)
        got = running.current
        assert got.n_frames == expected.n_frames and got.valid == expected.valid
        if expected.valid:
            assert abs(wrap_cents(got.offset_cents - expected.offset_cents)) < 1e-8
            assert got.spread_cents == pytest.approx(expected.spread_cents, abs=1e-8)
            checked += 1
    assert checked > 300
