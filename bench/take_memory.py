"""Memory and worker cost of recording a long take.

Writes --minutes (default 10) of 48 kHz audio (a harmonic melody) to a temp WAV, feeds it through
the engine as fast as the worker takes it (FileSource realtime=False, the real SPICE model) while
a TakeRecorder records it, and prints: RSS before, after 1 minute of take and at the end; the
spool file's size; the take's duration and frame count; the time each spool write took on the
worker thread (median, 99th percentile, max) against the 32 ms between frames. Then it saves the
take with save_take and prints how long that took. Last, --live-seconds (default 15) of the file
paced in real time (10 ms blocks, as a microphone delivers them) give the write times the worker
sees live, and the engine's skipped windows and latency while recording.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel python bench/take_memory.py [--minutes 10]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
import soundfile as sf

from engine_common import load_spice

from pitchlive.audio.sources import FileSource
from pitchlive.engine import Engine
from pitchlive.settings import Settings
from pitchlive.takes import TakeRecorder, save_take

RATE_HZ = 48000


def write_long_file(path: Path, minutes: float) -> None:
    """A melody of 0.5 s harmonic notes, written a minute at a time (memory stays small)."""
    t = np.arange(RATE_HZ // 2) / RATE_HZ
    notes = []
    for midi in (57, 60, 64, 67, 69, 72, 67, 64):
        f = 440.0 * 2 ** ((midi - 69) / 12)
        tone = sum(np.sin(2 * np.pi * k * f * t) / k for k in range(1, 5)) * 0.2
        fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
        notes.append((tone * fade).astype(np.float32))
    minute = np.tile(np.concatenate(notes), 15)            # 8 notes * 0.5 s * 15 = 60 s
    with sf.SoundFile(str(path), "w", RATE_HZ, 1, "FLOAT") as handle:
        whole, part = divmod(minutes, 1.0)
        for _ in range(int(whole)):
            handle.write(minute)
        handle.write(minute[:int(part * 60 * RATE_HZ)])


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--live-seconds", type=float, default=15.0)
    args = parser.parse_args()
    model = load_spice()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        source_path = tmp_dir / "long.wav"
        write_long_file(source_path, args.minutes)
        engine = Engine(Settings(), model, FileSource(source_path, realtime=False))
        recorder = TakeRecorder(engine, spool_dir=tmp_dir / "spool")
        recorder.measure_writes = True
        rss_start = rss_mb()
        recorder.start()
        started = time.monotonic()
        engine.start()
        rss_minute = None
        while engine.running:
            if rss_minute is None and recorder.elapsed_s >= 60.0:
                rss_minute = rss_mb()
            time.sleep(0.05)
        engine.wait()
        take = recorder.stop()
        took_s = time.monotonic() - started
        rss_end = rss_mb()
        writes_ms = np.array(recorder.write_times_s) * 1e3
        spool_mb = take.audio_path.stat().st_size / 1e6
        print(f"take: {take.duration_s / 60:.2f} min of {take.sample_rate_hz:.0f} Hz audio, "
              f"{take.track.n_frames} frames, recorded in {took_s:.1f} s "
              f"({take.duration_s / took_s:.0f}x real time)")
        print(f"RSS: start {rss_start:.1f} MB, after 1 min of take "
              f"{rss_minute if rss_minute is not None else float('nan'):.1f} MB, "
              f"end {rss_end:.1f} MB (growth after the first minute "
              f"{rss_end - (rss_minute or rss_start):+.1f} MB)")
        print(f"spool: {spool_mb:.1f} MB ({spool_mb / (take.duration_s / 60):.1f} MB per minute)")
        print(f"spool writes on the worker thread: {writes_ms.size} blocks, median "
              f"{np.median(writes_ms):.3f} ms, p99 {np.percentile(writes_ms, 99):.3f} ms, max "
              f"{writes_ms.max():.3f} ms (a frame every 32 ms)")
        out = tmp_dir / "saved"
        out.mkdir()
        saving = time.monotonic()
        saved = save_take(take, out, Settings())
        print(f"save_take: {time.monotonic() - saving:.2f} s for {saved.wav_path.name} "
              f"({saved.wav_path.stat().st_size / 1e6:.1f} MB) and {saved.csv_path.name} "
              f"({saved.csv_path.stat().st_size / 1e6:.1f} MB); RSS {rss_mb():.1f} MB")
        take.discard()
        live_phase(model, source_path, tmp_dir, args.live_seconds)


def live_phase(model, source_path: Path, tmp_dir: Path, seconds: float) -> None:
    """Record a real-time run and report the per-block write cost and the engine's health."""
    engine = Engine(Settings(), model, FileSource(source_path, realtime=True))
    recorder = TakeRecorder(engine, spool_dir=tmp_dir / "spool")
    recorder.measure_writes = True
    recorder.start()
    engine.start()
    time.sleep(seconds)
    stats = engine.stats()
    engine.stop()
    take = recorder.stop()
    writes_ms = np.array(recorder.write_times_s) * 1e3
    print(f"live ({take.duration_s:.1f} s, real time): {writes_ms.size} blocks of "
          f"~{take.duration_s / max(writes_ms.size, 1) * 1e3:.0f} ms, write median "
          f"{np.median(writes_ms):.3f} ms, p99 {np.percentile(writes_ms, 99):.3f} ms, max "
          f"{writes_ms.max():.3f} ms; engine: {stats.skipped_windows} skipped windows, "
          f"{stats.ring_overruns} ring overruns, latency {stats.latency_s * 1e3:.0f} ms")
    take.discard()


if __name__ == "__main__":
    main()
