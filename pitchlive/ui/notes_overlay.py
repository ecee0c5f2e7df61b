"""Transcribed notes drawn as piano-roll bars over a pitch trace.

Each note is a semi-transparent rectangle one semitone high, from its onset to its end, centred
on its row; its name is written inside when the bar is wide enough on screen to hold it. The
bars sit on the trace they were transcribed from: a grid shifted for the singer's tuning offset,
or an A4 changed since, moves them by the same amount the trace moved.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QFontMetricsF

from pitchlive.tracking.naming import display_note_name
from pitchlive.ui.theme import DARK, Theme

BAR_ALPHA = 110               # of 255: the trace stays visible through the bars
LABEL_FONT_PX = 11
LABEL_PADDING_PX = 4.0        # a name is drawn only where the bar is this much wider than it
MAX_LABELS = 400              # a very long take keeps its bars; names only up to this many
BAR_Z = 5                     # above the spectrogram, below the trace (z 10)
LABEL_Z = 11                  # names above everything; they sit just above their bar


@dataclass(frozen=True)
class NoteBar:
    """One bar: time span (seconds on the plot's axis), centre row (MIDI units) and label."""

    start_s: float
    end_s: float
    centre_midi: float
    label: str

    @property
    def midi_row(self) -> int:
        """The piano-roll row the bar sits on."""
        return round(self.centre_midi)


def note_bars(transcription, time_offset_s: float = 0.0, a4_hz: float | None = None
              ) -> list[NoteBar]:
    """Bars for a transcription's notes (rests skipped).

    time_offset_s moves them onto the plot's time axis; a4_hz is the A4 the plot now uses (the
    bars move by the semitones between it and the transcription's A4, as the trace does).
    """
    shift = transcription.grid_offset_cents / 100.0
    if a4_hz is not None and a4_hz > 0:
        shift += 12.0 * math.log2(transcription.a4_hz / a4_hz)
    return [NoteBar(n.onset_s + time_offset_s, n.end_s + time_offset_s, n.midi + shift,
                    display_note_name(n.name or "")) for n in transcription.notes]


class NotesOverlay:
    """Bars and labels of one transcription on one pyqtgraph PlotItem; replaced, never stacked."""

    def __init__(self, plot: pg.PlotItem, theme: Theme = DARK) -> None:
        self._plot = plot
        self._theme = theme
        self.bars: list[NoteBar] = []
        self._graph: pg.BarGraphItem | None = None
        self._labels: list[pg.TextItem] = []
        self._label_widths_px: list[float] = []
        plot.getViewBox().sigXRangeChanged.connect(self._update_labels)
        plot.getViewBox().sigResized.connect(self._update_labels)

    @property
    def visible_labels(self) -> list[str]:
        """Names currently drawn (bars too narrow on screen have none)."""
        return [item.toPlainText() for item in self._labels if item.isVisible()]

    def set_bars(self, bars: list[NoteBar]) -> None:
        """Show these bars instead of any drawn before."""
        self.clear()
        self.bars = list(bars)
        if not bars:
            return
        starts = np.array([b.start_s for b in bars])
        widths = np.array([max(b.end_s - b.start_s, 1e-3) for b in bars])
        rows = np.array([b.centre_midi for b in bars])
        self._graph = pg.BarGraphItem(x0=starts, width=widths, y0=rows - 0.5, height=1.0,
                                      brush=self._brush(), pen=self._pen())
        self._graph.setZValue(BAR_Z)
        self._plot.addItem(self._graph, ignoreBounds=True)
        font = QFont()
        font.setPixelSize(LABEL_FONT_PX)
        metrics = QFontMetricsF(font)
        for bar in bars[:MAX_LABELS]:
            # Just above the bar's top edge: the trace runs through the bar, not the name.
            item = pg.TextItem(bar.label, color=self._theme.text, anchor=(0.0, 1.0),
                               fill=self._label_fill())
            item.setFont(font)
            # TextItem adds a margin of its own around the text; count it too.
            self._label_widths_px.append(metrics.horizontalAdvance(bar.label)
                                         + 2 * LABEL_PADDING_PX)
            item.setPos(bar.start_s, bar.centre_midi + 0.5)
            item.setZValue(LABEL_Z)
            self._plot.addItem(item, ignoreBounds=True)
            self._labels.append(item)
        self._update_labels()

    def show(self, bars: list[NoteBar]) -> None:
        """These bars, or none when the list is empty."""
        if bars:
            self.set_bars(bars)
        else:
            self.clear()

    def clear(self) -> None:
        """Remove every bar and label."""
        if self._graph is not None:
            self._plot.removeItem(self._graph)
            self._graph = None
        for item in self._labels:
            self._plot.removeItem(item)
        self._labels = []
        self._label_widths_px = []
        self.bars = []

    def set_theme(self, theme: Theme) -> None:
        """Recolour."""
        self._theme = theme
        if self._graph is not None:
            self._graph.setOpts(brush=self._brush(), pen=self._pen())
        for item in self._labels:
            item.setColor(theme.text)
            item.fill = pg.mkBrush(self._label_fill())
            item.update()

    def _brush(self) -> QColor:
        colour = QColor(self._theme.note_bar)
        colour.setAlpha(BAR_ALPHA)
        return colour

    def _pen(self):
        return pg.mkPen(QColor(self._theme.note_bar), width=1)

    def _label_fill(self) -> QColor:
        # A chip behind each name: readable over a bright spectrogram or a dark background.
        colour = QColor(self._theme.window)
        colour.setAlpha(190)
        return colour

    def _update_labels(self, *_args) -> None:
        if not self._labels:
            return
        vb = self._plot.getViewBox()
        (x0, x1), _ = vb.viewRange()
        width_px = vb.width()
        if x1 <= x0 or width_px <= 0:
            return
        px_per_s = width_px / (x1 - x0)
        for bar, item, needed_px in zip(self.bars, self._labels, self._label_widths_px):
            item.setVisible((bar.end_s - bar.start_s) * px_per_s >= needed_px)
