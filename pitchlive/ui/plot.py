"""The two-lane plot both pitch views draw on: pitch on a semitone axis over a confidence lane.

The upper lane has a note-name axis (NoteAxis), a time axis (TimeAxis) and, for the live view,
piano-roll rows (PianoRollItem); the lower lane shows confidence with the threshold as a dashed
line. The naming of the axis, the rows and the threshold follow the window's SettingsModel; the
colours follow set_theme. The live PitchView and the Recording FileView add their own curves.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject

from pitchlive.music import is_black_key, note_name
from pitchlive.settings import Settings
from pitchlive.tracking.naming import display_note_name
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.theme import DARK, Theme

AXIS_WIDTH_PX = 44
PITCH_LANE_STRETCH, CONFIDENCE_LANE_STRETCH = 5, 1


def written_is_black(midi: int, settings: Settings) -> bool:
    """True when the note, as written for the settings' transposition, is a black key."""
    return is_black_key(midi + settings.transpose_semitones)


def written_is_c(midi: int, settings: Settings) -> bool:
    """True when the note, as written for the settings' transposition, is a C."""
    return (midi + settings.transpose_semitones) % 12 == 0


# Label sets from densest to sparsest, by written pitch class, with the smallest gap between
# two neighbours in semitones: the axis takes the densest whose labels stay apart on screen.
LABEL_LEVELS = (
    (frozenset(range(12)), 1),
    (frozenset({0, 2, 4, 7, 9}), 2),          # C D E G A: no E-F or B-C pair a semitone apart
    (frozenset({0, 4, 7}), 3),                # C E G
    (frozenset({0, 5}), 5),                   # C F
    (frozenset({0}), 12),                     # C
)
LABEL_GAP = 1.25   # free space between two labels, in label heights


class NoteAxis(pg.AxisItem):
    """Left axis in MIDI units labelled with note names; density adapts to the zoom.

    Labels are thinned by the pixels they get: two neighbours are always at least
    LABEL_GAP label heights apart, whatever the window's height.
    """

    def __init__(self, namer: Callable[[int], str], is_black: Callable[[int], bool],
                 pitch_class: Callable[[int], int] | None = None) -> None:
        super().__init__("left")
        self.namer = namer
        self.is_black = is_black
        self.pitch_class = pitch_class or (lambda m: m % 12)
        self.enableAutoSIPrefix(False)
        self.setWidth(AXIS_WIDTH_PX)

    def label_height_px(self) -> float:
        """Height of one tick label."""
        return QFontMetricsF(self.style.get("tickFont") or QFont()).height()

    def tickValues(self, minVal: float, maxVal: float, size: float):
        """The densest LABEL_LEVELS set whose neighbours are far enough apart, else every other C."""
        if not (math.isfinite(minVal) and math.isfinite(maxVal)) or maxVal <= minVal:
            return []
        px_per_semitone = size / (maxVal - minVal)
        notes = range(math.ceil(minVal), math.floor(maxVal) + 1)
        needed_px = self.label_height_px() * LABEL_GAP
        for classes, gap in LABEL_LEVELS:
            if gap * px_per_semitone >= needed_px:
                chosen = [m for m in notes if self.pitch_class(m) in classes]
                break
        else:
            step = 12 * max(2, math.ceil(needed_px / (12 * max(px_per_semitone, 1e-9))))
            chosen = [m for m in notes if self.pitch_class(m) == 0][::step // 12]
        return [(1.0, [float(m) for m in chosen])]

    def tickStrings(self, values, scale, spacing):
        """Note names for MIDI values, with real sharp and flat signs."""
        return [display_note_name(self.namer(round(v))) for v in values]


class TimeAxis(pg.AxisItem):
    """Bottom axis showing session time as m:ss."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values, scale, spacing):
        """m:ss, with tenths when ticks are closer than a second."""
        out = []
        for v in values:
            sign = "-" if v < 0 else ""
            v = abs(v)
            minutes, seconds = divmod(v, 60.0)
            text = f"{int(minutes)}:{seconds:04.1f}" if spacing < 1 else \
                f"{int(minutes)}:{round(seconds) % 60:02d}"
            out.append(sign + text)
        return out


class PianoRollItem(QGraphicsObject):
    """Background rows, one per semitone: darker black keys, stronger line under each C.

    A child of the ViewBox in its pixel coordinates, not a data item: the rows depend only on
    the pitch range, so scrolling in time changes no geometry. (A data item whose bounds follow
    the view makes pyqtgraph paint twice per scroll step.)
    """

    def __init__(self, viewbox: pg.ViewBox, theme: Theme, is_black: Callable[[int], bool],
                 is_c: Callable[[int], bool]) -> None:
        super().__init__(viewbox)
        self._vb = viewbox
        self._theme = theme
        self.is_black = is_black
        self.is_c = is_c
        self.highlight: int | None = None
        # Above the ViewBox background, below the plotted data.
        self.setZValue(-1e5)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent, False)
        viewbox.sigYRangeChanged.connect(lambda *_: self.update())
        viewbox.sigResized.connect(self._resized)

    def _resized(self, *args) -> None:
        self.prepareGeometryChange()
        self.update()

    def set_theme(self, theme: Theme) -> None:
        """Recolour."""
        self._theme = theme
        self.update()

    def set_highlight(self, midi: int | None) -> None:
        """Tint the row of the current note (None: no tint)."""
        if midi != self.highlight:
            self.highlight = midi
            self.update()

    def boundingRect(self) -> QRectF:
        """The ViewBox's area."""
        return QRectF(self._vb.rect())

    def paint(self, painter, option, widget=None) -> None:
        """Rows for the visible semitones."""
        area = self._vb.rect()
        _, (y0, y1) = self._vb.viewRange()
        if not (math.isfinite(y0) and math.isfinite(y1)) or y1 <= y0 or area.height() <= 0:
            return
        lo, hi = math.floor(y0 - 0.5), math.ceil(y1 + 0.5)
        if hi - lo > 400:
            return
        scale = area.height() / (y1 - y0)

        def y_px(value: float) -> float:
            return area.top() + (y1 - value) * scale

        theme = self._theme
        black = QColor(theme.black_key_row)
        thin, strong = QPen(QColor(theme.semitone_line), 1.0), QPen(QColor(theme.c_line), 1.6)
        left, width = area.left(), area.width()
        for m in range(lo, hi + 1):
            if self.is_black(m):
                painter.fillRect(QRectF(left, y_px(m + 0.5), width, scale), black)
        if self.highlight is not None:
            tint = QColor(theme.accent)
            tint.setAlpha(40)
            painter.fillRect(QRectF(left, y_px(self.highlight + 0.5), width, scale), tint)
        for m in range(lo, hi + 1):
            painter.setPen(strong if self.is_c(m) else thin)
            y = y_px(m - 0.5)
            painter.drawLine(QPointF(left, y), QPointF(left + width, y))


class TwoLanePlot(pg.GraphicsLayoutWidget):
    """Pitch lane (note axis, optional piano roll) above a confidence lane, x ranges linked.

    pitch_plot and conf_plot are the two pyqtgraph PlotItems; the owner adds its curves to them.
    """

    def __init__(self, model: SettingsModel, theme: Theme = DARK, piano_roll: bool = True,
                 confidence_width: float = 1.5, parent=None) -> None:
        super().__init__(parent)
        self._model = model
        self._theme = theme
        self._confidence_width = confidence_width
        self.note_axis = NoteAxis(self._name, self._is_black,
                                  lambda m: (m + self._model.settings.transpose_semitones) % 12)
        self.pitch_plot = self.addPlot(row=0, col=0, axisItems={"left": self.note_axis,
                                                                "bottom": TimeAxis()})
        self.conf_plot = self.addPlot(row=1, col=0, axisItems={"bottom": TimeAxis()})
        self.ci.layout.setRowStretchFactor(0, PITCH_LANE_STRETCH)
        self.ci.layout.setRowStretchFactor(1, CONFIDENCE_LANE_STRETCH)
        self.conf_plot.setXLink(self.pitch_plot)
        self.pitch_plot.getAxis("bottom").setStyle(showValues=False)
        self.conf_plot.getAxis("left").setWidth(AXIS_WIDTH_PX)
        self.conf_plot.getAxis("left").setTicks([[(0.0, "0"), (0.5, ".5"), (1.0, "1")]])
        self.conf_plot.setLabel("left", "conf")
        self.conf_plot.setYRange(0.0, 1.05, padding=0)
        for plot in (self.pitch_plot, self.conf_plot):
            plot.hideButtons()
            plot.setMenuEnabled(False)
        self.roll = (PianoRollItem(self.pitch_plot.getViewBox(), theme, self._is_black,
                                   self._is_c) if piano_roll else None)
        self.conf_curve = pg.PlotCurveItem(connect="finite", antialias=False)
        self.conf_plot.addItem(self.conf_curve)
        self.threshold_line = pg.InfiniteLine(angle=0, movable=False)
        self.conf_plot.addItem(self.threshold_line)
        model.settings_changed.connect(self._on_settings)
        self.set_theme(theme)
        self._on_settings(model.settings)

    def _name(self, midi: int) -> str:
        s = self._model.settings
        return note_name(midi, s.prefer_flats, s.transpose_semitones)

    def _is_black(self, midi: int) -> bool:
        return written_is_black(midi, self._model.settings)

    def _is_c(self, midi: int) -> bool:
        return written_is_c(midi, self._model.settings)

    def _on_settings(self, settings: Settings) -> None:
        self.threshold_line.setValue(settings.confidence_threshold)
        self.note_axis.picture = None   # names changed: force new tick labels
        self.note_axis.update()
        if self.roll is not None:
            self.roll.update()

    def set_theme(self, theme: Theme) -> None:
        """Recolour the lanes, axes, confidence curve, threshold and rows."""
        self._theme = theme
        self.setBackground(theme.window)
        for plot in (self.pitch_plot, self.conf_plot):
            live_rows = plot is self.pitch_plot and self.roll is not None
            plot.getViewBox().setBackgroundColor(theme.white_key_row if live_rows
                                                 else theme.plot_background)
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(theme.muted_text))
                axis.setTextPen(pg.mkPen(theme.axis_text))
        self.conf_curve.setPen(pg.mkPen(theme.confidence, width=self._confidence_width))
        self.threshold_line.setPen(pg.mkPen(theme.threshold, width=1.5,
                                            style=Qt.PenStyle.DashLine))
        if self.roll is not None:
            self.roll.set_theme(theme)
