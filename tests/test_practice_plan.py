"""A practice run's plan and audio: transposition, sections, loops, speed, clicks and backing;
the clap-along latency measurement; scoring a run on a live stream's clock; saving a run."""

import json

import numpy as np
import pytest

from pitchlive.frames import HOP_S, PitchFrame
from pitchlive.music import midi_to_hz
from pitchlive.practice.history import History
from pitchlive.practice.latency import (CALIBRATION_BEAT_S, CalibrationError, calibration_audio,
                                        measure_latency)
from pitchlive.practice.live_run import PracticeRun
from pitchlive.practice.note_score import ScoringSettings
from pitchlive.practice.plan import PlanOptions, make_plan, render_plan, song_section
from pitchlive.practice.sung import level_envelope
from pitchlive.practice.take_files import save_practice
from pitchlive.practice.target import Target, TargetError, TargetNote

SR = 44100
TUNE = Target(tuple(TargetNote(0.5 * i, 0.45, 60.0 + 2 * i) for i in range(4)), "Tune", "t.mid",
              tempo_bpm=120.0, key="C major")


def test_transpose_section_loop_and_speed():
    plan = make_plan(TUNE, PlanOptions(semitones=-3, tempo_percent=50, first_note=2,
                                       last_note=3, repeats=2))
    notes = plan.target.notes
    assert [n.midi for n in notes] == [59.0, 61.0, 59.0, 61.0]
    assert [n.onset_s for n in notes] == pytest.approx([0.0, 1.0, 2.0, 3.0])
    assert notes[0].duration_s == pytest.approx(0.9)
    assert plan.beat_s == pytest.approx(1.0) and plan.target.key == "A major"
    assert (plan.section_start_s, plan.section_end_s) == (0.5, 1.5)


@pytest.mark.parametrize("options, message", [
    (dict(first_note=3, last_note=2), "section"), (dict(last_note=9), "section"),
    (dict(tempo_percent=10), "tempo"), (dict(repeats=0), "repeats"),
    (dict(count_in_beats=17), "count-in"), (dict(backing="karaoke"), "backing")])
def test_bad_options_are_explained(options, message):
    with pytest.raises(TargetError, match=message):
        make_plan(TUNE, PlanOptions(**options))


def test_clicks_and_tones_fall_where_the_plan_says():
    plan = make_plan(TUNE, PlanOptions(count_in_beats=2, metronome=True))
    audio = render_plan(plan, SR)
    assert plan.count_in_s == pytest.approx(1.0)
    assert audio.size >= int(plan.duration_s * SR)
    clicks = plan.click_times_s()
    assert [c[1] for c in clicks[:2]] == [True, False] and len(clicks) == 2 + 4
    for time_s, _ in clicks:
        assert np.abs(audio[int(time_s * SR):int(time_s * SR) + 200]).max() > 0.3
    piece = audio[int((plan.count_in_s + 0.1) * SR):][:8192]
    spectrum = np.abs(np.fft.rfft(piece * np.hanning(piece.size)))
    assert np.argmax(spectrum) * SR / 8192 == pytest.approx(midi_to_hz(60), rel=0.01)
    quiet = make_plan(TUNE, PlanOptions(count_in_beats=0, backing="none"))
    assert not render_plan(quiet, SR).any()


def test_song_backing_is_cut_stretched_and_shifted():
    t = np.arange(3 * SR) / SR
    song = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    plan = make_plan(TUNE, PlanOptions(semitones=12, tempo_percent=50, first_note=2,
                                       last_note=3, backing="song"))
    piece = song_section(plan, song, SR)
    assert piece.size == pytest.approx(2.0 * SR, rel=0.02)        # 1 s of song at half speed
    middle = piece[SR // 2:SR // 2 + 8192]
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(middle.size)))
    assert np.argmax(spectrum) * SR / 8192 == pytest.approx(880, rel=0.02)


def test_latency_from_answers_to_the_clicks():
    audio, clicks = calibration_audio(16000)
    delayed = np.concatenate((np.zeros(int(0.137 * 16000), np.float32), audio))
    delayed += 1e-4 * np.random.default_rng(0).standard_normal(delayed.size).astype(np.float32)
    estimate = measure_latency(clicks, *level_envelope(delayed, 16000))
    assert estimate.latency_ms == pytest.approx(137, abs=3) and estimate.answers == 8
    silence = level_envelope(np.zeros(delayed.size), 16000)
    with pytest.raises(CalibrationError, match="answered"):
        measure_latency(clicks, *silence)
    assert CALIBRATION_BEAT_S > 0.5     # slow enough that a 0.5 s latency stays in its beat


def frames_for(target, start_s, cents, end_s):
    out = []
    for k in range(int(end_s / HOP_S)):
        t = k * HOP_S
        note = [n for n in target.notes if n.onset_s <= t - start_s < n.end_s]
        hz = float(midi_to_hz(note[0].midi + cents / 100)) if note else 0.0
        out.append(PitchFrame(t, hz, 0.95, -20.0 if note else -90.0, bool(note)))
    return out


def test_a_run_on_a_stream_already_going():
    plan = make_plan(TUNE, PlanOptions(count_in_beats=2))
    run = PracticeRun(plan, ScoringSettings(), play_stream_s=10.0, latency_ms=100)
    assert run.target_start_s == pytest.approx(11.1)
    assert run.count_in_beat(10.05) is None and run.count_in_beat(10.2) == 1
    assert run.count_in_beat(10.7) == 2 and run.count_in_beat(11.2) is None
    feedback = [run.push(f) for f in frames_for(plan.target, 11.1, 20, 14.0)]
    assert any(f.cents == pytest.approx(20, abs=0.5) and f.in_band for f in feedback)
    assert not run.is_over(13.0) and run.is_over(14.1)
    score = run.finish(align=False)
    assert [round(s.mean_cents) for s in score.notes] == [20] * 4


def test_saving_a_run_writes_every_file_and_the_history(tmp_path):
    from pitchlive.settings import Settings

    plan = make_plan(TUNE, PlanOptions(count_in_beats=0))
    run = PracticeRun(plan, ScoringSettings(), 0.0)
    for frame in frames_for(plan.target, 0.0, -10, 2.5):
        run.push(frame)
    score = run.finish(align=False)
    saved = save_practice(score, None, Settings(), tmp_path / "takes",
                          History(tmp_path / "h.sqlite3"), "tune")
    assert saved.files == {} and saved.session_id == 1 and not saved.messages
    (session,) = History(tmp_path / "h.sqlite3").sessions()
    assert session.target_key == "tune"
    assert json.loads(json.dumps(session.overall_percent)) == pytest.approx(100.0)


def test_the_song_is_not_cut_under_the_last_note():
    plan = make_plan(TUNE, PlanOptions(first_note=3, backing="song"))
    assert plan.section_end_s == pytest.approx(TUNE.notes[-1].end_s + 0.5)   # a beat at 120 BPM
    looped = make_plan(TUNE, PlanOptions(first_note=3, repeats=2))
    # notes 3-4 span 1.0-1.95 s; the repeat starts a beat after the last note ends
    assert looped.target.notes[2].onset_s == pytest.approx(1.95 + 0.5 - 1.0)


def test_the_song_plays_on_past_the_last_note():
    t = np.arange(3 * SR) / SR
    song = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    plan = make_plan(TUNE, PlanOptions(count_in_beats=0, backing="song"))
    audio = render_plan(plan, SR, song)
    assert audio.size >= int((TUNE.notes[-1].end_s + 0.5) * SR)     # a beat after the last note
    assert np.abs(audio[int((TUNE.notes[-1].end_s + 0.4) * SR):][:100]).max() > 0.3
