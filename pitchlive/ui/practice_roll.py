"""The practice piano roll: target notes scroll from the right toward a fixed "now" line, with
the singer's trace over them and the current note coloured by how it is being sung.

Built on TwoLanePlot (note axis, piano-roll rows, confidence lane); the x axis is the target's
timeline in seconds (negative during the count-in), and only the view range moves as time
passes, so a redraw is one curve update and one range change.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from pitchlive.practice.report import target_name
from pitchlive.practice.target import Target
from pitchlive.ui.notes_overlay import NoteBar, NotesOverlay
from pitchlive.ui.plot import TwoLanePlot
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.theme import DARK, Theme

BEHIND_S = 3.0            # seconds shown left of the now line
AHEAD_S = 6.0             # seconds shown right of it
TRACE_FRAMES = 400        # about 13 s of frames kept for the trace
PITCH_MARGIN = 3.0        # semitones above and below the target's range


class PracticeRoll(TwoLanePlot):
    """Target bars, glides, the now line, the sung trace and the current-note highlight."""

    def __init__(self, model: SettingsModel, theme: Theme = DARK, parent=None) -> None:
        super().__init__(model, theme, piano_roll=True, parent=parent)
        self.bars = NotesOverlay(self.pitch_plot, theme)
        self.glides = pg.PlotCurveItem(connect="finite")
        self.glides.setZValue(6)
        self.current = pg.BarGraphItem(x0=[0], width=[0], y0=[0], height=[0])
        self.current.setZValue(7)
        self.current.setVisible(False)
        self.trace = pg.PlotCurveItem(connect="finite")
        self.trace.setZValue(10)
        self.now_line = pg.InfiniteLine(angle=90, movable=False)
        self.now_line.setZValue(12)
        for item in (self.glides, self.current, self.trace, self.now_line):
            self.pitch_plot.addItem(item, ignoreBounds=True)
        for plot in (self.pitch_plot, self.conf_plot):
            plot.disableAutoRange()
            plot.setMouseEnabled(x=False, y=False)
        self._times: deque[float] = deque(maxlen=TRACE_FRAMES)
        self._midi: deque[float] = deque(maxlen=TRACE_FRAMES)
        self._conf: deque[float] = deque(maxlen=TRACE_FRAMES)
        self.target: Target | None = None
        self.now_s = 0.0
        self.set_theme(theme)
        self.set_now(0.0)

    def set_theme(self, theme: Theme) -> None:
        """Recolour the lanes and the practice items."""
        super().set_theme(theme)
        if not hasattr(self, "trace"):
            return                      # called by TwoLanePlot before the items exist
        self.bars.set_theme(theme)
        self.glides.setPen(pg.mkPen(theme.note_bar, width=8))
        self.trace.setPen(pg.mkPen(theme.trace, width=2.5))
        self.now_line.setPen(pg.mkPen(theme.playhead, width=2))

    def set_target(self, target: Target | None) -> None:
        """Show a target's notes (None clears); the trace is cleared too."""
        self.target = target
        self.clear_trace()
        self.current.setVisible(False)
        if target is None or not target.notes:
            self.bars.clear()
            self.glides.setData([], [])
            return
        steady = [n for n in target.notes if n.glide_to_midi is None]
        self.bars.show([NoteBar(n.onset_s, n.end_s, n.midi, (n.lyric.strip() or target_name(n)))
                        for n in steady])
        xs, ys = [], []
        for note in target.notes:
            if note.glide_to_midi is not None:
                xs += [note.onset_s, note.end_s, np.nan]
                ys += [note.midi, note.glide_to_midi, np.nan]
        self.glides.setData(np.array(xs, float), np.array(ys, float))
        low, high = target.pitch_range
        self.pitch_plot.setYRange(low - PITCH_MARGIN, high + PITCH_MARGIN, padding=0)

    def clear_trace(self) -> None:
        """Forget the sung trace."""
        self._times.clear()
        self._midi.clear()
        self._conf.clear()
        self.trace.setData([], [])
        self.conf_curve.setData([], [])

    def add_points(self, times_s: list[float], midi: list[float], confidence: list[float]) -> None:
        """Append sung points (target time s, MIDI or NaN when unvoiced, confidence 0-1)."""
        self._times.extend(times_s)
        self._midi.extend(midi)
        self._conf.extend(confidence)

    def set_now(self, now_s: float) -> None:
        """Scroll so that now_s sits on the now line, and redraw the trace."""
        self.now_s = float(now_s)
        self.now_line.setValue(self.now_s)
        self.pitch_plot.setXRange(self.now_s - BEHIND_S, self.now_s + AHEAD_S, padding=0)
        if self._times:
            times = np.fromiter(self._times, float, len(self._times))
            self.trace.setData(times, np.fromiter(self._midi, float, len(self._midi)))
            self.conf_curve.setData(times, np.fromiter(self._conf, float, len(self._conf)))

    def highlight(self, note_index: int | None, colour: str | None) -> None:
        """Colour the current target note (None hides the highlight)."""
        if note_index is None or colour is None or self.target is None:
            self.current.setVisible(False)
            return
        note = self.target.notes[note_index]
        if note.glide_to_midi is not None:
            self.current.setVisible(False)
            return
        fill = QColor(colour)
        fill.setAlpha(170)
        self.current.setOpts(x0=[note.onset_s], width=[note.duration_s], y0=[note.midi - 0.5],
                             height=[1.0], brush=fill, pen=pg.mkPen(colour, width=2))
        self.current.setVisible(True)

    def trace_points(self) -> int:
        """How many sung points the trace holds (for tests)."""
        return len(self._times)
