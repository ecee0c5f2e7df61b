"""A corpus of hostile inputs, generated on demand (nothing large is committed).

Each generator writes one file into a folder and returns its path. tests/test_hostile_files.py
runs them through the file reader, `pitchlive analyze` and `transcribe`; add new cases here.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np
import soundfile as sf


def tone(frequency_hz: float = 220.0, duration_s: float = 1.0, sample_rate_hz: int = 16000,
         amplitude: float = 0.5) -> np.ndarray:
    """A sine (n,) in [-amplitude, amplitude]."""
    t = np.arange(int(duration_s * sample_rate_hz)) / sample_rate_hz
    return (amplitude * np.sin(2 * np.pi * frequency_hz * t)).astype(np.float32)


def wav_bytes(samples: np.ndarray, sample_rate_hz: int, channels: int = 1,
              riff_size: int | None = None, data_size: int | None = None,
              header_rate_hz: int | None = None) -> bytes:
    """A 16-bit PCM WAV whose header fields can lie (rate, RIFF and data sizes)."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    rate = sample_rate_hz if header_rate_hz is None else header_rate_hz
    data_len = len(pcm) if data_size is None else data_size
    riff_len = 36 + len(pcm) if riff_size is None else riff_size
    byte_rate = (rate * channels * 2) & 0xFFFFFFFF
    fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, channels, rate & 0xFFFFFFFF, byte_rate,
                      channels * 2, 16)
    return struct.pack("<4sI4s", b"RIFF", riff_len, b"WAVE") + fmt + \
        struct.pack("<4sI", b"data", data_len) + pcm


def huge_rate_wav(folder: Path) -> Path:
    """A WAV header claiming 2,147,483,647 Hz (asked for a 320 GiB array once)."""
    path = folder / "huge_rate.wav"
    path.write_bytes(wav_bytes(tone(duration_s=0.5), 16000, header_rate_hz=2_147_483_647))
    return path


def one_hz_wav(folder: Path) -> Path:
    """A WAV header of 1 Hz holding 8,000 samples (was upsampled 16,000x: a hang)."""
    path = folder / "one_hz.wav"
    path.write_bytes(wav_bytes(tone(duration_s=0.5), 16000, header_rate_hz=1))
    return path


def prime_rate_wav(folder: Path) -> Path:
    """999,983 Hz (a prime): an exact resampling ratio would need a 20-million-tap filter."""
    path = folder / "prime_rate.wav"
    sf.write(str(path), tone(440.0, 0.25, 999_983), 999_983, subtype="PCM_16")
    return path


def raw_pcm(folder: Path) -> Path:
    """Headerless 16-bit PCM: no rate, channels or sample format to read."""
    path = folder / "take.raw"
    path.write_bytes((tone() * 32767).astype("<i2").tobytes())
    return path


def streamed_wav(folder: Path) -> Path:
    """A WAV written to a pipe: RIFF and data sizes 0xFFFFFFFF ("unknown length")."""
    path = folder / "streamed.wav"
    path.write_bytes(wav_bytes(tone(220.0, 2.0), 16000, riff_size=0xFFFFFFFF,
                               data_size=0xFFFFFFFF))
    return path


def id3_only_mp3(folder: Path) -> Path:
    """An .mp3 that holds only an ID3v2 tag, no audio frames."""
    body = b"TIT2" + struct.pack(">I", 6) + b"\x00\x00" + b"\x00title"
    size = len(body)
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    path = folder / "tag_only.mp3"
    path.write_bytes(b"ID3\x04\x00\x00" + syncsafe + body)
    return path


def overflowing_float_wav(folder: Path) -> Path:
    """Float stereo near 3e38: the mix of the two channels overflows float32 to inf."""
    wave = 3.0e38 * (0.9 + 0.1 * np.sin(2 * np.pi * 220 * np.arange(16000) / 16000))
    loud = np.repeat(wave.astype(np.float32)[:, None], 2, axis=1)
    path = folder / "overflow.wav"
    sf.write(str(path), loud, 16000, subtype="FLOAT")
    return path


def many_channels_wav(folder: Path, channels: int = 1024, sample_rate_hz: int = 384000,
                      duration_s: float = 0.05) -> Path:
    """A 1,024-channel 384 kHz file: read 1 s at a time, one block alone took 1.5 GB."""
    path = folder / "many_channels.wav"
    frames = int(sample_rate_hz * duration_s)
    column = tone(440.0, duration_s, sample_rate_hz)
    with sf.SoundFile(str(path), "w", sample_rate_hz, channels, subtype="PCM_16",
                      format="WAV") as handle:
        for start in range(0, frames, 2048):
            handle.write(np.repeat(column[start:start + 2048, None], channels, axis=1))
    return path


def symlink_loop(folder: Path) -> Path:
    """a.wav -> b.wav -> a.wav."""
    a, b = folder / "loop_a.wav", folder / "loop_b.wav"
    os.symlink(b, a)
    os.symlink(a, b)
    return a


def fifo_with_wav(folder: Path) -> Path:
    """A named pipe; a writer must be started by the caller (see feed_fifo)."""
    path = folder / "pipe.wav"
    os.mkfifo(path)
    return path


def good_wav(folder: Path, name: str = "good.wav", frequency_hz: float = 220.0,
             duration_s: float = 1.0) -> Path:
    """A clean tone, the control case."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), tone(frequency_hz, duration_s), 16000, subtype="PCM_16")
    return path


class FakeModel:
    """A model with SPICE's interface and made-up output: a fixed pitch and confidence, or NaN
    pitch at full confidence (broken=True). Fast: no TensorFlow."""

    def __init__(self, frequency_hz: float = 220.0, confidence: float = 0.95,
                 broken: bool = False) -> None:
        from types import SimpleNamespace

        self.frequency_hz, self.confidence, self.broken = frequency_hz, confidence, broken
        self.info = SimpleNamespace(version="test", source="a fake model",
                                    calibration_origin="none")
        self.samples_seen = 0

    def infer(self, audio_16k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(frequency_hz, confidence), each (len(audio) // 512 + 1,)."""
        n = len(audio_16k) // 512 + 1
        frequency = np.full(n, self.frequency_hz)
        confidence = np.full(n, self.confidence, np.float32)
        if self.broken:
            frequency[:] = np.nan          # a broken model: NaN pitch at full confidence
            confidence[:] = 1.0
        self.samples_seen += len(audio_16k)
        return frequency, confidence
