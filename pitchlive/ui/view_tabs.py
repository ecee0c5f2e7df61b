"""The window's extra tabs (tuner, practice, score, ...), as a table.

A view gets a ViewContext: the shared settings, the background jobs, the live session's
signals and two small callables for messages. It never sees the main window, so a view can be
built and tested on its own. Adding a tab is adding one row to VIEW_TABS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QTabWidget, QWidget

from pitchlive.ui.background import BackgroundJobs
from pitchlive.ui.practice_view import PracticeView
from pitchlive.ui.session import TrackerSession
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.score_view import ScoreView
from pitchlive.ui.take_texts import Notice
from pitchlive.ui.theme import Theme
from pitchlive.ui.tuner_view import build_tuner_tab


@dataclass(frozen=True)
class ViewContext:
    """What a tab may use: settings, jobs, the live session's signals, and message sinks."""

    model: SettingsModel
    jobs: BackgroundJobs
    session: TrackerSession            # frames / starting / running_changed signals; start/stop
    theme: Theme
    show_notice: Callable[[Notice], None]          # a banner message
    show_status: Callable[[str, int], None]        # (text, milliseconds) in the status bar
    # The notes being worked on and the playback position in them (ui/notes_feed.NotesFeed:
    # transcription_changed, position_changed); None where the window has none (tests).
    notes: object | None = None


@dataclass(frozen=True)
class ViewTab:
    """One extra tab: its title and how to build its widget from a ViewContext."""

    title: str
    build: Callable[[ViewContext], QWidget]


# Rows are added by the views themselves (tuner, practice, score, ...), in tab order.
VIEW_TABS: tuple[ViewTab, ...] = (
    ViewTab("Practice", PracticeView),
    ViewTab("Tuner", build_tuner_tab),
    ViewTab("Score", ScoreView),
)


def add_view_tabs(tabs: QTabWidget, context: ViewContext) -> dict[str, QWidget]:
    """Build every row of VIEW_TABS into `tabs`; returns the widgets by title."""
    views: dict[str, QWidget] = {}
    for row in VIEW_TABS:
        views[row.title] = row.build(context)
        tabs.addTab(views[row.title], row.title)
    return views
