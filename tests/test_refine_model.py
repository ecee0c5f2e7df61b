"""The refinement stage with the real model: range ends, an octave trap and vibrato.

Each case is one SPICE v1 gets wrong on its own (checked by running these with the stage off:
every test here fails then): E1 in a clarinet-like timbre reads ~2.7x too high, C7 reads ~F5,
a piccolo's C#6 reads partly an octave low, and a vibrato swings the needle +-40 cents.
"""

from __future__ import annotations

import numpy as np
import pytest

from pitchlive.analysis.inference import predict
from pitchlive.analysis.live import live_frames
from pitchlive.settings import Settings
from synth import exact_tone, melody_notes, render_midi, truth_at, write_wav

pytestmark = pytest.mark.model

REFINE = True
CARRY_BELOW_HARMONIC = True   # live: see the sung E1 on a vibrato
E1_HZ = 41.2034
C7_HZ = 2093.0045


def cents_off(frequency_hz, truth_hz) -> np.ndarray:
    return 1200.0 * np.log2(np.asarray(frequency_hz, np.float64) / truth_hz)


def steady_core(times_s: np.ndarray, start_s: float, end_s: float) -> np.ndarray:
    return (times_s >= start_s + 0.2) & (times_s <= end_s - 0.2)


@pytest.mark.parametrize("frequency_hz, timbre", [(E1_HZ, "odd"), (C7_HZ, "saw")],
                         ids=["E1 odd harmonics", "C7 saw"])
def test_exact_tones_at_the_range_ends_whole_file(spice_model, frequency_hz, timbre):
    audio = np.concatenate([np.zeros(4000, np.float32), exact_tone(frequency_hz, 1.5, timbre)])
    track = predict(audio, 16000, spice_model, refine=REFINE)
    core = steady_core(track.times_s, 0.25, 1.75)
    error = cents_off(track.frequency_hz[core], frequency_hz)
    assert np.all(np.abs(error) < 50), "every frame on the note, none an octave off"
    assert abs(np.median(error)) < 0.5 and np.std(error) < 0.3
    assert np.all(track.confidence[core] >= 0.9)


@pytest.mark.parametrize("frequency_hz, timbre", [(E1_HZ, "odd"), (C7_HZ, "saw")],
                         ids=["E1 odd harmonics", "C7 saw"])
def test_exact_tones_at_the_range_ends_live(spice_model, tmp_path, frequency_hz, timbre):
    audio = np.concatenate([np.zeros(4000, np.float32), exact_tone(frequency_hz, 1.5, timbre)])
    path = write_wav(tmp_path / "tone.wav", audio, 16000)
    frames, _, _ = live_frames(path, spice_model, Settings(refine=REFINE))
    times = np.array([f.time_s for f in frames])
    core = steady_core(times, 0.25, 1.75)
    kept = [f for f, inside in zip(frames, core) if inside]
    assert all(f.voiced for f in kept)
    error = cents_off([f.frequency_hz for f in kept], frequency_hz)
    assert np.all(np.abs(error) < 50)
    assert abs(np.median(error)) < 0.5 and np.std(error) < 0.3
    assert {f.midi for f in kept} == {int(round(69 + 12 * np.log2(frequency_hz / 440)))}


def test_octave_trap_piccolo_reads_its_own_octave(spice_model, soundfont_path):
    # A GM piccolo's C#6: SPICE v1 reads about a quarter of its frames an octave low.
    notes = melody_notes([85], note_s=1.2)
    audio = render_midi(notes, 72, 16000)
    track = predict(audio, 16000, spice_model, refine=REFINE)
    core = steady_core(track.times_s, notes[0].start_s, notes[0].end_s)
    error = cents_off(track.frequency_hz[core], 440.0 * 2 ** ((85 - 69) / 12))
    assert np.all(np.abs(error) < 50)


@pytest.mark.parametrize("program, midis", [
    (71, [48, 52, 55, 53, 50, 57, 55, 52, 48, 50, 53, 59, 60, 55, 52, 48]),
    (0, [72, 76, 79, 77, 74, 81, 79, 76, 72, 74, 77, 83, 84, 79, 76, 72])],
    ids=["clarinet C3-C4", "piano C5-C6"])
def test_a_notes_first_frame_reads_the_new_note_whole_file(spice_model, soundfont_path,
                                                          program, midis):
    # Legato GM melodies: the first frame of a note (4 ms after its onset) still holds the last
    # note's ring. Read at the multiples of the short frame's period they land 55-200 cents off
    # (5 such frames on the clarinet, 3 on the piano, with exact_reading.SHORT_PERIOD_MAX_CENTS = inf).
    notes = melody_notes(midis, note_s=0.4, gap_s=0.05)
    audio = render_midi(notes, program, 16000)
    track = predict(audio, 16000, spice_model, refine=REFINE)
    truth = truth_at(notes, track.times_s)
    inside = np.isfinite(truth)
    error = cents_off(track.frequency_hz[inside], 440.0 * 2 ** ((truth[inside] - 69) / 12))
    assert np.sum(np.abs(error) >= 50) == 0, np.round(error[np.abs(error) >= 50])


def test_a_frame_starts_at_the_attack_of_its_note_whole_file(spice_model, soundfont_path):
    # A GM piano, C4-C5: a note's first frame reaches 32 ms back into the last note's ring.
    # Started at the attack (refine.WHOLE_FILE_ATTACKS) it reads the new note; centred, 4 frames
    # read another pitch.
    notes = melody_notes([60, 64, 67, 65, 62, 69, 67, 64, 60, 62, 65, 71, 72, 67, 64, 60],
                         note_s=0.4, gap_s=0.05)
    audio = render_midi(notes, 0, 16000)
    track = predict(audio, 16000, spice_model, refine=REFINE)
    truth = truth_at(notes, track.times_s)
    inside = np.isfinite(truth)
    error = cents_off(track.frequency_hz[inside], 440.0 * 2 ** ((truth[inside] - 69) / 12))
    assert np.sum(np.abs(error) >= 50) <= 1, np.round(error[np.abs(error) >= 50])


def test_a_live_frame_starts_at_the_attack_of_its_note(spice_model, soundfont_path, tmp_path):
    # The same piano melody through the live path: its window's right context lets a note's
    # first frames start at the attack too (refine.LIVE_ATTACKS); centred, 5 frames read
    # another pitch.
    notes = melody_notes([60, 64, 67, 65, 62, 69, 67, 64, 60, 62, 65, 71, 72, 67, 64, 60],
                         note_s=0.4, gap_s=0.05)
    path = write_wav(tmp_path / "piano.wav", render_midi(notes, 0, 16000), 16000)
    frames, _, _ = live_frames(path, spice_model, Settings(refine=REFINE))
    times = np.array([f.time_s for f in frames])
    truth = truth_at(notes, times)
    inside = np.isfinite(truth)
    error = cents_off(np.array([f.frequency_hz for f in frames])[inside],
                      440.0 * 2 ** ((truth[inside] - 69) / 12))
    assert np.sum(np.abs(error) >= 50) <= 3, np.round(error[np.abs(error) >= 50])


def test_vibrato_needle_reads_the_centre(spice_model, tmp_path):
    # A3 with +-40 cents of 5.5 Hz vibrato, 2 cents sharp: the trace keeps the swing, the needle
    # (cents, named from the reading) sits on the centre and never leaves a +-5 cent band.
    centre_hz = 220.0 * 2 ** (2 / 1200)
    audio = np.concatenate([np.zeros(4000, np.float32),
                            exact_tone(centre_hz, 2.5, "saw", vibrato_cents=40.0)])
    path = write_wav(tmp_path / "vibrato.wav", audio, 16000)
    frames, _, _ = live_frames(path, spice_model, Settings(refine=REFINE))
    times = np.array([f.time_s for f in frames])
    kept = [f for f, t in zip(frames, times) if 1.2 <= t <= 2.5]
    assert all(f.voiced and f.note == "A3" for f in kept)
    contour = cents_off([f.frequency_hz for f in kept], centre_hz)
    assert contour.max() - contour.min() > 60, "the trace keeps the vibrato"
    reading = cents_off([f.reading_hz for f in kept], centre_hz)
    assert np.all(np.abs(reading) < 3), "the reading is the centre, within 3 cents"
    assert all(abs(f.cents - 2.0) < 5 for f in kept), "the needle stays in one colour band"
    rates = [f.vibrato_rate_hz for f in kept]
    widths = [f.vibrato_width_cents for f in kept]
    assert all(r is not None and abs(r - 5.5) < 0.5 for r in rates)
    assert all(w is not None and 25 < w < 50 for w in widths)


def test_a_sung_vowel_on_a_vibrato_reads_its_centre_live(spice_model, tmp_path):
    # A#3 sung on "ah" with +-40 cents of vibrato: its third harmonic sits on the first formant
    # (700 Hz), and on the vibrato's slopes that harmonic reads as periodic as the note, which
    # then also counts as its subharmonic. Frame by frame the live path read 700 Hz on about a
    # third of the frames though the model said A#3 (the whole-file path keeps the note); the
    # pitch the frame before held clearly, with the model, now carries over.
    centre_hz = 440.0 * 2 ** ((58 - 69) / 12)
    audio = np.concatenate([np.zeros(4000, np.float32),
                            exact_tone(centre_hz, 2.5, "vowel", vibrato_cents=40.0)])
    path = write_wav(tmp_path / "vowel.wav", audio, 16000)
    frames, _, _ = live_frames(path, spice_model, Settings(refine=REFINE))
    kept = [f for f in frames if 0.5 <= f.time_s <= 2.5]
    contour = cents_off([f.frequency_hz for f in kept], centre_hz)
    assert np.all(np.abs(contour) < 60), "every frame on the note, none on the formant"
    reading = cents_off([f.reading_hz for f in kept], centre_hz)
    assert abs(np.median(reading)) < 3, "the reading is the centre, within 3 cents"


def test_a_low_sung_vowel_on_a_vibrato_keeps_its_note_live(spice_model, tmp_path):
    # E1 sung on "ah" with +-40 cents of vibrato: about half of the live frames read the first
    # formant (~700 Hz, SPICE v1 itself reads it there) and the trace shows them as they are.
    # The needle keeps the note: one name throughout, its reading the centre within 3 cents
    # (it flipped E1 <-> F5 46 times in these 2.1 s and read 27 cents off on 0.8 s notes).
    audio = np.concatenate([np.zeros(4000, np.float32),
                            exact_tone(E1_HZ, 2.5, "vowel", vibrato_cents=40.0)])
    path = write_wav(tmp_path / "low_vowel.wav", audio, 16000)
    frames, _, _ = live_frames(path, spice_model, Settings(refine=REFINE))
    kept = [f for f in frames if 0.45 <= f.time_s <= 2.65]
    assert all(f.voiced and f.note == "E1" for f in kept)
    reading = cents_off([f.reading_hz for f in kept], E1_HZ)
    assert abs(np.median(reading)) < 3 and np.all(np.abs(reading) < 45)


def test_a_sung_e1_on_a_vibrato_reads_its_centre_live(spice_model, tmp_path, monkeypatch):
    # At E1 SPICE v1 names the formant's harmonic (~700 Hz, 17x) on every frame, so the model
    # never agrees with the note; the frames that read E1 clearly carry it over as the model's
    # harmonic's note (live.CARRY_BELOW_HARMONIC). Measured: the reading's median 2.4 cents off
    # the centre (35 without; 3.9 and 4852 with the note starting 63 ms later).
    monkeypatch.setattr("pitchlive.tracking.live.CARRY_BELOW_HARMONIC", CARRY_BELOW_HARMONIC)
    centre_hz = 41.2034
    audio = np.concatenate([np.zeros(4000, np.float32),
                            exact_tone(centre_hz, 2.5, "vowel", vibrato_cents=40.0)])
    frames, _, _ = live_frames(write_wav(tmp_path / "e1.wav", audio, 16000), spice_model,
                               Settings(refine=REFINE))
    kept = [f for f in frames if 0.5 <= f.time_s <= 2.5]
    reading = cents_off([f.reading_hz for f in kept], centre_hz)
    assert abs(np.median(reading)) < 6, "the reading is near the centre, not off to the formant"


def test_sound_without_a_clear_pitch_is_told_from_silence(spice_model, tmp_path):
    noise = np.random.default_rng(1).standard_normal(16000).astype(np.float32) * 0.05
    audio = np.concatenate([np.zeros(16000, np.float32), noise, np.zeros(16000, np.float32)])
    path = write_wav(tmp_path / "breath.wav", audio, 16000)
    frames, _, _ = live_frames(path, spice_model, Settings(refine=REFINE))
    times = np.array([f.time_s for f in frames])
    silent = [f for f, t in zip(frames, times) if t < 0.8 or t > 2.2]
    noisy = [f for f, t in zip(frames, times) if 1.2 < t < 1.8]
    assert not any(f.voiced or f.unpitched_sound for f in silent)
    assert np.mean([f.unpitched_sound for f in noisy]) > 0.8
    assert not any(f.voiced for f in noisy)
