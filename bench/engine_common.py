"""Shared pieces of the engine benchmarks: test signals, the model, and the measurements.

Not a benchmark itself. Every figure is measured through pitchlive's own engine code.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# As `pitchlive listen` runs it (model.limit_threads_for_streaming); "0" = TF's defaults.
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")

from pitchlive.audio.sources import FileSource  # noqa: E402
from pitchlive.audio.windows import SlidingWindows, check_window  # noqa: E402
from pitchlive.engine import Engine  # noqa: E402
from pitchlive.frames import PitchFrame  # noqa: E402
from pitchlive.settings import Settings  # noqa: E402

@dataclass(frozen=True)
class StudySettings(Settings):
    """Settings that accept any window with a SPICE frame at the given right context.

    Lets the study try windows outside the range Settings accepts.
    """

    def __post_init__(self) -> None:
        check_window(self.window_samples, self.right_context_samples)


def chosen_settings(**changes) -> Settings:
    """The shipped defaults (the window study's winner), with some fields changed."""
    return Settings(**changes)


# Instruments and ranges of the accuracy corpus (GM program, lowest and highest MIDI note).
CORPUS = (
    ("flute", 73, 60, 84),
    ("clarinet", 71, 50, 77),
    ("violin", 40, 55, 81),
    ("voice oohs", 53, 48, 72),
    ("nylon guitar", 24, 40, 69),
    ("trumpet", 56, 55, 77),
)


def load_spice():
    """The model named by $PITCHLIVE_MODEL (SPICE v1 here) on the live backend, as `pitchlive
    listen` loads it ($PITCHLIVE_BACKEND=tensorflow: on TensorFlow); prints which."""
    from pitchlive.model import load_live_model

    if not os.environ.get("PITCHLIVE_MODEL"):
        sys.exit("set PITCHLIVE_MODEL to the SPICE SavedModel folder "
                 "(e.g. ../shared/models/spice_1_savedmodel)")
    model = load_live_model(Settings())
    print(f"live backend: {model.describe_backend()}", flush=True)
    if model.backend == "TensorFlow":
        print(f"TensorFlow threads: intra-op {os.environ['TF_NUM_INTRAOP_THREADS']}, inter-op "
              f"{os.environ['TF_NUM_INTEROP_THREADS']} (0 = TensorFlow's default)", flush=True)
    return model


def corpus(rate_hz: int = 16000, seed: int = 3, n_notes: int = 20):
    """[(name, audio, notes)] melodies rendered by fluidsynth; notes are synth.Note truths."""
    from synth import Note, render_midi

    rng = np.random.default_rng(seed)
    items = []
    for name, program, low, high in CORPUS:
        notes, t = [], 0.3
        for _ in range(n_notes):
            duration = float(rng.choice([0.25, 0.4, 0.6]))
            notes.append(Note(t, duration - 0.04, int(rng.integers(low, high + 1))))
            t += duration
        items.append((name, render_midi(notes, program, rate_hz), notes))
    return items


def truth_midi(notes, times_s: np.ndarray) -> np.ndarray:
    """MIDI truth at each time (NaN outside notes)."""
    from synth import truth_at

    return truth_at(notes, times_s)


@dataclass(frozen=True)
class Accuracy:
    """Raw pitch accuracy with voicing (mir_eval's RPA) and pitch-only accuracy."""

    rpa: float              # truth-voiced frames both voiced (conf >= threshold) and within 50 c
    pitch_only: float       # truth-voiced frames within 50 c, whatever the confidence
    voiced_correct: float   # of frames voiced by threshold inside notes, fraction within 50 c


def accuracy(times_s, frequency_hz, confidence, notes, threshold: float = 0.9) -> Accuracy:
    """Score a track against note truth."""
    truth = truth_midi(notes, np.asarray(times_s))
    inside = ~np.isnan(truth)
    with np.errstate(divide="ignore", invalid="ignore"):
        midi = 69 + 12 * np.log2(np.asarray(frequency_hz) / 440.0)
    correct = np.abs(midi - truth) < 0.5
    voiced = np.asarray(confidence) >= threshold
    return Accuracy(float(np.mean(correct[inside] & voiced[inside])),
                    float(np.mean(correct[inside])),
                    float(np.mean(correct[inside & voiced])) if np.any(inside & voiced)
                    else math.nan)


def stream_offline(audio_16k: np.ndarray, infer, window_samples: int, right_context: int,
                   hop_samples: int = 512):
    """Live windowing without real time (every window run): times, frequency, confidence."""
    windows = SlidingWindows(hop_samples=hop_samples)
    results = []
    for start in range(0, audio_16k.size, 160):       # 10 ms blocks, like a microphone
        windows.push(audio_16k[start:start + 160])
        results.extend(windows.due(infer, window_samples, right_context))
    windows.finish()
    results.extend(windows.due(infer, window_samples, right_context))
    return (np.array([r.centre_sample / 16000 for r in results]),
            np.array([r.frequency_hz for r in results]),
            np.array([r.confidence for r in results]))


def infer_cpu_s(model, window_samples: int, calls: int = 200) -> float:
    """Median thread CPU seconds of one model call on window_samples samples."""
    x = (np.random.default_rng(0).standard_normal(window_samples) * 0.1).astype(np.float32)
    for _ in range(10):
        model.infer(x)
    costs = []
    for _ in range(calls):
        c0 = time.process_time()
        model.infer(x)
        costs.append(time.process_time() - c0)
    return statistics.median(costs)


def step_signal(rate_hz: int, n_steps: int, seed: int = 1):
    """A phase-continuous harmonic tone whose pitch jumps n_steps times at random instants.

    Returns (audio float32, step sample indices, MIDI after each step, MIDI before the first).
    """
    rng = np.random.default_rng(seed)
    lengths = rng.uniform(0.45, 0.75, n_steps + 1)
    midis = [int(rng.integers(52, 76))]
    for _ in range(n_steps):
        nxt = midis[-1]
        while abs(nxt - midis[-1]) < 3:
            nxt = int(rng.integers(52, 76))
        midis.append(nxt)
    bounds = np.concatenate(([0], np.cumsum(np.round(lengths * rate_hz).astype(int))))
    inst_hz = np.empty(bounds[-1])
    for i, midi in enumerate(midis):
        inst_hz[bounds[i]:bounds[i + 1]] = 440.0 * 2 ** ((midi - 69) / 12)
    phase = 2 * np.pi * np.cumsum(inst_hz) / rate_hz
    audio = sum(np.sin(k * phase) / k for k in range(1, 6))
    audio = (0.3 * audio / np.max(np.abs(audio))).astype(np.float32)
    return audio, bounds[1:-1], midis[1:], midis[0]


class FrameLog:
    """Subscriber that records each frame with the time it was received."""

    def __init__(self) -> None:
        self.frames: list[PitchFrame] = []
        self.received: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, frame: PitchFrame) -> None:
        now = time.monotonic()
        with self._lock:
            self.frames.append(frame)
            self.received.append(now)


def first_frame_at(log: FrameLog, after_s: float, midi: int, until_s: float) -> float:
    """Receive time of the first voiced frame within 50 cents of midi, received after after_s."""
    for frame, received in zip(log.frames, log.received):
        if received < after_s or received > until_s:
            continue
        if frame.voiced and abs(69 + 12 * math.log2(frame.frequency_hz / 440.0) - midi) < 0.5:
            return received
    return math.nan


def step_latencies_file(model, settings: Settings, n_steps: int = 40, rate_hz: int = 48000,
                        seed: int = 1, hop_samples: int | None = None) -> np.ndarray:
    """Latency of each pitch step through the real-time file source (seconds, NaN = missed).

    From the moment the step's first sample entered the ring buffer to the first frame at the
    new pitch.
    """
    audio, steps, midis, _ = step_signal(rate_hz, n_steps, seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "steps.wav"
        sf.write(str(path), audio, rate_hz, subtype="FLOAT")
        extra = {} if hop_samples is None else {"hop_samples": hop_samples}
        engine = Engine(settings, model, FileSource(path, realtime=True), **extra)
        log = FrameLog()
        engine.subscribe(log)
        engine.start()
        engine.wait(audio.size / rate_hz + 10)
        arrivals = [engine.sample_arrival_time(int(s)) for s in steps]
        engine.stop()
    out = []
    for i, (arrival, midi) in enumerate(zip(arrivals, midis)):
        until = arrivals[i + 1] if i + 1 < len(arrivals) else math.inf
        out.append(first_frame_at(log, arrival, midi, until) - arrival)
    return np.array(out)


def summarize_ms(latencies_s: np.ndarray) -> str:
    """'median X ms, p95 Y ms (n found / N)'."""
    found = latencies_s[np.isfinite(latencies_s)]
    if found.size == 0:
        return "no step detected"
    return (f"median {1000 * np.median(found):.1f} ms, p95 {1000 * np.percentile(found, 95):.1f} "
            f"ms, min {1000 * found.min():.1f}, max {1000 * found.max():.1f} "
            f"({found.size}/{latencies_s.size} steps detected)")

