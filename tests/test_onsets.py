"""Onsets from the audio (pitchlive.tracking.onsets): fast level rises."""

import numpy as np

from pitchlive.tracking.onsets import rise_onsets


def test_rise_onsets_finds_fast_rises_only():
    envelope = np.concatenate([np.full(50, -30.0), np.linspace(-30, -20, 40),  # slow swell
                               np.full(20, -20.0), [-35, -32, -25, -20], np.full(30, -20.0)])
    # The onset is where the rise comes within 6 dB of its top: -25 dB, two steps in.
    assert rise_onsets(envelope, 0, envelope.size) == [112]
