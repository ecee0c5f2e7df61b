"""Dark and light colour themes for the widgets, the plots and the note panel."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Theme:
    """Every colour the window uses, as '#rrggbb' strings."""

    name: str
    window: str
    panel: str
    text: str
    muted_text: str
    accent: str
    plot_background: str
    white_key_row: str
    black_key_row: str
    semitone_line: str
    c_line: str
    axis_text: str
    trace: str
    confidence: str
    threshold: str
    playhead: str
    in_tune: str
    close: str
    off: str
    held: str
    error_background: str
    info_background: str
    spectrogram_colormap: str
    note_bar: str = "#9be7a1"     # transcribed notes: apart from the trace's and magma's hues


DARK = Theme(
    name="dark", window="#1e1f24", panel="#26272e", text="#e8e8ec", muted_text="#9a9ca8",
    accent="#4cc2ff", plot_background="#15161a", white_key_row="#1b1c21",
    black_key_row="#101114", semitone_line="#2a2c33", c_line="#5a5e6b", axis_text="#b8bac4",
    trace="#4cc2ff", confidence="#c9a0ff", threshold="#ff9f43", playhead="#ffffff",
    in_tune="#2ecc71", close="#f1c40f", off="#ff5c5c", held="#6b6e7a",
    error_background="#5a1f24", info_background="#1f3a52", spectrogram_colormap="magma")

LIGHT = Theme(
    name="light", window="#f4f4f6", panel="#ffffff", text="#1d1e22", muted_text="#5d606b",
    accent="#0a6fc2", plot_background="#ffffff", white_key_row="#fbfbfc",
    black_key_row="#e6e7eb", semitone_line="#d9dbe0", c_line="#8a8f9c", axis_text="#3a3c44",
    trace="#0a6fc2", confidence="#7b3fd1", threshold="#d35400", playhead="#1d1e22",
    in_tune="#1e9e52", close="#c79100", off="#d63031", held="#a4a7b2",
    error_background="#fbe3e4", info_background="#e3effb", spectrogram_colormap="magma",
    note_bar="#1e9e52")

THEMES = {theme.name: theme for theme in (DARK, LIGHT)}


def theme_named(name: str) -> Theme:
    """The theme called name ('dark' or 'light'); unknown names give the dark theme."""
    return THEMES.get(name, DARK)


def apply_theme(app: QApplication, theme: Theme) -> None:
    """Give the whole application the theme's palette (Fusion style, so it looks alike everywhere)."""
    app.setStyle("Fusion")
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: theme.window,
        QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.panel,
        QPalette.ColorRole.AlternateBase: theme.window,
        QPalette.ColorRole.ToolTipBase: theme.panel,
        QPalette.ColorRole.ToolTipText: theme.text,
        QPalette.ColorRole.Text: theme.text,
        QPalette.ColorRole.Button: theme.panel,
        QPalette.ColorRole.ButtonText: theme.text,
        QPalette.ColorRole.Highlight: theme.accent,
        QPalette.ColorRole.HighlightedText: theme.window,
        QPalette.ColorRole.Link: theme.accent,
        QPalette.ColorRole.PlaceholderText: theme.muted_text,
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(theme.muted_text))
    app.setPalette(palette)
