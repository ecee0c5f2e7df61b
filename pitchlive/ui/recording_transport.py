"""Playing the recording shown in the Recording view: playhead, click to seek, loop, slow down.

A row of controls under the view's header and a few keys. Playback goes through the take
controller's TakePlayback (one output for the whole window); this part only says what to play
and follows where it is: the playhead moves with the sound, a click on the plot moves it (and
playback, when playing), Shift+drag marks a region that Loop repeats, and the speed (50-100 %,
pitch kept) is rendered ahead off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton

from pitchlive.ui.view_keys import add_view_keys

SPEEDS = (1.0, 0.9, 0.75, 0.6, 0.5)
PLAYHEAD_INTERVAL_MS = 40
SEEK_STEP_S = 1.0
REGION_BRUSH = (90, 160, 255, 50)


class RecordingTransport(QObject):
    """The Recording view's transport (see the module doc)."""

    def __init__(self, file_view, takes, feed, parent: QObject | None = None,
                 notes_source: Callable[[], Path | None] = lambda: None) -> None:
        super().__init__(parent)
        self._view, self._takes, self._feed = file_view, takes, feed
        self._notes_source = notes_source     # the file the feed's notes come from
        self.cursor_s = 0.0
        self.region = pg.LinearRegionItem(brush=pg.mkBrush(*REGION_BRUSH), movable=True)
        self.region.setZValue(4)
        self.region.hide()
        file_view.plot.addItem(self.region, ignoreBounds=True)
        self.row = QHBoxLayout()
        self.play_button = QPushButton("▶ Play")
        self.play_button.setToolTip("Play from the cursor, or the looped region (K)")
        self.speed_box = QComboBox()
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:.0%}", speed)
        self.speed_box.setToolTip("Playback speed; the pitch stays ([ slower, ] faster)")
        self.loop_check = QCheckBox("Loop region")
        self.loop_check.setToolTip("Shift+drag on the plot marks a region; Loop repeats it (L)")
        self.hint = QLabel("Click: seek · Shift+drag: region · K play · , . step · [ ] speed")
        self.hint.setStyleSheet("color: gray;")
        self.hint.setWordWrap(True)    # in a narrow window it wraps rather than being cut off
        self.hint.setToolTip(self.hint.text())
        for widget in (self.play_button, QLabel("Speed"), self.speed_box, self.loop_check):
            self.row.addWidget(widget)
        self.row.addWidget(self.hint, 1)
        self.play_button.clicked.connect(self.toggle_play)
        self._timer = QTimer(self)
        self._timer.setInterval(PLAYHEAD_INTERVAL_MS)
        self._timer.timeout.connect(self._follow)
        takes.playing_changed.connect(self._on_playing_changed)
        add_view_keys(file_view, "Recording", (
            (["K", "Return"], "Play from the cursor / stop", self.toggle_play),
            ("L", "Loop the marked region", self.loop_check.toggle),
            ("[", "Slower", lambda: self.step_speed(+1)),
            ("]", "Faster", lambda: self.step_speed(-1)),
            (",", "Cursor a second back", lambda: self.seek(self.position_s - SEEK_STEP_S)),
            (".", "Cursor a second on", lambda: self.seek(self.position_s + SEEK_STEP_S))))

    # ---- state ---------------------------------------------------------------------------------
    @property
    def speed(self) -> float:
        """The chosen speed (1.0 = as recorded)."""
        return float(self.speed_box.currentData())

    @property
    def playing_here(self) -> bool:
        """True while the file shown is what plays."""
        region = self._takes.playback.region
        return (self._takes.playing == "take" and region is not None
                and self._view.path is not None and region.path == self._view.path)

    @property
    def position_s(self) -> float:
        """Where the playhead is: the sound heard while playing, else the cursor."""
        heard = self._takes.playback.media_position_s if self.playing_here else None
        return heard if heard is not None else self.cursor_s

    def loop_span(self) -> tuple[float, float] | None:
        """The marked region (start, end) in seconds, or None."""
        if not self.region.isVisible():
            return None
        start, end = self.region.getRegion()
        return (float(start), float(end)) if end - start > 0.05 else None

    # ---- actions -------------------------------------------------------------------------------
    def toggle_play(self) -> None:
        """K: stop, or play from the cursor (the region, looped, when Loop is on)."""
        if self.playing_here:
            self._takes.stop_playback()
        else:
            self.play()

    def play(self) -> None:
        """Play the shown recording from the cursor (or loop the region) at the chosen speed."""
        path = self._view.path
        if path is None:
            return
        span = self.loop_span() if self.loop_check.isChecked() else None
        self._takes.stop_playback()
        if span is not None:
            self._takes.playback.play_region(path, span[0], span[1], True, self.speed)
        else:
            self._takes.playback.play_region(path, self.cursor_s, None, False, self.speed)
        self._takes.refresh()

    def seek(self, time_s: float) -> None:
        """Move the cursor (and playback, while playing) to time_s."""
        duration = self._duration_s()
        self.cursor_s = max(0.0, min(float(time_s), duration if duration else float(time_s)))
        if self.playing_here:
            self.play()
        self._view.set_playhead(self.cursor_s)

    def set_region(self, start_s: float, end_s: float) -> None:
        """Mark the region Loop repeats."""
        self.region.setRegion((min(start_s, end_s), max(start_s, end_s)))
        self.region.show()

    def clear_region(self) -> None:
        """Forget the marked region."""
        self.region.hide()

    def step_speed(self, step: int) -> None:
        """[ / ]: the next slower (+1) or faster (-1) speed; restarts what plays at it."""
        index = max(0, min(self.speed_box.currentIndex() + step, len(SPEEDS) - 1))
        if index != self.speed_box.currentIndex():
            self.speed_box.setCurrentIndex(index)
            if self.playing_here:
                self.cursor_s = self.position_s
                self.play()

    def recording_changed(self) -> None:
        """Another file is shown: cursor to its start, no region."""
        self.cursor_s = 0.0
        self.clear_region()

    # ---- following the sound ---------------------------------------------------------------------
    def _on_playing_changed(self, playing: bool) -> None:
        if playing:
            self._timer.start()
            self._follow()
        else:
            self._timer.stop()
            self._feed.set_position(None)
            self._view.set_playhead(self.cursor_s if self._view.path is not None else None)
        self.play_button.setText("■ Stop" if playing and self.playing_here else "▶ Play")

    def _follow(self) -> None:
        heard = self._takes.playback.media_position_s
        if heard is None:
            return
        if self.playing_here:
            self._view.set_playhead(heard)
        # The notes' clock is their own audio's: another file playing lights nothing.
        self._feed.set_position(heard if self._plays_the_notes() else None)

    def _plays_the_notes(self) -> bool:
        region, source = self._takes.playback.region, self._notes_source()
        if region is None or source is None:
            return False
        try:
            return Path(region.path).resolve() == Path(source).resolve()
        except OSError:
            return False

    def _duration_s(self) -> float | None:
        result = self._view.result
        return result.analysis.duration_s if result is not None else None
