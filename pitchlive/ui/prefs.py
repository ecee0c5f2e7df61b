"""Display preferences of the window: what only the GUI needs (Settings holds the rest)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace

from pitchlive.music import parse_note_name
from pitchlive.settings import SettingsError
from pitchlive.tuner.instruments import INSTRUMENT_NAMES, parse_strings
from pitchlive.tuner.reference_tone import TIMBRES
from pitchlive.tuner.temperaments import TEMPERAMENT_NAMES

THEME_NAMES = ("dark", "light")
# Presentation mode and the mini window: how much of the height the note name takes (1 = default).
MIN_FONT_SCALE, MAX_FONT_SCALE = 0.5, 1.6
# Chroma-key backgrounds for streaming overlays ('' = the theme's own background).
CHROMA_PRESETS = {"Green": "#00b140", "Blue": "#0047bb", "Magenta": "#ff00ff"}
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_RECT_RE = re.compile(r"^-?\d+,-?\d+,\d+,\d+$")     # 'x,y,width,height' in screen pixels
# Window states, not preferences: the window starts without them whatever the last run did.
SESSION_ONLY_PREFS = frozenset({"large_type"})
TUNER_CHROMATIC = "chromatic"          # the tuner names the nearest note instead of a string
MIN_SPAN_SEMITONES, MAX_SPAN_SEMITONES = 3.0, 96.0   # heights the pitch view may have


FONT_SCALE_STEP = 0.1


def stepped_font_scale(font_scale: float, steps: int) -> float:
    """font_scale made `steps` FONT_SCALE_STEPs larger (negative: smaller), kept in range."""
    scale = round(font_scale + steps * FONT_SCALE_STEP, 2)
    return min(MAX_FONT_SCALE, max(MIN_FONT_SCALE, scale))


def clamp_span(span_semitones: float) -> float:
    """A pitch view height brought within MIN_SPAN_SEMITONES..MAX_SPAN_SEMITONES."""
    return float(min(max(span_semitones, MIN_SPAN_SEMITONES), MAX_SPAN_SEMITONES))


@dataclass(frozen=True)
class DisplayPrefs:
    """Look and feel; validated like Settings so a bad stored value cannot break the window."""

    theme: str = "dark"
    in_tune_cents: float = 5.0     # |cents| up to this is drawn in the in-tune colour
    close_cents: float = 15.0      # up to this in the 'close' colour, beyond it 'off'
    hold_s: float = 0.6            # how long the note panel keeps the last note after the voice stops
    large_type: bool = False       # presentation mode is on (session only: never stored)
    show_controls: bool = True
    pitch_span_semitones: float = 24.0  # height of the pitch view
    font_scale: float = 1.0        # note size in presentation mode and the mini window
    chroma_key: str = ""           # '#rrggbb' background there for keying, '' for the theme's
    mini_frameless: bool = True    # the mini window without a title bar (dragged by its body)
    mini_geometry: str = ""        # where the mini window was last: 'x,y,width,height' or ''
    # The Tuner tab: what it tunes to and its reference tone (ui/tuner_view.py).
    tuner_instrument: str = TUNER_CHROMATIC     # a tuner.instruments preset, "custom" or this
    tuner_strings: str = ""                     # the custom instrument's strings, "E2 A2 ..."
    tuner_temperament: str = "equal"            # a TEMPERAMENT_NAMES key or a Scala .scl path
    tuner_tonic_pc: int = 0                     # the temperament's tonic, 0 = C
    tuner_timbre: str = "sine"                  # reference tone: reference_tone.TIMBRES
    tuner_reference_note: str = "A4"            # reference tone when no string is chosen

    def __post_init__(self) -> None:
        problems = []
        if self.theme not in THEME_NAMES:
            problems.append(f"theme must be one of {', '.join(THEME_NAMES)}, got {self.theme!r}")
        if not 0.5 <= self.in_tune_cents < self.close_cents <= 50.0:
            problems.append(f"tuning bands must satisfy 0.5 <= in tune < close <= 50 cents, got "
                            f"{self.in_tune_cents} and {self.close_cents}")
        if not 0.0 <= self.hold_s <= 5.0:
            problems.append(f"hold time must be between 0 and 5 s, got {self.hold_s}")
        if clamp_span(self.pitch_span_semitones) != self.pitch_span_semitones:
            problems.append(f"pitch view height must be {MIN_SPAN_SEMITONES:g}-"
                            f"{MAX_SPAN_SEMITONES:g} semitones, got "
                            f"{self.pitch_span_semitones}")
        if not MIN_FONT_SCALE <= self.font_scale <= MAX_FONT_SCALE:
            problems.append(f"font scale must be {MIN_FONT_SCALE:g}-{MAX_FONT_SCALE:g}, got "
                            f"{self.font_scale}")
        if self.chroma_key and not _COLOUR_RE.match(self.chroma_key):
            problems.append(f"chroma key must be a colour like #00b140 (or empty), got "
                            f"{self.chroma_key!r}")
        if self.mini_geometry and not _RECT_RE.match(self.mini_geometry):
            problems.append(f"mini window geometry must be 'x,y,width,height' (or empty), got "
                            f"{self.mini_geometry!r}")
        problems += _tuner_problems(self)
        if problems:
            raise SettingsError("; ".join(problems) + ".")

    def replace(self, **changes) -> DisplayPrefs:
        """A copy with some fields changed (validated)."""
        return replace(self, **changes)

    @classmethod
    def field_types(cls) -> dict[str, type]:
        """Field name -> Python type, for converting stored strings back."""
        defaults = cls()
        return {f.name: type(getattr(defaults, f.name)) for f in fields(cls)}


def _tuner_problems(prefs: DisplayPrefs) -> list[str]:
    """What is wrong with the Tuner tab's choices (empty when they are valid)."""
    problems = []
    if prefs.tuner_instrument not in (TUNER_CHROMATIC,) + INSTRUMENT_NAMES:
        problems.append(f"tuner instrument must be {TUNER_CHROMATIC} or one of "
                        f"{', '.join(INSTRUMENT_NAMES)}, got {prefs.tuner_instrument!r}")
    if prefs.tuner_strings:        # "custom" with none yet is allowed: the tab asks for them
        try:
            parse_strings(prefs.tuner_strings)
        except ValueError as exc:
            problems.append(f"custom strings: {exc}")
    if prefs.tuner_temperament not in TEMPERAMENT_NAMES and \
            not prefs.tuner_temperament.lower().endswith(".scl"):
        problems.append(f"tuner temperament must be one of {', '.join(TEMPERAMENT_NAMES)} or a "
                        f".scl file, got {prefs.tuner_temperament!r}")
    if not 0 <= prefs.tuner_tonic_pc < 12:
        problems.append(f"tuner tonic must be a pitch class 0-11, got {prefs.tuner_tonic_pc}")
    if prefs.tuner_timbre not in TIMBRES:
        problems.append(f"reference timbre must be one of {', '.join(TIMBRES)}, got "
                        f"{prefs.tuner_timbre!r}")
    try:
        parse_note_name(prefs.tuner_reference_note)
    except ValueError as exc:
        problems.append(f"reference note: {exc}")
    return problems
