"""Recording takes (pitchlive.takes.recorder, spool): an engine's audio and pitch, spooled."""

import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from pitchlive.analysis.inference import predict
from pitchlive.audio.sources import FileSource
from pitchlive.engine import Engine
from pitchlive.exports.csv import COLUMNS
from pitchlive.music import hz_to_midi
from pitchlive.settings import Settings
from pitchlive.takes import Take, TakeError, TakeRecorder, save_take
from pitchlive.takes.recorder import _FrameBuffer
from synth import PROGRAM_VIOLIN, melody_notes, render_midi, write_wav

RAW = Settings(smoothing=False, refine=False)   # the model's frames as windowed, nothing after


class ToneModel:
    """Instant stand-in for SPICE: 440 Hz, confidence 0.95, for every frame."""

    def infer(self, audio):
        n = audio.size // 512 + 1
        return np.full(n, 440.0), np.full(n, 0.95)


def noise(seconds: float, rate_hz: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(int(seconds * rate_hz)) * 0.1).astype(np.float32)


def record_whole_file(path: Path, spool: Path, model=None, settings: Settings = RAW) -> Take:
    engine = Engine(settings, model or ToneModel(), FileSource(path, realtime=False))
    recorder = TakeRecorder(engine, spool_dir=spool)
    recorder.start()
    assert recorder.recording
    engine.start()
    assert engine.wait(60)
    take = recorder.stop()
    engine.stop()
    assert not recorder.recording
    return take


def test_a_whole_file_is_recorded_exactly(tmp_path):
    audio = noise(3.0, 48000)
    path = write_wav(tmp_path / "in.wav", audio, 48000)
    before = datetime.now()
    take = record_whole_file(path, tmp_path / "spool")
    assert take.audio_path.parent == tmp_path / "spool" and take.audio_path.suffix == ".wav"
    assert take.sample_rate_hz == 48000 and take.duration_s == pytest.approx(3.0)
    assert before <= take.started_at <= datetime.now()
    recorded, rate = sf.read(take.audio_path, dtype="float32")
    assert rate == 48000
    np.testing.assert_array_equal(recorded, audio)
    # Every frame of the file, times from the take's start.
    assert take.track.n_frames == 3 * 16000 // 512 + 1
    np.testing.assert_allclose(take.track.times_s, np.arange(take.track.n_frames) * 0.032)
    assert np.all(take.track.frequency_hz == 440.0)
    audio_16k = take.audio_16k()
    assert audio_16k.dtype == np.float32 and audio_16k.size == 48000
    take.discard()
    assert not take.audio_path.exists()


@pytest.mark.model
def test_a_take_started_mid_stream_keeps_audio_and_pitch_aligned(spice_model, tmp_path,
                                                                  soundfont_path):
    notes = melody_notes([60, 64, 67, 72, 67, 64, 60, 62], note_s=0.4, start_s=0.1)
    audio = render_midi(notes, PROGRAM_VIOLIN, 44100)
    path = write_wav(tmp_path / "melody.wav", audio, 44100)
    engine = Engine(RAW, spice_model, FileSource(path, realtime=True))
    recorder = TakeRecorder(engine, spool_dir=tmp_path / "spool")
    engine.start()
    time.sleep(0.7)
    recorder.start()
    time.sleep(1.6)
    assert 1.2 < recorder.elapsed_s < 2.0
    take = recorder.stop()
    engine.stop()
    assert 1.4 < take.duration_s < 1.9
    recorded, rate = sf.read(take.audio_path, dtype="float32")
    # The spool holds a contiguous piece of the input...
    start = int(np.argmin([np.abs(audio[i:i + 4410] - recorded[:4410]).max()
                           for i in range(0, audio.size - 4410)]))
    np.testing.assert_allclose(recorded, audio[start:start + recorded.size], atol=1e-6)
    # ... and its frames are where that audio's pitch is: compare with a fresh analysis.
    times, frequency, confidence = predict(recorded, rate, spice_model, refine=False)
    live = take.track
    assert live.times_s[0] >= 0 and live.times_s[-1] <= take.duration_s
    # The take starts between model frames: compare each live frame with the nearest fresh one.
    nearest = np.clip(np.round(live.times_s / 0.032).astype(int), 0, times.size - 1)
    assert np.all(np.abs(times[nearest] - live.times_s) <= 0.017)
    ok = (live.confidence > 0.9) & (confidence[nearest] > 0.9)
    assert ok.sum() > 20
    diff = np.abs(hz_to_midi(live.frequency_hz[ok]) - hz_to_midi(frequency[nearest[ok]]))
    assert np.median(diff) < 0.2 and np.mean(diff < 0.5) > 0.85


def test_frame_buffer_grows_and_keeps_order():
    buffer = _FrameBuffer(capacity=4)
    for i in range(1000):
        buffer.append(np.array((i * 0.032, 100.0 + i, 0.5, -float(i))))
    track, level_dbfs = buffer.frames(end_s=10.0)
    assert track.n_frames == int(10.0 / 0.032) + 1
    assert track.frequency_hz[-1] == 100.0 + track.n_frames - 1
    assert level_dbfs.shape == (track.n_frames,) and level_dbfs[-1] == -(track.n_frames - 1)
    assert buffer._data.shape[1] == 1024                  # doubled from 4, not grown per frame


def test_a_spool_folder_that_cannot_be_created_is_a_take_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    engine = Engine(RAW, ToneModel(), FileSource(tmp_path / "x.wav"))
    recorder = TakeRecorder(engine, spool_dir=blocker / "takes")
    with pytest.raises(TakeError, match="cannot be used") as info:
        recorder.start()
    assert str(blocker / "takes") in str(info.value)
    assert not recorder.recording


def test_the_default_spool_folder_is_in_the_user_cache(tmp_path, monkeypatch):
    from pitchlive.takes import default_spool_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_spool_dir() == tmp_path / "cache" / "pitchlive" / "takes"


def test_stop_without_audio_gives_an_empty_take(tmp_path):
    engine = Engine(RAW, ToneModel(), FileSource(tmp_path / "x.wav"))
    recorder = TakeRecorder(engine, spool_dir=tmp_path / "spool")
    recorder.start()
    take = recorder.stop()
    assert take.duration_s == 0 and take.track.n_frames == 0
    assert take.audio_16k().size == 0
    out = tmp_path / "out"
    out.mkdir()
    saved = save_take(take, out, RAW)
    assert sf.info(saved.wav_path).frames == 0
    assert saved.csv_path.read_text() == ",".join(COLUMNS) + "\n"


def test_elapsed_is_readable_while_recording(tmp_path):
    path = write_wav(tmp_path / "in.wav", noise(1.5, 16000), 16000)
    engine = Engine(RAW, ToneModel(), FileSource(path, realtime=True))
    recorder = TakeRecorder(engine, spool_dir=tmp_path / "spool")
    recorder.start()
    engine.start()
    seen = []
    while engine.running:
        seen.append(recorder.elapsed_s)
        time.sleep(0.05)
    take = recorder.stop()
    assert seen == sorted(seen) and 0 < seen[len(seen) // 2] < 1.5
    assert take.duration_s == pytest.approx(1.5)
