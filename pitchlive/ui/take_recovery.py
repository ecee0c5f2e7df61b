"""Takes an earlier run left unsaved (a crash, a failed save): found at start, offered one by one.

The offer is a banner notice with "Keep it" and "Discard it", newest first; a kept take becomes
the current take and is shown as a recording. Looking and reading run as background jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from pitchlive.ui import take_texts as texts
from pitchlive.ui.background import BackgroundJobs, BackgroundTask
from pitchlive.ui.take_texts import ERROR, INFO, Notice


class TakeRecovery(QObject):
    """The leftover takes found, and the offer to keep or discard each."""

    notice = Signal(object)        # Notice for the banner
    notice_cleared = Signal()
    recovered = Signal(object)     # Take

    def __init__(self, jobs: BackgroundJobs, spool_dir: Callable[[], Path | None],
                 may_offer: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs, self._spool_dir, self._may_offer = jobs, spool_dir, may_offer
        self.found: list[Path] = []   # oldest first

    def look(self) -> BackgroundTask | None:
        """Search the spool folder in the background, and offer what is found."""
        from pitchlive.takes import find_unsaved_takes

        spool_dir = self._spool_dir()
        return self._jobs.run(lambda: find_unsaved_takes(spool_dir), "pitchlive-find-takes",
                              self._on_found)

    def _on_found(self, paths) -> None:
        self.found = list(paths)
        self.offer()

    def offer(self) -> None:
        """Offer the newest leftover take, if any, once the banner and the take are free."""
        if not self.found or not self._may_offer():
            return
        title, message = texts.unsaved_offer(self.found[-1].name, len(self.found) - 1)
        self.notice.emit(Notice(INFO, title, message, (("Keep it", self.keep),
                                                       ("Discard it", self.discard))))

    def keep(self) -> BackgroundTask | None:
        """Read the newest leftover take back (recovered is emitted with it)."""
        if not self.found:
            return None
        from pitchlive.takes import recover_take

        path = self.found.pop()
        self.notice_cleared.emit()
        return self._jobs.run(lambda: recover_take(path), "pitchlive-recover-take",
                              self.recovered.emit,
                              lambda exc: self.notice.emit(Notice(
                                  ERROR, "The unsaved take could not be opened", str(exc))))

    def discard(self) -> None:
        """Delete the newest leftover take, then offer the next one if there is one."""
        if not self.found:
            return
        from pitchlive.takes import frames_path

        path = self.found.pop()
        path.unlink(missing_ok=True)
        frames_path(path).unlink(missing_ok=True)
        self.notice_cleared.emit()
        self.offer()
