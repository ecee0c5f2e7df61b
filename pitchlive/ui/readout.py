"""What the note panel shows for a stream of frames: note, octave, Hz, cents, band, hold.

Pure logic (no Qt) so it can be tested frame by frame. Names and cents are computed here from the
frame's frequency with the window's current settings, so changing A4, transposition or naming
relabels the note on screen at once, without waiting for the engine.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from pitchlive.frames import PitchFrame
from pitchlive.music import nearest_note, note_name
from pitchlive.settings import Settings
from pitchlive.tracking.naming import naming_a4_hz
from pitchlive.ui.prefs import DisplayPrefs

IN_TUNE, CLOSE, OFF = "in_tune", "close", "off"
# A note's colour changes band only once its reading passes a band edge by this much: a needle
# that hovers at an edge (a vibrato's centre read over whole cycles moves a cent or two as the
# cycles go by) keeps one colour.
BAND_HYSTERESIS_CENTS = 1.0
_NAME_RE = re.compile(r"^([A-G][#b]?)(-?\d+)$")


@dataclass(frozen=True)
class NoteReading:
    """One note as displayed."""

    pitch_class: str     # 'C#', 'Bb', 'A' (written pitch after transposition)
    octave: int
    frequency_hz: float  # concert frequency measured
    midi: int            # nearest concert-pitch MIDI note
    cents: float         # -50..+50 from that note
    band: str            # IN_TUNE, CLOSE or OFF
    held: bool = False   # the voice stopped; this is the last note, kept briefly

    @property
    def name(self) -> str:
        """Name with octave, e.g. 'C#4'."""
        return f"{self.pitch_class}{self.octave}"


def cents_label(cents: float) -> str:
    """The deviation as the window writes it: '+12 cents', '-3 cents', '+1 cent', '0 cents'.

    Rounded first, so -0.4 reads '0 cents' (never '-0') and the unit agrees with the number.
    """
    rounded = int(round(cents)) + 0
    if rounded == 0:
        return "0 cents"
    return f"{rounded:+d} {'cent' if abs(rounded) == 1 else 'cents'}"


def vibrato_label(rate_hz: float | None, width_cents: float | None) -> str:
    """'vibrato 5.5 Hz ±40 c' while a vibrato is heard, '' otherwise."""
    if rate_hz is None or width_cents is None or not (math.isfinite(rate_hz)
                                                       and math.isfinite(width_cents)):
        return ""
    return f"vibrato {rate_hz:.1f} Hz ±{round(width_cents)} c"


def needle_hz(frame: PitchFrame) -> float:
    """The frequency the needle reads: the vibrato's centre while one is heard, else the pitch."""
    if frame.reading_hz is not None and math.isfinite(frame.reading_hz):
        return frame.reading_hz
    return frame.frequency_hz


def tuning_band(cents: float, prefs: DisplayPrefs) -> str:
    """IN_TUNE, CLOSE or OFF for a deviation in cents, by the configured bands."""
    deviation = abs(cents)
    if deviation <= prefs.in_tune_cents:
        return IN_TUNE
    if deviation <= prefs.close_cents:
        return CLOSE
    return OFF


def steady_band(cents: float, last_band: str, prefs: DisplayPrefs) -> str:
    """The band for cents on a note last shown in last_band: that band's edges widened by
    BAND_HYSTERESIS_CENTS, so the colour changes only once the edge is clearly passed."""
    deviation, margin = abs(cents), BAND_HYSTERESIS_CENTS
    if last_band == IN_TUNE and deviation <= prefs.in_tune_cents + margin:
        return IN_TUNE
    if last_band == CLOSE and prefs.in_tune_cents - margin < deviation <= prefs.close_cents + margin:
        return CLOSE
    if last_band == OFF and deviation > prefs.close_cents - margin:
        return OFF
    return tuning_band(cents, prefs)


def read_frequency(frequency_hz: float, settings: Settings, prefs: DisplayPrefs,
                   offset_cents: float | None = None) -> NoteReading | None:
    """The reading for a frequency under the given A4, transposition and naming; None if no pitch.

    offset_cents is the singer's running tuning offset; it moves the grid only when
    settings.correct_tuning_offset is on (as the engine does for its own frame labels).
    """
    nearest = nearest_note(frequency_hz, naming_a4_hz(settings, offset_cents))
    if nearest is None:
        return None
    full = note_name(nearest.midi, settings.prefer_flats, settings.transpose_semitones)
    pitch_class, octave = _NAME_RE.match(full).groups()
    return NoteReading(pitch_class, int(octave), float(frequency_hz), nearest.midi,
                       float(nearest.cents), tuning_band(nearest.cents, prefs))


class NoteHold:
    """Turns frames into readings, holding the last note for prefs.hold_s of audio time."""

    def __init__(self) -> None:
        self._last: NoteReading | None = None
        self._last_time_s = 0.0
        self._offset_cents: float | None = None   # the newest frame's running tuning offset

    @property
    def last(self) -> NoteReading | None:
        """The reading on display (fresh or held), or None."""
        return self._last

    def update(self, frame: PitchFrame, settings: Settings,
               prefs: DisplayPrefs) -> NoteReading | None:
        """The reading to show after this frame."""
        self._offset_cents = frame.tuning_offset_cents
        if frame.is_pitch:
            reading = read_frequency(needle_hz(frame), settings, prefs, self._offset_cents)
            last = self._last
            if reading is not None and last is not None and not last.held \
                    and last.midi == reading.midi:
                reading = replace(reading, band=steady_band(reading.cents, last.band, prefs))
            if reading is not None:
                self._last, self._last_time_s = reading, frame.time_s
                return reading
        if self._last is not None and 0.0 <= frame.time_s - self._last_time_s <= prefs.hold_s:
            self._last = replace(self._last, held=True)
            return self._last
        self._last = None
        return None

    def relabel(self, settings: Settings, prefs: DisplayPrefs) -> NoteReading | None:
        """The current reading recomputed after a settings change."""
        if self._last is None:
            return None
        reading = read_frequency(self._last.frequency_hz, settings, prefs, self._offset_cents)
        self._last = replace(reading, held=self._last.held) if reading else None
        return self._last

    def clear(self) -> None:
        """Drop the reading (the stream stopped)."""
        self._last = None
        self._offset_cents = None
