"""The reference tone: its pitch, timbre, soft ends and level; bad requests rejected."""

import numpy as np
import pytest

from pitchlive.music import cents_between
from pitchlive.tuner.reference_tone import reference_tone

RATE = 44100


def peak_hz(audio):
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(audio.size), 8 * audio.size))
    k = int(np.argmax(spectrum))
    a, b, c = np.log(spectrum[k - 1:k + 2])          # parabolic interpolation of the peak
    return (k + 0.5 * (a - c) / (a - 2 * b + c)) * RATE / (8 * audio.size)


@pytest.mark.parametrize("timbre", ["sine", "rich"])
@pytest.mark.parametrize("hz", [82.407, 440.0, 659.255])
def test_pitch_is_exact(timbre, hz):
    tone = reference_tone(hz, 2.0, RATE, timbre)
    assert tone.dtype == np.float32 and tone.shape == (2 * RATE,)
    assert abs(cents_between(peak_hz(tone[RATE // 2:3 * RATE // 2]), hz)) < 0.1


def test_rich_has_harmonics_and_sine_does_not():
    def harmonic_ratio(tone):
        spectrum = np.abs(np.fft.rfft(tone[RATE // 2:RATE // 2 + RATE]))   # 1 Hz bins
        return spectrum[440] / spectrum[220]

    assert harmonic_ratio(reference_tone(220.0, 2.0, RATE, "sine")) < 1e-3
    assert 0.2 < harmonic_ratio(reference_tone(220.0, 2.0, RATE, "rich")) < 0.5


def test_sustained_with_soft_ends_and_the_asked_level():
    tone = reference_tone(440.0, 3.0, RATE, "rich", level=0.25)
    assert np.max(np.abs(tone)) == pytest.approx(0.25, abs=1e-6)
    assert tone[0] == 0.0 and abs(tone[-1]) < 1e-3
    assert np.max(np.abs(tone[:int(0.01 * RATE)])) < 0.05            # a swell, not a click
    early, late = (np.max(np.abs(tone[int(s * RATE):int((s + 0.5) * RATE)])) for s in (0.5, 2.3))
    assert late == pytest.approx(early, rel=0.02)                     # no decay: a drone


@pytest.mark.parametrize("args,message", [((440.0, 1.0, RATE, "organ"), "unknown timbre"),
                                          ((0.0, 1.0), "positive frequency"),
                                          ((440.0, 0.0), "length"), ((440.0, 1e4), "length")])
def test_bad_requests(args, message):
    with pytest.raises(ValueError, match=message):
        reference_tone(*args)


# ---- the drone: one loop played over and over ---------------------------------------------------

@pytest.mark.parametrize("timbre", ["sine", "rich"])
@pytest.mark.parametrize("hz", [41.2, 82.407, 440.0, 1318.51])
def test_drone_loop_repeats_seamlessly_at_the_pitch(timbre, hz):
    from pitchlive.tuner.reference_tone import drone_loop

    loop = drone_loop(hz, RATE, timbre)
    assert loop.dtype == np.float32 and loop.ndim == 1
    assert abs(loop.size / RATE - 1.0) < 0.05
    assert np.max(np.abs(loop)) == pytest.approx(0.3, abs=1e-3)
    played = np.tile(loop, 3)
    # Across the seam the wave continues as within the loop: no step bigger than one elsewhere.
    steps = np.abs(np.diff(played))
    assert steps[loop.size - 1] <= steps[:loop.size - 1].max() + 1e-6
    assert abs(cents_between(peak_hz(played[:2 * RATE]), hz)) < 0.1


def test_drone_loop_rejects_bad_requests():
    from pitchlive.tuner.reference_tone import drone_loop

    with pytest.raises(ValueError, match="timbre"):
        drone_loop(440.0, RATE, "square")
    for bad in (0.0, -5.0, float("nan"), RATE / 2):
        with pytest.raises(ValueError, match="frequency"):
            drone_loop(bad, RATE)
