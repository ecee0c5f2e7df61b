"""The tuner's reading, frame by frame: target, cents, damped needle, strobe phase and lock.

Feed step_tuner one measured frequency per analysis frame (None when unvoiced) with the frame's
time; it returns a new immutable TunerReading, so a worker thread can hand readings to a view.
The target is the nearest string of the instrument, or, without strings, the nearest note of the
temperament. The lock is judged on the needle (the damped reading), so one jittery frame neither
makes nor breaks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pitchlive.music import DEFAULT_A4_HZ, note_name
from pitchlive.tuner.instruments import IN_TUNE_CENTS, nearest_string, turn_direction
from pitchlive.tuner.lock import Lock, update_lock
from pitchlive.tuner.needle import NEEDLE_TIME_CONSTANT_S, Needle, advance_needle
from pitchlive.tuner.strobe import advance_strobe, strobe_rate_hz
from pitchlive.tuner.temperament import Temperament, nearest_scale_note
from pitchlive.tuner.temperaments import temperament

MAX_STEP_S = 0.25     # a longer gap between frames (a stall) counts as this long


@dataclass(frozen=True)
class TunerConfig:
    """What the tuner measures against; strings_midi empty = chromatic (any note)."""

    tuning: Temperament = field(default_factory=lambda: temperament("equal"))
    a4_hz: float = DEFAULT_A4_HZ
    strings_midi: tuple[int, ...] = ()
    in_tune_cents: float = IN_TUNE_CENTS
    needle_time_constant_s: float = NEEDLE_TIME_CONSTANT_S
    strobe_band_hz: float | None = None    # None: the true beat at the target (see strobe.py)
    prefer_flats: bool = False
    transpose_semitones: int = 0           # names are written pitch, targets concert pitch


@dataclass(frozen=True)
class TunerTarget:
    """The note being tuned to."""

    midi: int                    # concert pitch
    name: str                    # written name, e.g. 'E2'
    target_hz: float
    string_index: int | None     # 0-based string of the instrument; None in chromatic mode


@dataclass(frozen=True)
class TunerReading:
    """Everything a tuner display shows at one moment."""

    time_s: float
    frequency_hz: float | None = None      # None while there is no pitch
    target: TunerTarget | None = None      # the last target, kept through silences
    cents: float | None = None             # input minus target; None while there is no pitch
    direction: str | None = None           # TUNE_UP / TUNE_DOWN / IN_TUNE; None without pitch
    needle: Needle = Needle()
    strobe_phase: float = 0.0              # 0..1, pattern periods
    strobe_rate_hz: float = 0.0            # current drift, periods per second (+ = sharp)
    lock: Lock = Lock()

    @property
    def needle_cents(self) -> float:
        """Where the damped needle points, cents."""
        return self.needle.position_cents

    @property
    def locked(self) -> bool:
        """True while the lock indicator is on."""
        return self.lock.locked


def find_target(frequency_hz: float, config: TunerConfig) -> tuple[TunerTarget, float] | None:
    """(target, cents from it) for a frequency under config; None when it is not a pitch."""
    if config.strings_midi:
        string = nearest_string(frequency_hz, config.strings_midi, config.tuning, config.a4_hz,
                                config.in_tune_cents)
        if string is None:
            return None
        midi, target_hz, cents, index = string.midi, string.target_hz, string.cents, string.index
    else:
        note = nearest_scale_note(config.tuning, frequency_hz, config.a4_hz)
        if note is None:
            return None
        midi, target_hz, cents, index = note.midi, note.target_hz, note.cents, None
    name = note_name(midi, config.prefer_flats, config.transpose_semitones)
    return TunerTarget(midi, name, target_hz, index), cents


def step_tuner(previous: TunerReading | None, config: TunerConfig, time_s: float,
               frequency_hz: float | None) -> TunerReading:
    """The reading after one frame at time_s (seconds) with its frequency (None: no pitch)."""
    previous = previous or TunerReading(time_s)
    dt_s = min(max(time_s - previous.time_s, 0.0), MAX_STEP_S)
    found = None if frequency_hz is None else find_target(frequency_hz, config)
    if found is None:
        needle = advance_needle(previous.needle, None, dt_s)
        lock = update_lock(previous.lock, time_s, None, previous.lock.target)
        return TunerReading(time_s, None, previous.target, None, None, needle,
                            previous.strobe_phase, 0.0, lock)
    target, cents = found
    needle = previous.needle
    if previous.target is not None and previous.target.midi != target.midi:
        needle = Needle(needle.position_cents, 0.0)      # the pointer swings to the new note
    needle = advance_needle(needle, cents, dt_s, config.needle_time_constant_s)
    rate_hz = strobe_rate_hz(float(frequency_hz), target.target_hz, config.strobe_band_hz)
    phase = advance_strobe(previous.strobe_phase, rate_hz, dt_s)
    key = (target.midi, target.string_index)
    lock = update_lock(previous.lock, time_s, needle.position_cents, key)
    return TunerReading(time_s, float(frequency_hz), target, cents,
                        turn_direction(cents, config.in_tune_cents), needle, phase, rate_hz, lock)

