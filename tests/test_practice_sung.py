"""The take as scoring reads it: MIDI per frame, time shifts, the level envelope."""

import numpy as np
import pytest

from pitchlive.practice.sung import SILENCE_DB, StreamingEnvelope, SungPitch, level_envelope


def test_midi_is_nan_where_unvoiced_and_shift_moves_both_timelines():
    sung = SungPitch(np.array([0.0, 0.032]), np.array([440.0, 440.0]), np.array([True, False]),
                     np.array([0.0, 0.002]), np.array([-20.0, -20.0]))
    assert sung.midi()[0] == pytest.approx(69.0) and np.isnan(sung.midi()[1])
    assert sung.midi(a4_hz=442.0)[0] == pytest.approx(69 - 1200 * np.log2(442 / 440) / 100)
    moved = sung.shifted(-0.5)
    assert moved.times_s.tolist() == pytest.approx([-0.5, -0.468])
    assert moved.envelope_times_s.tolist() == pytest.approx([-0.5, -0.498])
    assert SungPitch(sung.times_s, sung.frequency_hz, sung.voiced).shifted(1).envelope_db is None


def test_level_envelope_of_a_burst():
    rate = 16000
    audio = np.zeros(rate)
    audio[8000:12000] = 0.1 * np.sqrt(2) * np.sin(2 * np.pi * 440 * np.arange(4000) / rate)
    times, level = level_envelope(audio, rate, hop_s=0.002, window_s=0.008)
    assert times[1] - times[0] == pytest.approx(0.002)
    assert level[(times > 0.52) & (times < 0.74)] == pytest.approx(-20.0, abs=0.2)
    assert (level[times < 0.49] == SILENCE_DB).all()
    rise = times[np.argmax(level > -26)]
    assert rise == pytest.approx(0.5, abs=0.004)
    assert level_envelope(np.zeros(0), rate)[0].size == 0


@pytest.mark.parametrize("sizes", [[16000], [1, 999, 5000, 10000], [441] * 40])
def test_streaming_envelope_matches_the_whole_signal(sizes):
    rate = 16000
    audio = np.random.default_rng(1).normal(0, 0.1, sum(sizes)).astype(np.float32)
    whole_t, whole_db = level_envelope(audio, rate)
    stream = StreamingEnvelope()
    parts, start = [], 0
    for size in sizes:
        parts.append(stream.push(audio[start:start + size], rate))
        start += size
    times = np.concatenate([p[0] for p in parts])
    levels = np.concatenate([p[1] for p in parts])
    complete = whole_t[:times.size]
    assert times.size >= whole_t.size - 4      # only the last windows wait for more audio
    assert times == pytest.approx(complete)
    assert levels == pytest.approx(whole_db[:times.size])
    with pytest.raises(ValueError, match="sample rate changed"):
        stream.push(audio[:10], 44100)
