"""Display preferences of the window: what only the GUI needs (Settings holds the rest)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace

from pitchlive.settings import SettingsError

THEME_NAMES = ("dark", "light")
# Presentation mode and the mini window: how much of the height the note name takes (1 = default).
MIN_FONT_SCALE, MAX_FONT_SCALE = 0.5, 1.6
# Chroma-key backgrounds for streaming overlays ('' = the theme's own background).
CHROMA_PRESETS = {"Green": "#00b140", "Blue": "#0047bb", "Magenta": "#ff00ff"}
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# Window states, not preferences: the window starts without them whatever the last run did.
SESSION_ONLY_PREFS = frozenset({"large_type"})
MIN_SPAN_SEMITONES, MAX_SPAN_SEMITONES = 3.0, 96.0   # heights the pitch view may have


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
