"""The real SPICE model: loading, version detection, errors, and accuracy on known audio."""

import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import local_model_dir, require
from pitchlive.analysis.inference import predict
from pitchlive.model import ModelError, load_model
from pitchlive.music import cents_between, midi_to_hz
from pitchlive.settings import Settings
from synth import (PROGRAM_CLARINET, PROGRAM_FLUTE, harmonic_tone, melody_notes, render_midi,
                   truth_at)

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parent.parent


def test_v1_is_detected_from_the_model(spice_model):
    assert spice_model.info.version == "v1"
    assert "detected" in spice_model.info.calibration_origin
    assert spice_model.info.parameter_count < 1_000_000


def test_calibration_override_is_reported():
    model_dir = local_model_dir()
    require(model_dir is not None, "needs PITCHLIVE_MODEL pointing at SPICE v1")
    model = load_model(Settings(model_source=str(model_dir), calibration="v2"))
    assert model.info.version == "v2" and "suggests v1" in model.info.calibration_origin
    f, c = model.infer(harmonic_tone(440.0, 1.0))
    # v2 constants on v1 read about 1.5 semitones sharp (PLATFORM.md: 481 Hz for 440 Hz).
    assert 120 < np.median(cents_between(f[3:-3], 440.0)) < 180


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_model(Settings(model_source=str(tmp_path / "nothing")))


def test_folder_without_saved_model_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ModelError, match="not a TensorFlow SavedModel"):
        load_model(Settings(model_source=str(tmp_path)))


def test_savedmodel_with_other_signature_is_a_clear_error(tmp_path):
    import tensorflow as tf  # the test builds a foreign SavedModel; the package never does

    class Doubler(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def double(self, x):
            return {"y": 2 * x}

    module = Doubler()
    tf.saved_model.save(module, str(tmp_path), signatures={"serving_default": module.double})
    with pytest.raises(ModelError, match="not SPICE"):
        load_model(Settings(model_source=str(tmp_path)))


def test_offline_without_cache_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PITCHLIVE_MODEL", raising=False)
    # This machine has no route to TF Hub, like a user offline on first run.
    with pytest.raises(ModelError, match="no cached copy"):
        load_model(Settings(model_source="https://tfhub.dev/google/spice/2"))


@pytest.mark.parametrize("midi", range(36, 81, 4))
def test_harmonic_tones_come_back_within_a_few_cents(spice_model, midi):
    # Measured accuracy of v1: within 5 cents from C2 (65 Hz) to G#5 (831 Hz); the edges of
    # its range are worse (README).
    frequency_hz = midi_to_hz(midi)
    track = predict(harmonic_tone(frequency_hz, 1.0, 16000), 16000, spice_model)
    core = slice(3, -3)
    assert np.median(track.confidence[core]) > 0.9
    assert abs(np.median(cents_between(track.frequency_hz[core], frequency_hz))) < 6.0


@pytest.mark.parametrize("rate_hz,channels", [(8000, 1), (44100, 2), (96000, 6)])
def test_any_rate_and_channel_count(spice_model, rate_hz, channels):
    tone = harmonic_tone(330.0, 1.0, rate_hz)
    audio = np.repeat(tone[:, None], channels, axis=1)
    track = predict(audio, rate_hz, spice_model)
    assert track.n_frames == round(tone.size * 16000 / rate_hz) // 512 + 1
    assert abs(np.median(cents_between(track.frequency_hz[3:-3], 330.0))) < 6.0


def test_silence_is_unvoiced(spice_model):
    track = predict(np.zeros(32000, np.float32), 16000, spice_model)
    assert track.n_frames == 63 and track.confidence.max() < 0.9


def test_chunked_equals_single_call_on_real_model(spice_model):
    t = np.arange(16000 * 20) / 16000
    glide = (0.5 * np.sin(2 * np.pi * 220 * t * (1 + 0.3 * np.sin(2 * np.pi * 0.2 * t))))
    glide = glide.astype(np.float32)
    whole_hz, whole_conf = spice_model.infer(glide)
    from pitchlive.analysis.inference import ChunkedInference
    from pitchlive.frames import PitchTrack

    chunks = ChunkedInference(spice_model.infer, chunk_frames=37)
    track = PitchTrack.concatenate([chunks.push(glide[:70001]), chunks.push(glide[70001:]),
                                    chunks.finish()])
    assert np.max(np.abs(cents_between(track.frequency_hz, whole_hz))) < 0.01
    assert np.max(np.abs(track.confidence - whole_conf)) < 1e-4


def test_padding_the_first_chunk_leaves_its_kept_frames_bit_identical(spice_model):
    # ChunkedInference pads a signal's first chunk at its end, by whole hops, to the length of
    # the chunks after it; the frames it keeps must not move, even where sound (here noise over
    # a tone) runs to the chunk's end.
    from pitchlive.analysis.inference import CHUNK_FRAMES, OVERLAP_SAMPLES

    rng = np.random.default_rng(5)
    first = CHUNK_FRAMES * 512 + OVERLAP_SAMPLES
    t = np.arange(first) / 16000
    audio = (0.3 * np.sin(2 * np.pi * 196 * t) + 0.1 * rng.standard_normal(first))
    audio = audio.astype(np.float32)
    padded = np.concatenate((audio, np.zeros(OVERLAP_SAMPLES, np.float32)))
    plain_hz, plain_conf = spice_model.infer(audio)
    padded_hz, padded_conf = spice_model.infer(padded)
    assert np.array_equal(padded_hz[:CHUNK_FRAMES], plain_hz[:CHUNK_FRAMES])
    assert np.array_equal(padded_conf[:CHUNK_FRAMES], plain_conf[:CHUNK_FRAMES])


@pytest.mark.parametrize("program", [PROGRAM_FLUTE, PROGRAM_CLARINET])
def test_rendered_melody_matches_midi_truth(spice_model, soundfont_path, program):
    notes = melody_notes([60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 60, 55], note_s=0.5)
    audio = render_midi(notes, program, 16000, soundfont_path)
    track = predict(audio, 16000, spice_model)
    truth = truth_at(notes, track.times_s)
    voiced = track.confidence >= 0.9
    scored = voiced & ~np.isnan(truth)
    assert scored.sum() > 0.5 * (~np.isnan(truth)).sum()
    error_cents = np.abs(100 * (69 + 12 * np.log2(track.frequency_hz[scored] / 440.0))
                         - 100 * truth[scored])
    assert np.mean(error_cents < 50) >= 0.9


# A fresh process (TensorFlow reads TF_ENABLE_ONEDNN_OPTS once): CPU of the first call on each of
# three new input lengths over the fastest repeat, median. oneDNN's kernels made it ~5-6x.
FIRST_CALLS = """
import sys, time
import numpy as np
from pitchlive.model import load_model
from pitchlive.settings import Settings
model = load_model(Settings(model_source=sys.argv[1]))
rng = np.random.default_rng(0)
model.infer(rng.standard_normal(4096).astype(np.float32))
ratios = []
for n in (121_536, 140_737, 200_001):
    audio = (0.3 * rng.standard_normal(n)).astype(np.float32)
    cpu_s = []
    for _ in range(3):
        start = time.process_time()
        model.infer(audio)
        cpu_s.append(time.process_time() - start)
    ratios.append(cpu_s[0] / min(cpu_s[1:]))
print("RATIO", sorted(ratios)[1])
"""


def first_call_ratio(onednn: str | None) -> float:
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    env.update({"PYTHONPATH": str(ROOT), "TF_NUM_INTRAOP_THREADS": "1",
                "TF_NUM_INTEROP_THREADS": "1"})
    if onednn is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = onednn
    result = subprocess.run([sys.executable, "-c", FIRST_CALLS, str(local_model_dir())], env=env,
                            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return float(next(x for x in result.stdout.splitlines() if x.startswith("RATIO")).split()[1])


@pytest.mark.slow
def test_a_new_input_length_costs_about_a_repeated_call():
    # Every file of a new length pays its first call (the whole-file path keeps no length
    # buckets: padding moves frames). With TensorFlow's standard kernels (our default) that
    # first call costs about a repeated one; a user's TF_ENABLE_ONEDNN_OPTS=1 brings the cost back.
    require(local_model_dir() is not None, "needs PITCHLIVE_MODEL pointing at SPICE v1")
    assert first_call_ratio(None) < 2.5
    assert first_call_ratio("1") > 2.5 or platform.machine() not in ("x86_64", "AMD64")
