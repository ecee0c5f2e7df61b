"""The current-note panel: note and octave in large type, Hz, and a -50..+50 cents needle.

Nothing here has a minimum size that could push the window: the rows are laid out from the
panel's own size (panel_rows) and every text's font is the largest that fits its row, so the
same widget works beside the trace, filling a projector in presentation mode, and in the small
mini window. Only the needle is a child widget (CentsBar); the texts are painted.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from pitchlive.frames import PitchFrame
from pitchlive.settings import Settings
from pitchlive.tracking.naming import display_note_name
from pitchlive.ui.prefs import DisplayPrefs
from pitchlive.ui.readout import CLOSE, IN_TUNE, NoteHold, NoteReading, cents_label, vibrato_label
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.theme import DARK, Theme

NO_NOTE = "–"
UNKNOWN_TUNING = "tuning: —"
UNPITCHED = "sound, no clear pitch"
# Row name -> share of the height (the note's share is multiplied by the font scale).
FULL_ROWS = (("context", 0.07), ("note", 0.42), ("hz", 0.09), ("gap", 0.02), ("needle", 0.16),
             ("cents", 0.09), ("info", 0.065), ("tuning", 0.065))
COMPACT_ROWS = (("note", 0.50), ("needle", 0.28), ("cents", 0.22))
# The widest texts a row holds, so a row's type does not jump from one note to the next.
ROW_TEMPLATES = {"hz": "8888.8 Hz", "cents": "+50 cents"}
KEY_MIN_DISTANCE = 160.0   # RGB distance a foreground colour keeps from a chroma key


def tuning_text(offset_cents: float | None) -> str:
    """The running tuning offset as shown: 'tuning −28 c', or 'tuning: —' while unknown."""
    if offset_cents is None or not math.isfinite(offset_cents):
        return UNKNOWN_TUNING
    rounded = round(offset_cents)
    sign = "−" if rounded < 0 else "+" if rounded > 0 else "±"
    return f"tuning {sign}{abs(rounded)} c"


def pretty_accidental(pitch_class: str) -> str:
    """'C#' -> 'C♯', 'Bb' -> 'B♭' for display (see tracking.naming.display_note_name)."""
    return display_note_name(pitch_class)


def band_colour(theme: Theme, band: str, held: bool) -> str:
    """Colour for a tuning band; held notes are drawn muted."""
    if held:
        return theme.held
    return {IN_TUNE: theme.in_tune, CLOSE: theme.close}.get(band, theme.off)


def keyed_colour(colour: str, key: str | None) -> str:
    """colour, or white/black when it is so near the chroma key that a keyer would remove it.

    On a green key the in-tune green note would vanish from the stream with the background.
    """
    if not key:
        return colour
    a, b = QColor(colour), QColor(key)
    distance = ((a.red() - b.red()) ** 2 + (a.green() - b.green()) ** 2 +
                (a.blue() - b.blue()) ** 2) ** 0.5
    if distance >= KEY_MIN_DISTANCE:
        return colour
    return "#000000" if b.lightnessF() > 0.6 else "#ffffff"


def panel_rows(width: float, height: float, compact: bool = False,
               font_scale: float = 1.0) -> dict[str, QRectF]:
    """Row name -> its rectangle in a panel of width x height pixels (all inside it)."""
    margin = max(2.0, min(width, height) * 0.03)
    inner_w, inner_h = max(1.0, width - 2 * margin), max(1.0, height - 2 * margin)
    rows = [(name, share * font_scale if name == "note" else share)
            for name, share in (COMPACT_ROWS if compact else FULL_ROWS)]
    total = sum(share for _name, share in rows)
    out, y = {}, margin
    for name, share in rows:
        h = inner_h * share / total
        out[name] = QRectF(margin, y, inner_w, h)
        y += h
    return out


def fitted_font(base: QFont, text: str, rect: QRectF, fill: float = 0.8,
                bold: bool = False) -> QFont:
    """base at the largest pixel size (at most fill x the row height) whose text fits rect."""
    font = QFont(base)
    font.setBold(bold)
    font.setPixelSize(100)
    advance = max(1.0, QFontMetricsF(font).horizontalAdvance(text))
    size = min(rect.height() * fill, rect.width() * 0.98 * 100.0 / advance)
    font.setPixelSize(max(6, int(size)))
    return font


class CentsBar(QWidget):
    """The needle: a -50..+50 cents scale with a marker at the deviation, coloured by band."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cents: float | None = None
        self._colour = QColor(DARK.in_tune)
        self._theme = DARK
        self._prefs = DisplayPrefs()
        self._background: str | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        """Preferred size (the panel sets the real geometry)."""
        return QSize(320, 44)

    @property
    def cents(self) -> float | None:
        """The deviation drawn, or None."""
        return self._cents

    @property
    def colour(self) -> QColor:
        """The marker's current colour."""
        return QColor(self._colour)

    def set_reading(self, cents: float | None, colour: str) -> None:
        """Show a deviation (None hides the marker)."""
        self._cents = None if cents is None else max(-50.0, min(50.0, cents))
        self._colour = QColor(colour)
        self.update()

    def set_style(self, theme: Theme, prefs: DisplayPrefs, background: str | None = None) -> None:
        """Colours, band edges, and the background behind the scale (None: the theme's)."""
        self._theme, self._prefs, self._background = theme, prefs, background
        self.update()

    def label_font(self) -> QFont:
        """The font of the scale's numbers, sized from the bar's height."""
        font = QFont(self.font())
        font.setPixelSize(max(8, int(self.height() * 0.26)))
        return font

    def track_rect(self) -> QRectF:
        """Where the scale is drawn: inset by half the widest label, so every label fits."""
        metrics = QFontMetricsF(self.label_font())
        margin = max(4.0, metrics.horizontalAdvance("−50") / 2 + 2)
        label_h = metrics.height()
        return QRectF(margin, 2.0, max(1.0, self.width() - 2 * margin),
                      max(6.0, self.height() - label_h - 4.0))

    def label_rects(self) -> list[tuple[str, QRectF]]:
        """The scale's labels and where they are drawn, each centred under its tick."""
        metrics = QFontMetricsF(self.label_font())
        track = self.track_rect()
        out = []
        for tick, text in ((-50, "−50"), (0, "0"), (50, "+50")):
            width = metrics.horizontalAdvance(text) + 2
            x = track.left() + (tick + 50.0) / 100.0 * track.width()
            out.append((text, QRectF(x - width / 2, track.bottom() + 1, width, metrics.height())))
        return out

    def paintEvent(self, event) -> None:
        """Draw scale, bands, labels and the marker."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        track = self.track_rect()

        def x_of(cents: float) -> float:
            return track.left() + (cents + 50.0) / 100.0 * track.width()

        theme = self._theme
        if self._background:
            painter.fillRect(self.rect(), QColor(self._background))
        painter.fillRect(track, QColor(theme.plot_background))
        for edge, colour in ((self._prefs.close_cents, theme.close),
                             (self._prefs.in_tune_cents, theme.in_tune)):
            band = QColor(colour)
            band.setAlpha(45)
            painter.fillRect(QRectF(x_of(-edge), track.top(), x_of(edge) - x_of(-edge),
                                    track.height()), band)
        if self._cents is not None:
            x0, x1 = x_of(0.0), x_of(self._cents)
            bar = QRectF(min(x0, x1), track.top() + track.height() * 0.2,
                         max(2.0, abs(x1 - x0)), track.height() * 0.6)
            painter.fillRect(bar, self._colour)
            painter.setPen(QPen(self._colour, max(3.0, track.height() * 0.06)))
            painter.drawLine(QPointF(x1, track.top()), QPointF(x1, track.bottom()))
        painter.setPen(QPen(QColor(theme.muted_text), 1))
        for tick in (-50, -25, 25, 50):
            x = x_of(tick)
            painter.drawLine(QPointF(x, track.bottom() - track.height() * 0.25),
                             QPointF(x, track.bottom()))
        painter.setPen(QPen(QColor(theme.text), 2))
        painter.drawLine(QPointF(x_of(0), track.top()), QPointF(x_of(0), track.bottom()))
        painter.setFont(self.label_font())
        painter.setPen(QColor(theme.text if self._background else theme.muted_text))
        for text, rect in self.label_rects():
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()


class NotePanel(QWidget):
    """Big note name with octave, frequency, cents value and needle; holds the last note briefly.

    compact=True (the mini window) shows only the note, the needle and the cents.
    """

    reading_changed = Signal(object)   # NoteReading or None

    def __init__(self, model: SettingsModel, theme: Theme = DARK, parent: QWidget | None = None,
                 compact: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("NotePanel")
        self.settings_model, self._theme = model, theme
        self.compact = compact
        self._hold = NoteHold()
        self._reading: NoteReading | None = None
        self._tuning = UNKNOWN_TUNING
        self._info = ""                    # vibrato, or 'sound, no clear pitch'
        self._font_scale = 1.0
        self._background: str | None = None   # a chroma key, or None for the theme's panel
        self._bar = CentsBar(self)
        self.setToolTip("The tuning line: how far the last few seconds sat from the "
                        "equal-tempered grid (negative: flat).")
        self.setMinimumSize(120, 90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        model.settings_changed.connect(self._on_settings)
        model.prefs_changed.connect(self._on_prefs)
        self._apply_style()

    # ---- state for callers and tests -------------------------------------------------
    @property
    def reading(self) -> NoteReading | None:
        """What is on display, or None."""
        return self._reading

    @property
    def needle(self) -> CentsBar:
        """The cents needle widget."""
        return self._bar

    def note_text(self) -> str:
        """The note on display as plain text, e.g. 'C#4' ('' when none)."""
        return self._reading.name if self._reading else ""

    def cents_text(self) -> str:
        """The cents label as shown ('' when no note)."""
        return cents_label(self._reading.cents) if self._reading else ""

    def hz_text(self) -> str:
        """The frequency line as shown ('' when no note)."""
        return f"{self._reading.frequency_hz:.1f} Hz" if self._reading else ""

    def tuning_text(self) -> str:
        """The tuning offset line as shown."""
        return self._tuning

    def info_text(self) -> str:
        """The vibrato or 'sound, no clear pitch' line ('' when neither)."""
        return self._info

    def context_text(self) -> str:
        """The A4 and transposition line."""
        s = self.settings_model.settings
        instrument = "concert pitch" if s.transposition == "C" else (
            f"{display_note_name(s.transposition)} instrument" if s.transposition[0].isalpha()
            else f"{s.transposition} semitones")
        return f"A4 = {s.a4_hz:g} Hz · {instrument}"

    def note_colour(self) -> QColor:
        """Colour of the note name and needle."""
        return self._bar.colour

    def background_colour(self) -> QColor:
        """The panel's background (a chroma key when one is set)."""
        return QColor(self._background or self._theme.panel)

    def text_rects(self) -> dict[str, QRectF]:
        """Row name -> the rectangle its text is drawn in (for tests: all inside the panel)."""
        return panel_rows(self.width(), self.height(), self.compact, self._font_scale)

    # ---- inputs ------------------------------------------------------------------------
    def show_frame(self, frame: PitchFrame) -> None:
        """Update from one live frame (holding the last note when the frame is unvoiced)."""
        reading = self._hold.update(frame, self.settings_model.settings, self.settings_model.prefs)
        tuning = tuning_text(frame.tuning_offset_cents)
        info = (vibrato_label(frame.vibrato_rate_hz, frame.vibrato_width_cents)
                if frame.is_pitch else UNPITCHED if frame.unpitched_sound else "")
        changed = tuning != self._tuning or info != self._info
        self._tuning, self._info = tuning, info
        if reading != self._reading:
            self._reading = reading
            self._render()
            self.reading_changed.emit(reading)
        elif changed:
            self.update()

    def clear(self) -> None:
        """Show no note (the stream stopped)."""
        self._hold.clear()
        self._tuning, self._info = UNKNOWN_TUNING, ""
        if self._reading is not None:
            self._reading = None
            self.reading_changed.emit(None)
        self._render()

    def set_font_scale(self, scale: float) -> None:
        """The note's share of the height (1 = default; presentation mode, mini window)."""
        self._font_scale = scale
        self._place_needle()
        self.update()

    def set_background(self, colour: str | None) -> None:
        """A chroma-key colour behind everything, or None for the theme's panel colour."""
        self._background = colour or None
        self._apply_style()

    def _on_settings(self, settings: Settings) -> None:
        # A4, transposition or naming changed: relabel the note on display.
        self._reading = self._hold.relabel(settings, self.settings_model.prefs)
        self._render()

    def _on_prefs(self, prefs: DisplayPrefs) -> None:
        # Band edges or hold time changed.
        self._bar.set_style(self._theme, prefs, self._background)
        self._reading = self._hold.relabel(self.settings_model.settings, prefs)
        self._render()

    def set_theme(self, theme: Theme) -> None:
        """Recolour."""
        self._theme = theme
        self._apply_style()

    # ---- drawing -----------------------------------------------------------------------
    def _apply_style(self) -> None:
        self._bar.set_style(self._theme, self.settings_model.prefs, self._background)
        self._render()

    def _render(self) -> None:
        reading = self._reading
        colour = self._theme.held if reading is None else \
            band_colour(self._theme, reading.band, reading.held)
        colour = keyed_colour(colour, self._background)
        self._bar.set_reading(None if reading is None else reading.cents, colour)
        self.update()

    def _place_needle(self) -> None:
        self._bar.setGeometry(self.text_rects()["needle"].toAlignedRect())

    def resizeEvent(self, event) -> None:
        """Lay the rows out again for the new size."""
        super().resizeEvent(event)
        self._place_needle()

    def paintEvent(self, event) -> None:
        """Background, then each row's text at the largest size that fits it."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.fillRect(self.rect(), self.background_colour())
        rows = self.text_rects()
        reading = self._reading
        muted = QColor(self._theme.text if self._background else self._theme.muted_text)
        colour = self.note_colour()
        self._paint_note(painter, rows["note"], reading, colour)
        texts = {"cents": (self.cents_text(), colour if reading else muted)}
        if not self.compact:
            texts.update(context=(self.context_text(), muted), hz=(self.hz_text(), muted),
                         info=(self._info, muted), tuning=(self._tuning, muted))
        for name, (text, pen) in texts.items():
            if not text:
                continue
            rect = rows[name]
            font = fitted_font(self.font(), ROW_TEMPLATES.get(name, text), rect)
            if name in ROW_TEMPLATES:   # fits the widest text of the row, and this one
                font = min(font, fitted_font(self.font(), text, rect),
                           key=lambda f: f.pixelSize())
            painter.setFont(font)
            painter.setPen(pen)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()

    def note_font_size(self) -> int:
        """Pixel size of the note letter (the others follow from it)."""
        rect = self.text_rects()["note"]
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(100)
        metrics = QFontMetricsF(font)
        # Letter, raised accidental at half size, lowered octave at 0.42: the widest common case.
        width = metrics.horizontalAdvance("G") + 0.5 * metrics.horizontalAdvance("♯") + \
            0.42 * metrics.horizontalAdvance("4") + 4
        return max(8, int(min(rect.height() / 1.12, rect.width() * 0.96 * 100.0 / width)))

    def _paint_note(self, painter: QPainter, rect: QRectF, reading: NoteReading | None,
                    colour: QColor) -> None:
        size = self.note_font_size()
        if reading is None:
            parts = [(NO_NOTE, 1.0, 0.0)]
            colour = QColor(keyed_colour(self._theme.held, self._background))
        else:
            accidental = display_note_name(reading.pitch_class)[1:]
            parts = [(reading.pitch_class[0], 1.0, 0.0)]
            if accidental:
                parts.append((accidental, 0.5, -0.38))   # raised, as in printed music
            parts.append((str(reading.octave), 0.42, 0.16))   # lowered
        fonts = []
        for text, share, _shift in parts:
            font = QFont(self.font())
            font.setBold(True)
            font.setPixelSize(max(6, int(size * share)))
            fonts.append(font)
        widths = [QFontMetricsF(f).horizontalAdvance(t) for f, (t, _s, _h) in zip(fonts, parts)]
        x = rect.center().x() - sum(widths) / 2
        cap = QFontMetricsF(fonts[0]).capHeight()
        baseline = rect.center().y() + cap / 2 - size * 0.06
        painter.setPen(colour)
        for font, width, (text, _share, shift) in zip(fonts, widths, parts):
            painter.setFont(font)
            painter.drawText(QPointF(x, baseline + shift * size), text)
            x += width
