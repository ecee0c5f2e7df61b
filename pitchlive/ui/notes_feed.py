"""The notes the window is working on, and where playback is in them, for any view to follow.

One NotesFeed per window. The Recording view's tools publish to it (a new transcription, each
hand correction, the playhead while a take or recording plays); views such as the Score tab
subscribe. It holds the latest values, so a view made later starts from them.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class NotesFeed(QObject):
    """The current transcription (with its title) and the playback position in its time."""

    transcription_changed = Signal(object, str)   # (Transcription or None, title)
    position_changed = Signal(object)             # seconds on the transcription's clock, or None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.transcription = None
        self.title = "pitchlive transcription"
        self.position_s: float | None = None

    def publish(self, transcription, title: str | None = None) -> None:
        """A new or corrected transcription (None: there are no notes any more)."""
        self.transcription = transcription
        if title:
            self.title = title
        self.transcription_changed.emit(transcription, self.title)

    def set_position(self, position_s: float | None) -> None:
        """Where playback is (None when nothing plays); announced only when it changes."""
        if position_s == self.position_s:
            return
        self.position_s = position_s
        self.position_changed.emit(position_s)
