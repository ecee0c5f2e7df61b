"""Chunked inference gives whole-signal results wherever the chunk boundaries fall."""

import numpy as np
import pytest

from pitchlive.analysis.inference import ChunkedInference
from pitchlive.frames import HOP_SAMPLES, PitchTrack


def local_feature(audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A model-shaped function with 3,000 samples of context and zero padding at the edges."""
    padded = np.pad(audio.astype(np.float64), 3000)
    cumulative = np.concatenate(([0.0], np.cumsum(padded ** 2)))
    centres = np.arange(audio.size // HOP_SAMPLES + 1) * HOP_SAMPLES + 3000
    energy = cumulative[centres + 3000] - cumulative[centres - 3000]
    return energy, np.tanh(energy)


def run_chunked(audio, chunk_frames, overlap_samples, piece_sizes):
    chunks = ChunkedInference(local_feature, chunk_frames, overlap_samples)
    tracks, i = [], 0
    for size in piece_sizes:
        tracks.append(chunks.push(audio[i:i + size]))
        i += size
    tracks.append(chunks.push(audio[i:]))
    tracks.append(chunks.finish())
    return PitchTrack.concatenate(tracks)


@pytest.mark.parametrize("chunk_frames", [1, 7, 64, 1000])
def test_chunks_match_whole_signal(chunk_frames):
    rng = np.random.default_rng(chunk_frames)
    audio = rng.standard_normal(50_000).astype(np.float32)
    whole_energy, _ = local_feature(audio)
    track = run_chunked(audio, chunk_frames, 4096, rng.integers(1, 9000, size=6))
    assert track.n_frames == audio.size // HOP_SAMPLES + 1
    np.testing.assert_allclose(track.frequency_hz, whole_energy, rtol=1e-9)
    np.testing.assert_allclose(track.times_s, np.arange(track.n_frames) * 0.032)


def test_too_little_overlap_is_visible():
    # The check above can fail: with less overlap than the context, results change.
    audio = np.random.default_rng(1).standard_normal(50_000).astype(np.float32)
    track = run_chunked(audio, 7, 1024, [])
    assert not np.allclose(track.frequency_hz, local_feature(audio)[0], rtol=1e-9)


def test_empty_and_tiny_inputs():
    chunks = ChunkedInference(local_feature)
    assert chunks.finish().n_frames == 0
    track = run_chunked(np.ones(10, np.float32), 16, 4096, [])
    assert track.n_frames == 1


def test_overlap_must_be_whole_hops():
    with pytest.raises(ValueError):
        ChunkedInference(local_feature, 16, 1000)


def test_every_chunk_but_the_last_reaches_the_model_at_one_length():
    # The first chunk has no overlap before it; padded at its end, it has the length of the
    # chunks after it (one input length fewer for TensorFlow), and the frames stay the same.
    lengths = []

    def recording(audio):
        lengths.append(audio.size)
        return local_feature(audio)

    audio = np.random.default_rng(3).standard_normal(60_000).astype(np.float32)
    chunks = ChunkedInference(recording, 16, 4096)
    track = PitchTrack.concatenate([chunks.push(audio), chunks.finish()])
    full = 16 * HOP_SAMPLES + 2 * 4096
    assert len(lengths) > 3 and set(lengths[:-1]) == {full}
    assert lengths[-1] < full
    np.testing.assert_allclose(track.frequency_hz, local_feature(audio)[0], rtol=1e-9)
