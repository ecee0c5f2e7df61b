"""The Practice tab's audio plumbing (no Qt): listening to the engine's input blocks, loading a
song's backing, playing the run's audio and marking where on the stream's clock it started,
and the clap-along latency calibration. The view calls these from its jobs and its GUI thread.
"""

from __future__ import annotations

import threading
import logging
import time
from collections import deque
from pathlib import Path

import numpy as np

from pitchlive.practice.latency import LatencyEstimate, calibration_audio, measure_latency
from pitchlive.practice.sung import StreamingEnvelope

log = logging.getLogger(__name__)

PLAY_RATE_HZ = 44100
MAX_SONG_S = 15 * 60              # a longer backing would use too much memory; refused
TAP_BLOCKS = 4000                 # input blocks kept if the GUI thread falls behind
# Silence played before anything that matters: a sound server takes the first fraction of a
# second of a new stream irregularly (PulseAudio was measured racing ahead, then stalling), so
# the first click waits until the output runs steadily.
PRE_ROLL_S = 0.5
MARK_READINGS = 20                # the start is read off the output this many times ...
MARK_AFTER_S = 0.1                # ... once this much has been consumed (its buffer filled),
MARK_TIMEOUT_S = 2.0              # waiting at most this long for a slow output to start
MARK_POLL_S = 0.01


class AudioTap:
    """The engine's input blocks, handed from its worker thread to the GUI thread.

    stream_end_s is the stream time (s) of the end of the latest block: "now" on the stream's
    clock as far as the capture has got.
    """

    def __init__(self, engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._blocks: deque[tuple[np.ndarray, float, int]] = deque(maxlen=TAP_BLOCKS)
        self.stream_end_s: float | None = None
        self._unsubscribe = engine.subscribe_audio(self._on_audio)

    def _on_audio(self, block: np.ndarray, sample_rate_hz: float) -> None:   # engine worker
        position = self._engine.audio_position_samples
        with self._lock:
            self._blocks.append((block.copy(), float(sample_rate_hz), position))
            self.stream_end_s = (position + block.size) / float(sample_rate_hz)

    def drain(self) -> list[tuple[np.ndarray, float, int]]:
        """(block, rate, stream position in samples) received since the last call, in order."""
        with self._lock:
            blocks = list(self._blocks)
            self._blocks.clear()
        return blocks

    def close(self) -> None:
        """Stop listening."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


def load_song(path: Path | None) -> tuple[np.ndarray | None, str | None]:
    """(mono float32 audio at PLAY_RATE_HZ or None, a warning or None) for a backing file."""
    if path is None:
        return None, None
    from pitchlive.audio.files import AudioFileError, FileProblems, open_info, read_blocks
    from pitchlive.audio.resample import resample_to

    try:
        info = open_info(Path(path))
        if info.frames / info.sample_rate_hz > MAX_SONG_S:
            return None, (f"the backing {Path(path).name} is longer than {MAX_SONG_S // 60} "
                          "minutes; practising without it.")
        audio = np.concatenate(list(read_blocks(info, FileProblems())) or [np.zeros(0)])
    except AudioFileError as exc:
        return None, f"{exc} Practising without the backing."
    if info.sample_rate_hz != PLAY_RATE_HZ:
        audio = resample_to(audio, info.sample_rate_hz, PLAY_RATE_HZ)
    return np.asarray(audio, np.float32), None


def play_and_mark(player, audio: np.ndarray, tap: AudioTap) -> float:
    """Play audio on the player and return the stream time at which it started (s).

    Runs on a background job (opening the output may block). The audio is played after
    PRE_ROLL_S of silence, and the start is read off the output itself while the pre-roll
    plays: the input's "now" minus what the output has consumed (Player.position_s) plus the
    output's buffer. A late first callback (a busy machine, a sound server waking up) moves
    this reading with it; the median of the readings, once the buffer has filled, is the
    mark. The same way for calibration and practice, so what lies between (output buffer,
    sound server, input buffer) is what the calibration measures. Raises DeviceError when
    nothing can be played; the caller then marks the time itself.
    """
    pre_roll = np.zeros(int(PRE_ROLL_S * PLAY_RATE_HZ), np.float32)
    # When the audio runs out the output stream stops, and what sits in its buffer then is
    # dropped (measured: the last 0.4 s on PulseAudio): silence at the end takes that place.
    buffer_s = float(getattr(player, "latency_s", 0.0))
    post_roll = np.zeros(int((buffer_s + 0.1) * PLAY_RATE_HZ), np.float32)
    player.play_array(np.concatenate((pre_roll, audio, post_roll)), PLAY_RATE_HZ)
    fallback = (tap.stream_end_s if tap.stream_end_s is not None else 0.0) + PRE_ROLL_S
    if not hasattr(player, "position_s"):
        return fallback
    readings = []
    deadline = time.monotonic() + MARK_TIMEOUT_S
    while len(readings) < MARK_READINGS and time.monotonic() < deadline:
        position_s, now_s = player.position_s, tap.stream_end_s
        if now_s is not None and position_s >= MARK_AFTER_S:
            readings.append(now_s - position_s)
        time.sleep(MARK_POLL_S)
    if not readings:
        log.warning("the output did not start within %.1f s; timing from the request",
                    MARK_TIMEOUT_S)
    # What the output has consumed reaches the speaker about its buffer's length later.
    return float(np.median(readings)) + buffer_s + PRE_ROLL_S if readings else fallback


class CalibrationTake:
    """One clap-along calibration: the clicks to play and the input heard while they play."""

    def __init__(self) -> None:
        self.audio, self.click_times_s = calibration_audio(PLAY_RATE_HZ)
        self.play_stream_s: float | None = None
        self._envelope = StreamingEnvelope()
        self._env_start_s: float | None = None
        self._times: list[np.ndarray] = []
        self._levels: list[np.ndarray] = []

    @property
    def duration_s(self) -> float:
        """Length of the clicks' audio."""
        return self.audio.size / PLAY_RATE_HZ

    def push(self, blocks: list[tuple[np.ndarray, float, int]]) -> None:
        """Input blocks from an AudioTap."""
        for block, rate, position in blocks:
            if self._env_start_s is None:
                self._env_start_s = position / rate
            times, level = self._envelope.push(block, rate)
            self._times.append(times + self._env_start_s)
            self._levels.append(level)

    def done(self, stream_time_s: float) -> bool:
        """True once every click (and the slowest answer) should have been heard."""
        return self.play_stream_s is not None and \
            stream_time_s >= self.play_stream_s + self.duration_s + 0.3

    def result(self) -> LatencyEstimate:
        """The measured round trip; CalibrationError when too few clicks were answered."""
        times = np.concatenate(self._times) if self._times else np.zeros(0)
        levels = np.concatenate(self._levels) if self._levels else np.zeros(0)
        return measure_latency(self.click_times_s + (self.play_stream_s or 0.0), times, levels)
