"""Fast note changes (pitchlive.tracking.note_change): the maths on synthetic steps."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pitchlive.frames import ModelFrame
from pitchlive.settings import Settings
from pitchlive.tracking.live import LiveTracker
from pitchlive.tracking.note_change import (MIN_CHANGE_CENTS, SILENT, fit_at, key_period,
                                            newest_clarity, note_change, span_samples)

RATE = 16000
E3, DS5, E5 = 164.814, 622.254, 659.255


def tone(frequencies_hz, lengths, harmonics=(1.0, 0.5, 1 / 3, 0.25, 0.2), vibrato_cents=0.0,
         vibrato_hz=6.0) -> np.ndarray:
    """Phase-continuous harmonic tone holding each frequency for its number of samples."""
    inst = np.concatenate([np.full(n, f, np.float64) for f, n in zip(frequencies_hz, lengths)])
    if vibrato_cents:
        t = np.arange(inst.size) / RATE
        inst = inst * 2 ** (vibrato_cents / 1200 * np.sin(2 * np.pi * vibrato_hz * t))
    phase = 2 * np.pi * np.cumsum(inst) / RATE
    out = sum(a * np.sin((k + 1) * phase) for k, a in enumerate(harmonics))
    return (0.3 * out / np.max(np.abs(out))).astype(np.float32)


def cents(a: float, b: float) -> float:
    return 1200.0 * math.log2(a / b)


def test_newest_clarity_peaks_at_the_period_and_is_low_for_noise():
    curve = newest_clarity(tone([400.0], [2304]))             # period 40 samples exactly
    assert curve[40 - 7] > 0.99
    assert curve[20 - 7] < 0.5                                 # half the period: no
    noise = np.random.default_rng(1).standard_normal(2304).astype(np.float32)
    assert newest_clarity(noise).max() < 0.6
    assert np.all(newest_clarity(np.zeros(2304, np.float32)) == 0.0)


def test_each_period_is_read_on_the_newest_two_periods_only():
    # Old pitch everywhere but the last two periods of 100 samples: period 100 reads the new
    # note perfectly, whatever came before.
    audio = tone([E5, 160.0], [2104, 200])
    assert span_samples(100) == 200 and span_samples(20) == 128
    assert newest_clarity(audio)[100 - 7] > 0.99


def test_key_period_takes_the_period_not_its_multiples():
    found = key_period(newest_clarity(tone([E5], [2304])))
    assert found is not None
    period, clarity = found
    assert abs(cents(RATE / period, E5)) < 20 and clarity > 0.95
    assert key_period(newest_clarity(np.random.default_rng(2).standard_normal(2304))) is None


def test_fit_at_reads_a_held_period_and_knows_silence():
    audio = tone([220.0], [2304])
    assert fit_at(audio, RATE / 220.0) > 0.98
    assert fit_at(audio, RATE / 330.0) < 0.5
    assert fit_at(np.zeros(2304, np.float32), 50.0) == SILENT


@pytest.mark.parametrize("old_hz, new_hz", [(E3, DS5), (E5, E3), (220.0, 277.18),
                                            (392.0, 196.0), (110.0, 146.83), (349.23, 174.61),
                                            (146.83, 415.3), (415.3, 146.83)])
def test_a_step_is_read_from_the_newest_12_ms(old_hz, new_hz):
    new_samples = 192                                          # 12 ms
    audio = tone([old_hz, new_hz], [2304 - new_samples, new_samples])
    change = note_change(audio, old_hz, old_hz)
    assert change is not None
    assert abs(cents(change.frequency_hz, new_hz)) < 50
    assert change.clarity >= 0.92 and change.old_fit < 0.5
    # The same audio with only 2 ms of the new note: not yet.
    early = tone([old_hz, new_hz], [2304 - 32, 32])
    assert note_change(early, old_hz, old_hz) is None


def test_a_leap_up_to_a_multiple_needs_the_model_too():
    # E5 is periodic at E3's period as well (4 of its periods): the old pitch keeps fitting.
    audio = tone([E3, E5], [2304 - 192, 192])
    assert note_change(audio, E3, E3) is None                  # two octaves: not from the signal
    change = note_change(audio, E3, E5 * 2 ** (30 / 1200))
    assert change is not None and abs(cents(change.frequency_hz, E5)) < 50
    assert note_change(tone([E3], [2304]), E3, E5) is None      # no leap in the audio


@pytest.mark.parametrize("old_hz, multiple", [(E3, 2), (220.0, 2), (196.0, 3)])
def test_a_leap_up_an_octave_or_a_twelfth_is_read_from_the_signal(old_hz, multiple):
    # The new note is periodic at a divisor of the old period, and the audio before was not.
    new_hz = multiple * old_hz
    audio = tone([old_hz, new_hz], [2304 - 224, 224])
    change = note_change(audio, old_hz, old_hz)
    assert change is not None and abs(cents(change.frequency_hz, new_hz)) < 50
    # Too long ago to tell (the audio before is the new note as well): left to the refinement.
    late = tone([old_hz, new_hz], [200, 2104])
    assert note_change(late, old_hz, old_hz) is None


def test_a_held_note_with_a_strong_octave_is_no_leap():
    # Harmonic 2 far stronger than the fundamental: the newest audio is nearly periodic at half
    # the period, but it was so before as well.
    audio = tone([196.0], [2304], harmonics=(0.15, 1.0, 0.1, 0.6))
    curve = newest_clarity(audio)
    assert curve[round(RATE / 392.0) - 7] > 0.92
    assert note_change(audio, 196.0, 196.0) is None


def test_a_formant_of_a_low_held_note_is_no_leap_even_if_the_model_reads_it():
    # E1 with a strong 16th harmonic (a vowel's formant): its newest 8 ms ring at ~660 Hz, and
    # SPICE read ~675 Hz there; 16 times the held note is no leap.
    e1 = 41.2034
    harmonics = tuple(1.0 if k == 15 else 0.3 if k in (14, 16) else 0.05 for k in range(20))
    audio = tone([e1], [2304 * 2], harmonics=harmonics)[-2304:]
    assert note_change(audio, e1, 674.7) is None


@pytest.mark.parametrize("frequency_hz", [55.0, E3, 440.0, E5, 1760.0])
def test_a_held_note_never_changes(frequency_hz):
    audio = tone([frequency_hz], [2304 * 4])
    for end in range(2304, audio.size, 160):
        assert note_change(audio[end - 2304:end], frequency_hz, frequency_hz) is None


def test_a_wide_vibrato_is_not_a_note_change():
    # +-100 cents at 6 Hz, against the centre (what a long frame reads) or the pitch 30 ms ago.
    audio = tone([330.0], [RATE], vibrato_cents=100.0)
    for end in range(2304, audio.size, 80):
        window = audio[end - 2304:end]
        t = (end - 480) / RATE
        before_hz = 330.0 * 2 ** (100.0 / 1200 * math.sin(2 * math.pi * 6.0 * t))
        assert note_change(window, 330.0, 330.0) is None
        assert note_change(window, before_hz, before_hz) is None


def test_a_small_step_is_left_to_the_refinement():
    audio = tone([440.0, 440.0 * 2 ** (100 / 1200)], [1800, 504])    # a semitone
    assert MIN_CHANGE_CENTS > 100
    assert note_change(audio, 440.0, 440.0) is None


def test_an_octave_of_the_held_note_is_not_a_change():
    # The refinement read the octave below: the newest audio still fits that period.
    audio = tone([440.0], [2304])
    assert note_change(audio, 220.0, 220.0) is None


def test_the_octave_moves_down_only_when_the_model_agrees():
    # A new note with a weak fundamental (mostly harmonics 2 and 4): its key maximum is the
    # octave above; the model's estimate and the doubled period together move it down.
    weak = (0.05, 1.0, 0.05, 0.8)
    audio = np.concatenate([tone([E5], [1600]), tone([196.0], [704], harmonics=weak)])
    up = note_change(audio, E5, float("nan"))
    assert up is not None and abs(cents(up.frequency_hz, 392.0)) < 50
    down = note_change(audio, E5, 196.0)
    assert down is not None and abs(cents(down.frequency_hz, 196.0)) < 50
    assert abs(cents(note_change(audio, E5, 660.0).frequency_hz, 392.0)) < 50


def test_silence_and_an_unknown_pitch_change_nothing():
    assert note_change(np.zeros(2304, np.float32), 440.0, 440.0) is None
    assert note_change(tone([E5], [2304]), float("nan"), E5) is None


def frame_of(audio: np.ndarray, model_hz: float, confidence: float = 0.95) -> ModelFrame:
    window = np.ascontiguousarray(audio[-2304:], np.float32)
    window.flags.writeable = False
    return ModelFrame(time_s=1.0, frequency_hz=model_hz, confidence=confidence,
                      level_dbfs=-20.0, window_16k=window, centre_index=2304 - 768)


@pytest.mark.parametrize("on", [False, True])
def test_the_live_tracker_shows_the_new_note_only_with_the_setting(on):
    # 14 ms of D#5 after E3: the refinement's 64 ms frame (and the model) still hold E3.
    audio = tone([E3, DS5], [2304 - 224, 224])
    settings = Settings(fast_note_changes=on)
    frame = LiveTracker(settings).process(frame_of(audio, E3, 0.5), settings)
    assert abs(cents(frame.frequency_hz, DS5 if on else E3)) < 50
    if on:
        assert frame.voiced and frame.note == "D#5" and frame.confidence >= 0.92


def test_low_latency_mode_has_fast_note_changes_and_raw_has_none():
    assert Settings().live_note_changes
    assert not Settings(fast_note_changes=False).live_note_changes
    assert Settings(low_latency=True, fast_note_changes=False).live_note_changes
    assert not Settings(low_latency=True, refine=False).live_note_changes


def test_the_smoother_lets_a_confirmed_change_through_at_once():
    settings = Settings(smoothing=True)
    tracker = LiveTracker(settings)
    held = tone([E3], [2304])
    for _ in range(4):
        tracker.process(frame_of(held, E3), settings)
    changed = tone([E3, DS5], [2304 - 224, 224])
    frame = tracker.process(frame_of(changed, E3, 0.5), settings)
    assert frame.voiced and abs(cents(frame.frequency_hz, DS5)) < 50


def test_the_early_check_compares_the_newest_audio_with_the_note_on_screen():
    settings = Settings()
    tracker = LiveTracker(settings)
    changed = tone([E3, DS5], [2560 - 224, 224])
    # Nothing shown yet (a new stream): nothing to change from, and no early look at all.
    assert not tracker.early_change(changed)
    assert tracker.window_checks(settings) == {"stand_in": tracker.model_stand_in,
                                               "early": None}
    tracker.process(frame_of(tone([E3], [2304]), E3), settings)
    assert tracker.early_change(changed)
    assert not tracker.early_change(tone([E3], [2560]))
    assert tracker.window_checks(settings)["early"] == tracker.early_change
    assert tracker.window_checks(settings)["stand_in"] == tracker.model_stand_in
    # Off with note changes; forgotten after a skip.
    assert tracker.window_checks(Settings(fast_note_changes=False))["early"] is None
    tracker.skip()
    assert not tracker.early_change(changed)
    assert tracker.window_checks(settings)["early"] is None


@pytest.mark.parametrize("divisor", [2, 3])
def test_an_early_look_leaves_a_leap_down_to_a_divisor_to_the_windows_own_look(divisor):
    from pitchlive.tracking.note_change import early_note_change

    low = E5 / divisor
    audio = tone([E5, low], [2560 - 300, 300])
    change = note_change(audio, E5, E5)
    assert change is not None and abs(cents(change.frequency_hz, low)) < 50
    assert early_note_change(audio, E5, E5) is None
    # Any other leap, down or up, is taken early as note_change takes it.
    other = tone([E5, 247.0], [2560 - 320, 320])                  # B3: no divisor of E5
    assert abs(cents(early_note_change(other, E5, E5).frequency_hz, 247.0)) < 50
    assert abs(cents(early_note_change(tone([E3, DS5], [2560 - 224, 224]), E3, E3)
                     .frequency_hz, DS5)) < 50


def test_an_early_look_leaves_a_leap_up_to_a_multiple_to_the_windows_own_look():
    from pitchlive.tracking.note_change import early_note_change

    # An octave up: the old period still fits the new note, so only the regular look (with
    # the model's word or the divisor's appearance) may take it.
    audio = tone([E3, 2 * E3], [2560 - 224, 224])
    assert note_change(audio, E3, 2 * E3) is not None
    assert early_note_change(audio, E3, 2 * E3) is None
    assert early_note_change(audio, float("nan"), float("nan")) is None


def test_early_looks_can_be_switched_off_for_the_cpu(monkeypatch):
    import pitchlive.tracking.live as live_stage

    settings = Settings()
    tracker = LiveTracker(settings)
    tracker.process(frame_of(tone([E3], [2304]), E3), settings)
    assert tracker.window_checks(settings)["early"] is not None
    monkeypatch.setattr(live_stage, "EARLY_LOOKS", False)
    assert tracker.window_checks(settings)["early"] is None


def _fit_at_as_first_written(audio_16k, period_samples):
    """fit_at with np.mean and a set of the two lags: the reference of its fast form."""
    x = np.asarray(audio_16k, np.float64)
    best = SILENT
    for lag in {math.floor(period_samples), math.ceil(period_samples)}:
        span = span_samples(lag)
        if lag < 1 or span > x.shape[0]:
            continue
        tail = x[-span:] - x[-span:].mean()
        a, b = tail[:span - lag], tail[lag:]
        energy = float(a @ a + b @ b)
        if energy > 1e-9:
            best = max(best, 2.0 * float(a @ b) / energy)
    return best


def test_fit_at_is_bit_for_bit_its_first_form():
    # Whole and fractional periods, short ones (a shared span) and long ones, audio too short
    # for a span, silence and noise: the same value.
    rng = np.random.default_rng(2)
    signals = [tone([hz], [2400]) for hz in (82.4, 220.0, 659.3, 1975.5)]
    signals += [rng.normal(0, 0.2, 2400), np.zeros(2400), rng.normal(0, 0.2, 150)]
    for audio in signals:
        for period in (3.0, 7.25, 16.0, 40.5, 72.0, 100.7, 250.0, 399.9, 0.5):
            assert fit_at(audio, period) == _fit_at_as_first_written(audio, period)
