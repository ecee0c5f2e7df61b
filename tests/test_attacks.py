"""Attacks inside analysis frames (tracking/attacks.py): where a frame's own sound starts."""

import numpy as np

from pitchlive.tracking.attacks import MAX_SHIFT_SAMPLES, attack_shift, attack_shifts
from synth import exact_tone

FRAME = 1024
CENTRE = 8192


def note_from(start: int, n: int = 16384) -> np.ndarray:
    audio = np.zeros(n, np.float32)
    tone = exact_tone(220.0, (n - start) / 16000, "saw")
    audio[start:start + tone.size] = tone[:n - start]
    return audio


def test_a_frame_moves_to_start_at_an_attack_before_its_centre():
    # The note starts 384 samples (24 ms) before the centre: the frame moves 128 samples later,
    # to start at the attack; one starting 100 samples before the centre moves the most allowed.
    assert attack_shifts(note_from(CENTRE - 384), np.array([CENTRE]), FRAME)[0] == 128
    assert attack_shifts(note_from(CENTRE - 100), np.array([CENTRE]), FRAME)[0] == \
        MAX_SHIFT_SAMPLES


def test_no_move_for_an_attack_after_the_centre_a_held_note_or_silence():
    centres = np.arange(0, 16385, 512)
    # The rise is located to within a 16 ms window: an attack 300 samples after the centre is
    # clearly after it.
    after = attack_shifts(note_from(CENTRE + 300), np.array([CENTRE]), FRAME)
    held = attack_shifts(note_from(0), centres[4:-4], FRAME)
    silence = attack_shifts(np.zeros(16384, np.float32), centres, FRAME)
    assert after[0] == 0
    assert np.all(held == 0)
    assert np.all(silence == 0)


def test_frames_at_the_signal_ends_and_no_frames():
    audio = note_from(300, 4096)
    shifts = attack_shifts(audio, np.array([0, 512, 4096]), FRAME)
    assert shifts.shape == (3,) and np.all((shifts >= 0) & (shifts <= MAX_SHIFT_SAMPLES))
    assert shifts[1] > 0, "the note starts before the centre at 512"
    assert attack_shifts(audio, np.zeros(0, np.int64), FRAME).shape == (0,)


def test_one_frame_shift_is_attack_shifts_bit_for_bit():
    # attack_shift (the live path's one frame) reads only the levels it needs: the same shift
    # as attack_shifts on notes, held tones, noise bursts and silence, at every kind of centre
    # (inside, at the ends, past them) and for frames that are not a multiple of the step apart.
    rng = np.random.default_rng(3)
    signals = [note_from(start, 2304) for start in (0, 200, 900, 1300, 1700)]
    for _ in range(40):
        audio = (rng.standard_normal(int(rng.integers(300, 3000))) *
                 rng.uniform(0.001, 0.5)).astype(np.float32)
        audio[:int(rng.integers(0, audio.size))] *= rng.choice([0.0, 0.01, 0.3])
        signals.append(audio)
    signals.append(np.zeros(2304, np.float32))
    checked = moved = 0
    for audio in signals:
        for frame in (1024, 512):
            centres = np.concatenate((np.arange(-600, audio.size + 600, 61), [1536]))
            expected = attack_shifts(audio, centres, frame)
            got = [attack_shift(audio, int(centre), frame) for centre in centres]
            assert got == expected.tolist()
            checked += len(got)
            moved += int(np.count_nonzero(expected))
    assert moved > 300 and checked > 4000
