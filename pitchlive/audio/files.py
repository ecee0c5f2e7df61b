"""Reading recordings: format checks, block-wise decoding, downmix and damage reports.

Files are read in blocks so memory does not grow with their length. Damage that still leaves
usable audio (a truncated file, NaN/Inf samples) is reported as a FileProblem next to the audio
instead of stopping the analysis.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

BLOCK_S = 1.0
# Sanity limits, checked on the header before anything is allocated for the audio.
MIN_SAMPLE_RATE_HZ = 1_000
MAX_SAMPLE_RATE_HZ = 1_000_000
MAX_CHANNELS = 1024                  # libsndfile's own limit
MAX_DURATION_S = 100 * 3600.0        # longer is a damaged header, not a recording
# Decoded (frames, channels) float32 blocks stay under this, whatever the channel count: a
# 1,024-channel 384 kHz file read 1 s at a time would take 1.5 GB per block.
MAX_BLOCK_BYTES = 8 * 2**20
# Float samples beyond +60 dBFS are not audio (a damaged or unscaled float file): they would
# overflow the channel mix and the resampler to inf, so they count as silence.
MAX_SAMPLE_MAGNITUDE = 1000.0
# Extensions of headerless sample data: no rate, channel count or sample format to read.
HEADERLESS_EXTENSIONS = (".raw", ".pcm", ".sam", ".s16", ".u8", ".f32")


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
    out_of_range_samples: int = 0
    largest_magnitude: float = 0.0
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
        if self.out_of_range_samples:
            lines.append(f"{self.out_of_range_samples} samples far outside the range of audio "
                         f"(up to {self.largest_magnitude:.3g}; audio lies within ±1) were "
                         "treated as silence: the file is damaged, or its float samples are "
                         "not scaled to ±1.")
        return lines


def supported_extensions() -> list[str]:
    """File extensions the audio library can decode here, lower case with a dot."""
    return sorted("." + name.lower() for name in sf.available_formats())


def _os_error_message(path: Path, exc: OSError) -> str:
    """What an OSError from stat() or open() means for a recording the user named."""
    if exc.errno == errno.ELOOP:
        return (f"{path}: symbolic link loop (the link points, directly or through other links, "
                "back to itself). Point it at the real recording.")
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return (f"{path} is a symbolic link to {os.readlink(path)}, which does not exist. "
                "Point it at the real recording.")
    if exc.errno == errno.ENOENT:
        return f"{path}: no such file. Check the path and spelling."
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (f"{path}: permission denied; your user may not read this file. Check its "
                "permissions (`ls -l`), or copy it somewhere you can read.")
    if exc.errno == errno.ENOTDIR:
        return f"{path}: a part of this path is a file, not a folder. Check the path."
    return f"{path} cannot be opened ({exc.strerror or exc}). Check the path and the disk."


def _check_regular_file(path: Path) -> None:
    """Refuse what is not a readable, non-empty regular file, saying what it is instead."""
    try:
        status = os.stat(path)
    except OSError as exc:
        raise AudioFileError(_os_error_message(path, exc)) from exc
    mode, size = status.st_mode, status.st_size
    if stat.S_ISDIR(mode):
        raise AudioFileError(f"{path} is a folder; give an audio file (WAV, FLAC, OGG or MP3).")
    if stat.S_ISFIFO(mode):
        raise AudioFileError(f"{path} is a pipe (FIFO), not a file: pitchlive reads a recording "
                             "more than once, which a pipe cannot do. Save the stream to a file "
                             "first (e.g. `cat pipe > take.wav`) and analyse that.")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise AudioFileError(f"{path} is a device, not a recording (it has no audio header). "
                             "Give an audio file; to analyse a microphone use `pitchlive listen`.")
    if not stat.S_ISREG(mode):
        raise AudioFileError(f"{path} is not a regular file (a socket or other special file); "
                             "give an audio file.")
    if size == 0:
        raise AudioFileError(f"{path} is empty (0 bytes); the recording was not saved. Record "
                             "or export it again.")
    if not os.access(path, os.R_OK):
        raise AudioFileError(_os_error_message(path, PermissionError(errno.EACCES, "denied")))
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise AudioFileError(_os_error_message(path, exc)) from exc


def _only_id3_tag(path: Path) -> bool:
    """True for a file that is an ID3v2 tag with nothing (or only padding) after it."""
    with open(path, "rb") as handle:
        head = handle.read(10)
        if len(head) < 10 or head[:3] != b"ID3":
            return False
        size = 0
        for byte in head[6:10]:
            size = (size << 7) | (byte & 0x7F)
        handle.seek(10 + size)
        rest = handle.read(1 << 16)
    return not rest.strip(b"\x00")


def _unreadable_message(path: Path, exc: BaseException) -> str:
    """Why libsndfile could not open a regular, readable file, in the user's terms."""
    if _only_id3_tag(path):
        return (f"{path} holds no audio frames: it is only an ID3 tag (title, artist...). The "
                "export or download did not finish; export or download it again.")
    detail = _short(exc)
    if "possibly a pipe" in detail or "not a regular file" in detail:
        detail = "its format was not recognised"    # libsndfile's generic open failure
    return (f"{path} is not an audio file that pitchlive can read ({detail}). Supported: WAV, "
            "FLAC, OGG/Vorbis/Opus, MP3 and the other formats of libsndfile; convert other "
            "formats first, e.g. `ffmpeg -i input.m4a output.wav`.")


def _raw_pcm_message(path: Path) -> str:
    return (f"{path} is not a supported audio file: raw PCM has no header, so its sample rate, "
            "channel count and sample format are unknown. Convert it with what you know of it, "
            "e.g. `sox -t raw -r 44100 -e signed -b 16 -c 1 take.raw take.wav`.")


def check_header(path: Path, sample_rate_hz: float, channels: int, frames: int) -> None:
    """Refuse headers no recording has, before anything is allocated for the audio."""
    if not MIN_SAMPLE_RATE_HZ <= sample_rate_hz <= MAX_SAMPLE_RATE_HZ:
        raise AudioFileError(
            f"{path}: the header says {sample_rate_hz:,.0f} Hz; pitchlive reads recordings of "
            f"{MIN_SAMPLE_RATE_HZ:,} Hz to {MAX_SAMPLE_RATE_HZ:,} Hz. The header is damaged or "
            "wrong: re-export the file, or convert it with the right rate, e.g. "
            "`sox -r 44100 in.wav out.wav`.")
    if not 1 <= channels <= MAX_CHANNELS:
        raise AudioFileError(f"{path}: the header says {channels} channels; pitchlive reads 1 to "
                             f"{MAX_CHANNELS}. The header is damaged, or export fewer channels.")
    if frames / sample_rate_hz > MAX_DURATION_S:
        raise AudioFileError(f"{path}: the header says {frames / sample_rate_hz / 3600:,.0f} "
                             f"hours of audio (at most {MAX_DURATION_S / 3600:.0f} are read); "
                             "the header is damaged: re-export the file.")


def open_info(path: Path) -> AudioFileInfo:
    """Check that a path is a readable audio file and describe it; raises AudioFileError."""
    path = Path(path)
    _check_regular_file(path)
    if path.suffix.lower() in HEADERLESS_EXTENSIONS:
        raise AudioFileError(_raw_pcm_message(path))
    try:
        info = sf.info(str(path))
    except TypeError as exc:     # soundfile asks for the rate of headerless RAW data
        raise AudioFileError(_raw_pcm_message(path)) from exc
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise AudioFileError(_unreadable_message(path, exc)) from exc
    check_header(path, info.samplerate, info.channels, info.frames)
    if info.frames == 0:
        raise AudioFileError(f"{path} holds no audio samples (its header is valid but the data "
                             "is empty). Record or export it again.")
    return AudioFileInfo(path, int(info.samplerate), int(info.channels), int(info.frames),
                         f"{info.format} {info.subtype}")


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


# Data sizes a writer that streams to a pipe puts in the header: "length unknown".
UNKNOWN_LENGTH_SIZES = ("4294967295", "4294967294", "2147483647", "0")


def _header_truncation(path: Path) -> str | None:
    """libsndfile shortens a WAV whose header promises more data; its notes say 'should be'."""
    try:
        extra = sf.info(str(path)).extra_info
    except (sf.LibsndfileError, RuntimeError, OSError):
        return None
    for line in extra.splitlines():
        if line.strip().lower().startswith("data") and "should be" in line:
            claimed = line.split(":", 1)[1].split("(")[0].strip()
            if claimed in UNKNOWN_LENGTH_SIZES:
                return None     # written to a pipe: the length was unknown, not cut short
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
    """Silence NaN/Inf samples and samples beyond MAX_SAMPLE_MAGNITUDE; count them in problems.

    block is (n,) or (n, channels), before the channels are mixed (so the mix cannot overflow).
    """
    bad = ~np.isfinite(block)
    if bad.any():
        if problems.first_non_finite_s is None:
            first_row = int(np.argmax(bad.any(axis=1) if bad.ndim == 2 else bad))
            problems.first_non_finite_s = start_s + first_row / sample_rate_hz
        problems.non_finite_samples += int(bad.sum())
        block = np.where(bad, np.float32(0.0), block)
    huge = np.abs(block) > MAX_SAMPLE_MAGNITUDE
    if huge.any():
        problems.out_of_range_samples += int(huge.sum())
        problems.largest_magnitude = max(problems.largest_magnitude,
                                         float(np.abs(block[huge]).max()))
        block = np.where(huge, np.float32(0.0), block)
    return block


def block_frames_for(sample_rate_hz: float, channels: int, block_s: float = BLOCK_S) -> int:
    """Frames per decoded block: block_s long, but at most MAX_BLOCK_BYTES of float32."""
    return max(1, min(int(sample_rate_hz * block_s), MAX_BLOCK_BYTES // (4 * max(1, channels))))


def read_blocks(info: AudioFileInfo, problems: FileProblems, channel: int | None = None,
                block_s: float = BLOCK_S) -> Iterator[np.ndarray]:
    """Mono float32 blocks (n,) at the file's own rate; damage is noted in problems."""
    problems.truncated = _header_truncation(info.path)
    block_frames = block_frames_for(info.sample_rate_hz, info.channels, block_s)
    read = 0
    try:
        with sf.SoundFile(str(info.path)) as handle:
            while True:
                block = handle.read(block_frames, dtype="float32", always_2d=True)
                if block.shape[0] == 0:
                    break
                # A chosen channel is picked first; a mix is sanitized first, so it cannot overflow.
                start_s = read / info.sample_rate_hz
                mono = (sanitize(downmix(block, channel), problems, start_s, info.sample_rate_hz)
                        if channel is not None else
                        downmix(sanitize(block, problems, start_s, info.sample_rate_hz)))
                read += block.shape[0]
                yield mono
    except (sf.LibsndfileError, RuntimeError) as exc:
        if read == 0:
            raise AudioFileError(f"{info.path} could not be decoded ({_short(exc)}). The file is "
                                 "damaged; re-export or re-copy it.") from exc
        problems.truncated = (f"decoding stopped at {read / info.sample_rate_hz:.2f} s of "
                              f"{info.duration_s:.2f} s ({_short(exc)}): the file is damaged or "
                              "truncated; only the audio before that point was analysed.")
