"""The end of a run: the overall percentage, the worst notes and a per-note table; and the live
readout of the note being sung (in tune / sharp / flat with its cents, coloured)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (QLabel, QSizePolicy, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from pitchlive.practice.live import LiveFeedback
from pitchlive.practice.report import format_summary, note_rows, summary
from pitchlive.practice.take_score import TakeScore
from pitchlive.tracking.naming import display_note_name
from pitchlive.ui.readout import cents_label
from pitchlive.ui.theme import DARK, Theme

COLUMNS = (("note", "#"), ("target", "Target"), ("lyric", "Lyric"), ("in_tune_pct", "In tune %"),
           ("mean_cents", "Mean cents"), ("vibrato_cents", "Vibrato-centred cents"),
           ("onset_ms", "Onset ms"), ("kind", "Kind"))


def home_relative(path: Path) -> str:
    """path as a user reads it: under the home folder as ~/... (POSIX), else in full."""
    try:
        inside = Path(path).relative_to(Path.home())
    except ValueError:
        return str(path)
    return str(Path("~") / inside) if os.name == "posix" else str(path)


def saved_text(saved) -> str:
    """Where a run's take, scores and history entry went (a SavedPractice), in a line or two."""
    wav = saved.files.get("wav")
    lines = [f"Saved {wav.name} with its pitch CSV and scores (CSV, JSON) in "
             f"{home_relative(wav.parent)}."] if wav is not None else []
    if saved.session_id is not None:
        lines.append(f"Added to the practice history ({home_relative(saved.history_path)}).")
    return "\n".join(lines)


def keep_brackets_whole(text: str) -> str:
    """Spaces inside (...) made non-breaking, so a wrapped line never strands "c)" alone."""
    return re.sub(r"\([^()]*\)", lambda m: m.group(0).replace(" ", "\u00a0"), text)


def feedback_text(feedback: LiveFeedback | None, band_cents: float) -> tuple[str, str]:
    """(words, verdict) for the note being sung: verdict is 'in_tune', 'sharp', 'flat' or ''."""
    if feedback is None or feedback.note_index is None:
        return "—", ""
    if feedback.cents is None:
        return f"note {feedback.note_index + 1}: not heard", ""
    cents = feedback.cents
    if abs(cents) <= band_cents:
        verdict, words = "in_tune", "in tune"
    else:
        verdict, words = ("sharp", "sharp") if cents > 0 else ("flat", "flat")
    share = "" if feedback.note_in_tune_share is None else \
        f" · {100 * feedback.note_in_tune_share:.0f}% of the note so far"
    return f"note {feedback.note_index + 1}: {words} {cents_label(cents)}{share}", verdict


class FeedbackLabel(QLabel):
    """Large text about the current note, coloured in tune / close / off."""

    def __init__(self, theme: Theme = DARK, parent=None) -> None:
        super().__init__("—", parent)
        font = QFont()
        font.setPixelSize(26)
        font.setBold(True)
        self.setFont(font)
        self.full_pixel_size = 26
        # Its text must not widen the tab: in a narrow window the type shrinks to fit instead.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(self.sizeHint().height())
        self.theme = theme
        self.verdict = ""

    def fit_text(self) -> None:
        """The largest type, down to 10 px, that shows the whole text in the label's width."""
        font = self.font()
        for size in range(self.full_pixel_size, 9, -1):
            font.setPixelSize(size)
            if QFontMetrics(font).horizontalAdvance(self.text()) <= self.width() - 4:
                break
        if font.pixelSize() != self.font().pixelSize():
            self.setFont(font)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self.fit_text()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.fit_text()

    def colour(self, verdict: str) -> str | None:
        """The theme's colour for a verdict (None for no verdict)."""
        return {"in_tune": self.theme.in_tune, "sharp": self.theme.off,
                "flat": self.theme.off}.get(verdict)

    def show_feedback(self, feedback: LiveFeedback | None, band_cents: float) -> None:
        """Show a frame's feedback."""
        text, self.verdict = feedback_text(feedback, band_cents)
        self.show_text(text, self.colour(self.verdict))

    def show_text(self, text: str, colour: str | None = None) -> None:
        """Any text (count-in, waiting), coloured or in the theme's text colour."""
        self.setText(text)
        self.setStyleSheet(f"color: {colour or self.theme.text};")

    def set_theme(self, theme: Theme) -> None:
        """Recolour."""
        self.theme = theme
        self.setStyleSheet(f"color: {self.colour(self.verdict) or theme.text};")


class PracticeSummary(QWidget):
    """Overall figures, worst notes and the per-note table of the last run."""

    def __init__(self, theme: Theme = DARK, parent=None) -> None:
        super().__init__(parent)
        self.theme = theme
        layout = QVBoxLayout(self)
        self.overall = QLabel("Sing a target to see your scores here.")
        font = QFont()
        font.setPixelSize(22)
        font.setBold(True)
        self.overall.setFont(font)
        self.overall.setWordWrap(True)     # a long song title wraps in a narrow window
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.saved = QLabel()
        self.saved.setWordWrap(True)
        for label in (self.overall, self.details, self.saved):
            # Wrapped lines keep their height when the table is given the rest.
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([title for _, title in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        for widget in (self.overall, self.details, self.saved):
            layout.addWidget(widget)
        layout.addWidget(self.table, 1)
        self.score: TakeScore | None = None

    def show_score(self, score: TakeScore) -> None:
        """Fill in a finished run."""
        self.score = score
        info = summary(score)
        overall = "–" if info["overall_pct"] is None else f"{info['overall_pct']:.0f}%"
        self.overall.setText(f"{overall} in tune — {score.target.title}")
        self.details.setText(keep_brackets_whole(format_summary(score, display_note_name)))
        self.saved.setText("")
        rows = note_rows(score)
        worst = {s.index for s in score.worst_notes()}
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, (key, _) in enumerate(COLUMNS):
                value = row[key]
                text = "–" if value is None else (f"{value:+g}" if key in (
                    "mean_cents", "vibrato_cents", "onset_ms") else str(value))
                if key == "target":
                    text = display_note_name(text)
                item = QTableWidgetItem(text)
                if r in worst:
                    item.setBackground(QColor(self.theme.error_background))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def show_saved(self, text: str) -> None:
        """Where the take and its scores were saved (or why not)."""
        self.saved.setText(text)

    def cell(self, row: int, key: str) -> str:
        """The text of one cell, by row and column key (for tests and accessibility)."""
        column = [k for k, _ in COLUMNS].index(key)
        return self.table.item(row, column).text()

    def set_theme(self, theme: Theme) -> None:
        """Recolour (the next table fill uses the new colours)."""
        self.theme = theme
