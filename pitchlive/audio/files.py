"""Reading recordings: format checks, block-wise decoding, downmix and damage reports.

Files are read in blocks so memory does not grow with their length. Damage that still leaves
usable audio (a truncated file, NaN/Inf samples) is reported as a FileProblem next to the audio
instead of stopping the analysis.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

BLOCK_S = 1.0


class AudioFileError(Exception):
    """A file cannot be analysed at all; the message says why and what to do."""


@dataclass(frozen=True)
class AudioFileInfo:
    """What a file claims to hold."""

    path: Path
    sample_rate_hz: int
    channels: int
    frames: int
    format_name: str

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.frames / self.sample_rate_hz


@dataclass
class FileProblems:
    """Damage found while reading; filled in as blocks are read."""

    truncated: str | None = None
    non_finite_samples: int = 0
    first_non_finite_s: float | None = None
    messages: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """User-facing lines, one per problem."""
        lines = list(self.messages)
        if self.truncated:
            lines.append(self.truncated)
        if self.non_finite_samples:
            lines.append(f"{self.non_finite_samples} NaN/Inf samples (first at "
                         f"{self.first_non_finite_s:.3f} s) were treated as silence; the file is "
                         "damaged or was written by a faulty program.")
        return lines


def supported_extensions() -> list[str]:
    """File extensions the audio library can decode here, lower case with a dot."""
    return sorted("." + name.lower() for name in sf.available_formats())


def open_info(path: Path) -> AudioFileInfo:
    """Check that a path is a readable audio file and describe it; raises AudioFileError."""
    path = Path(path)
    if not path.exists():
        raise AudioFileError(f"{path}: no such file. Check the path and spelling.")
    if path.is_dir():
        raise AudioFileError(f"{path} is a folder; give an audio file (WAV, FLAC, OGG or MP3).")
    if path.stat().st_size == 0:
        raise AudioFileError(f"{path} is empty (0 bytes); the recording was not saved. Record "
                             "or export it again.")
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise AudioFileError(
            f"{path} is not an audio file that pitchlive can read ({_short(exc)}). Supported: "
            "WAV, FLAC, OGG/Vorbis/Opus, MP3 and the other formats of libsndfile; convert other "
            "formats first, e.g. `ffmpeg -i input.m4a output.wav`.") from exc
    if info.samplerate <= 0 or info.channels <= 0:
        raise AudioFileError(f"{path}: the header says {info.channels} channels at "
                             f"{info.samplerate} Hz, which is not audio pitchlive can analyse.")
    if info.frames == 0:
        raise AudioFileError(f"{path} holds no audio samples (its header is valid but the data "
                             "is empty). Record or export it again.")
    return AudioFileInfo(path, int(info.samplerate), int(info.channels), int(info.frames),
                         f"{info.format} {info.subtype}")


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def _header_truncation(path: Path) -> str | None:
    """libsndfile shortens a WAV whose header promises more data; its notes say 'should be'."""
    try:
        extra = sf.info(str(path)).extra_info
    except (sf.LibsndfileError, RuntimeError, OSError):
        return None
    for line in extra.splitlines():
        if line.strip().lower().startswith("data") and "should be" in line:
            return (f"the file is truncated (data chunk: {line.split(':', 1)[1].strip()} bytes); "
                    "only the audio present was analysed. Re-export or re-copy the file for the "
                    "rest.")
    return None


def downmix(block: np.ndarray, channel: int | None = None) -> np.ndarray:
    """Mono (n,) from (n,) or (n, channels): the mean of all channels, or one chosen channel."""
    block = np.asarray(block, dtype=np.float32)
    if block.ndim == 1:
        return block
    if channel is not None:
        if not 0 <= channel < block.shape[1]:
            raise AudioFileError(f"channel {channel} does not exist; this audio has "
                                 f"{block.shape[1]} channels (0-{block.shape[1] - 1}).")
        return np.ascontiguousarray(block[:, channel])
    return block.mean(axis=1, dtype=np.float32)


def sanitize(block: np.ndarray, problems: FileProblems, start_s: float,
             sample_rate_hz: float) -> np.ndarray:
    """Replace NaN/Inf samples with silence and count them in problems."""
    bad = ~np.isfinite(block)
    if bad.any():
        if problems.first_non_finite_s is None:
            problems.first_non_finite_s = start_s + int(np.argmax(bad)) / sample_rate_hz
        problems.non_finite_samples += int(bad.sum())
        block = np.where(bad, np.float32(0.0), block)
    return block


def read_blocks(info: AudioFileInfo, problems: FileProblems, channel: int | None = None,
                block_s: float = BLOCK_S) -> Iterator[np.ndarray]:
    """Mono float32 blocks (n,) at the file's own rate; damage is noted in problems."""
    problems.truncated = _header_truncation(info.path)
    block_frames = max(1, int(info.sample_rate_hz * block_s))
    read = 0
    try:
        with sf.SoundFile(str(info.path)) as handle:
            while True:
                block = handle.read(block_frames, dtype="float32", always_2d=True)
                if block.shape[0] == 0:
                    break
                mono = sanitize(downmix(block, channel), problems,
                                read / info.sample_rate_hz, info.sample_rate_hz)
                read += block.shape[0]
                yield mono
    except (sf.LibsndfileError, RuntimeError) as exc:
        if read == 0:
            raise AudioFileError(f"{info.path} could not be decoded ({_short(exc)}). The file is "
                                 "damaged; re-export or re-copy it.") from exc
        problems.truncated = (f"decoding stopped at {read / info.sample_rate_hz:.2f} s of "
                              f"{info.duration_s:.2f} s ({_short(exc)}): the file is damaged or "
                              "truncated; only the audio before that point was analysed.")
