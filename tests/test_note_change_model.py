"""Fast note changes with the real model, through the live path: a step shows within 30 ms.

The latency counted here is in audio, so it does not depend on the machine: from a step's first
sample to the end of the window whose frame first reads the new note (within 50 cents, voiced),
the same quantity bench/latency_study.py measures in real time minus the processing. Without
the stage (fast_note_changes off) the default window needs ~64 ms: the test fails then.
"""

from __future__ import annotations

import numpy as np
import pytest

from pitchlive.analysis.live import live_frames
from pitchlive.settings import Settings
from synth import write_wav

pytestmark = pytest.mark.model

RATE = 16000
# Steps of 3 to 19 semitones between E3 and E5, up and down, two of them leaps up an octave
# (57 -> 69, 59 -> 71), where the old period still fits the new note.
MIDIS = [52, 57, 69, 64, 59, 71, 66, 74, 61, 55, 68, 63, 75, 58, 65, 53, 62]


def step_tone(seed: int = 4) -> tuple[np.ndarray, list[int]]:
    """A phase-continuous 5-harmonic tone through MIDIS; returns (audio, step samples)."""
    rng = np.random.default_rng(seed)
    lengths = np.round(rng.uniform(0.45, 0.75, len(MIDIS)) * RATE).astype(int)
    inst = np.concatenate([np.full(n, 440.0 * 2 ** ((m - 69) / 12))
                           for m, n in zip(MIDIS, lengths)])
    phase = 2 * np.pi * np.cumsum(inst) / RATE
    audio = sum(np.sin(k * phase) / k for k in range(1, 6))
    return (0.3 * audio / np.max(np.abs(audio))).astype(np.float32), \
        np.cumsum(lengths)[:-1].tolist()


def step_latencies_ms(frames, steps, right_context: int) -> np.ndarray:
    """Per step: audio from the step to the end of the first window reading the new note."""
    centres = np.array([round(f.time_s * RATE) for f in frames])
    midi = np.array([69 + 12 * np.log2(f.frequency_hz / 440.0) if f.voiced else np.nan
                     for f in frames])
    out = []
    for i, step in enumerate(steps):
        ends = centres + right_context
        after = (ends > step) & (np.abs(midi - MIDIS[i + 1]) < 0.5)
        out.append((ends[after][0] - step) / RATE * 1000 if after.any() else np.inf)
    return np.array(out)


@pytest.mark.parametrize("low_latency", [False, True])
def test_a_step_shows_within_30_ms_of_audio(spice_model, tmp_path, low_latency):
    audio, steps = step_tone()
    path = write_wav(tmp_path / "steps.wav", audio, RATE)
    on = Settings(low_latency=low_latency)          # the default has fast note changes
    off = Settings(window_samples=on.live_window[0], right_context_samples=on.live_window[1],
                   fast_note_changes=False)
    fast = step_latencies_ms(live_frames(path, spice_model, on)[0], steps, on.live_window[1])
    slow = step_latencies_ms(live_frames(path, spice_model, off)[0], steps, on.live_window[1])
    assert np.all(np.isfinite(fast)) and np.all(np.isfinite(slow))
    assert np.median(fast) <= 30.0, fast
    assert np.median(slow) >= 40.0, slow          # what the stage saves
    assert np.all(fast <= slow)
    octaves = [MIDIS.index(69) - 1, MIDIS.index(71) - 1]
    assert np.all(fast[octaves] <= 45.0), fast[octaves]


def test_a_vibrato_note_reads_the_same_with_and_without(spice_model, tmp_path):
    # +-40 cents at 5.5 Hz around A3 for 2 s: no note change, so the stage never takes over.
    t = np.arange(2 * RATE) / RATE
    inst = 220.0 * 2 ** (40 / 1200 * np.sin(2 * np.pi * 5.5 * t))
    phase = 2 * np.pi * np.cumsum(inst) / RATE
    audio = (0.2 * sum(np.sin(k * phase) / k for k in range(1, 6))).astype(np.float32)
    path = write_wav(tmp_path / "vibrato.wav", audio, RATE)
    on = live_frames(path, spice_model, Settings(fast_note_changes=True))[0]
    off = live_frames(path, spice_model, Settings(fast_note_changes=False))[0]
    assert [f.frequency_hz for f in on] == [f.frequency_hz for f in off]
    assert [f.midi for f in on] == [f.midi for f in off]
