"""Correcting notes on the Recording view's piano roll: the mouse and keys over the NoteEditor.

With "Edit notes" on (E): a click on a bar selects it, dragging a bar up or down moves it by
semitones, dragging over empty space adds a note on that row; B splits the selected note at the
cursor, M merges it with the next, ↑/↓ move it, Delete removes it, Ctrl+Z / Ctrl+Shift+Z undo
and redo. Each edit replaces the window's transcription (so the bars, the exports and the Score
tab follow) through the `apply` callable. A click elsewhere seeks, Shift+drag marks a region.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QCheckBox

from pitchlive.tracking.note_edits import EditError, NoteEditor
from pitchlive.ui.view_keys import add_view_keys

SELECTED_COLOUR = "#ffd23f"
NO_NOTES = "Transcribe the recording first (Ctrl+T), then edit its notes."


class NoteEditView(QObject):
    """Mouse and keyboard editing of one transcription's bars on the Recording view."""

    edited = Signal(object)        # the Transcription after an edit, undo or redo
    refused = Signal(str)          # why an edit cannot apply (for the status bar)

    def __init__(self, file_view, transport, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view, self._transport = file_view, transport
        self.editor: NoteEditor | None = None
        self.why_not = NO_NOTES
        self.selected: int | None = None
        self.edit_check = QCheckBox("Edit notes")
        self.edit_check.setToolTip("Click a bar to select it; drag it up/down, drag on empty "
                                   "space to add; B split, M merge, Del delete, Ctrl+Z undo (E)")
        self.marker = pg.BarGraphItem(x0=[0], width=[0], y0=[0], height=[1.0], brush=None,
                                      pen=pg.mkPen(SELECTED_COLOUR, width=3))
        self.marker.setZValue(12)
        self.marker.hide()
        self.preview = pg.BarGraphItem(x0=[0], width=[0], y0=[0], height=[1.0],
                                       brush=pg.mkBrush(255, 210, 63, 90), pen=None)
        self.preview.setZValue(12)
        self.preview.hide()
        for item in (self.marker, self.preview):
            file_view.plot.addItem(item, ignoreBounds=True)
        self._drag_from: tuple[float, float, int | None] | None = None
        vb = file_view.plot.getViewBox()
        self._pan = vb.mouseDragEvent
        vb.mouseDragEvent = self._on_drag
        file_view.graphics.scene().sigMouseClicked.connect(self._on_click)
        add_view_keys(file_view, "Recording", (
            ("E", "Edit notes on / off", self.edit_check.toggle),
            ("B", "Split the selected note at the cursor", self.split),
            ("M", "Merge the selected note with the next", self.merge),
            ("Up", "Selected note a semitone up", lambda: self.shift(1)),
            ("Down", "Selected note a semitone down", lambda: self.shift(-1)),
            (["Delete", "Backspace"], "Delete the selected note", self.delete),
            ("Ctrl+Z", "Undo a note correction", self.undo),
            (["Ctrl+Shift+Z", "Ctrl+Y"], "Redo a note correction", self.redo)))

    # ---- the transcription ------------------------------------------------------------------------
    def set_transcription(self, transcription, why_not: str | None = None) -> None:
        """Edit this transcription from now on (None: nothing to edit, and why_not says why)."""
        self.editor = NoteEditor(transcription) if transcription is not None else None
        self.why_not = why_not or NO_NOTES
        self.select(None)

    @property
    def transcription(self):
        """The transcription as edited (None when there is none)."""
        return self.editor.transcription if self.editor is not None else None

    def select(self, index: int | None) -> None:
        """Select note `index` (None: none) and mark its bar."""
        bars = self._view.notes.bars
        self.selected = index if index is not None and 0 <= index < len(bars) else None
        if self.selected is None:
            self.marker.hide()
            return
        bar = bars[self.selected]
        self.marker.setOpts(x0=[bar.start_s], width=[max(bar.end_s - bar.start_s, 1e-3)],
                            y0=[bar.centre_midi - 0.5], height=[1.0])
        self.marker.show()

    def bar_at(self, time_s: float, midi: float) -> int | None:
        """The note whose bar is at (time_s, midi), or None."""
        for k, bar in enumerate(self._view.notes.bars):
            if bar.start_s <= time_s <= bar.end_s and abs(midi - bar.centre_midi) <= 0.5:
                return k
        return None

    # ---- edits ----------------------------------------------------------------------------------
    def _edit(self, action: Callable[[NoteEditor], object], select: int | None) -> None:
        if self.editor is None:
            self.refused.emit(self.why_not)
            return
        try:
            edited = action(self.editor)
        except EditError as exc:
            self.refused.emit(str(exc))
            return
        self.edited.emit(edited)
        self.select(select)

    def _needs_selection(self) -> int | None:
        if self.selected is None:
            self.refused.emit("Select a note first: turn on Edit notes (E) and click its bar.")
        return self.selected

    def split(self) -> None:
        """B: split the selected note at the cursor."""
        k = self._needs_selection()
        if k is not None:
            self._edit(lambda e: e.split(k, self._transport.position_s), k)

    def merge(self) -> None:
        """M: merge the selected note with the next."""
        k = self._needs_selection()
        if k is not None:
            self._edit(lambda e: e.merge_next(k), k)

    def shift(self, semitones: int) -> None:
        """↑/↓: move the selected note by semitones."""
        k = self._needs_selection()
        if k is not None:
            self._edit(lambda e: e.shift(k, semitones), k)

    def delete(self) -> None:
        """Delete: remove the selected note."""
        k = self._needs_selection()
        if k is not None:
            self._edit(lambda e: e.delete(k), None)

    def add(self, start_s: float, end_s: float, midi: float) -> None:
        """Add a note (times on the plot; midi the row, on the plot's A4)."""
        shift = self._row_shift()
        self._edit(lambda e: e.add(start_s, end_s, round(midi - shift)), None)

    def undo(self) -> None:
        """Ctrl+Z."""
        if self.editor is not None and self.editor.can_undo:
            self._edit(lambda e: e.undo(), None)

    def redo(self) -> None:
        """Ctrl+Shift+Z."""
        if self.editor is not None and self.editor.can_redo:
            self._edit(lambda e: e.redo(), None)

    def _row_shift(self) -> float:
        """Rows the bars sit above their MIDI numbers (tuning offset, another A4)."""
        t, bars = self.transcription, self._view.notes.bars
        if t is None or not bars or not t.notes:
            return 0.0
        return bars[0].centre_midi - t.notes[0].midi

    # ---- the mouse -------------------------------------------------------------------------------
    def _plot_point(self, scene_pos) -> tuple[float, float] | None:
        vb = self._view.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        point = vb.mapSceneToView(scene_pos)
        return point.x(), point.y()

    def _on_click(self, event) -> None:
        if event.double() or event.button() != Qt.MouseButton.LeftButton:
            return
        point = self._plot_point(event.scenePos())
        if point is None or self._view.result is None:
            return
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._transport.clear_region()
            return
        hit = self.bar_at(*point) if self.edit_check.isChecked() else None
        if hit is not None:
            self.select(hit)
        else:
            self.select(None)
            self._transport.seek(point[0])

    def _on_drag(self, ev, axis=None) -> None:
        if ev.button() != Qt.MouseButton.LeftButton or self._view.result is None:
            self._pan(ev, axis)
            return
        shift_held = bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if not shift_held and not self.edit_check.isChecked():
            self._pan(ev, axis)
            return
        ev.accept()
        vb = self._view.plot.getViewBox()
        start = vb.mapSceneToView(ev.buttonDownScenePos())
        now = vb.mapSceneToView(ev.scenePos())
        if shift_held:
            self._transport.set_region(start.x(), now.x())
            return
        if ev.isStart():
            self._drag_from = (start.x(), start.y(), self.bar_at(start.x(), start.y()))
        if self._drag_from is None:
            return
        x0, y0, hit = self._drag_from
        if hit is None:
            row = round(y0 - self._row_shift()) + self._row_shift()
            self.preview.setOpts(x0=[min(x0, now.x())], width=[abs(now.x() - x0)],
                                 y0=[row - 0.5], height=[1.0])
            self.preview.show()
        if ev.isFinish():
            self.preview.hide()
            self._drag_from = None
            if hit is None:
                self.add(x0, now.x(), y0)
            elif round(now.y() - y0):
                self.select(hit)
                self.shift(round(now.y() - y0))
            else:
                self.select(hit)
