"""LiveSmoother: steady-note median, octave-jump correction, voicing hold, reset; the switch."""

import math

import numpy as np
import pytest

from pitchlive.audio.sources import FileSource
from pitchlive.engine import Engine
from pitchlive.settings import Settings
from pitchlive.tracking.smoothing import LiveSmoother
from synth import write_wav


def run(smoother, values):
    """Feed (Hz or None for unvoiced) values; returns the outputs (Hz or None)."""
    out = []
    for value in values:
        frequency, voiced = smoother.update(value if value else math.nan, value is not None)
        out.append(round(frequency, 3) if voiced else None)
    return out


def test_single_octave_blip_is_folded_back():
    smoother = LiveSmoother(median_frames=1, octave_confirm_frames=2, hold_frames=0)
    assert run(smoother, [220, 220, 440, 220, 110, 220]) == [220, 220, 220, 220, 220, 220]


def test_a_real_octave_leap_is_accepted_after_the_confirmation_frames():
    smoother = LiveSmoother(median_frames=1, octave_confirm_frames=2, hold_frames=0)
    out = run(smoother, [220, 220, 220, 440, 440, 440, 440])
    assert out == [220, 220, 220, 220, 220, 440, 440]


def test_other_intervals_pass_straight_through():
    smoother = LiveSmoother(median_frames=1, octave_confirm_frames=2, hold_frames=0)
    fifth = 220 * 2 ** (7 / 12)
    assert run(smoother, [220, 220, fifth, fifth]) == [220, 220, round(fifth, 3), round(fifth, 3)]


def test_steady_note_median_removes_wobble_but_passes_note_changes_at_once():
    smoother = LiveSmoother()                        # the default: steady-note median of 3
    out = run(smoother, [220, 220, 225, 220, 220, 300, 300, 300])
    assert out[2] == 220                              # 39-cent wobble on a held note removed
    assert out[5] == 300                              # a new note shows in its first frame


def test_plain_median_lags_a_note_change_by_one_frame():
    smoother = LiveSmoother(median_frames=3, median_spread_cents=1e9)
    out = run(smoother, [220, 220, 230, 220, 220, 300, 300, 300])
    assert out[2:5] == [220, 220, 220]
    assert out[5] == 220 and out[6] == 300


def test_defaults_keep_only_the_median():
    smoother = LiveSmoother()
    assert (smoother.median_frames, smoother.octave_confirm_frames, smoother.hold_frames) == \
        (3, 0, 0)
    assert run(smoother, [220, 220, 220, 440, None, 220]) == [220, 220, 220, 440, None, 220]


def test_hold_bridges_short_dropouts_only():
    smoother = LiveSmoother(median_frames=1, octave_confirm_frames=0, hold_frames=2)
    out = run(smoother, [220, None, None, 220, None, None, None, 330])
    assert out == [220, 220, 220, 220, 220, 220, None, 330]


def test_history_is_forgotten_after_silence_and_reset():
    smoother = LiveSmoother(median_frames=3, octave_confirm_frames=2, hold_frames=0)
    run(smoother, [220, 220, 220])
    assert run(smoother, [None, 440, 440]) == [None, 440, 440]   # no octave fold after a gap
    smoother.reset()
    assert run(smoother, [110]) == [110]


def test_invalid_parameters():
    with pytest.raises(ValueError):
        LiveSmoother(median_frames=0)


def test_engine_smoothing_switch(tmp_path):
    """A model that wobbles by 40 cents for one frame: smoothing on removes it, off shows it."""

    class Blippy:
        calls = 0

        def infer(self, audio):
            Blippy.calls += 1
            n = audio.size // 512 + 1
            frequency = 440.0 * 2 ** (40 / 1200) if Blippy.calls == 10 else 440.0
            return np.full(n, frequency), np.ones(n)

    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)).astype(np.float32)
    path = write_wav(tmp_path / "tone.wav", tone, 16000)
    seen = {}
    for smoothing in (True, False):
        Blippy.calls = 0
        # Refinement off: it would read the true 440 Hz from the audio and hide the blip itself.
        engine = Engine(Settings(smoothing=smoothing, refine=False), Blippy(),
                        FileSource(path, realtime=False))
        frames = []
        engine.subscribe(frames.append)
        engine.start()
        assert engine.wait(10)
        seen[smoothing] = sorted({round(f.frequency_hz) for f in frames if f.voiced})
    assert seen[True] == [440]
    assert seen[False] == [440, 450]
