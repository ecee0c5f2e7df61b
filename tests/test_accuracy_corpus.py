"""The accuracy corpus's MIDI truth (bench/accuracy_corpus.py): one bend curve, as the synth plays it."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import accuracy_corpus as corpus  # noqa: E402

# (name, vibrato cents, glides) of corpus instruments that bend: vibrato, glides and both.
BENT = [(spec[0], seed, spec[2], spec[3], spec[4], spec[5])
        for seed, spec in enumerate(corpus.INSTRUMENTS) if spec[4] or spec[5]]


def _melody_and_bends(seed, low, high, vibrato, glides):
    rng = np.random.default_rng(seed)
    notes = corpus._melody(rng, low, high)
    return notes, corpus._bend_curve(notes, vibrato, glides, rng)


def _wheel_from_midi(path: Path, times: np.ndarray) -> np.ndarray:
    """The pitchwheel (semitones) a synth holds at each time: the last message at or before it."""
    mido = pytest.importorskip("mido")
    at, values, now = [], [], 0.0
    for msg in mido.MidiFile(str(path)):
        now += msg.time
        if msg.type == "pitchwheel":
            at.append(now)
            values.append(msg.pitch / 8192 * corpus.PITCH_BEND_RANGE_SEMITONES)
    idx = np.searchsorted(np.array(at), times + 1e-9, side="right") - 1
    return np.where(idx >= 0, np.array(values)[np.clip(idx, 0, None)], 0.0)


@pytest.mark.parametrize("name, seed, low, high, vibrato, glides", BENT, ids=[b[0] for b in BENT])
def test_each_note_owns_the_pitchwheel_from_its_start_to_the_next(name, seed, low, high, vibrato,
                                                                  glides):
    notes, bends = _melody_and_bends(seed, low, high, vibrato, glides)
    times = np.array([t for t, _ in bends])
    assert np.all(np.diff(times) > 0.005), "bend points of two notes interleave"
    starts = [start for start, _, _ in notes]
    for (start, duration, _), after in zip(notes, starts[1:] + [np.inf]):
        mine = times[(times >= start - 1e-9) & (times < after - 1e-9)]
        # Every 10 ms from the note's start, until the next note starts or 0.2 s past its end.
        assert mine[0] == pytest.approx(start)
        assert mine[-1] == pytest.approx(min(after, start + duration + 0.2) - 0.01, abs=1e-6)


@pytest.mark.parametrize("name, seed, low, high, vibrato, glides", BENT, ids=[b[0] for b in BENT])
def test_truth_is_the_pitchwheel_written_to_the_midi_file(tmp_path, name, seed, low, high,
                                                          vibrato, glides):
    notes, bends = _melody_and_bends(seed, low, high, vibrato, glides)
    path = tmp_path / "m.mid"
    corpus._write_bent_midi(notes, bends, path, program=0)
    times = np.arange(0.0, notes[-1][0] + notes[-1][1] + 0.5, corpus.HOP_S)
    truth = corpus._gm_truth(notes, bends, times)
    wheel = _wheel_from_midi(path, times)
    inside = truth > 0
    expected = np.zeros(times.size)
    for start, duration, midi in notes:
        note = (times >= start) & (times < start + duration)
        expected[note] = midi
    assert np.array_equal(inside, expected > 0)
    cents = 1200 * np.log2(truth[inside] / corpus.midi_hz(expected[inside] + wheel[inside]))
    assert np.max(np.abs(cents)) < 0.01
    # The wheel within each note is that note's own smooth curve: 10 ms apart, a 5.5 Hz vibrato
    # of at most 40 cents moves under 14 cents and a 2-semitone glide 17, never a jump between notes.
    steps = np.abs(np.diff(np.array([v for _, v in bends])))
    new_note = np.isin(np.array([t for t, _ in bends])[1:], [n[0] for n in notes])
    assert np.max(steps[~new_note]) * 100 < 20
