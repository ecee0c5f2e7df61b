"""The microphone reader's CPU and delivery time, per way of reading (software microphone).

The reader (pitchlive.audio.mic_reader) reads up to the worker's next window, ~1536 samples at
48 kHz, ~31 times a second. Ways compared, each for --seconds on a fresh InputStream (10 ms
blocks, latency='low', 2 channels, as MicrophoneSource opens it):
- blocking: sounddevice's stream.read(wanted) at once (PortAudio waits, waking every block);
- blocking, preallocated: the same read with mic_reader.PreallocatedRead (the reader's way);
- sleeping: sleep until the wanted samples can have been recorded, then stream.read(wanted);
- sleeping, preallocated: the same, reading with mic_reader.PreallocatedRead.
The sleeping ways are not used: a read begun after the sound server died hung in PortAudio for
good (tests/test_engine_mic.py on a loaded machine), while a read already waiting fails at once.
Printed per way: CPU seconds per second of the reading thread and of PulseAudio's client thread
(threaded-ml, in ALSA's pulse plugin), and the reading thread's CPU per read. Then the delay:
on one stream, reads alternate between blocking and each other way; a read's return time minus
the time its last sample was due (stream start + samples / rate) is compared with the mean of
its two blocking neighbours (their mean difference, in ms: > 0 means later).

    python bench/reader_cost.py --seconds 10
"""

from __future__ import annotations

import argparse
import os
import threading
import time

import numpy as np

from engine_common import ROOT  # noqa: F401 - puts the checkout and tests/ on sys.path
from fakemic import FakeMic

from pitchlive.audio.devices import import_sounddevice
from pitchlive.audio.mic_reader import PreallocatedRead

RATE_HZ = 48000
BLOCK = 480
WINDOW = 1536


def thread_cpu_s() -> dict[int, tuple[str, float]]:
    """{thread id: (kernel's name, CPU seconds)} from /proc/self/task/*/schedstat (ns)."""
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/comm", encoding="ascii") as comm, \
                    open(f"/proc/self/task/{tid}/schedstat", encoding="ascii") as stat:
                out[int(tid)] = (comm.read().strip(), int(stat.read().split()[0]) / 1e9)
        except OSError:
            continue
    return out


def open_stream(sd):
    stream = sd.InputStream(samplerate=RATE_HZ, channels=2, dtype="float32", blocksize=BLOCK,
                            latency="low")
    stream.start()
    return stream


def reading_way(name: str, sd, stream):
    """read(wanted) -> frames read, for one way of reading."""
    reader = PreallocatedRead(sd, stream, 2, 10 * WINDOW)

    def read(wanted: int) -> int:
        if name.startswith("sleeping"):
            missing = wanted - stream.read_available
            if missing > BLOCK:
                time.sleep(missing / RATE_HZ)
        data, _ = reader.read(wanted) if name.endswith("preallocated") else \
            stream.read(wanted)
        return data.shape[0]
    return read


def cpu_of(name: str, sd, seconds: float) -> None:
    stream = open_stream(sd)
    read = reading_way(name, sd, stream)
    stop = threading.Event()
    reads: list[float] = []

    def body() -> None:
        have = target = 0
        while not stop.is_set():
            target += WINDOW
            have += read(target - have)
            reads.append(time.thread_time())

    thread = threading.Thread(target=body, name="reader")
    thread.start()
    time.sleep(1.0)
    before, wall, first = thread_cpu_s(), time.monotonic(), len(reads)
    time.sleep(seconds)
    after, wall, last = thread_cpu_s(), time.monotonic() - wall, len(reads)
    stop.set()
    thread.join()
    stream.abort()
    stream.close()
    shares: dict[str, float] = {}
    for tid, (comm, cpu) in after.items():
        key = "reader" if tid == thread.native_id else comm
        shares[key] = shares.get(key, 0.0) + (cpu - before.get(tid, (comm, 0.0))[1]) / wall
    per_read = (reads[last - 1] - reads[first]) / max(1, last - 1 - first)
    print(f"{name:24s} reader {shares.get('reader', 0.0):.4f}  threaded-ml "
          f"{shares.get('threaded-ml', 0.0):.4f} CPU s per s;  {per_read * 1e6:.0f} us a read",
          flush=True)


def delay_of(name: str, sd, seconds: float) -> None:
    stream = open_stream(sd)
    ways = [reading_way("blocking", sd, stream), reading_way(name, sd, stream)]
    have = target = k = 0
    rows = []
    started = time.monotonic()
    while time.monotonic() < started + seconds:
        target += WINDOW
        have += ways[k % 2](target - have)
        rows.append(time.monotonic() - have / RATE_HZ)
        k += 1
    stream.abort()
    stream.close()
    offsets = np.array(rows[20:20 + 2 * ((len(rows) - 21) // 2) + 1])
    blocking, other = offsets[0::2], offsets[1::2]
    diff_ms = (other - (blocking[:-1] + blocking[1:]) / 2) * 1000
    print(f"{name:24s} returns {diff_ms.mean():+.2f} ms later than a blocking read "
          f"(median {np.median(diff_ms):+.2f}, {diff_ms.size} reads)", flush=True)


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with FakeMic():
        sd = import_sounddevice()
        for name in ("blocking", "blocking, preallocated", "sleeping", "sleeping, preallocated"):
            cpu_of(name, sd, args.seconds)
        for name in ("blocking, preallocated", "sleeping", "sleeping, preallocated"):
            delay_of(name, sd, args.seconds)


if __name__ == "__main__":
    main()
