"""The live pitch trace: semitone axis with note names, piano-roll rows, confidence lane.

Frames are appended to a PitchHistory by the window as they arrive; this view only reads it. A
QTimer redraws at up to 60 Hz, and only when something changed, so the paint rate does not depend
on the frame rate. Both axis ranges are set explicitly (auto-range off): pyqtgraph then paints
once per update instead of twice.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from pitchlive.music import hz_to_midi, note_name
from pitchlive.tracking.naming import display_note_name
from pitchlive.ui.history import PitchHistory
from pitchlive.ui.notes_overlay import NotesOverlay
from pitchlive.ui.plot import TwoLanePlot
from pitchlive.ui.prefs import DisplayPrefs, clamp_span
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.theme import DARK, Theme

REDRAW_HZ = 60
FOLLOW_TIME_CONSTANT_S = 0.18   # easing of the y range towards the singer
FOLLOW_MARGIN = 0.28            # recentre when the note leaves the middle 44% of the view
MAX_EXTRAPOLATE_S = 0.25        # keep scrolling smoothly between frames, but not past a stall
DEFAULT_CENTRE_MIDI = 60.0
MIN_MIDI, MAX_MIDI = 12.0, 120.0
NOTES_MARGIN_S = 0.5            # around a transcribed take's notes when they are shown
EDGE_MARGIN_SEMITONES = 1.0     # room kept above and below the trace when pausing
MARKER_RECENT_S = 0.15          # the edge marker shows where the last this-long was sung


class PitchView(QWidget):
    """Scrolling pitch trace with piano-roll background and a confidence lane."""

    follow_changed = Signal(bool)
    paused_changed = Signal(bool)

    def __init__(self, history: PitchHistory, model: SettingsModel, theme: Theme = DARK,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.settings_model, self._theme = model, theme
        self._paused = False
        self._follow = True
        self._stream_active = False
        self._dirty = True
        self._span = model.prefs.pitch_span_semitones
        self._centre = DEFAULT_CENTRE_MIDI
        self._centre_target = DEFAULT_CENTRE_MIDI
        self._last_tick = time.monotonic()
        self._setting_range = False

        self._banner = QLabel()
        self._banner.setContentsMargins(8, 2, 8, 2)
        self.graphics = TwoLanePlot(model, theme, piano_roll=True, confidence_width=1.5)
        self.graphics.ci.setContentsMargins(2, 4, 8, 2)
        self.graphics.ci.setSpacing(2)
        self.pitch_plot, self.conf_plot = self.graphics.pitch_plot, self.graphics.conf_plot
        self.note_axis, self.roll = self.graphics.note_axis, self.graphics.roll
        self.conf_curve = self.graphics.conf_curve
        self.threshold_line = self.graphics.threshold_line
        self.pitch_plot.getAxis("bottom").setHeight(4)
        # No antialiasing: at 60 redraws/s it cost ~0.25 of a core more for 30 s of trace
        # (bench/gui_redraw.py), for a barely visible difference on a 3-pixel line.
        self.trace = pg.PlotCurveItem(connect="finite", antialias=False)
        self.trace.setZValue(10)   # above a transcription's note bars
        self.pitch_plot.addItem(self.trace)
        self.notes = NotesOverlay(self.pitch_plot, theme)   # a transcribed take's notes
        for plot in (self.pitch_plot, self.conf_plot):
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
        # Above or below the view: an arrow and the note's name at that edge (not a data item,
        # so it never moves the ranges).
        self.edge_marker = QLabel(self.graphics)
        self.edge_marker.setContentsMargins(6, 1, 6, 1)
        self.edge_marker.hide()

        model.settings_changed.connect(self._on_settings)
        model.prefs_changed.connect(self._on_prefs)
        self._apply_theme()
        self._set_y(self._centre)
        self._set_live_x(0.0)
        self._update_banner()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.tick)
        self._timer.start(int(1000 / REDRAW_HZ))

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

    def _on_settings(self, _settings) -> None:
        # A4 or history length changed (the plot relabels itself): redraw.
        self._dirty = True

    def _on_prefs(self, prefs: DisplayPrefs) -> None:
        if abs(prefs.pitch_span_semitones - self._span) > 1e-9:
            self._span = prefs.pitch_span_semitones
            self._set_y(self._centre)
        self._dirty = True

    def _remember_span(self) -> None:
        self.settings_model.update_prefs(pitch_span_semitones=self._span)

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
        else:
            self._keep_trace_inside()
        self._update_banner()
        self.paused_changed.emit(paused)

    def set_follow(self, follow: bool) -> None:
        """Let the y range follow the singer, or keep it where the user put it."""
        if follow == self._follow:
            return
        self._follow = follow
        if follow:
            self._centre_target = self._centre
        self._update_banner()
        self.follow_changed.emit(follow)

    def zoom_pitch(self, factor: float) -> None:
        """Make the pitch range factor times taller (>1 zooms out)."""
        self._span = clamp_span(self._span * factor)
        self._set_y(self._centre)
        self._remember_span()

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
        self._span = clamp_span(max(self._span, midi_hi - midi_lo + 6.0))
        self._set_y((midi_lo + midi_hi) / 2)
        self._setting_range = True
        try:
            self.pitch_plot.setXRange(t0, max(t1, t0 + 0.5), padding=0)
        finally:
            self._setting_range = False
        self._dirty = True

    def show_notes(self, bars: list) -> None:
        """A transcribed take's note bars, shown where they were sung (none: clear them)."""
        self.notes.show(bars)
        if bars:
            self.show_span(bars[0].start_s - NOTES_MARGIN_S, bars[-1].end_s + NOTES_MARGIN_S,
                           min(b.centre_midi for b in bars), max(b.centre_midi for b in bars))

    def reset_view(self) -> None:
        """Home: live, following, default height."""
        self._span = DisplayPrefs().pitch_span_semitones
        self.set_follow(True)
        self.set_paused(False)
        self._set_y(self._centre)
        self._remember_span()

    # ---- drawing -------------------------------------------------------------------------
    def _apply_theme(self) -> None:
        t = self._theme
        self.graphics.set_theme(t)
        self.notes.set_theme(t)
        self.trace.setPen(pg.mkPen(t.trace, width=3))
        self._banner.setStyleSheet(f"color: {t.muted_text}; background: {t.window};")
        self.edge_marker.setStyleSheet(f"color: {t.window}; background: {t.accent}; "
                                       "border-radius: 4px; font-weight: 600;")
        self._dirty = True

    def _update_banner(self) -> None:
        if self._paused:
            text = "❚❚ Paused — drag or ←/→ to look back, wheel to zoom; Space returns to live"
        else:
            text = "● Live"
        if not self._follow:
            text += "   ·   pitch range fixed — F follows the voice again"
        self._banner.setText(text)

    def edge_marker_text(self) -> str:
        """The off-view marker as shown ('' when the pitch is in view)."""
        return self.edge_marker.text() if not self.edge_marker.isHidden() else ""

    def _update_edge_marker(self) -> None:
        recent = self.history.recent_frequencies(MARKER_RECENT_S)
        note = (float(hz_to_midi(float(np.median(recent)), self.settings_model.settings.a4_hz))
                if recent.size and not self._paused else math.nan)
        y0, y1 = self.y_range()
        if not math.isfinite(note) or y0 <= note <= y1:
            self.edge_marker.hide()
            return
        s = self.settings_model.settings
        name = display_note_name(note_name(round(note), s.prefer_flats, s.transpose_semitones))
        self.edge_marker.setText(f"▲ {name}" if note > y1 else f"▼ {name}")
        self.edge_marker.adjustSize()
        area = self.graphics.mapFromScene(
            self.pitch_plot.getViewBox().sceneBoundingRect()).boundingRect()
        x = area.right() - self.edge_marker.width() - 4
        y = area.top() + 2 if note > y1 else area.bottom() - self.edge_marker.height() - 2
        self.edge_marker.move(int(x), int(y))
        self.edge_marker.show()
        self.edge_marker.raise_()

    def _keep_trace_inside(self) -> None:
        """Pausing: widen or move the pitch range so no visible note sits on its edge."""
        x0, x1 = self.x_range()
        data = self.history.between(x0, x1, margin=0)
        midi = np.asarray(hz_to_midi(data.frequency_hz, self.settings_model.settings.a4_hz))
        midi = midi[np.isfinite(midi)] if midi.size else midi
        if not midi.size:
            return
        lo, hi = float(midi.min()) - EDGE_MARGIN_SEMITONES, float(midi.max()) + \
            EDGE_MARGIN_SEMITONES
        y0, y1 = self.y_range()
        if lo >= y0 and hi <= y1:
            return
        self._span = clamp_span(max(self._span, hi - lo))
        self._set_y(min(max(self._centre, hi - self._span / 2), lo + self._span / 2))
        self.edge_marker.hide()

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
        window = self.settings_model.settings.history_s
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
            self._span = clamp_span(span)
            self._remember_span()
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
            note = float(hz_to_midi(float(np.median(recent)), self.settings_model.settings.a4_hz))
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
            self._update_edge_marker()
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
        a4_hz = self.settings_model.settings.a4_hz
        midi = np.asarray(hz_to_midi(data.frequency_hz, a4_hz), dtype=np.float64)
        self.trace.setData(data.times_s, midi)
        self.conf_curve.setData(data.times_s, data.confidence)
        live_note = None
        if not self._paused and midi.size and math.isfinite(midi[-1]):
            live_note = round(midi[-1])
        self.roll.set_highlight(live_note)
