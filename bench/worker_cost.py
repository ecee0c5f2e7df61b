"""The engine worker's own work per second of 48 kHz audio, without threads or waiting.

What the worker does for each 10 ms block of a 30 s pitch-step signal (bench/engine_common.py
step_signal), on this thread: resampling to 16 kHz, the sliding windows, the model call on each
due window (the live backend) and the tracking stage (refinement, voicing, tuning offset,
vibrato, naming). Thread CPU seconds per second of audio, --repeats times (min and median), so
two versions of the code can be compared in one sitting on a busy machine: run it from each
checkout.

--paced sleeps after each frame as the live worker does between windows (it wakes ~31 times a
second): the same work then costs 1.5-2 times the CPU here (`--seconds 10 --repeats 2`:
0.033 -> 0.051 CPU s per s, load ~2.5; caches and branch predictors go cold while it sleeps),
which is why the engine's worker costs more than this loop's figure without --paced.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel python bench/worker_cost.py
"""

from __future__ import annotations

import argparse
import statistics
import time

from engine_common import chosen_settings, load_spice, step_signal

from pitchlive.audio.resample import StreamingResampler
from pitchlive.audio.windows import SlidingWindows
from pitchlive.frames import ModelFrame
from pitchlive.tracking.live import LiveTracker

RATE_HZ = 48000
BLOCK = RATE_HZ // 100


def run_once(audio, model, settings, pause_s: float = 0.0) -> int:
    """Process the signal as the worker would; returns the frames made. pause_s: sleep this
    long after each block that made a frame (the live worker's wait for the next window)."""
    resampler, windows = StreamingResampler(RATE_HZ, 16000), SlidingWindows()
    tracker = LiveTracker(settings)
    tracker.start_stream(settings)
    window_samples, right_context = settings.live_window
    frames = 0
    for start in range(0, audio.size, BLOCK):
        windows.push(resampler.process(audio[start:start + BLOCK]))
        made = frames
        while (result := windows.next_due(model.infer, window_samples, right_context,
                                          stand_in=tracker.model_stand_in)) is not None:
            tracker.process(ModelFrame(result.centre_sample / 16000, result.frequency_hz,
                                       result.confidence, result.level_dbfs, result.window_16k,
                                       result.centre_index, result.model_ran), settings)
            frames += 1
        if pause_s and frames > made:
            time.sleep(pause_s)
    return frames


def main() -> None:
    """Print the worker's CPU per second of audio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--paced", action="store_true",
                        help="sleep 30 ms after each frame, as the live worker waits (slow)")
    args = parser.parse_args()
    pause_s = 0.030 if args.paced else 0.0
    model = load_spice()
    settings = chosen_settings()
    audio = step_signal(RATE_HZ, int(args.seconds / 0.45) + 2)[0][:int(args.seconds * RATE_HZ)]
    run_once(audio[:RATE_HZ * 2], model, settings)            # warm caches and the model
    costs = []
    for _ in range(args.repeats):
        start = time.thread_time()
        frames = run_once(audio, model, settings, pause_s)
        costs.append((time.thread_time() - start) / args.seconds)
    print(f"worker{', paced' if pause_s else ''}, {args.seconds:.0f} s at 48 kHz ({frames} "
          f"frames): min {min(costs):.4f}, "
          f"median {statistics.median(costs):.4f} CPU s per s")


if __name__ == "__main__":
    main()
