"""Display preferences of the window: what only the GUI needs (Settings holds the rest)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from pitchlive.settings import SettingsError

THEME_NAMES = ("dark", "light")
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
    large_type: bool = False       # note panel fills the window
    show_controls: bool = True
    pitch_span_semitones: float = 24.0  # height of the pitch view

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
