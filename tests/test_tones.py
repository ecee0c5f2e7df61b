"""Rendering a transcription as soft tones: pitch, timing, silence in rests, no clicks."""

import numpy as np
import pytest

from pitchlive.analysis.inference import predict
from pitchlive.exports.tones import note_tone, render_notes
from pitchlive.music import hz_to_midi, midi_to_hz
from pitchlive.tracking.transcription import Note, Transcription
from pitchlive.tracking.tuning import TuningOffset

RATE = 44100


def transcription(events, offset_cents=0.0, corrected=False, duration_s=0.0) -> Transcription:
    notes = tuple(Note(onset, length, midi, None if midi is None else "x",
                       0.0 if midi else float("nan"), onset * 2, length * 2)
                  for onset, length, midi in events)
    return Transcription(notes, 120.0, False, TuningOffset(offset_cents, 3.0, 100), corrected,
                         duration_s=duration_s)


EVENTS = ((0.2, 0.5, 60), (0.7, 0.3, None), (1.0, 0.4, 69), (1.4, 0.6, 76))


def fft_peak_hz(audio: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(audio.size), 16 * audio.size))
    return float(np.argmax(spectrum) * RATE / (16 * audio.size))


def test_each_note_sounds_at_its_pitch_and_time_and_rests_are_silent():
    audio = render_notes(transcription(EVENTS), RATE)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert audio.size == pytest.approx(2.0 * RATE, abs=2)
    assert np.all(audio[:int(0.2 * RATE)] == 0)                         # before the first note
    assert np.all(audio[int(0.7 * RATE) + 1:int(1.0 * RATE) - 1] == 0)  # the rest
    for onset, length, midi in EVENTS:
        if midi is None:
            continue
        middle = audio[int((onset + 0.05) * RATE):int((onset + length - 0.05) * RATE)]
        assert abs(hz_to_midi(fft_peak_hz(middle)) - midi) < 0.05
    assert 0.2 < np.max(np.abs(audio)) <= 0.31


def test_notes_follow_the_corrected_grid():
    corrected = transcription(((0.0, 0.5, 69),), offset_cents=-30.0, corrected=True)
    audio = render_notes(corrected, RATE)
    assert fft_peak_hz(audio[2000:20000]) == pytest.approx(midi_to_hz(68.7), rel=1e-3)


def test_tones_have_no_clicks():
    tone = note_tone(440.0, 0.3, RATE)
    assert tone[0] == 0 and abs(tone[-1]) < 1e-3
    # The ends ramp: no sample-to-sample jump there bigger than inside the sounding tone.
    steps = np.abs(np.diff(tone))
    body = steps[int(0.01 * RATE):-int(0.03 * RATE)].max()
    assert steps[:20].max() < 0.1 * body and steps[-20:].max() < 0.1 * body
    assert steps.max() <= body * 1.001
    assert note_tone(440.0, 0.0, RATE).size == 0
    assert note_tone(440.0, 0.001, RATE).size == 44                    # very short still works


def test_an_empty_transcription_is_silence_of_its_length():
    audio = render_notes(transcription((), duration_s=1.5), 16000)
    assert audio.size == 24001 and not audio.any()


@pytest.mark.model
def test_spice_hears_the_rendered_notes(spice_model):
    audio = render_notes(transcription(EVENTS), RATE)
    times, frequency, confidence = predict(audio, RATE, spice_model)
    for onset, length, midi in EVENTS:
        inside = (times > onset + 0.08) & (times < onset + length - 0.08)
        if midi is not None:
            sure = inside & (confidence > 0.8)
            assert sure.sum() >= inside.sum() // 2
            assert np.median(np.abs(hz_to_midi(frequency[sure]) - midi)) < 0.3
