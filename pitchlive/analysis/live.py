"""A recording through the live path: what the pitch window would have shown, as fast as possible.

The file is played into the real engine (FileSource without real time, the same ring buffer,
resampler, sliding windows and causal stages as the microphone), and the frames it emits become
the same FileAnalysis that whole-file analysis gives, so `pitchlive analyze --live` writes the same
CSV.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from pitchlive.analysis.file import FileAnalysis
from pitchlive.audio.files import AudioFileError
from pitchlive.audio.resample import StreamingResampler
from pitchlive.audio.sources import FileSource
from pitchlive.engine import Engine
from pitchlive.frames import MODEL_SAMPLE_RATE_HZ, PitchFrame, PitchTrack
from pitchlive.settings import Settings


def live_frames(path: Path, model, settings: Settings, channel: int | None = None,
                on_audio=None) -> tuple[list[PitchFrame], FileSource, int]:
    """Every frame the live engine emits for a recording, run at full speed.

    Returns (frames, the source, native samples read). on_audio(block, rate_hz) sees the input as
    the engine analysed it. Raises AudioFileError when the file cannot be read.
    """
    source = FileSource(path, realtime=False, channel=channel)
    engine = Engine(settings.replace(channel=channel), model, source)
    frames: list[PitchFrame] = []
    errors: list[str] = []
    engine.subscribe(frames.append)
    if on_audio is not None:
        engine.subscribe_audio(on_audio)
    engine.subscribe_events(lambda event: errors.append(event.message)
                            if event.kind == "error" else None)
    engine.start()
    try:
        engine.wait()
    finally:
        engine.stop()
    if errors:
        raise AudioFileError(f"{path}: {errors[0]}")
    return frames, source, engine.audio_position_samples


def analyze_file_live(path: Path, model, settings: Settings, channel: int | None = None,
                      on_audio_16k: Callable[[np.ndarray], None] | None = None) -> FileAnalysis:
    """Run a recording through the live engine at full speed; raises AudioFileError.

    The track holds the frames as emitted (after refinement and smoothing, as settings say); a
    frame's confidence is the one the window compares with its threshold. on_audio_16k receives
    the 16 kHz mono input (n,) piece by piece, as analyze_file's does (a streamed spectrogram).
    """
    on_audio = None
    if on_audio_16k is not None:
        resamplers: dict[float, StreamingResampler] = {}

        def on_audio(block: np.ndarray, sample_rate_hz: float) -> None:
            resampler = resamplers.setdefault(
                sample_rate_hz, StreamingResampler(sample_rate_hz, MODEL_SAMPLE_RATE_HZ))
            piece = resampler.process(block)
            if piece.size:
                on_audio_16k(piece)

    frames, source, samples = live_frames(path, model, settings, channel, on_audio)
    if on_audio_16k is not None:
        for resampler in resamplers.values():
            tail = resampler.flush()
            if tail.size:
                on_audio_16k(tail)
    track = PitchTrack(np.array([f.time_s for f in frames], np.float64),
                       np.array([f.frequency_hz for f in frames], np.float64),
                       np.array([f.confidence for f in frames], np.float64))
    sample_rate_hz = int(round(source.sample_rate_hz))
    return FileAnalysis(Path(path), track, sample_rate_hz, source.channels,
                        samples / max(sample_rate_hz, 1),
                        level_dbfs=np.array([f.level_dbfs for f in frames], np.float64),
                        problems=source.problems)
