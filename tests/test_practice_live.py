"""Live scoring frame by frame agrees with whole-take scoring and gives instant feedback."""

import math

import numpy as np

import pytest

from pitchlive.practice.live import LiveScorer
from pitchlive.practice.note_score import ScoringSettings
from pitchlive.practice.take_score import score_take
from pitchlive.practice.target import Target, TargetNote
from sung_tracks import sung_notes

TARGET = Target((TargetNote(0.5, 0.5, 60.0), TargetNote(1.0, 0.5, 64.0),
                 TargetNote(1.6, 0.6, 67.0)), "t", "test")
SUNG = sung_notes([(0.5, 1.0, 60.3), (1.06, 1.5, 63.9), (1.6, 2.2, 55.05)], 3.0,
                  envelope=False)


def feed(scorer, start_s=0.0):
    out = []
    for t, hz, v in zip(SUNG.times_s, SUNG.frequency_hz, SUNG.voiced):
        out.append(scorer.push(t + start_s, hz, bool(v)))
    return out


def test_feedback_per_frame():
    feedback = feed(LiveScorer(TARGET))
    during_first = [f for f in feedback if f.note_index == 0]
    assert all(f.cents == pytest.approx(30.0) and f.in_band is False for f in during_first)
    assert during_first[-1].note_in_tune_share == 0.0
    between = [f for f in feedback if 1.5 <= f.time_s < 1.6]
    assert between and all(f.note_index is None and f.cents is None for f in between)
    last = [f for f in feedback if f.note_index == 2]
    assert all(f.cents == pytest.approx(5.0) for f in last if f.sung_midi is not None)


def test_notes_finish_as_the_song_goes_and_match_batch_scoring():
    scorer = LiveScorer(TARGET, ScoringSettings(band_cents=20), start_s=2.0)
    feedback = feed(scorer, start_s=2.0)
    finished_at = [(f.time_s, s.index) for f in feedback for s in f.finished]
    assert [i for _, i in finished_at] == [0, 1, 2]
    assert all(t >= TARGET.notes[i].end_s for t, i in finished_at)
    live = scorer.finish()
    batch = score_take(TARGET, SUNG, ScoringSettings(band_cents=20), offset_s=0.0)
    for a, b in zip(live.notes, batch.notes):
        assert a.mean_cents == pytest.approx(b.mean_cents)
        assert a.in_tune_share == pytest.approx(b.in_tune_share)
        assert (math.isnan(a.onset_ms) and math.isnan(b.onset_ms)) or \
            a.onset_ms == pytest.approx(b.onset_ms)
    assert live.notes[2].octave == -1


def test_finish_scores_notes_cut_short():
    scorer = LiveScorer(TARGET)
    for t, hz, v in zip(SUNG.times_s[:40], SUNG.frequency_hz[:40], SUNG.voiced[:40]):
        scorer.push(t, hz, bool(v))
    assert len(scorer.scores) < 3
    result = scorer.finish()
    assert len(result.notes) == 3 and result.notes[2].in_tune_share == 0.0


def test_memory_stays_bounded():
    notes = tuple(TargetNote(0.5 * i, 0.4, 60.0) for i in range(400))
    scorer = LiveScorer(Target(notes, "long", "test"))
    t = 0.0
    while t < 200.0:
        scorer.push(t, 261.6, True)
        t += 0.032
    assert len(scorer._times) < 100
    assert len(scorer.scores) >= 398


def test_level_of_digital_silence_keeps_the_envelope():
    scorer = LiveScorer(TARGET)
    for t, hz, v in zip(SUNG.times_s, SUNG.frequency_hz, SUNG.voiced):
        scorer.push(t, hz, bool(v), level_dbfs=-20.0 if v else float("-inf"))
    sung = scorer._sung()
    assert sung.envelope_db is not None and np.isfinite(sung.envelope_db).all()
    assert scorer.finish().notes[0].onset_ms == pytest.approx(0.0, abs=20.0)


def test_audio_envelope_times_onsets_after_silence():
    rate = 16000
    late = TARGET.notes[0].onset_s + 0.037
    audio = np.zeros(int(3.0 * rate), np.float32)
    audio[int(late * rate):int(1.0 * rate)] = 0.1
    scorer = LiveScorer(TARGET, start_s=0.0)
    sung = sung_notes([(late, 1.0, 60.0)], 3.0, envelope=False)
    for block in np.array_split(audio, 97):
        scorer.push_audio(block, rate)
    for t, hz, v in zip(sung.times_s, sung.frequency_hz, sung.voiced):
        scorer.push(t, hz, bool(v))
    # 8 ms windows centred on their times see a hard step up to 4 ms early
    assert scorer.finish().notes[0].onset_ms == pytest.approx(37.0 - 2.0, abs=2.5)
