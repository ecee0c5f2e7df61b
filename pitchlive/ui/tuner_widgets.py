"""The Tuner tab's two displays, drawn with QPainter: a damped needle gauge and a strobe.

Both only draw what a TunerReading says (pitchlive.tuner.meter): the needle's damping and the
strobe's phase are computed by the tuner core, frame by frame. Between frames the strobe keeps
drifting at the reading's rate for a short while, so its motion is smooth at the screen's rate.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from pitchlive.ui.theme import Theme
from pitchlive.ui.tuner_data import MINUS

GAUGE_RANGE_CENTS = 50.0          # the scale spans +-50 cents, a semitone
GAUGE_SWEEP_DEG = 100.0           # the arc spans this many degrees, centred on vertical
STROBE_ROWS = (1, 2, 4)           # stripes per period in each row, like a strobe disc's rings
STROBE_PERIOD_PX = 48.0           # one pattern period on screen
MAX_EXTRAPOLATION_S = 0.12        # keep drifting this long after the last reading, then wait
LABEL_GAP_PX = 4.0                # between the arc and the nearest edge of a scale label


def _pen(colour: str | QColor, width: float, cap: Qt.PenCapStyle) -> QPen:
    pen = QPen(QColor(colour))
    pen.setWidthF(width)
    pen.setCapStyle(cap)
    return pen


class NeedleGauge(QWidget):
    """A meter from -50 to +50 cents with a needle; the band within in_tune_cents is marked."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self.needle_cents: float | None = None     # where the needle points; None: at rest
        self.locked = False
        self.in_tune_cents = 1.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(260, 140)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(520, 260)

    def set_theme(self, theme: Theme) -> None:
        """Recolour."""
        self._theme = theme
        self.update()

    def set_needle(self, cents: float | None, locked: bool) -> None:
        """Point the needle at cents (None: no pitch, the needle rests greyed)."""
        self.needle_cents = None if cents is None or not math.isfinite(cents) else float(cents)
        self.locked = locked
        self.update()

    @property
    def needle_angle_deg(self) -> float:
        """The needle's angle from vertical, degrees, positive clockwise (sharp to the right)."""
        cents = 0.0 if self.needle_cents is None else self.needle_cents
        cents = max(-GAUGE_RANGE_CENTS, min(GAUGE_RANGE_CENTS, cents))
        return cents / GAUGE_RANGE_CENTS * GAUGE_SWEEP_DEG / 2.0

    def _point(self, centre: QPointF, radius: float, angle_deg: float) -> QPointF:
        a = math.radians(angle_deg)
        return QPointF(centre.x() + radius * math.sin(a), centre.y() - radius * math.cos(a))

    def _scale_font(self) -> QFont:
        """The scale's labels grow with the gauge, within readable bounds."""
        font = QFont(self.font())
        font.setPointSizeF(min(18.0, max(8.0, min(self.width(), 2 * self.height()) * 0.018)))
        return font

    def _layout(self, metrics: QFontMetricsF) -> tuple[QPointF, float]:
        """(pivot, arc radius) in pixels: the largest arc that leaves room for its labels above
        and beside it (label_rects), the pivot near the bottom."""
        w, h = self.width(), self.height()
        sin, cos = math.sin(math.radians(GAUGE_SWEEP_DEG / 2.0)), math.cos(
            math.radians(GAUGE_SWEEP_DEG / 2.0))
        half_w, half_h = 1.0 + metrics.horizontalAdvance(f"{MINUS}50") / 2, metrics.height() / 2
        side = (w / 2.0 - 4.0 - half_w) / sin - LABEL_GAP_PX - half_w * sin - half_h * cos
        top = h - 20.0 - 4.0 - LABEL_GAP_PX - 2 * half_h
        return QPointF(w / 2.0, h - 20.0), max(40.0, min(side, top))

    def label_rects(self) -> list[tuple[str, QRectF]]:
        """The scale's labels and the rectangles their text takes (widget pixels): each just
        clear of the arc and of its tick, wherever on the arc it sits."""
        metrics = QFontMetricsF(self._scale_font())
        centre, radius = self._layout(metrics)
        rects = []
        for cents in range(-50, 51, 25):
            text = "0" if cents == 0 else f"{'+' if cents > 0 else MINUS}{abs(cents)}"
            angle = cents / GAUGE_RANGE_CENTS * GAUGE_SWEEP_DEG / 2.0
            half_w, half_h = 1.0 + metrics.horizontalAdvance(text) / 2, metrics.height() / 2
            a = math.radians(angle)
            reach = half_w * abs(math.sin(a)) + half_h * abs(math.cos(a))   # box towards pivot
            at = self._point(centre, radius + LABEL_GAP_PX + reach, angle)
            rects.append((text, QRectF(at.x() - half_w, at.y() - half_h, 2 * half_w, 2 * half_h)))
        return rects

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        t = self._theme
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(t.plot_background))
        font = self._scale_font()
        centre, radius = self._layout(QFontMetricsF(font))
        rect = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
        band_deg = self.in_tune_cents / GAUGE_RANGE_CENTS * GAUGE_SWEEP_DEG / 2.0
        painter.setPen(_pen(t.in_tune, max(6.0, radius * 0.05), Qt.PenCapStyle.FlatCap))
        inner = radius * 0.78          # the in-tune band sits inside the scale, clear of its "0"
        band_rect = QRectF(centre.x() - inner, centre.y() - inner, 2 * inner, 2 * inner)
        painter.drawArc(band_rect, int((90 - band_deg) * 16), max(16, int(2 * band_deg * 16)))
        painter.setPen(QPen(QColor(t.semitone_line), 2))
        painter.drawArc(rect, int((90 - GAUGE_SWEEP_DEG / 2) * 16), int(GAUGE_SWEEP_DEG * 16))
        painter.setFont(font)
        for cents in range(-50, 51, 5):
            angle = cents / GAUGE_RANGE_CENTS * GAUGE_SWEEP_DEG / 2.0
            major = cents % 25 == 0
            inner = radius * (0.86 if major else 0.92)
            painter.setPen(QPen(QColor(t.axis_text if major else t.c_line), 2 if major else 1))
            painter.drawLine(self._point(centre, inner, angle), self._point(centre, radius, angle))
        painter.setPen(QColor(t.axis_text))
        for text, box in self.label_rects():
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        colour = QColor(t.held if self.needle_cents is None else
                        t.in_tune if self.locked else t.accent)
        painter.setPen(_pen(colour, max(3.0, radius * 0.018), Qt.PenCapStyle.RoundCap))
        painter.drawLine(centre, self._point(centre, radius * 0.97, self.needle_angle_deg))
        painter.setBrush(colour)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(centre, 7.0, 7.0)
        painter.end()


class StrobeDisplay(QWidget):
    """Rows of stripes that drift right when sharp, left when flat and stand still in tune."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self.phase = 0.0             # pattern periods, from the tuner core
        self.rate_hz = 0.0           # pattern periods per second (+ = sharp)
        self.has_pitch = False
        self.locked = False
        self._set_at_s = time.monotonic()
        self.setMinimumHeight(60)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(520, 84)

    def set_theme(self, theme: Theme) -> None:
        """Recolour."""
        self._theme = theme
        self.update()

    def set_reading(self, phase: float, rate_hz: float, has_pitch: bool, locked: bool) -> None:
        """The pattern's phase and drift from the tuner core's latest reading."""
        self.phase, self.rate_hz = float(phase), float(rate_hz) if has_pitch else 0.0
        self.has_pitch, self.locked = has_pitch, locked
        self._set_at_s = time.monotonic()
        self.update()

    @property
    def moving(self) -> bool:
        """True while the pattern still drifts (the view repaints it at the screen's rate)."""
        return self.has_pitch and self.rate_hz != 0.0 and \
            time.monotonic() - self._set_at_s < MAX_EXTRAPOLATION_S

    def offset_px(self, now_s: float | None = None) -> float:
        """How far the pattern has moved right, pixels, in [0, STROBE_PERIOD_PX)."""
        elapsed = 0.0
        if self.has_pitch and now_s is not None:
            elapsed = min(max(now_s - self._set_at_s, 0.0), MAX_EXTRAPOLATION_S)
        return ((self.phase + self.rate_hz * elapsed) % 1.0) * STROBE_PERIOD_PX

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        t = self._theme
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(t.plot_background))
        colour = QColor(t.held if not self.has_pitch else t.in_tune if self.locked else t.accent)
        offset = self.offset_px(time.monotonic())
        rows = len(STROBE_ROWS)
        gap = 4.0
        row_h = (self.height() - gap * (rows + 1)) / rows
        for row, stripes in enumerate(STROBE_ROWS):
            period = STROBE_PERIOD_PX / stripes
            top = gap + row * (row_h + gap)
            x = offset % period - period
            while x < self.width():
                painter.fillRect(QRectF(x, top, period / 2.0, row_h), colour)
                x += period
        painter.end()
