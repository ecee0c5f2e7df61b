"""Playing a take, a recording or synthesised notes for the take controller.

One Player, created on the GUI thread and kept; opening the output device and reading or
synthesising the audio run as a background job. Each playback has an id, so the end or the
failure of an older one is never taken for the current one's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal

from pitchlive.ui.background import BackgroundJobs

log = logging.getLogger(__name__)

PLAYBACK_RATE_HZ = 44100      # synthesised notes


@dataclass
class PlayRegion:
    """What a file playback plays: a file from start_s to end_s (None: its end), looped or not,
    at a speed; out_s is how long one pass lasts on the speaker (known once rendered)."""

    path: Path
    start_s: float = 0.0
    end_s: float | None = None
    loop: bool = False
    speed: float = 1.0
    out_s: float | None = None

    def media_s(self, played_s: float) -> float:
        """The file's time heard after played_s seconds of this playback."""
        if self.loop and self.out_s:
            played_s = played_s % self.out_s
        return self.start_s + played_s * self.speed


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
        self.region: PlayRegion | None = None      # what a file playback plays
        self._started = False
        self._decoded: tuple[Path, float, object, float] | None = None   # (path, mtime, audio, Hz)
        self._decoded_lock = threading.Lock()
        self._ended_from_device.connect(self._on_device_ended, Qt.ConnectionType.QueuedConnection)

    @property
    def position_s(self) -> float:
        """Seconds played of the current playback (0 before it starts)."""
        if self.player is None or not self._started:
            return 0.0     # the player still counts the last playback until the new one starts
        return getattr(self.player, "position_s", 0.0) or 0.0

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
        self._started = False

        def work() -> None:
            if playback_id != self._id:
                return          # replaced or stopped while waiting for the one before
            # Stopped before the new callback is set: the old playback's end must not be
            # reported as this one's.
            player.stop()
            player.on_finished = lambda: self._emit_ended(playback_id)
            start(player)
            if playback_id != self._id:
                # Stopped (or the window closed) while the device was opening: nobody will
                # hear the start, so end it here and leave no stream or render thread behind.
                player.stop()

        # In order: a late start must never overtake (or be stopped after) a newer one.
        self._jobs.run_in_order("playback", work, "pitchlive-playback",
                                lambda _r: self._on_started(playback_id),
                                lambda exc: self._on_failed(playback_id, exc))

    @property
    def media_position_s(self) -> float | None:
        """The file's time being heard now (a file playback), else None."""
        if self.playing != "take" or self.region is None:
            return None
        return self.region.media_s(self.position_s)

    def play_file(self, path: Path) -> None:
        """Play an audio file (a take or a recording), decoded as it plays."""
        self.region = PlayRegion(Path(path))
        self.play("take", lambda player: player.play_file(path))

    def play_region(self, path: Path, start_s: float = 0.0, end_s: float | None = None,
                    loop: bool = False, speed: float = 1.0) -> None:
        """Play part of a file, looped or once, at 50-100 % speed with its pitch kept.

        The file is decoded once (kept for the next seek) and slowed a piece at a time on the
        player's render-ahead thread, all off the GUI thread; a loop is rendered whole first.
        """
        from pitchlive.audio.slowed import check_speed

        region = PlayRegion(Path(path), max(float(start_s), 0.0), end_s, loop, check_speed(speed))
        self.region = region

        def start(player) -> None:
            from pitchlive.audio.resample import resample_to
            from pitchlive.audio.slowed import loop_piece, segment, slowed, slowed_blocks

            audio, rate_hz = self._decode(region.path)
            piece = segment(audio, rate_hz, region.start_s, region.end_s)
            region.out_s = piece.shape[0] / rate_hz / region.speed
            if loop:
                looped = loop_piece(slowed(piece, rate_hz, region.speed), rate_hz)
                player.play_loop(lambda out_hz: looped if out_hz == rate_hz else
                                 resample_to(looped, rate_hz, out_hz), rate_hz)
            else:
                player.play_blocks(slowed_blocks(piece, rate_hz, region.speed), rate_hz)

        self.play("take", start)

    def _decode(self, path: Path) -> tuple[object, float]:
        from pitchlive.audio.slowed import read_mono

        mtime = path.stat().st_mtime if path.exists() else 0.0
        with self._decoded_lock:
            kept = self._decoded
            if kept is not None and kept[0] == path and kept[1] == mtime:
                return kept[2], kept[3]
        audio, rate_hz = read_mono(path)
        with self._decoded_lock:
            self._decoded = (path, mtime, audio, rate_hz)
        return audio, rate_hz

    def play_notes(self, transcription) -> None:
        """Play a transcription's notes as synthesised tones."""

        def start(player) -> None:
            from pitchlive.exports.tones import render_notes

            player.play_array(render_notes(transcription, PLAYBACK_RATE_HZ), PLAYBACK_RATE_HZ)

        self.region = None
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
        self._started = True
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
