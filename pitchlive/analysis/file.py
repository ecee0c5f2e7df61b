"""Whole-file analysis: a recording, block by block, through the model; bounded memory.

Gives the model's pitch track and the input level of every frame (the level gate's input), so
the tracking stage (pitchlive.tracking.labels) voices a file as it voices live frames.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pitchlive.analysis.inference import ChunkedInference
from pitchlive.audio.files import FileProblems, open_info, read_blocks
from pitchlive.audio.levels import FrameLevels, energy_to_dbfs, fit_to_frames
from pitchlive.audio.resample import StreamingResampler
from pitchlive.frames import MODEL_SAMPLE_RATE_HZ, PitchTrack


@dataclass
class FileAnalysis:
    """Result of analysing one file: its track, what it was, and any damage found."""

    path: Path
    track: PitchTrack
    sample_rate_hz: int
    channels: int
    duration_s: float                     # of the audio actually decoded
    level_dbfs: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (n_frames,), dBFS
    problems: FileProblems = field(default_factory=FileProblems)
    audio_16k: np.ndarray | None = None   # kept only when asked for (plots)


def analyze_file(path: Path, model, channel: int | None = None, keep_audio: bool = False,
                 on_progress: Callable[[int], None] | None = None,
                 on_audio_16k: Callable[[np.ndarray], None] | None = None,
                 refine: bool = True) -> FileAnalysis:
    """Analyse a recording block by block; raises AudioFileError if it cannot be read at all.

    Parameters
    ----------
    path : Path
        WAV, FLAC, OGG or MP3 file, any rate and channel count.
    model
        A loaded model (pitchlive.load_model()).
    channel : int or None
        Analyse this channel (from 0); None mixes them.
    keep_audio : bool
        Keep the 16 kHz mono audio in the result (for plots and spectrograms).
    on_progress : callable or None
        Receives the number of input frames read since its last call.
    on_audio_16k : callable or None
        Receives the 16 kHz mono audio (n,) piece by piece, in order (a streamed spectrogram:
        memory bounded however long the file, unlike keep_audio).
    refine : bool
        Run the refinement stage (pitchlive.tracking.refine); False gives the model's raw output.

    Returns
    -------
    FileAnalysis
        The PitchTrack (n_frames,) and level_dbfs (n_frames,) of the file, and what it was.
    """
    info = open_info(Path(path))
    problems = FileProblems()
    resampler = StreamingResampler(info.sample_rate_hz, MODEL_SAMPLE_RATE_HZ)
    chunks = ChunkedInference(model.infer, refine=refine)
    levels = FrameLevels()
    tracks, kept, mean_squares = [], [], []
    samples_read = 0

    def consume(audio_16k: np.ndarray) -> None:
        if keep_audio:
            kept.append(audio_16k)
        if on_audio_16k is not None and audio_16k.size:
            on_audio_16k(audio_16k)
        tracks.append(chunks.push(audio_16k))
        mean_squares.append(levels.push(audio_16k))

    for block in read_blocks(info, problems, channel):
        samples_read += block.size
        consume(resampler.process(block))
        if on_progress:
            on_progress(block.size)
    consume(resampler.flush())
    tracks.append(chunks.finish())
    if chunks.problem():
        problems.messages.append(chunks.problem())
    mean_squares.append(levels.finish())
    track = PitchTrack.concatenate(tracks)
    level = fit_to_frames(energy_to_dbfs(np.concatenate(mean_squares)), track.n_frames)
    audio_16k = np.concatenate(kept) if keep_audio and kept else None
    return FileAnalysis(Path(path), track, info.sample_rate_hz, info.channels,
                        samples_read / info.sample_rate_hz, level, problems, audio_16k)

