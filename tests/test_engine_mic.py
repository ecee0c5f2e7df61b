"""The engine through the real audio stack: PulseAudio software microphone -> PortAudio ->
sounddevice.InputStream -> ring buffer -> SPICE v1 -> PitchFrames.

Outside CI these skip when PulseAudio is missing; in CI (CI=true) they fail instead.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from fakemic import FakeMic
from pitchlive.audio.devices import DeviceError, list_input_devices
from pitchlive.audio.sources import MicrophoneSource
from pitchlive.engine import Engine
from pitchlive.music import hz_to_midi
from pitchlive.settings import Settings
from synth import PROGRAM_CLARINET, melody_notes, render_midi, truth_at
from test_engine import Recorder, pitchlive_threads

pytestmark = [pytest.mark.audio, pytest.mark.model]
ROOT = Path(__file__).resolve().parents[1]


def aligned_accuracy(frames, notes, max_lag_s: float = 2.0):
    """(fraction of voiced in-note frames within 50 cents, voiced in-note frames, in-note
    frames, lag) at the playback lag that maximises that fraction: the stream's clock starts
    before playback does, by an unknown amount."""
    times = np.array([f.time_s for f in frames])
    midi = hz_to_midi(np.array([f.frequency_hz for f in frames]))
    voiced = np.array([f.voiced for f in frames])
    best = (0.0, 0, 0, 0.0)
    for lag in np.arange(0.0, max_lag_s, 0.004):
        truth = truth_at(notes, times - lag)
        inside = ~np.isnan(truth)
        sel = voiced & inside
        if sel.sum() < 20:
            continue
        score = float(np.mean(np.abs(midi[sel] - truth[sel]) < 0.5))
        # Ties: prefer the lag that puts the most voiced frames inside notes.
        if (score, sel.sum()) > (best[0], best[1]):
            best = (score, int(sel.sum()), int(inside.sum()), float(lag))
    return best


@pytest.fixture(scope="module")
def melody():
    notes = melody_notes([60, 62, 64, 65, 67, 69, 71, 72, 74, 71, 67, 64, 60], note_s=0.4)
    return notes, render_midi(notes, PROGRAM_CLARINET, 48000)


@pytest.mark.parametrize("device_rate_hz", [16000, 44100, 48000])
def test_melody_through_the_software_microphone(fake_mic, spice_model, soundfont_path, melody,
                                                device_rate_hz):
    notes, audio = melody
    engine = Engine(Settings(), spice_model, MicrophoneSource(sample_rate_hz=device_rate_hz))
    rec = Recorder(engine)
    engine.start()
    try:
        time.sleep(0.3)
        fake_mic.play(audio, 48000)
        time.sleep(0.3)
    finally:
        engine.stop()
    stats = engine.stats()
    assert stats.device_rate_hz == device_rate_hz
    assert f"at {device_rate_hz} Hz" in rec.events[0].message
    score, voiced_inside, inside, lag = aligned_accuracy(rec.frames, notes)
    assert score >= 0.9, f"only {score:.1%} of voiced frames within 50 cents (lag {lag:.3f} s)"
    assert voiced_inside >= 0.6 * inside, f"only {voiced_inside}/{inside} note frames voiced"
    assert stats.overflows == 0 and stats.ring_overruns == 0
    assert rec.kinds() == ["started", "stopped"]


def test_silence_comes_out_unvoiced(fake_mic, spice_model, tmp_path):
    engine = Engine(Settings(), spice_model, MicrophoneSource())
    rec = Recorder(engine)
    engine.start()
    try:
        time.sleep(0.2)
        fake_mic.play(np.zeros(48000, np.float32), 48000)   # a silent recording played...
        time.sleep(1.0)                                     # ...then the idle microphone
    finally:
        engine.stop()
    assert len(rec.frames) > 50
    assert not any(f.voiced for f in rec.frames)
    assert all(f.note is None and f.midi is None and f.cents is None for f in rec.frames)


def test_device_by_name_and_index_and_stop_releases_it(fake_mic, spice_model):
    devices = list_input_devices()
    pulse = next(d for d in devices if d.name == "pulse")
    for spec in ("PULS", pulse.index, str(pulse.index)):
        source = MicrophoneSource(device=spec)
        engine = Engine(Settings(), spice_model, source)
        rec = Recorder(engine)
        engine.start()
        time.sleep(0.4)
        outputs = fake_mic._pactl("list", "short", "source-outputs").stdout.strip().splitlines()
        assert len(outputs) == 2                 # the keep-alive and this engine
        engine.stop()
        assert source.device_name == "pulse" and len(rec.frames) > 5
        outputs = fake_mic._pactl("list", "short", "source-outputs").stdout.strip().splitlines()
        assert len(outputs) == 1, "a stopped engine must not hold the device"
        assert pitchlive_threads() == []


def test_unknown_device_index_or_name_is_a_clear_error(fake_mic, spice_model):
    for spec, text in ((99, "no input device with index 99"),
                       ("no-such-mic", "No input device name contains 'no-such-mic'")):
        engine = Engine(Settings(), spice_model, MicrophoneSource(device=spec))
        with pytest.raises(DeviceError, match=text) as info:
            engine.start()
        assert "pitchlive devices" in str(info.value) and "pulse" in str(info.value)
        assert not engine.running


def test_missing_channel_is_a_clear_error(fake_mic, spice_model):
    engine = Engine(Settings(), spice_model, MicrophoneSource(channel=40))
    with pytest.raises(DeviceError, match="Channel 40 does not exist"):
        engine.start()


def test_refused_sample_rate_falls_back_to_one_the_device_accepts(fake_mic, spice_model):
    # PulseAudio's ALSA plugin refuses rates above 384 kHz.
    source = MicrophoneSource(sample_rate_hz=1_000_000)
    engine = Engine(Settings(), spice_model, source)
    rec = Recorder(engine)
    engine.start()
    try:
        time.sleep(0.4)
    finally:
        engine.stop()
    assert source.sample_rate_hz == source.device_info.default_sample_rate_hz
    assert "1000000 Hz was refused by the device" in rec.events[0].message
    assert len(rec.frames) > 5


def test_chosen_channel_of_a_stereo_microphone(spice_model):
    """A stereo software microphone with a different tone on each side."""
    with FakeMic(channels=2) as mic:
        t = np.arange(48000 * 2) / 48000
        left = 0.3 * np.sin(2 * np.pi * 220 * t)
        right = 0.3 * np.sin(2 * np.pi * 330 * t)
        heard = {}
        for channel in (0, 1):
            engine = Engine(Settings(smoothing=False), spice_model,
                            MicrophoneSource(device="pulse", channel=channel))
            rec = Recorder(engine)
            engine.start()
            try:
                mic.play(np.stack([left, right], axis=1).astype(np.float32), 48000)
            finally:
                engine.stop()
            voiced = [f.frequency_hz for f in rec.frames if f.voiced]
            heard[channel] = float(np.median(voiced)) if voiced else float("nan")
    assert heard[0] == pytest.approx(220, rel=0.03)
    assert heard[1] == pytest.approx(330, rel=0.03)


def _listen_process(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pitchlive", "listen", *args], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_device_vanishing_mid_stream_is_reported_and_stops(private_fake_mic):
    """Kill the software microphone's daemon while `pitchlive listen` records from it."""
    from conftest import local_model_dir, require

    require(local_model_dir() is not None, "needs PITCHLIVE_MODEL (SPICE v1)")
    env = {**private_fake_mic.child_env(), "PITCHLIVE_MODEL": str(local_model_dir())}
    process = _listen_process(env, "--csv", "--seconds", "120")
    try:
        rows = [process.stdout.readline() for _ in range(10)]
        assert rows[0].startswith("time,frequency")
        private_fake_mic.kill_daemon()
        killed = time.monotonic()
        _, err = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("pitchlive listen hung after the device vanished")
    assert time.monotonic() - killed < 10
    assert process.returncode == 1
    assert "pitchlive: error: The input device" in err and "stopped" in err
    assert "Traceback" not in err


def test_no_input_device_at_all_is_a_clear_error(tmp_path):
    """A process that reaches no sound server, on a machine without sound cards (CI, here)."""
    from conftest import local_model_dir, require

    require(local_model_dir() is not None, "needs PITCHLIVE_MODEL (SPICE v1)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE_")}
    env.update(PULSE_SERVER=f"unix:{tmp_path / 'no-server'}",
               PITCHLIVE_MODEL=str(local_model_dir()))
    count = subprocess.run(
        [sys.executable, "-c", "import sounddevice as sd; "
         "print(sum(d['max_input_channels'] > 0 for d in sd.query_devices()))"],
        env=env, capture_output=True, text=True, timeout=60)
    if count.stdout.strip() != "0":
        pytest.skip(reason="this machine has input devices of its own (sound cards), so "
                           "'no device at all' cannot be arranged here")
    process = _listen_process(env, "--seconds", "1")
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert "pitchlive: error: No audio input device found" in err
    assert "Traceback" not in err
