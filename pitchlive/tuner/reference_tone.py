"""The reference tone or drone a player tunes against: any note or string, sine or richer.

Built on the transcription's soft tone (pitchlive.exports.tones.note_tone), but sustained: the
harmonics do not fade, and a slow raised-cosine attack and release keep it free of clicks. Play
the array with pitchlive.audio.playback.Player.play_array.
"""

from __future__ import annotations

import numpy as np

from pitchlive.exports.tones import HARMONIC_AMPLITUDES, note_tone

TIMBRES = ("sine", "rich")
REFERENCE_ATTACK_S = 0.08         # a soft swell, like a bowed or blown note
REFERENCE_RELEASE_S = 0.15
REFERENCE_LEVEL = 0.3             # peak, full scale 1.0
MAX_REFERENCE_S = 600.0


def reference_tone(frequency_hz: float, duration_s: float, sample_rate_hz: int = 44100,
                   timbre: str = "sine", level: float = REFERENCE_LEVEL) -> np.ndarray:
    """A sustained tone at frequency_hz for duration_s, float32 mono, shape (n,), peak level.

    timbre 'sine' is the pure fundamental; 'rich' adds harmonics 2-4 (relative levels
    pitchlive.exports.tones.HARMONIC_AMPLITUDES), easier to hear against an instrument. Raises
    ValueError for an unknown timbre, a non-positive frequency or an over-long duration.
    """
    if timbre not in TIMBRES:
        raise ValueError(f"unknown timbre {timbre!r}; choose one of {', '.join(TIMBRES)}")
    if not frequency_hz > 0 or not np.isfinite(frequency_hz):
        raise ValueError(f"a reference tone needs a positive frequency, got {frequency_hz}")
    if not 0 < duration_s <= MAX_REFERENCE_S:
        raise ValueError(f"reference tone length must be between 0 and {MAX_REFERENCE_S:g} s, "
                         f"got {duration_s}")
    harmonics = (1.0,) if timbre == "sine" else HARMONIC_AMPLITUDES
    return note_tone(frequency_hz, duration_s, sample_rate_hz, harmonic_amplitudes=harmonics,
                     harmonic_decay_per_s=0.0, attack_s=REFERENCE_ATTACK_S,
                     release_s=REFERENCE_RELEASE_S, peak_level=level)


DRONE_LOOP_S = 1.0                # length of one drone loop; a whole number of cycles fits in it


def drone_loop(frequency_hz: float, sample_rate_hz: float, timbre: str = "sine",
               level: float = REFERENCE_LEVEL, loop_s: float = DRONE_LOOP_S) -> np.ndarray:
    """A steady tone that repeats seamlessly, float32 mono, shape (n,), about loop_s long.

    The loop holds a whole number of cycles, so played over and over it is one unbroken tone
    for as long as the drone runs. Fitting whole cycles moves the pitch by at most
    1200 * log2(1 + 0.5 / n) cents (0.02 cents for a one-second loop at 44.1 kHz). Raises
    ValueError for an unknown timbre or a frequency that is not below the Nyquist rate.
    """
    if timbre not in TIMBRES:
        raise ValueError(f"unknown timbre {timbre!r}; choose one of {', '.join(TIMBRES)}")
    if not (np.isfinite(frequency_hz) and 0 < frequency_hz < sample_rate_hz / 2):
        raise ValueError(f"a drone needs a frequency between 0 and {sample_rate_hz / 2:g} Hz, "
                         f"got {frequency_hz}")
    cycles = max(1, round(frequency_hz * loop_s))
    n = max(2, round(cycles * sample_rate_hz / frequency_hz))
    phase = 2.0 * np.pi * cycles * np.arange(n) / n
    harmonics = (1.0,) if timbre == "sine" else HARMONIC_AMPLITUDES
    out = np.zeros(n)
    for k, amplitude in enumerate(harmonics, start=1):
        if k * frequency_hz < 0.45 * sample_rate_hz:
            out += amplitude * np.sin(k * phase)
    out *= level / max(float(np.max(np.abs(out))), 1e-12)
    return out.astype(np.float32)
