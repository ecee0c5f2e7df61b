"""The extra-tab table: each row is built from the window's context and added in order."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QLabel, QTabWidget  # noqa: E402

from pitchlive.ui import view_tabs  # noqa: E402
from pitchlive.ui.view_tabs import ViewContext, ViewTab, add_view_tabs  # noqa: E402


def test_rows_are_built_from_the_context_in_order(qtbot, monkeypatch):
    seen = []

    def build(name):
        def make(context: ViewContext):
            seen.append(context)
            return QLabel(name)
        return make

    monkeypatch.setattr(view_tabs, "VIEW_TABS", (ViewTab("One", build("1")), ViewTab("Two", build("2"))))
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    context = ViewContext(model=None, jobs=None, session=None, theme=None,
                          show_notice=lambda notice: None, show_status=lambda text, ms: None)
    views = add_view_tabs(tabs, context)
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["One", "Two"]
    assert views["Two"].text() == "2"
    assert seen == [context, context]
