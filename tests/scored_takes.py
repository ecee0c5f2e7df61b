"""Takes with known per-note detunings and late notes, and the check of scores against them."""

import numpy as np

from pitchlive.music import midi_to_hz
from synth import Note, harmonic_tone

RATE = 44100
BEAT_S = 0.5   # 120 BPM
DETUNINGS = (-40, -15, 0, 15, 40)
# (MIDI, beats, late by s, vibrato depth in cents): a melody for a high and a low voice.
HIGH = [(67, 1, 0, 0), (69, 1, 0, 0), (71, 2, 0.1, 30), (72, 1, 0, 0), (74, 1, 0.1, 0),
        (71, 1, 0, 0), (67, 2, 0, 30), (64, 1, 0.1, 0), (66, 1, 0, 0), (67, 2, 0, 0)]
# SPICE v1 itself reads steady tones up to 4 cents flat around C3 (and sharp above G#5), so the
# low melody sits at D3-E4 where the model is within ±2.5 cents: the test measures scoring.
LOW = [(50, 1, 0, 0), (54, 1, 0.1, 0), (57, 2, 0, 25), (55, 1, 0, 0), (54, 1, 0.1, 0),
       (52, 2, 0, 0), (53, 1, 0, 30), (50, 2, 0.1, 0), (64, 1, 0, 0)]
LEAD_S = 0.6


def render(melody, lead_s=LEAD_S):
    """(take audio at 44.1 kHz, target notes, truth [(cents, late_ms, vibrato)])."""
    audio = [np.zeros(int(lead_s * RATE), np.float32)]
    notes, truth, t = [], [], 0.0
    for i, (midi, beats, late_s, vibrato) in enumerate(melody):
        cents = DETUNINGS[i % len(DETUNINGS)]
        length = beats * BEAT_S
        notes.append(Note(t, length * 0.9, midi))
        tone = harmonic_tone(float(midi_to_hz(midi + cents / 100)), length * 0.9 - late_s, RATE,
                             vibrato_cents=vibrato)
        gap = int(round(late_s * RATE))
        audio += [np.zeros(gap, np.float32), tone,
                  np.zeros(int(round(length * RATE)) - gap - tone.size, np.float32)]
        truth.append((cents, late_s * 1000, vibrato))
        t += length
    audio.append(np.zeros(int(0.5 * RATE), np.float32))
    return np.concatenate(audio), notes, truth


def check(rows, truth):
    errors = []
    for row, (cents, late_ms, vibrato) in zip(rows, truth):
        measured = row["vibrato_cents"] if vibrato else row["mean_cents"]
        errors.append((measured - cents, row["onset_ms"] - late_ms))
    print("per-note errors (cents, ms):", [(round(c, 1), round(m)) for c, m in errors])
    assert all(abs(c) <= 3.0 for c, _ in errors), errors
    assert all(abs(m) <= 20.0 for _, m in errors), errors
    return errors
