"""The engine with file sources: frames, timing, voicing, skipping, failures, start/stop.

The real SPICE v1 model runs wherever the result depends on it; the skip and failure logic use
small stand-in models with SPICE's interface (slow, or failing on cue).
"""

import math
import threading
import time

import numpy as np
import pytest

from pitchlive.analysis.inference import predict
from pitchlive.audio.devices import DeviceError
from pitchlive.audio.files import AudioFileError
from pitchlive.audio.resample import StreamingResampler
from pitchlive.audio.sources import FileSource
from pitchlive.audio.windows import SlidingWindows
from pitchlive.engine import Engine, EngineEvent
from pitchlive.frames import PitchFrame
from pitchlive.model import ModelError
from pitchlive.music import hz_to_midi
from pitchlive.settings import Settings
from synth import PROGRAM_VIOLIN, harmonic_tone, melody_notes, render_midi, truth_at, write_wav

RAW = Settings(smoothing=False, refine=False)   # the model's frames as windowed, nothing after


class Recorder:
    """Frame and event subscriber that remembers what it got and when."""

    def __init__(self, engine: Engine) -> None:
        self.frames: list[PitchFrame] = []
        self.received: list[float] = []
        self.events: list[EngineEvent] = []
        engine.subscribe(self.on_frame)
        engine.subscribe_events(self.events.append)

    def on_frame(self, frame: PitchFrame) -> None:
        self.frames.append(frame)
        self.received.append(time.monotonic())

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]

    def array(self, name: str) -> np.ndarray:
        return np.array([getattr(f, name) for f in self.frames], dtype=float)


class SlowModel:
    """Takes delay_s per call; frequency_hz on every frame, with confidence; counts its calls."""

    def __init__(self, delay_s: float, frequency_hz: float = 440.0,
                 confidence: float = 1.0) -> None:
        self.delay_s = delay_s
        self.frequency_hz, self.confidence = frequency_hz, confidence
        self.calls = 0

    def infer(self, audio):
        self.calls += 1
        time.sleep(self.delay_s)
        n = audio.size // 512 + 1
        return np.full(n, self.frequency_hz), np.full(n, self.confidence)


class FailingModel(SlowModel):
    """Works for fail_after calls (the engine's warm-up call included), then raises error."""

    def __init__(self, fail_after: int, error: Exception | None = None) -> None:
        super().__init__(0.0)
        self.fail_after = fail_after
        self.error = error or ModelError("SPICE failed while running (InternalError: out of "
                                         "memory).")

    def infer(self, audio):
        if self.calls >= self.fail_after:
            raise self.error
        return super().infer(audio)


def pitchlive_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("pitchlive")]


@pytest.fixture(scope="module")
def violin(tmp_path_factory):
    notes = melody_notes([55, 59, 62, 67, 71, 74, 72, 69, 66, 62], note_s=0.45)
    audio = render_midi(notes, PROGRAM_VIOLIN, 44100)
    path = write_wav(tmp_path_factory.mktemp("engine") / "violin.wav", audio, 44100)
    return path, audio, notes


@pytest.mark.model
def test_fast_file_source_gives_exactly_the_live_windowing_of_the_file(spice_model, violin,
                                                                      soundfont_path):
    path, audio, notes = violin
    engine = Engine(RAW, spice_model, FileSource(path, realtime=False))
    rec = Recorder(engine)
    engine.start()
    assert engine.wait(60)
    engine.stop()
    assert rec.kinds() == ["started", "stopped"] and "end of violin.wav" in rec.events[-1].message
    # Reference: the same windows computed directly on the whole resampled file.
    resampler = StreamingResampler(44100, 16000)
    audio_16k = np.concatenate([resampler.process(audio), resampler.flush()])
    windows = SlidingWindows()
    expected = []
    for start in range(0, audio_16k.size, 4096):
        windows.push(audio_16k[start:start + 4096])
        expected.extend(windows.due(spice_model.infer, RAW.window_samples,
                                    RAW.right_context_samples))
    windows.finish()
    expected.extend(windows.due(spice_model.infer, RAW.window_samples,
                                RAW.right_context_samples))
    assert len(rec.frames) == len(expected) == audio_16k.size // 512 + 1
    np.testing.assert_allclose(rec.array("time_s"), [r.centre_sample / 16000 for r in expected])
    np.testing.assert_allclose(rec.array("frequency_hz"), [r.frequency_hz for r in expected],
                               rtol=1e-4)
    # ... and it tracks the melody: voiced frames inside notes are the right note.
    times, midi = rec.array("time_s"), hz_to_midi(rec.array("frequency_hz"))
    voiced = np.array([f.voiced for f in rec.frames])
    truth = truth_at(notes, times)
    inside = voiced & ~np.isnan(truth)
    assert inside.sum() > 0.6 * (~np.isnan(truth)).sum()
    assert np.mean(np.abs(midi[inside] - truth[inside]) < 0.5) >= 0.9
    # Live windowing agrees with whole-file analysis on most frames.
    whole = predict(audio, 44100, spice_model, refine=False)
    both = voiced & (whole.confidence >= 0.9)
    assert np.mean(np.abs(midi[both] - hz_to_midi(whole.frequency_hz[both])) < 0.5) > 0.97
    stats = engine.stats()
    assert stats.frames_emitted == len(rec.frames) and stats.skipped_windows == 0
    assert stats.device_name == "violin.wav" and stats.device_rate_hz == 44100
    assert not stats.running and pitchlive_threads() == []


@pytest.mark.model
def test_frames_carry_note_cents_level_and_follow_naming_settings(spice_model, tmp_path):
    path = write_wav(tmp_path / "a.wav", harmonic_tone(440 * 2 ** (30 / 1200), 1.0, 16000,
                                                       amplitude=0.5), 16000)
    settings = RAW.replace(transposition="Bb", prefer_flats=True)
    engine = Engine(settings, spice_model, FileSource(path, realtime=False))
    rec = Recorder(engine)
    engine.start()
    engine.wait(30)
    middle = [f for f in rec.frames if 0.2 < f.time_s < 0.8]
    assert middle and all(f.voiced for f in middle)
    for f in middle:
        assert f.midi == 69 and f.note == "B4"               # A4 concert, written B4 for Bb
        assert f.cents == pytest.approx(30, abs=12)
        assert f.level_dbfs == pytest.approx(-12, abs=3)     # 0.5 peak harmonic tone
        assert f.is_pitch


@pytest.mark.model
def test_level_gate_unvoices_quiet_input_that_the_model_is_sure_about(spice_model, tmp_path):
    quiet = harmonic_tone(330.0, 1.0, 16000, amplitude=0.0003)   # about -75 dBFS RMS
    path = write_wav(tmp_path / "quiet.wav", quiet, 16000)
    results = {}
    for gate in (-60.0, -100.0):
        engine = Engine(RAW.replace(level_gate_dbfs=gate), spice_model,
                        FileSource(path, realtime=False))
        rec = Recorder(engine)
        engine.start()
        engine.wait(30)
        middle = [f for f in rec.frames if 0.2 < f.time_s < 0.8]
        assert all(f.confidence > 0.9 and f.level_dbfs < -70 for f in middle)
        results[gate] = [f.voiced for f in middle]
    assert not any(results[-60.0])
    assert all(results[-100.0])


@pytest.mark.model
def test_settings_change_while_running(spice_model, tmp_path):
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(262.0, 2.0, 48000), 48000)
    engine = Engine(RAW, spice_model, FileSource(path, realtime=True))
    rec = Recorder(engine)
    engine.start()
    time.sleep(1.0)
    engine.update_settings(RAW.replace(confidence_threshold=1.0))
    changed_at = time.monotonic()
    assert engine.wait(10)
    before = [f.voiced for f, t in zip(rec.frames, rec.received) if 0.2 < f.time_s and
              t < changed_at]
    after = [f.voiced for f, t in zip(rec.frames, rec.received) if t > changed_at + 0.05]
    assert before and all(before)
    assert after and not any(after)
    assert engine.settings.confidence_threshold == 1.0


@pytest.mark.model
def test_realtime_file_source_is_paced_like_a_microphone(spice_model, tmp_path):
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(330.0, 2.0, 48000), 48000)
    engine = Engine(RAW, spice_model, FileSource(path, realtime=True))
    rec = Recorder(engine)
    started = time.monotonic()
    engine.start()
    assert engine.wait(10)
    took = time.monotonic() - started
    assert 1.95 < took < 3.0
    assert len(rec.frames) == 96000 // 3 // 512 + 1
    # Each frame comes out soon after its audio: frame time tracks wall time.
    lags = [(t - started) - f.time_s for f, t in zip(rec.frames, rec.received)]
    assert np.median(lags) < 0.15
    stats = engine.stats()
    assert 0 < stats.latency_s < 1.0 and stats.skipped_windows == 0


def test_slow_model_makes_the_worker_skip_stale_windows_with_bounded_latency(tmp_path):
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(440.0, 3.0, 16000), 16000)
    model = SlowModel(delay_s=0.07)          # 70 ms per call, new window every 32 ms
    engine = Engine(RAW, model, FileSource(path, realtime=True))
    rec = Recorder(engine)
    right_context_s = RAW.live_window[1] / 16000
    lags = []                                # frame received - its newest sample arrived (s)

    def lag_of(frame) -> None:
        newest = int(round((frame.time_s + right_context_s) * 16000)) - 1
        lags.append(time.monotonic() - engine.sample_arrival_time(newest))

    engine.subscribe(lag_of)
    engine.start()
    assert engine.wait(15)
    stats = engine.stats()
    assert stats.skipped_windows > 20
    assert stats.frames_emitted == len(rec.frames) == model.calls - 1   # - the warm-up call
    assert stats.frames_emitted + stats.skipped_windows == 48000 // 512 + 1
    # Latency stays bounded instead of growing: without skips it would grow by ~1.2 s per
    # second of audio (70 ms of work per 32 ms), ~3 s by the end. Measured from each frame's
    # newest sample's arrival, so neither start-up nor a busy machine's scheduling counts twice.
    # (After the file's end the remaining windows all run, so its last 0.3 s are left out.)
    lags = np.array(lags)
    times = rec.array("time_s")
    live = times < 2.7
    assert np.isfinite(lags[live]).all()
    assert lags[live].max() < 0.6
    assert np.median(lags[live & (times > 1.7)]) < np.median(lags[times < 1.0]) + 0.15


def test_fast_file_source_never_skips_even_with_a_slow_model(tmp_path):
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(440.0, 1.0, 16000), 16000)
    model = SlowModel(delay_s=0.01)
    engine = Engine(RAW, model, FileSource(path, realtime=False))
    engine.start()
    assert engine.wait(15)
    assert engine.stats().skipped_windows == 0
    assert model.calls == 1 + 16000 // 512 + 1                          # warm-up + every window


def test_model_failure_is_reported_and_stops_the_engine(tmp_path):
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(440.0, 5.0, 16000), 16000)
    engine = Engine(RAW, FailingModel(fail_after=11), FileSource(path, realtime=True))
    rec = Recorder(engine)
    engine.start()
    assert engine.wait(5), "the engine did not stop after the model failed"
    assert rec.kinds() == ["started", "error", "stopped"]
    assert "SPICE failed while running" in rec.events[1].message
    assert len(rec.frames) == 10
    assert not engine.running and pitchlive_threads() == []
    engine.stop()                                      # harmless after an error


def test_unexpected_model_exception_gets_a_user_message(tmp_path):
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(440.0, 1.0, 16000), 16000)
    model = FailingModel(fail_after=5, error=RuntimeError("boom"))
    engine = Engine(RAW, model, FileSource(path, realtime=False))
    rec = Recorder(engine)
    engine.start()
    assert engine.wait(5)
    assert rec.kinds() == ["started", "error", "stopped"]
    assert "model failed while running (RuntimeError: boom)" in rec.events[1].message


def test_model_broken_from_the_start_fails_start_with_a_clear_error(tmp_path):
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(440.0, 1.0, 16000), 16000)
    engine = Engine(RAW, FailingModel(fail_after=0, error=RuntimeError("boom")),
                    FileSource(path, realtime=True))
    rec = Recorder(engine)
    with pytest.raises(ModelError, match=r"model failed while running \(RuntimeError: boom\)"):
        engine.start()
    assert not engine.running and rec.events == [] and pitchlive_threads() == []


def test_stop_restart_and_subscriptions(tmp_path):
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(440.0, 10.0, 16000), 16000)
    engine = Engine(RAW, SlowModel(0.0), FileSource(path, realtime=True))
    got_a, got_b = [], []
    unsubscribe_a = engine.subscribe(got_a.append)
    engine.subscribe(got_b.append)

    def broken_subscriber(frame):
        raise ValueError("a faulty subscriber must not stop the engine")

    engine.subscribe(broken_subscriber)
    for _ in range(2):                                   # start, stop, start again
        got_a.clear()
        engine.start()
        engine.start()                                   # no-op while running
        assert engine.running
        time.sleep(0.5)
        engine.stop()
        assert not engine.running and pitchlive_threads() == []
        assert 10 <= len(got_a) <= 25                    # about 0.5 s of frames, from t = 0
        assert got_a[0].time_s == 0.0
    unsubscribe_a()
    count_a, count_b = len(got_a), len(got_b)
    engine.start()
    time.sleep(0.3)
    engine.stop()
    assert len(got_a) == count_a and len(got_b) > count_b


def test_stop_from_a_subscriber_does_not_deadlock(tmp_path):
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(440.0, 5.0, 16000), 16000)
    engine = Engine(RAW, SlowModel(0.0), FileSource(path, realtime=True))
    engine.subscribe(lambda frame: engine.stop() if frame.time_s >= 0.3 else None)
    engine.start()
    assert engine.wait(3)
    engine.stop()
    assert pitchlive_threads() == []


def test_missing_file_and_bad_channel_fail_at_start(tmp_path):
    with pytest.raises(AudioFileError, match="no such file"):
        Engine(RAW, SlowModel(0.0), FileSource(tmp_path / "missing.wav")).start()
    path = write_wav(tmp_path / "stereo.wav", np.zeros((1600, 2), np.float32), 16000)
    with pytest.raises(AudioFileError, match="no channel 2"):
        Engine(RAW, SlowModel(0.0), FileSource(path, channel=2)).start()
    with pytest.raises(ValueError):
        FileSource(path, realtime=False, play=True)


def test_file_channel_choice(tmp_path):
    left = harmonic_tone(220.0, 1.0, 16000)
    right = harmonic_tone(660.0, 1.0, 16000)
    path = write_wav(tmp_path / "stereo.wav", np.stack([left, right], axis=1), 16000)

    class Echo:
        """Reports the window's RMS as the 'frequency', to see which channel arrived."""

        def infer(self, audio):
            n = audio.size // 512 + 1
            return np.full(n, float(np.sqrt(np.mean(audio[-2048:] ** 2)))), np.ones(n)

    levels = {}
    for channel in (None, 0, 1):
        engine = Engine(RAW, Echo(), FileSource(path, realtime=False, channel=channel))
        rec = Recorder(engine)
        engine.start()
        engine.wait(10)
        levels[channel] = float(np.median(rec.array("frequency_hz")[5:25]))
    assert levels[0] == pytest.approx(np.sqrt(np.mean(left ** 2)), rel=0.05)
    assert levels[None] < levels[0]        # the mix of two unrelated tones at half amplitude


def test_stats_before_start(tmp_path):
    engine = Engine(RAW, SlowModel(0.0), FileSource(tmp_path / "x.wav"))
    stats = engine.stats()
    assert stats.frames_emitted == 0 and not stats.running and math.isnan(stats.latency_s)
    assert math.isnan(engine.sample_arrival_time(0))


def test_device_error_type_is_shared():
    # Sources raise the devices module's DeviceError, which the CLI prints without a traceback.
    from pitchlive.audio import sources

    assert sources.DeviceError is DeviceError


# --- tuning offset and audio subscription ------------------------------------------------------

@pytest.fixture(scope="module")
def flat_violin(tmp_path_factory, soundfont_path):
    """The violin melody 30 cents flat: rendered at a higher rate and labelled 44.1 kHz."""
    notes = melody_notes([55, 59, 62, 67, 71, 74, 72, 69, 66, 62, 67, 71], note_s=0.6)
    render_rate_hz = int(round(44100 * 2 ** (30 / 1200)))          # 44869 Hz: -30.0 cents
    audio = render_midi(notes, PROGRAM_VIOLIN, render_rate_hz)
    return write_wav(tmp_path_factory.mktemp("flat") / "flat.wav", audio, 44100), notes


def run_file(settings, model, path) -> Recorder:
    engine = Engine(settings, model, FileSource(path, realtime=False))
    rec = Recorder(engine)
    engine.start()
    assert engine.wait(60)
    engine.stop()
    return rec


@pytest.mark.model
def test_frames_carry_the_running_tuning_offset(spice_model, flat_violin):
    path, _ = flat_violin
    rec = run_file(RAW, spice_model, path)
    offsets = [f.tuning_offset_cents for f in rec.frames]
    assert offsets[0] is None                            # unknown before any voiced frame
    known = np.array([o for f, o in zip(rec.frames, offsets) if o is not None and f.time_s > 2.5])
    assert known.size > 50
    assert abs(np.median(known) + 30) < 5 and np.all(np.abs(known + 30) < 10)
    # Without correction the notes are named on the A4 grid: about 30 cents flat.
    cents = np.array([f.cents for f in rec.frames if f.voiced and f.time_s > 2.5])
    assert abs(np.median(cents) + 30) < 6


@pytest.mark.model
def test_correct_tuning_offset_names_notes_on_the_performers_grid(spice_model, flat_violin):
    path, notes = flat_violin
    rec = run_file(RAW.replace(correct_tuning_offset=True), spice_model, path)
    late = [f for f in rec.frames if f.voiced and f.time_s > 2.5]
    cents = np.array([f.cents for f in late])
    assert abs(np.median(cents)) < 5
    stretch = 2 ** (30 / 1200)                           # the slower playback is longer too
    truth = truth_at(notes, np.array([f.time_s for f in late]) / stretch)
    inside = np.isfinite(truth)
    assert np.mean(np.array([f.midi for f in late])[inside] == truth[inside]) > 0.9


def test_offset_restarts_when_a4_changes(tmp_path):
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(440.0, 3.0, 16000), 16000)
    engine = Engine(RAW, SlowModel(0.0), FileSource(path, realtime=False))
    seen: list[PitchFrame] = []

    def on_frame(frame: PitchFrame) -> None:
        seen.append(frame)
        if len(seen) == 40:
            engine.update_settings(RAW.replace(a4_hz=446.0))
    engine.subscribe(on_frame)
    engine.start()
    assert engine.wait(15)
    assert seen[39].tuning_offset_cents == pytest.approx(0.0, abs=0.5)
    # The new A4's frames start a new estimate (unknown for a while, then -23.5 cents).
    assert seen[41].tuning_offset_cents is None
    assert seen[-1].tuning_offset_cents == pytest.approx(1200 * math.log2(440 / 446), abs=0.5)


def test_audio_subscribers_get_every_block_in_order(tmp_path):
    audio = (np.random.default_rng(1).standard_normal((44100 * 2, 2)) * 0.1).astype(np.float32)
    path = write_wav(tmp_path / "noise.wav", audio, 44100)
    engine = Engine(RAW, SlowModel(0.0), FileSource(path, realtime=False))
    blocks, rates, threads = [], set(), set()

    def on_audio(block: np.ndarray, rate_hz: float) -> None:
        blocks.append(block.copy())
        rates.add(rate_hz)
        threads.add(threading.current_thread().name)
    unsubscribe = engine.subscribe_audio(on_audio)
    engine.start()
    assert engine.wait(15)
    assert rates == {44100.0} and threads == {"pitchlive-engine"}
    assert all(b.dtype == np.float32 and b.ndim == 1 for b in blocks)
    np.testing.assert_allclose(np.concatenate(blocks), audio.mean(axis=1), atol=1e-6)
    unsubscribe()
    blocks.clear()
    engine.start()
    assert engine.wait(15)
    assert not blocks


def test_audio_has_no_gaps_when_a_slow_model_skips_windows(tmp_path):
    tone = harmonic_tone(440.0, 2.0, 16000)
    path = write_wav(tmp_path / "tone.wav", tone, 16000)
    engine = Engine(RAW, SlowModel(delay_s=0.07), FileSource(path, realtime=True))
    blocks = []
    engine.subscribe_audio(lambda block, rate_hz: blocks.append(block.copy()))
    engine.start()
    assert engine.wait(15)
    assert engine.stats().skipped_windows > 10
    np.testing.assert_allclose(np.concatenate(blocks), tone, atol=1e-6)


def run_with_one_stall(tmp_path, seconds: float, window_cost_s: float, after_s: float,
                       stall_s: float) -> tuple[Engine, list, list]:
    """A real-time tone through a worker whose windows cost window_cost_s, held up for
    stall_s once at the first frame after after_s; (engine, frames, stall times)."""
    path = write_wav(tmp_path / "tone.wav", harmonic_tone(440.0, seconds, 16000), 16000)
    engine = Engine(RAW, SlowModel(delay_s=window_cost_s), FileSource(path, realtime=True))
    rec = Recorder(engine)
    stalled = []

    def stall_once(frame: PitchFrame) -> None:
        if not stalled and frame.time_s >= after_s:
            stalled.append(frame.time_s)
            time.sleep(stall_s)

    engine.subscribe(stall_once)
    engine.start()
    assert engine.wait(15)
    return engine, rec.frames, stalled


def test_a_short_stall_of_a_fast_worker_is_caught_up_not_skipped(tmp_path):
    # A busy machine or a long garbage collection stalls the worker for 0.4 s: with cheap windows
    # (LiteRT: ~1 ms) the backlog is worked off, no frame is lost (it used to skip ~11).
    engine, frames, stalled = run_with_one_stall(tmp_path, 3.0, 0.001, 1.0, 0.4)
    stats = engine.stats()
    assert stalled and stats.skipped_windows == 0
    assert stats.frames_emitted == len(frames) == 48000 // 512 + 1


def test_a_starved_fast_worker_works_off_a_second_behind_instead_of_skipping(tmp_path):
    # Another process burning a core can keep the worker off the CPU for most of a second;
    # with ~3 ms windows the backlog is worked off within a second.
    engine, frames, stalled = run_with_one_stall(tmp_path, 3.5, 0.003, 1.0, 1.2)
    stats = engine.stats()
    assert stalled and stats.skipped_windows == 0
    assert stats.frames_emitted == len(frames) == 56000 // 512 + 1


def test_a_stall_on_the_first_frame_is_caught_up_from_the_warm_up_cost(tmp_path):
    # Before any window is measured, the model's warm-up call stands for a window's cost: a
    # worker held up at once (a process starting beside it) works its backlog off.
    engine, _frames, stalled = run_with_one_stall(tmp_path, 2.5, 0.002, 0.0, 0.6)
    assert stalled and engine.stats().skipped_windows == 0


class BurstySource:
    """A real-time source whose audio for hold_s from after_s arrives at once at the hold's
    end, as a sound server starved by a busy machine delivers it."""

    realtime = True
    is_device = False        # a device silent for 2 s counts as unplugged; the hold is longer
    channel = None

    def __init__(self, audio: np.ndarray, rate_hz: float, after_s: float, hold_s: float) -> None:
        self.audio, self.sample_rate_hz, self.channels = audio, rate_hz, 1
        self.after_s, self.hold_s = after_s, hold_s
        self.device_name = "bursty"
        self._stop = threading.Event()
        self._thread = None

    def open(self) -> None:
        pass

    def start(self, sink) -> None:
        sink.configure(self.sample_rate_hz, 1, None)
        self._thread = threading.Thread(target=self._feed, args=(sink,), daemon=True)
        self._thread.start()

    def _feed(self, sink) -> None:
        block = int(self.sample_rate_hz * 0.01)
        start = time.monotonic()
        for first in range(0, self.audio.shape[0], block):
            due_s = (first + block) / self.sample_rate_hz
            if self.after_s <= due_s < self.after_s + self.hold_s:
                due_s = self.after_s + self.hold_s
            if self._stop.wait(max(0.0, start + due_s - time.monotonic())):
                return
            sink.write_block(self.audio[first:first + block])
        sink.finish("end of input")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)

    def describe(self) -> str:
        return "a bursty source"


def test_audio_a_source_delivers_late_in_one_burst_is_worked_off_not_skipped():
    # 2.5 s held back, then delivered at once: more than a fast worker may fall behind by
    # itself (2 s), but the worker is not behind; it works the burst off in a fraction of a
    # second (it used to skip ~15 windows).
    source = BurstySource(harmonic_tone(440.0, 4.5, 16000), 16000.0, 1.0, 2.5)
    engine = Engine(RAW, SlowModel(delay_s=0.003), source)
    rec = Recorder(engine)
    engine.start()
    assert engine.wait(20)
    stats = engine.stats()
    assert stats.skipped_windows == 0
    assert stats.frames_emitted == len(rec.frames) == 72000 // 512 + 1


def test_a_worker_that_lets_audio_wait_too_long_still_skips_after_a_burst(tmp_path):
    # The burst is excused, not the worker's own delay: windows of 70 ms (slower than real
    # time) still skip to stay current.
    source = BurstySource(harmonic_tone(440.0, 3.0, 16000), 16000.0, 0.5, 1.0)
    engine = Engine(RAW, SlowModel(delay_s=0.07), source)
    engine.start()
    assert engine.wait(20)
    assert engine.stats().skipped_windows > 10
