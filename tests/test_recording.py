"""One file, one voicing: `analyze`, the Recording view, transcription and the live engine.

The Recording view's analysis (pitchlive.analysis.recording) and `pitchlive analyze` label every
frame through the tracking stage, level gate included; the live engine differs only by its window.
"""

import csv

import numpy as np
import pytest

from pitchlive.analysis.inference import predict
from pitchlive.analysis.recording import analyse_recording
from pitchlive.audio.levels import frame_levels_dbfs
from pitchlive.audio.sources import FileSource
from pitchlive.engine import Engine
from pitchlive.settings import Settings
from pitchlive.tracking.transcription import transcribe
from pitchlive.tracking.voicing import voiced
from synth import harmonic_tone, write_wav

pytestmark = pytest.mark.model
RATE = 16000


@pytest.fixture(scope="module")
def quiet_middle(tmp_path_factory):
    """A4 loud, then the same tone far below the level gate, silence, then E4 loud."""
    loud = harmonic_tone(440.0, 1.0, RATE)
    quiet = harmonic_tone(440.0, 1.0, RATE) * 10 ** (-75 / 20) / 0.5
    gap = np.zeros(RATE // 2, np.float32)
    audio = np.concatenate([loud, quiet, gap, harmonic_tone(329.63, 1.0, RATE)]).astype(np.float32)
    return write_wav(tmp_path_factory.mktemp("voicing") / "quiet.wav", audio, RATE), audio


def test_analyze_and_the_recording_view_voice_every_frame_alike(cli, spice_model, quiet_middle):
    path, _ = quiet_middle
    code, _, err = cli("analyze", path, "-o", path.with_suffix(".csv"))
    assert code == 0, err
    with open(path.with_suffix(".csv"), newline="") as handle:
        rows = list(csv.DictReader(handle))
    result = analyse_recording(path, spice_model)
    labels = result.labels(Settings())
    assert len(rows) == result.analysis.track.n_frames
    assert [r["voiced"] == "1" for r in rows] == labels.voiced.tolist()
    assert [r["note"] or None for r in rows] == list(labels.names)
    np.testing.assert_allclose([float(r["frequency"]) for r in rows],
                               result.analysis.track.frequency_hz, rtol=1e-4)
    # The level gate is what made the quiet tone unvoiced, not the model's confidence.
    quiet = slice(int(1.2 / 0.032), int(1.8 / 0.032))
    assert not labels.voiced[quiet].any()
    assert (result.analysis.track.confidence[quiet] >= 0.9).any()
    assert labels.voiced[5:25].all() and set(labels.names[5:25]) == {"A4"}


def test_the_tracking_stage_voices_the_file_as_both_do(spice_model, quiet_middle):
    path, audio = quiet_middle
    settings = Settings()
    track = predict(audio, RATE, spice_model)
    stage = voiced(track.frequency_hz, track.confidence,
                   frame_levels_dbfs(audio, track.n_frames), settings)
    result = analyse_recording(path, spice_model)
    np.testing.assert_array_equal(stage, result.labels(settings).voiced)
    # Transcription voices with the same rule: no note in the gated stretch.
    transcription = transcribe(result.analysis.track, settings, audio_16k=audio)
    assert transcription.notes
    assert all(n.end_s <= 1.1 or n.onset_s >= 2.4 for n in transcription.notes)
    assert {n.name for n in transcription.notes} == {"A4", "E4"}


def test_the_live_engine_voices_the_file_the_same_apart_from_its_window(spice_model,
                                                                        quiet_middle):
    path, _ = quiet_middle
    settings = Settings(smoothing=False)
    frames = []
    engine = Engine(settings, spice_model, FileSource(path, realtime=False))
    engine.subscribe(frames.append)
    engine.start()
    assert engine.wait(60)
    labels = analyse_recording(path, spice_model).labels(settings)
    live = np.array([f.voiced for f in frames])
    n = min(live.size, labels.voiced.size)
    assert n >= labels.voiced.size - 1
    assert np.mean(live[:n] == labels.voiced[:n]) > 0.95
    names_agree = [f.note == name for f, name in zip(frames, labels.names) if f.voiced]
    assert np.mean(names_agree) > 0.95
