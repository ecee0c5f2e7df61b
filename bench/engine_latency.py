"""Latency of the live engine: a pitch step in, the first frame at the new pitch out.

1. Real-time file source (the engine alone): from the moment the step's first sample enters the
   ring buffer to the first emitted frame that is voiced and within 50 cents of the new pitch.
2. Software microphone (PulseAudio): the same step signal is played into the null sink by a
   sounddevice OutputStream in this process; we note when each block is handed to PortAudio,
   locate each step in the captured audio (a chirp, then +-50 ms around the step), and split
   the total into the part before the ring buffer (PulseAudio: playback client buffer, sink,
   monitor source, capture client) and the engine's part after it. The playing stream's buffer
   (PortAudio's 'high' latency by default, ~35 ms here; --player-latency low: ~9 ms) belongs to
   the rig, not to a user's microphone path: its reported latency is subtracted for the capture
   side alone.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel python bench/engine_latency.py
"""

from __future__ import annotations

import argparse
import math
import threading
import time

import numpy as np

from engine_common import (FrameLog, chosen_settings, first_frame_at, load_spice,
                           step_latencies_file, step_signal, summarize_ms)

from pitchlive.audio import sources
from pitchlive.audio.sources import MicrophoneSource
from pitchlive.engine import Engine

RATE_HZ = 48000


def mic_latencies(model, settings, n_steps: int, seed: int = 2, player_latency="high"):
    """(pulse part, engine part, total) per step through the software microphone, seconds,
    and the playback stream's reported output latency (s).

    player_latency is the playing OutputStream's latency setting (PortAudio's 'high' or 'low',
    or seconds): the player's buffer is the test rig's, not part of any user's microphone path.
    """
    import sounddevice as sd
    from fakemic import FakeMic

    audio, steps, midis, _ = step_signal(RATE_HZ, n_steps, seed)
    # A chirp marks the start unambiguously (a periodic tone correlates at every period).
    t = np.arange(RATE_HZ // 20) / RATE_HZ
    chirp = (0.3 * np.sin(2 * np.pi * (200 * t + 0.5 * 8000 / t[-1] * t ** 2))).astype(np.float32)
    lead_in = RATE_HZ // 2
    audio = np.concatenate([np.zeros(lead_in, np.float32), chirp,
                            np.zeros(RATE_HZ // 2, np.float32), audio,
                            np.zeros(RATE_HZ // 2, np.float32)])
    steps = steps + lead_in + chirp.size + RATE_HZ // 2
    with FakeMic():
        engine = Engine(settings, model, MicrophoneSource(sample_rate_hz=RATE_HZ))
        log = FrameLog()
        engine.subscribe(log)
        engine.start()
        captured: list[np.ndarray] = []
        stop_capture = threading.Event()

        def keep_audio() -> None:
            # The ring buffer holds 4 s; copy it out well before it wraps.
            pos = 0
            while not stop_capture.wait(0.25):
                end = engine.input_samples
                captured.append(engine.recent_audio(pos, end))
                pos = end

        copier = threading.Thread(target=keep_audio)
        copier.start()
        handed = np.zeros(audio.size // 16 + 2)          # hand-off time per played block
        handed_end = np.zeros_like(handed, dtype=np.int64)
        state = {"pos": 0, "n": 0}
        done = threading.Event()

        def play(outdata, frames, time_info, status) -> None:
            pos = state["pos"]
            n = min(frames, audio.size - pos)
            outdata[:n, 0] = audio[pos:pos + n]
            outdata[n:, 0] = 0.0
            state["pos"] = pos + n
            handed[state["n"]] = time.monotonic()
            handed_end[state["n"]] = pos + n
            state["n"] += 1
            if n < frames:
                raise sd.CallbackStop

        time.sleep(0.5)
        with sd.OutputStream(samplerate=RATE_HZ, channels=1, dtype="float32", callback=play,
                             latency=player_latency, finished_callback=done.set) as out:
            output_latency_s = out.latency
            done.wait(audio.size / RATE_HZ + 10)
        time.sleep(0.5)
        stop_capture.set()
        copier.join()
        engine.stop()
        recording = np.concatenate(captured)
    # Where the played signal starts in the recording (recording index = played index + offset).
    corr = np.correlate(recording[:RATE_HZ * 4], chirp, mode="valid")
    offset = int(np.argmax(corr)) - lead_in
    # PulseAudio may insert silence when the player underruns, so the recording's offset from
    # the played signal can change: align each step on its own +-50 ms neighbourhood.
    offsets = []
    for step in steps:
        offset = local_offset(recording, audio, int(step), offset)
        offsets.append(offset)
    n_blocks = state["n"]
    rows = []
    for i, (step, midi) in enumerate(zip(steps, midis)):
        block = int(np.searchsorted(handed_end[:n_blocks], step, side="right"))
        handoff = handed[block]
        arrival = engine.sample_arrival_time(int(step + offsets[i]))
        until = (engine.sample_arrival_time(int(steps[i + 1] + offsets[i + 1]))
                 if i + 1 < len(steps) else math.inf)
        frame = first_frame_at(log, arrival, midi, until)
        rows.append((arrival - handoff, frame - arrival, frame - handoff))
    return np.array(rows), output_latency_s


def local_offset(recording: np.ndarray, played: np.ndarray, step: int, guess: int,
                 half_s: float = 0.05, search_s: float = 0.5) -> int:
    """Offset (recording index - played index) that best aligns the audio around a step."""
    half, search = int(half_s * RATE_HZ), int(search_s * RATE_HZ)
    template = played[step - half:step + half]
    lo = max(0, step + guess - search - half)
    region = recording[lo:step + guess + search + half]
    if region.size < template.size:
        return guess
    corr = np.correlate(region, template, mode="valid")
    energy = np.sqrt(np.convolve(region ** 2, np.ones(template.size), mode="valid")) + 1e-9
    return lo + int(np.argmax(corr / energy)) + half - step


def _latency_arg(text: str):
    return text if text in ("low", "high") else float(text)


def main() -> None:
    """Print the latency figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--no-mic", action="store_true", help="skip the software microphone")
    parser.add_argument("--no-file", action="store_true", help="skip the real-time file source")
    parser.add_argument("--smoothing", choices=("off", "on", "both"), default="both")
    parser.add_argument("--player-latency", type=_latency_arg, default="high",
                        help="the playing stream's PortAudio latency: high (default), low or "
                             "seconds; the player is the rig's, not the user's microphone path")
    parser.add_argument("--mic-block-ms", type=float, default=None,
                        help="study: capture block length instead of sources.MIC_BLOCK_S")
    args = parser.parse_args()
    if args.mic_block_ms is not None:
        sources.MIC_BLOCK_S = args.mic_block_ms / 1000
    model = load_spice()
    print(f"microphone blocks {1000 * sources.MIC_BLOCK_S:.1f} ms, player latency "
          f"{args.player_latency}")
    for smoothing in {"off": (False,), "on": (True,), "both": (False, True)}[args.smoothing]:
        settings = chosen_settings(smoothing=smoothing)
        print(f"settings: window {settings.window_samples} samples, right context "
              f"{settings.right_context_samples} samples, smoothing "
              f"{'on' if smoothing else 'off'}")
        if not args.no_file:
            lat = step_latencies_file(model, settings, n_steps=args.steps)
            print(f"  file source, ring buffer -> frame: {summarize_ms(lat)}", flush=True)
        if not args.no_mic:
            rows, output_latency_s = mic_latencies(model, settings, args.steps,
                                                   player_latency=args.player_latency)
            print(f"  software mic, hand-off to PulseAudio -> frame: {summarize_ms(rows[:, 2])}")
            print(f"    PulseAudio part (hand-off -> ring buffer): {summarize_ms(rows[:, 0])}; "
                  f"the playback stream reports {1000 * output_latency_s:.0f} ms output latency")
            # The player's buffer is the rig's: a user's microphone has none.
            print(f"    capture side alone (PulseAudio part - the player's output latency): "
                  f"median {1000 * (np.median(rows[:, 0]) - output_latency_s):.1f} ms")
            print(f"    engine part (ring buffer -> frame): {summarize_ms(rows[:, 1])}",
                  flush=True)


if __name__ == "__main__":
    main()
