"""The live pitch trace: semitone axis with note names, piano-roll rows, confidence lane.

Frames are appended to a PitchHistory by the window as they arrive; this view only reads it. A
QTimer redraws at up to 60 Hz, and only when something changed, so the paint rate does not depend
on the frame rate. Both axis ranges are set explicitly (auto-range off): pyqtgraph then paints
once per update instead of twice.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QLabel, QVBoxLayout, QWidget

from pitchlive.music import hz_to_midi, note_name
from pitchlive.settings import Settings
from pitchlive.ui.history import PitchHistory
from pitchlive.ui.notes_overlay import NotesOverlay
from pitchlive.ui.prefs import DisplayPrefs
from pitchlive.ui.theme import DARK, Theme

REDRAW_HZ = 60
FOLLOW_TIME_CONSTANT_S = 0.18   # easing of the y range towards the singer
FOLLOW_MARGIN = 0.28            # recentre when the note leaves the middle 44% of the view
MAX_EXTRAPOLATE_S = 0.25        # keep scrolling smoothly between frames, but not past a stall
DEFAULT_CENTRE_MIDI = 60.0
MIN_MIDI, MAX_MIDI = 12.0, 120.0


class NoteAxis(pg.AxisItem):
    """Left axis in MIDI units labelled with note names; density adapts to the zoom."""

    def __init__(self, namer: Callable[[int], str], is_black: Callable[[int], bool]) -> None:
        super().__init__("left")
        self.namer = namer
        self.is_black = is_black
        self.enableAutoSIPrefix(False)
        self.setWidth(44)

    def tickValues(self, minVal: float, maxVal: float, size: float):
        """Every semitone when there is room, else white keys, else C and F, else Cs only."""
        if not (math.isfinite(minVal) and math.isfinite(maxVal)) or maxVal <= minVal:
            return []
        px_per_semitone = size / (maxVal - minVal)
        notes = range(math.ceil(minVal), math.floor(maxVal) + 1)
        if px_per_semitone >= 15:
            chosen = list(notes)
        elif px_per_semitone >= 8:
            chosen = [m for m in notes if not self.is_black(m)]
        elif px_per_semitone >= 4:
            chosen = [m for m in notes if self.namer(m)[0] in "CF" and not self.is_black(m)]
        else:
            chosen = [m for m in notes if self.namer(m)[0] == "C" and not self.is_black(m)]
        return [(1.0, [float(m) for m in chosen])]

    def tickStrings(self, values, scale, spacing):
        """Note names for MIDI values."""
        return [self.namer(round(v)) for v in values]


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


class PitchView(QWidget):
    """Scrolling pitch trace with piano-roll background and a confidence lane."""

    follow_changed = Signal(bool)
    paused_changed = Signal(bool)
    span_changed = Signal(float)

    def __init__(self, history: PitchHistory, settings: Settings, prefs: DisplayPrefs,
                 theme: Theme = DARK, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self._settings, self._prefs, self._theme = settings, prefs, theme
        self._paused = False
        self._follow = True
        self._stream_active = False
        self._dirty = True
        self._span = prefs.pitch_span_semitones
        self._centre = DEFAULT_CENTRE_MIDI
        self._centre_target = DEFAULT_CENTRE_MIDI
        self._last_tick = time.monotonic()
        self._setting_range = False

        self._banner = QLabel()
        self._banner.setContentsMargins(8, 2, 8, 2)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.ci.setContentsMargins(2, 4, 8, 2)
        self.graphics.ci.setSpacing(2)
        self.note_axis = NoteAxis(self._name, self._is_black)
        self.pitch_plot = self.graphics.addPlot(
            row=0, col=0, axisItems={"left": self.note_axis, "bottom": TimeAxis()})
        self.conf_plot = self.graphics.addPlot(row=1, col=0, axisItems={"bottom": TimeAxis()})
        self.graphics.ci.layout.setRowStretchFactor(0, 5)
        self.graphics.ci.layout.setRowStretchFactor(1, 1)
        self.conf_plot.setXLink(self.pitch_plot)
        self.pitch_plot.getAxis("bottom").setStyle(showValues=False)
        self.pitch_plot.getAxis("bottom").setHeight(4)
        self.conf_plot.getAxis("left").setWidth(44)
        self.conf_plot.getAxis("left").setTicks([[(0.0, "0"), (0.5, ".5"), (1.0, "1")]])
        self.conf_plot.setLabel("left", "conf")

        self.roll = PianoRollItem(self.pitch_plot.getViewBox(), theme, self._is_black,
                                  self._is_c)
        # No antialiasing: at 60 redraws/s it cost ~0.25 of a core more for 30 s of trace
        # (bench/gui_redraw.py), for a barely visible difference on a 3-pixel line.
        self.trace = pg.PlotCurveItem(connect="finite", antialias=False)
        self.trace.setZValue(10)   # above a transcription's note bars
        self.pitch_plot.addItem(self.trace)
        self.notes = NotesOverlay(self.pitch_plot, theme)   # a transcribed take's notes
        self.conf_curve = pg.PlotCurveItem(connect="finite", antialias=False)
        self.conf_plot.addItem(self.conf_curve)
        self.threshold_line = pg.InfiniteLine(angle=0, movable=False)
        self.conf_plot.addItem(self.threshold_line)
        for plot in (self.pitch_plot, self.conf_plot):
            plot.hideButtons()
            plot.setMenuEnabled(False)
            plot.disableAutoRange()
            plot.getViewBox().setMouseEnabled(x=False, y=False)
        self.pitch_plot.getViewBox().setMouseEnabled(x=False, y=True)
        self.conf_plot.setYRange(0.0, 1.05, padding=0)
        self.pitch_plot.getViewBox().sigRangeChangedManually.connect(self._on_manual_range)
        self.pitch_plot.getViewBox().sigXRangeChanged.connect(self._on_x_range_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._banner)
        layout.addWidget(self.graphics, 1)

        self._apply_theme()
        self._apply_settings()
        self._set_y(self._centre)
        self._set_live_x(0.0)
        self._update_banner()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.tick)
        self._timer.start(int(1000 / REDRAW_HZ))

    # ---- naming helpers (follow the settings) ---------------------------------------------
    def _name(self, midi: int) -> str:
        s = self._settings
        return note_name(midi, s.prefer_flats, s.transpose_semitones)

    def _is_black(self, midi: int) -> bool:
        return (midi + self._settings.transpose_semitones) % 12 in (1, 3, 6, 8, 10)

    def _is_c(self, midi: int) -> bool:
        return (midi + self._settings.transpose_semitones) % 12 == 0

    # ---- public state --------------------------------------------------------------------
    @property
    def paused(self) -> bool:
        """True while frozen for looking back."""
        return self._paused

    @property
    def follow(self) -> bool:
        """True while the y range follows the singer."""
        return self._follow

    def x_range(self) -> tuple[float, float]:
        """Visible time range (display seconds)."""
        (x0, x1), _ = self.pitch_plot.getViewBox().viewRange()
        return float(x0), float(x1)

    def y_range(self) -> tuple[float, float]:
        """Visible pitch range (MIDI units)."""
        _, (y0, y1) = self.pitch_plot.getViewBox().viewRange()
        return float(y0), float(y1)

    def banner_text(self) -> str:
        """The state line above the plot."""
        return self._banner.text()

    # ---- inputs --------------------------------------------------------------------------
    def notify_new_data(self) -> None:
        """Frames were appended to the history; redraw on the next tick."""
        self._dirty = True

    def set_stream_active(self, active: bool) -> None:
        """Whether frames are flowing (the view keeps scrolling only while they are)."""
        self._stream_active = active
        self._dirty = True

    def set_settings(self, settings: Settings) -> None:
        """A4, naming, transposition, threshold or history length changed."""
        self._settings = settings
        self._apply_settings()

    def set_prefs(self, prefs: DisplayPrefs) -> None:
        """Display preferences changed."""
        self._prefs = prefs
        if abs(prefs.pitch_span_semitones - self._span) > 1e-9:
            self._span = prefs.pitch_span_semitones
            self._set_y(self._centre)
        self._dirty = True

    def set_theme(self, theme: Theme) -> None:
        """Recolour."""
        self._theme = theme
        self._apply_theme()

    def set_paused(self, paused: bool) -> None:
        """Freeze (and allow scrolling back through the history) or go back to live."""
        if paused == self._paused:
            return
        self._paused = paused
        vb = self.pitch_plot.getViewBox()
        vb.setMouseEnabled(x=paused, y=True)
        if not paused:
            self._dirty = True
        self._update_banner()
        self.paused_changed.emit(paused)

    def toggle_pause(self) -> None:
        """Pause or resume."""
        self.set_paused(not self._paused)

    def set_follow(self, follow: bool) -> None:
        """Let the y range follow the singer, or keep it where the user put it."""
        if follow == self._follow:
            return
        self._follow = follow
        if follow:
            self._centre_target = self._centre
        self._update_banner()
        self.follow_changed.emit(follow)

    def toggle_follow(self) -> None:
        """Follow the voice, or stop following it."""
        self.set_follow(not self._follow)

    def zoom_pitch(self, factor: float) -> None:
        """Make the pitch range factor times taller (>1 zooms out)."""
        self._span = float(np.clip(self._span * factor, 3.0, 96.0))
        self._set_y(self._centre)
        self.span_changed.emit(self._span)

    def scroll_time(self, fraction: float) -> None:
        """When paused, move the time window by fraction of its width (negative = back)."""
        if not self._paused:
            self.set_paused(True)
        x0, x1 = self.x_range()
        shift = (x1 - x0) * fraction
        earliest = self.history.earliest_time_s or 0.0
        latest = self.history.latest_time_s or 0.0
        # Not back past the oldest frame kept, not forward past the newest.
        shift = min(max(shift, min(0.0, earliest - x0)), max(0.0, latest + 0.5 - x1))
        self.pitch_plot.setXRange(x0 + shift, x1 + shift, padding=0)
        self._dirty = True

    def show_span(self, t0: float, t1: float, midi_lo: float, midi_hi: float) -> None:
        """Pause and show this time span and pitch range (a transcribed take's notes)."""
        self.set_paused(True)
        self.set_follow(False)
        self._span = float(np.clip(max(self._span, midi_hi - midi_lo + 6.0), 3.0, 96.0))
        self._set_y((midi_lo + midi_hi) / 2)
        self._setting_range = True
        try:
            self.pitch_plot.setXRange(t0, max(t1, t0 + 0.5), padding=0)
        finally:
            self._setting_range = False
        self._dirty = True

    def reset_view(self) -> None:
        """Home: live, following, default height."""
        self._span = DisplayPrefs().pitch_span_semitones
        self.set_follow(True)
        self.set_paused(False)
        self._set_y(self._centre)
        self.span_changed.emit(self._span)

    # ---- drawing -------------------------------------------------------------------------
    def _apply_theme(self) -> None:
        t = self._theme
        self.graphics.setBackground(t.window)
        for plot in (self.pitch_plot, self.conf_plot):
            plot.getViewBox().setBackgroundColor(t.white_key_row if plot is self.pitch_plot
                                                 else t.plot_background)
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(t.muted_text))
                axis.setTextPen(pg.mkPen(t.axis_text))
        self.roll.set_theme(t)
        self.notes.set_theme(t)
        self.trace.setPen(pg.mkPen(t.trace, width=3))
        self.conf_curve.setPen(pg.mkPen(t.confidence, width=1.5))
        self.threshold_line.setPen(pg.mkPen(t.threshold, width=1.5, style=Qt.PenStyle.DashLine))
        self._banner.setStyleSheet(f"color: {t.muted_text}; background: {t.window};")
        self._dirty = True

    def _apply_settings(self) -> None:
        self.threshold_line.setValue(self._settings.confidence_threshold)
        self.note_axis.picture = None   # names changed: force new tick labels
        self.note_axis.update()
        self.roll.update()
        self._dirty = True

    def _update_banner(self) -> None:
        if self._paused:
            text = "❚❚ Paused — drag or ←/→ to look back, wheel to zoom; Space returns to live"
        else:
            text = "● Live"
        if not self._follow:
            text += "   ·   pitch range fixed — F follows the voice again"
        self._banner.setText(text)

    def _set_y(self, centre: float) -> None:
        half = self._span / 2
        centre = float(np.clip(centre, MIN_MIDI + half, MAX_MIDI - half))
        self._centre = centre
        self._setting_range = True
        try:
            self.pitch_plot.setYRange(centre - half, centre + half, padding=0)
        finally:
            self._setting_range = False

    def _set_live_x(self, now: float) -> None:
        window = self._settings.history_s
        self._setting_range = True
        try:
            self.pitch_plot.setXRange(now - window, now, padding=0)
        finally:
            self._setting_range = False

    def _on_manual_range(self, mask) -> None:
        """The user dragged or wheeled: zoom keeps following, a vertical drag stops it."""
        y0, y1 = self.y_range()
        span = y1 - y0
        if abs(span - self._span) > 1e-6:
            self._span = float(np.clip(span, 3.0, 96.0))
            self.span_changed.emit(self._span)
        elif abs((y0 + y1) / 2 - self._centre) > 1e-6:
            self.set_follow(False)
        self._centre = self._centre_target = (y0 + y1) / 2
        self._dirty = True

    def _on_x_range_changed(self, *args) -> None:
        if self._paused and not self._setting_range:
            self._dirty = True

    def _live_now(self) -> float:
        latest = self.history.latest_time_s
        if latest is None:
            return 0.0
        age = self.history.wall_age_s() or 0.0
        ahead = min(age, MAX_EXTRAPOLATE_S) if self._stream_active else 0.0
        return latest + ahead

    def _follow_step(self, dt: float) -> None:
        recent = self.history.recent_frequencies(0.6)
        if recent.size:
            note = float(hz_to_midi(float(np.median(recent)), self._settings.a4_hz))
            if math.isfinite(note) and abs(note - self._centre_target) > self._span * \
                    (0.5 - FOLLOW_MARGIN):
                self._centre_target = note
        diff = self._centre_target - self._centre
        if abs(diff) < 0.01:
            return
        alpha = 1.0 - math.exp(-dt / FOLLOW_TIME_CONSTANT_S)
        self._set_y(self._centre + diff * alpha)

    def tick(self) -> None:
        """One redraw step: scroll, follow, and refresh the curves if anything changed."""
        now_wall = time.monotonic()
        dt, self._last_tick = now_wall - self._last_tick, now_wall
        if not self.isVisible():
            return   # large type, another tab, minimised: catch up when shown again
        if not self._paused:
            live_moving = self._stream_active and self.history.latest_time_s is not None
            if self._follow:
                self._follow_step(min(dt, 0.1))
            if live_moving or self._dirty:
                self._set_live_x(self._live_now())
        if self._dirty:
            self._dirty = False
            self._refresh_curves()
        # pyqtgraph applies a new range to the view transform only when the paint starts; items
        # whose bounds depend on it then change geometry during the paint, which schedules a
        # second paint. Applying it now makes one paint per tick.
        for plot in (self.pitch_plot, self.conf_plot):
            plot.getViewBox().updateMatrix()

    def _refresh_curves(self) -> None:
        x0, x1 = self.x_range()
        span = x1 - x0
        data = self.history.between(x0 - 0.1 * span, x1 + 0.1 * span)
        midi = np.asarray(hz_to_midi(data.frequency_hz, self._settings.a4_hz), dtype=np.float64)
        self.trace.setData(data.times_s, midi)
        self.conf_curve.setData(data.times_s, data.confidence)
        live_note = None
        if not self._paused and midi.size and math.isfinite(midi[-1]):
            live_note = round(midi[-1])
        self.roll.set_highlight(live_note)
