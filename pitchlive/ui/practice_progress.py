"""Progress over days: accuracy per exercise or song (a plot) and the notes that keep going flat,
read from the practice history (practice/history.py) on a background job."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

import pyqtgraph as pg
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from pitchlive.practice.history import DailyAccuracy, FlatNote, History
from pitchlive.tracking.naming import display_note_name
from pitchlive.ui.practice_summary import home_relative
from pitchlive.ui.take_texts import ERROR, INFO
from pitchlive.ui.theme import DARK, Theme

ALL_TARGETS = "All songs and exercises"
DAY_S = 86400.0
WEEK_S = 7 * DAY_S
LINE_COLOURS = ("#4fc3f7", "#ffb74d", "#81c784", "#e57373", "#ba68c8", "#fff176")


@dataclass(frozen=True)
class Progress:
    """What the panel shows, read in one go: daily accuracy, flat notes, and the backup name
    when the history was damaged and replaced while reading."""

    daily: list[DailyAccuracy]
    flat: list[FlatNote]
    recovered_from: str | None
    path: str


def read_progress(history_factory: Callable[[], History], target_key: str | None) -> Progress:
    """Read the history (runs on a background job; raises HistoryError)."""
    history = history_factory()
    daily = history.daily_accuracy()
    flat = history.flat_notes(target_key=target_key)
    backup = str(history.recovered_from) if history.recovered_from is not None else None
    return Progress(daily, flat, backup, str(history.path))


def day_timestamp(day) -> float:
    """Seconds since the epoch at local noon of a day (the DateAxisItem's unit)."""
    return datetime.combine(day, time(12)).timestamp()


class ProgressPanel(QWidget):
    """Accuracy per target over days and the notes sung flat again and again.

    refresh_requested asks the view to read the history (on its jobs); show_progress fills in.
    """

    def __init__(self, history_factory: Callable[[], History],
                 notice: Callable[[str, str, str], None], theme: Theme = DARK,
                 parent=None) -> None:
        super().__init__(parent)
        self._history_factory = history_factory
        self._notice = notice
        self._jobs = None
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.target_box = QComboBox()
        self.target_box.addItem(ALL_TARGETS, None)
        # Long song titles must not widen the tab beyond a small window.
        self.target_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.target_box.setMinimumContentsLength(10)
        self.refresh_button = QPushButton("Refresh")
        row.addWidget(QLabel("Show"))
        row.addWidget(self.target_box, 1)
        row.addWidget(self.refresh_button)
        layout.addLayout(row)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
        self.plot.setLabel("left", "in tune", units="%")
        self.plot.setYRange(0, 100)
        self.plot.addLegend(offset=(10, 10))
        self.plot.hideButtons()
        layout.addWidget(self.plot, 3)
        flat_title = QLabel("Notes that keep going flat (3 sessions or more):")
        flat_title.setWordWrap(True)
        layout.addWidget(flat_title)
        self.flat_table = QTableWidget(0, 4)
        self.flat_table.setHorizontalHeaderLabels(["Note", "Mean cents", "Flat in", "Sessions"])
        self.flat_table.verticalHeader().setVisible(False)
        self.flat_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.flat_table, 2)
        self.status = QLabel()
        self.status.setWordWrap(True)      # a long history path wraps rather than being cut
        layout.addWidget(self.status)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.target_box.activated.connect(lambda _i: self.refresh())
        self.set_theme(theme)

    def refresh(self, jobs=None) -> None:
        """Read the history on a job of jobs (the last ones given) and show it; a damaged
        history (set aside and replaced by the core) or an unusable one goes to the banner."""
        self._jobs = jobs or self._jobs
        if self._jobs is None:
            return

        def shown(progress: Progress) -> None:
            self.show_progress(progress)
            if progress.recovered_from:
                self._notice("The practice history was damaged", f"It was kept as "
                             f"{progress.recovered_from} and a new, empty one started.", INFO)

        key = self.target_key
        self._jobs.run(lambda: read_progress(self._history_factory, key),
                       "pitchlive-practice-progress", shown,
                       lambda exc: self._notice("The practice history cannot be read", str(exc),
                                                ERROR))

    @property
    def target_key(self) -> str | None:
        """The target chosen in the box (None = all)."""
        return self.target_box.currentData()

    def show_progress(self, progress: Progress) -> None:
        """Draw the daily accuracy (one line per target) and list the flat notes."""
        self.plot.clear()
        self.curves = {}
        by_target: dict[str, list[DailyAccuracy]] = {}
        for row in progress.daily:
            by_target.setdefault(row.target_key, []).append(row)
        chosen = self.target_key
        known = {self.target_box.itemData(i) for i in range(self.target_box.count())}
        for key, rows in by_target.items():
            if key not in known:
                self.target_box.addItem(rows[-1].target_title, key)
            if chosen is not None and key != chosen:
                continue
            colour = LINE_COLOURS[len(self.curves) % len(LINE_COLOURS)]
            self.curves[key] = self.plot.plot(
                [day_timestamp(r.day) for r in rows], [r.mean_percent for r in rows],
                pen=pg.mkPen(colour, width=2), symbol="o", symbolBrush=colour,
                name=rows[-1].target_title)
        days = [day_timestamp(r.day) for r in progress.daily]
        if days:
            # At least a week in view, so a first session is a point on a calendar, not on a
            # clock face of seconds.
            centre, half = (min(days) + max(days)) / 2, max(max(days) - min(days), WEEK_S) / 2
            self.plot.setXRange(centre - half - DAY_S / 2, centre + half + DAY_S / 2, padding=0)
        self.flat_table.setRowCount(len(progress.flat))
        for r, note in enumerate(progress.flat):
            # "#3 la" (a note of one target) stays as it is; a pitch name gains ♯/♭.
            label = note.label if note.label.startswith("#") else display_note_name(note.label)
            cells = (label, f"{note.mean_cents:+.0f}", f"{100 * note.flat_share:.0f}%",
                     str(note.sessions))
            for c, text in enumerate(cells):
                self.flat_table.setItem(r, c, QTableWidgetItem(text))
        sessions = sum(r.sessions for r in progress.daily)
        plural = "" if sessions == 1 else "s"
        self.status.setText(f"{sessions} scored session{plural} in "
                            f"{home_relative(progress.path)}" if sessions else
                            "No scored sessions yet: sing a target to start your history.")

    def set_theme(self, theme: Theme) -> None:
        """Recolour the plot."""
        self.plot.setBackground(theme.plot_background)
