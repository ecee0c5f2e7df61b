"""Playing a take, a recording or synthesised notes for the take controller.

One Player, created on the GUI thread and kept; opening the output device and reading or
synthesising the audio run as a background job. Each playback has an id, so the end or the
failure of an older one is never taken for the current one's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal

from pitchlive.ui.background import BackgroundJobs

log = logging.getLogger(__name__)

PLAYBACK_RATE_HZ = 44100      # synthesised notes


class TakePlayback(QObject):
    """What is playing ('take', 'notes' or None); started / ended / failed come as signals."""

    started = Signal()
    ended = Signal()
    failed = Signal(object)          # the exception
    _ended_from_device = Signal(int)  # from PortAudio's thread; carries the playback id

    def __init__(self, jobs: BackgroundJobs, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self.player = None
        self.playing: str | None = None
        self._id = 0
        self._ended_from_device.connect(self._on_device_ended, Qt.ConnectionType.QueuedConnection)

    @property
    def position_s(self) -> float:
        """Seconds played of the current playback (0 before it starts)."""
        return (getattr(self.player, "position_s", 0.0) or 0.0) if self.player else 0.0

    def play(self, what: str, start: Callable[[object], None]) -> None:
        """Stop what plays, then start(player) on a background job (it opens the device)."""
        self.stop(announce=False)
        if self.player is None:
            # The module is already imported by then (the session imports the audio side at
            # start-up), so this costs nothing on the GUI thread.
            from pitchlive.audio.playback import Player

            self.player = Player()
        self._id += 1
        playback_id, player = self._id, self.player
        self.playing = what

        def work() -> None:
            # Stopped before the new callback is set: the old playback's end must not be
            # reported as this one's.
            player.stop()
            player.on_finished = lambda: self._emit_ended(playback_id)
            start(player)

        self._jobs.run(work, "pitchlive-playback",
                       lambda _r: self._on_started(playback_id),
                       lambda exc: self._on_failed(playback_id, exc))

    def play_file(self, path: Path) -> None:
        """Play an audio file (a take or a recording), decoded as it plays."""
        self.play("take", lambda player: player.play_file(path))

    def play_notes(self, transcription) -> None:
        """Play a transcription's notes as synthesised tones."""

        def start(player) -> None:
            from pitchlive.exports.tones import render_notes

            player.play_array(render_notes(transcription, PLAYBACK_RATE_HZ), PLAYBACK_RATE_HZ)

        self.play("notes", start)

    def stop(self, announce: bool = True) -> None:
        """Stop whatever is playing (ended is emitted when announce and something played)."""
        if self.playing is None:
            return
        self._id += 1          # a late 'finished' of this playback is ignored
        self.playing = None
        if self.player is not None:
            try:
                self.player.stop()
            except Exception as exc:   # noqa: BLE001 - a stuck device must not break the window
                log.warning("stopping playback failed: %s", exc)
        if announce:
            self.ended.emit()

    def _emit_ended(self, playback_id: int) -> None:   # PortAudio's thread
        try:
            self._ended_from_device.emit(playback_id)
        except RuntimeError:
            pass   # the window closed while the sound was still playing

    def _on_started(self, playback_id: int) -> None:
        if playback_id != self._id or self.playing is None:
            if self.playing is None and self.player is not None:
                self.player.stop()   # Stop was pressed while the device was still opening
            return
        self.started.emit()

    def _on_failed(self, playback_id: int, exc: BaseException) -> None:
        if playback_id != self._id:
            return
        self.playing = None
        self.failed.emit(exc)

    def _on_device_ended(self, playback_id: int) -> None:
        if playback_id != self._id or self.playing is None:
            return
        self.playing = None
        self.ended.emit()
