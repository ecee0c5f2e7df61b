"""The current-note panel: note and octave in large type, Hz, and a -50..+50 cents bar.

Type sizes follow the panel's size, so the same widget works beside the trace and filling the
whole screen in large-type mode.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from pitchlive.frames import PitchFrame
from pitchlive.settings import Settings
from pitchlive.ui.prefs import DisplayPrefs
from pitchlive.ui.readout import CLOSE, IN_TUNE, NoteHold, NoteReading
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.theme import DARK, Theme

NO_NOTE = "–"
UNKNOWN_TUNING = "tuning: —"


def tuning_text(offset_cents: float | None) -> str:
    """The running tuning offset as shown: 'tuning −28 c', or 'tuning: —' while unknown."""
    if offset_cents is None or not math.isfinite(offset_cents):
        return UNKNOWN_TUNING
    rounded = round(offset_cents)
    sign = "−" if rounded < 0 else "+" if rounded > 0 else "±"
    return f"tuning {sign}{abs(rounded)} c"


def pretty_accidental(pitch_class: str) -> str:
    """'C#' -> 'C♯', 'Bb' -> 'B♭' for display."""
    return pitch_class[0] + pitch_class[1:].replace("#", "♯").replace("b", "♭")


def band_colour(theme: Theme, band: str, held: bool) -> str:
    """Colour for a tuning band; held notes are drawn muted."""
    if held:
        return theme.held
    return {IN_TUNE: theme.in_tune, CLOSE: theme.close}.get(band, theme.off)


class CentsBar(QWidget):
    """Horizontal -50..+50 cents scale with a bar from 0 to the deviation, coloured by band."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cents: float | None = None
        self._colour = QColor(DARK.in_tune)
        self._theme = DARK
        self._prefs = DisplayPrefs()
        self.setMinimumSize(160, 44)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        """Preferred size."""
        return QSize(320, max(44, self.height()))

    @property
    def cents(self) -> float | None:
        """The deviation drawn, or None."""
        return self._cents

    @property
    def colour(self) -> QColor:
        """The bar's current colour."""
        return QColor(self._colour)

    def set_reading(self, cents: float | None, colour: str) -> None:
        """Show a deviation (None hides the bar)."""
        self._cents = None if cents is None else max(-50.0, min(50.0, cents))
        self._colour = QColor(colour)
        self.update()

    def set_style(self, theme: Theme, prefs: DisplayPrefs) -> None:
        """Colours and band edges."""
        self._theme, self._prefs = theme, prefs
        self.update()

    def paintEvent(self, event) -> None:
        """Draw scale, bands, labels and the bar."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        font = QFont(self.font())
        font.setPixelSize(max(9, int(h * 0.22)))
        painter.setFont(font)
        label_h = font.pixelSize() + 4
        margin = 8.0
        track = QRectF(margin, 2.0, w - 2 * margin, max(8.0, h - label_h - 6.0))

        def x_of(cents: float) -> float:
            return track.left() + (cents + 50.0) / 100.0 * track.width()

        theme = self._theme
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
            painter.setPen(QPen(self._colour, 3))
            painter.drawLine(QPointF(x1, track.top()), QPointF(x1, track.bottom()))
        painter.setPen(QPen(QColor(theme.muted_text), 1))
        for tick in (-50, -25, 25, 50):
            x = x_of(tick)
            painter.drawLine(QPointF(x, track.bottom() - track.height() * 0.25),
                             QPointF(x, track.bottom()))
        painter.setPen(QPen(QColor(theme.text), 2))
        painter.drawLine(QPointF(x_of(0), track.top()), QPointF(x_of(0), track.bottom()))
        painter.setPen(QColor(theme.muted_text))
        for tick, text in ((-50, "−50"), (0, "0"), (50, "+50")):
            rect = QRectF(x_of(tick) - 30, track.bottom() + 2, 60, label_h)
            align = Qt.AlignmentFlag.AlignHCenter
            if tick == -50:
                rect.moveLeft(track.left())
                align = Qt.AlignmentFlag.AlignLeft
            elif tick == 50:
                rect.moveRight(track.right())
                align = Qt.AlignmentFlag.AlignRight
            painter.drawText(rect, align | Qt.AlignmentFlag.AlignTop, text)
        painter.end()


class NotePanel(QWidget):
    """Big note name with octave, frequency, cents value and bar; holds the last note briefly."""

    reading_changed = Signal(object)   # NoteReading or None

    def __init__(self, model: SettingsModel, theme: Theme = DARK,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NotePanel")
        self.settings_model, self._theme = model, theme
        self._hold = NoteHold()
        self._reading: NoteReading | None = None

        self._context = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self._note = QLabel(NO_NOTE, alignment=Qt.AlignmentFlag.AlignCenter)
        self._note.setTextFormat(Qt.TextFormat.RichText)
        self._hz = QLabel(" ", alignment=Qt.AlignmentFlag.AlignCenter)
        self._cents_text = QLabel(" ", alignment=Qt.AlignmentFlag.AlignCenter)
        # The singer's running offset from equal temperament (the engine's estimate).
        self._tuning = QLabel(UNKNOWN_TUNING, alignment=Qt.AlignmentFlag.AlignCenter)
        self._tuning.setToolTip("How far the last few seconds sat from the equal-tempered grid "
                                "(negative: flat). 'Correct for my tuning' in the Tuning "
                                "controls names notes relative to it.")
        self._bar = CentsBar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self._context)
        layout.addStretch(1)
        layout.addWidget(self._note)
        layout.addWidget(self._hz)
        layout.addSpacing(8)
        layout.addWidget(self._bar)
        layout.addWidget(self._cents_text)
        layout.addStretch(1)
        layout.addWidget(self._tuning)
        self.setMinimumWidth(220)
        model.settings_changed.connect(self._on_settings)
        model.prefs_changed.connect(self._on_prefs)
        self._apply_style()
        self._render()

    # ---- state for callers and tests -------------------------------------------------
    @property
    def reading(self) -> NoteReading | None:
        """What is on display, or None."""
        return self._reading

    def note_text(self) -> str:
        """The note on display as plain text, e.g. 'C#4' ('' when none)."""
        return self._reading.name if self._reading else ""

    def cents_text(self) -> str:
        """The cents label as shown."""
        return self._cents_text.text().strip()

    def tuning_text(self) -> str:
        """The tuning offset line as shown."""
        return self._tuning.text()

    def note_colour(self) -> QColor:
        """Colour of the note name and cents bar."""
        return self._bar.colour

    # ---- inputs ------------------------------------------------------------------------
    def show_frame(self, frame: PitchFrame) -> None:
        """Update from one live frame (holding the last note when the frame is unvoiced)."""
        reading = self._hold.update(frame, self.settings_model.settings, self.settings_model.prefs)
        tuning = tuning_text(getattr(frame, "tuning_offset_cents", None))
        if tuning != self._tuning.text():
            self._tuning.setText(tuning)
        if reading != self._reading:
            self._reading = reading
            self._render()
            self.reading_changed.emit(reading)

    def clear(self) -> None:
        """Show no note (the stream stopped)."""
        self._hold.clear()
        self._tuning.setText(UNKNOWN_TUNING)
        if self._reading is not None:
            self._reading = None
            self._render()
            self.reading_changed.emit(None)

    def _on_settings(self, settings: Settings) -> None:
        # A4, transposition or naming changed: relabel the note on display.
        self._reading = self._hold.relabel(settings, self.settings_model.prefs)
        self._render()

    def _on_prefs(self, prefs: DisplayPrefs) -> None:
        # Band edges or hold time changed.
        self._bar.set_style(self._theme, prefs)
        self._reading = self._hold.relabel(self.settings_model.settings, prefs)
        self._render()

    def set_theme(self, theme: Theme) -> None:
        """Recolour."""
        self._theme = theme
        self._apply_style()
        self._render()

    # ---- drawing -----------------------------------------------------------------------
    def _apply_style(self) -> None:
        self.setAutoFillBackground(True)
        self.setStyleSheet(f"#NotePanel {{ background: {self._theme.panel}; }}")
        for label in (self._context, self._hz, self._cents_text, self._tuning):
            label.setStyleSheet(f"color: {self._theme.muted_text};")
        self._bar.set_style(self._theme, self.settings_model.prefs)

    def _render(self) -> None:
        s = self.settings_model.settings
        instrument = "concert pitch" if s.transposition == "C" else \
            f"{pretty_accidental(s.transposition)} instrument"
        self._context.setText(f"A4 = {s.a4_hz:g} Hz · {instrument}")
        reading = self._reading
        size = self._note_pixel_size()
        if reading is None:
            colour = self._theme.held
            self._note.setText(f"<span style='font-size:{size}px; color:{colour}'>{NO_NOTE}</span>")
            self._hz.setText(" ")
            self._cents_text.setText(" ")
            self._bar.set_reading(None, colour)
            return
        colour = band_colour(self._theme, reading.band, reading.held)
        octave_size = max(8, int(size * 0.42))
        accidental = pretty_accidental(reading.pitch_class)[1:]
        # Letter big; accidental raised and smaller, octave lowered, as in printed music.
        html = (f"<span style='font-size:{size}px; font-weight:600; color:{colour}'>"
                f"{reading.pitch_class[0]}</span>")
        if accidental:
            html += (f"<span style='font-size:{int(size * 0.5)}px; font-weight:600; "
                     f"vertical-align:super; color:{colour}'>{accidental}</span>")
        html += (f"<span style='font-size:{octave_size}px; vertical-align:sub; "
                 f"color:{colour}'>{reading.octave}</span>")
        self._note.setText(html)
        self._hz.setText(f"{reading.frequency_hz:.1f} Hz")
        self._cents_text.setText(f"{reading.cents:+.0f} cents")
        self._bar.set_reading(reading.cents, colour)

    def _note_pixel_size(self) -> int:
        # The name must fit both ways: about 3 glyphs wide and under half the panel's height.
        return max(28, int(min(self.width() / 2.6, self.height() * 0.42)))

    def resizeEvent(self, event) -> None:
        """Scale the type with the panel."""
        super().resizeEvent(event)
        small = max(11, int(self._note_pixel_size() * 0.18))
        for label in (self._hz, self._cents_text):
            font = label.font()
            font.setPixelSize(small)
            label.setFont(font)
        context_font = self._context.font()
        context_font.setPixelSize(max(10, int(small * 0.75)))
        self._context.setFont(context_font)
        self._tuning.setFont(context_font)
        self._bar.setFixedHeight(max(44, int(self._note_pixel_size() * 0.35)))
        self._render()
