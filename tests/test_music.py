"""Unit tests for the pure musical maths."""

import math

import numpy as np
import pytest

from pitchlive.music import (MAX_SPAN_SEMITONES, MIN_SPAN_SEMITONES, cents_between,
                             clamp_span_semitones, hz_to_midi, is_black_key, level_dbfs,
                             midi_to_hz, nearest_note, nearest_notes, note_name,
                             offset_reference_a4_hz, parse_note_name, transposition_semitones)


def test_a4_is_midi_69_at_440():
    assert hz_to_midi(440.0) == pytest.approx(69.0)
    assert midi_to_hz(69) == pytest.approx(440.0)


def test_octaves_and_semitones():
    assert hz_to_midi(880.0) == pytest.approx(81.0)
    assert midi_to_hz(60) == pytest.approx(261.6256, rel=1e-6)
    assert midi_to_hz(hz_to_midi(123.456)) == pytest.approx(123.456)


def test_a4_reference_moves_the_grid():
    assert hz_to_midi(442.0, a4_hz=442.0) == pytest.approx(69.0)
    assert nearest_note(440.0, a4_hz=442.0).cents == pytest.approx(-7.85, abs=0.01)


def test_cents():
    assert cents_between(880.0, 440.0) == pytest.approx(1200.0)
    assert cents_between(440.0 * 2 ** (1 / 1200), 440.0) == pytest.approx(1.0)


def test_nearest_note_rounds_to_plus_minus_50():
    note = nearest_note(midi_to_hz(60.3))
    assert (note.midi, round(note.cents, 6)) == (60, 30.0)
    note = nearest_note(midi_to_hz(60.7))
    assert (note.midi, round(note.cents, 6)) == (61, -30.0)


def test_nearest_note_offset_follows_a_flat_singer():
    note = nearest_note(midi_to_hz(60 - 0.3), offset_cents=-30.0)
    assert note.midi == 60 and note.cents == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("bad", [0.0, -5.0, float("nan"), float("inf")])
def test_nearest_note_rejects_non_pitches(bad):
    assert nearest_note(bad) is None


def test_vectorised_nearest_notes_nan_for_no_pitch():
    midi, cents = nearest_notes(np.array([440.0, 0.0, np.nan]))
    assert midi[0] == 69 and math.isnan(midi[1]) and math.isnan(cents[2])


@pytest.mark.parametrize("midi,sharp,flat", [(69, "A4", "A4"), (60, "C4", "C4"),
                                             (61, "C#4", "Db4"), (70, "A#4", "Bb4"),
                                             (21, "A0", "A0"), (0, "C-1", "C-1")])
def test_note_names(midi, sharp, flat):
    assert note_name(midi) == sharp
    assert note_name(midi, prefer_flats=True) == flat


def test_transposition_names_written_pitch():
    # Concert Bb3 (58) is written C4 for a B-flat instrument, A4 for an E-flat one, F4 for F.
    assert note_name(58, transpose_semitones=2) == "C4"
    assert note_name(60, transpose_semitones=9) == "A4"
    assert note_name(60, transpose_semitones=7) == "G4"


@pytest.mark.parametrize("name,midi", [("A4", 69), ("C#3", 49), ("Bb2", 46), ("E♭5", 75),
                                       ("c4", 60), ("B#3", 60), ("Cb4", 59)])
def test_parse_note_name(name, midi):
    assert parse_note_name(name) == midi


def test_parse_note_name_roundtrip_and_errors():
    for m in range(0, 128):
        assert parse_note_name(note_name(m)) == m
        assert parse_note_name(note_name(m, prefer_flats=True)) == m
    with pytest.raises(ValueError, match="not a note name"):
        parse_note_name("H2")


def test_black_keys():
    assert [is_black_key(m) for m in range(60, 72)] == [
        False, True, False, True, False, False, True, False, True, False, True, False]


def test_level_dbfs():
    assert level_dbfs(np.ones(100)) == pytest.approx(0.0)
    assert level_dbfs(np.full(100, 0.1)) == pytest.approx(-20.0)
    assert level_dbfs(np.zeros(10)) == float("-inf")


def test_offset_reference_a4_is_the_shifted_grid():
    assert offset_reference_a4_hz(440.0, None) == 440.0
    assert offset_reference_a4_hz(440.0, float("nan")) == 440.0
    assert offset_reference_a4_hz(440.0, -30.0) == pytest.approx(440.0 * 2 ** (-30 / 1200))
    assert offset_reference_a4_hz(442.0, 50.0) == pytest.approx(442.0 * 2 ** (50 / 1200))


def test_black_keys_of_the_written_note():
    # For a B-flat instrument concert A (69) is written B, a white key; concert G#4 (68) is
    # written A#, a black key; concert G (67) is written A.
    assert is_black_key(69) is False and is_black_key(69, transpose_semitones=2) is False
    assert is_black_key(68, transpose_semitones=2) is True
    assert is_black_key(70) is True and is_black_key(70, transpose_semitones=2) is False
    assert [is_black_key(m, 9) for m in range(60, 72)] == [
        is_black_key(m) for m in range(69, 81)]


def test_span_limits():
    assert clamp_span_semitones(1.0) == MIN_SPAN_SEMITONES == 3.0
    assert clamp_span_semitones(500.0) == MAX_SPAN_SEMITONES == 96.0
    assert clamp_span_semitones(24.5) == 24.5


@pytest.mark.parametrize("key,concert_midi,written", [
    ("A", 57, "C4"),        # A clarinet: written C4 sounds A3
    ("D", 62, "C4"),        # D trumpet: written C4 sounds D4
    ("G", 55, "C4"),        # alto flute in G: written C4 sounds G3
    ("8va", 72, "C4"),      # piccolo: written C4 sounds C5
    ("8vb", 48, "C4"),      # guitar: written C4 sounds C3
    ("-5", 65, "C4"),
])
def test_new_transpositions_name_the_written_pitch(key, concert_midi, written):
    assert note_name(concert_midi, transpose_semitones=transposition_semitones(key)) == written


def test_transposition_semitones_rejects_unknown_keys_with_the_choices():
    with pytest.raises(ValueError, match="one of C, Bb, Eb, F, A, D, G, 8va, 8vb"):
        transposition_semitones("H")


def test_median_of_matches_numpy_bit_for_bit():
    from collections import deque

    from pitchlive.music import median_of

    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 4, 25, 26):
        values = deque(float(v) for v in rng.normal(6000.0, 300.0, n))
        assert median_of(values) == float(np.median(values))
    assert median_of([]) == 0.0


def test_level_dbfs_is_np_means_bit_for_bit():
    # The live windows read a level per frame: the same value as through np.mean, for any
    # length and shape.
    rng = np.random.default_rng(1)
    for shape in ((1024,), (333,), (2, 512), (1,)):
        x = rng.normal(0, 0.1, shape).astype(np.float32)
        expected = 20.0 * math.log10(math.sqrt(float(np.mean(x.astype(np.float64) ** 2))))
        assert level_dbfs(x) == expected


def test_hz_to_midi_of_one_float_is_the_array_answer_bit_for_bit():
    # A Python float takes a scalar path (the live worker's per-frame naming): the same float64
    # steps and numpy's log2, so the same bits as the array path, NaN for no pitch.
    rng = np.random.default_rng(3)
    frequencies = np.concatenate([np.exp(rng.uniform(math.log(8.0), math.log(9000.0), 20000)),
                                  [0.0, -3.0, math.nan, math.inf, 440.0, 1e-300]])
    for a4_hz in (440.0, 431.7):
        expected = hz_to_midi(frequencies, a4_hz)
        got = np.array([hz_to_midi(float(f), a4_hz) for f in frequencies])
        assert np.array_equal(got, expected, equal_nan=True)
    assert isinstance(hz_to_midi(440.0), float) and math.isnan(hz_to_midi(0.0))
