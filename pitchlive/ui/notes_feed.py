"""The notes the window is working on, and where playback is in them, for any view to follow.

One NotesFeed per window. The Recording view's tools publish to it (a new transcription, each
hand correction, the playhead while a take or recording plays); views such as the Score tab
subscribe. It holds the latest values, so a view made later starts from them. It also holds
the user's choice of key and time signature for the score (None: Auto, estimated), which the
Score tab sets and the Recording tools apply to the notes and their exports.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class NotesFeed(QObject):
    """The current transcription (with its title) and the playback position in its time."""

    transcription_changed = Signal(object, str)   # (Transcription or None, title)
    position_changed = Signal(object)             # seconds on the transcription's clock, or None
    notation_changed = Signal(object, object)     # (Key or None, TimeSignature or None)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.transcription = None
        self.title = "pitchlive transcription"
        self.position_s: float | None = None
        self.key = None                # the key chosen for the score; None: estimated
        self.time_signature = None     # the time signature chosen; None: estimated

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

    def set_notation(self, key, time_signature) -> None:
        """The key and time signature to write the notes in (None: estimated); announced only
        when they change."""
        if (key, time_signature) == (self.key, self.time_signature):
            return
        self.key, self.time_signature = key, time_signature
        self.notation_changed.emit(key, time_signature)
