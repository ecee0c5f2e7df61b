"""A recording's whole pitch track over its spectrogram: the notebook's figure, interactive.

The file is analysed on a background thread (whole-signal SPICE, as `pitchlive analyze` does).
The spectrogram is resampled onto the same semitone axis as the live view, so both read alike;
wheel zooms, drag pans, double-click shows everything. "Track live" sends the file through the
real-time engine instead (the window's live view), optionally playing it aloud.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pitchlive.analysis.spectrogram import SPEC_MIDI_HI, SPEC_MIDI_LO
from pitchlive.music import DEFAULT_A4_HZ, hz_to_midi
from pitchlive.ui.background import BackgroundJobs
from pitchlive.ui.notes_overlay import NotesOverlay
from pitchlive.ui.plot import TwoLanePlot
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.theme import DARK, Theme

if TYPE_CHECKING:   # the analysis pulls in SciPy; the window starts without it
    from pitchlive.analysis.recording import RecordingResult

SPEC_RANGE_DB = 70.0
TRACE_COLOUR = "#3df5ff"    # the notebook's colour; reads on the magma map in both themes


class FileView(QWidget):
    """Open a recording, see its pitch over its spectrogram, send it through the live tracker."""

    open_requested = Signal()
    track_requested = Signal(object, bool)   # (path, play aloud)
    failed = Signal(str, str)                # (title, message)
    loaded = Signal(object)                  # RecordingResult

    def __init__(self, model: SettingsModel, jobs: BackgroundJobs, theme: Theme = DARK,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings_model, self._jobs, self._theme = model, jobs, theme
        self._model = None
        self._pending: Path | None = None
        self.path: Path | None = None
        self._analysed_refine = model.settings.refine
        self.result: RecordingResult | None = None

        header = self._header()
        self.empty_label = QLabel("Open a recording with File → Open (Ctrl+O) or drop an audio "
                                  "file on the window to see its whole pitch track over its "
                                  "spectrogram.")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.graphics = TwoLanePlot(model, theme, piano_roll=False, confidence_width=1.2)
        self.plot, self.conf_plot = self.graphics.pitch_plot, self.graphics.conf_plot
        self.note_axis = self.graphics.note_axis
        self.conf_curve = self.graphics.conf_curve
        self.threshold_line = self.graphics.threshold_line
        self.conf_plot.setMouseEnabled(x=True, y=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get(theme.spectrogram_colormap))
        self.plot.addItem(self.image)
        self.notes = NotesOverlay(self.plot, theme)    # the transcribed recording's notes
        self.trace = pg.PlotCurveItem(connect="finite", pen=pg.mkPen(TRACE_COLOUR, width=2.5))
        self.trace.setZValue(10)                        # above the note bars
        self.plot.addItem(self.trace)
        self.playhead = pg.InfiniteLine(angle=90, movable=False)
        self.playhead.hide()
        self.plot.addItem(self.playhead, ignoreBounds=True)
        self.graphics.scene().sigMouseClicked.connect(self._on_click)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_label)
        self.pages.addWidget(self.graphics)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(header)
        layout.addWidget(self.pages, 1)

        self.open_button.clicked.connect(self.open_requested)
        self.track_button.clicked.connect(self._on_track)
        self.track_button.setEnabled(False)
        model.settings_changed.connect(self._on_settings)
        self.set_theme(theme)

    def _header(self) -> QHBoxLayout:
        self.title = QLabel("No recording")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("Open…")
        self.open_button.setToolTip("Open a recording (Ctrl+O); you can also drop one on the window")
        self.track_button = QPushButton("Track live")
        self.track_button.setToolTip("Send this recording through the real-time tracker (Ctrl+P)")
        self.play_check = QCheckBox("Play aloud")
        self.play_check.setToolTip("Also play the recording on the default output device")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.busy)
        header.addWidget(self.open_button)
        header.addWidget(self.play_check)
        header.addWidget(self.track_button)
        return header

    # ---- inputs --------------------------------------------------------------------------
    def set_model(self, model) -> None:
        """The model is ready: analyse the file that was waiting for it, if any."""
        self._model = model
        if self._pending is not None:
            path, self._pending = self._pending, None
            self.load(path)

    def load(self, path: Path) -> None:
        """Analyse and show a recording (in the background)."""
        path = Path(path)
        self.path = path
        self.result = None
        self.notes.clear()
        self.track_button.setEnabled(True)
        self.title.setText(f"{path.name} — analysing…" if self._model else
                           f"{path.name} — waiting for the model to load…")
        self.busy.show()
        self.pages.setCurrentWidget(self.empty_label)
        self.empty_label.setText(f"Analysing {path.name}…")
        if self._model is None:
            self._pending = path
            return
        from pitchlive.analysis.recording import analyse_recording

        model, refine = self._model, self._settings_model.settings.refine
        self._analysed_refine = refine
        self._jobs.run(lambda: analyse_recording(path, model, refine), "pitchlive-file",
                       lambda result, p=path: self._on_result(p, result),
                       lambda exc, p=path: self._on_error(p, exc))

    def _on_settings(self, settings) -> None:
        # The pitch source (refined / raw SPICE) changes the analysis itself, not just the drawing.
        if self.path is not None and settings.refine != self._analysed_refine:
            self.load(self.path)
        else:
            self._draw()

    def set_theme(self, theme: Theme) -> None:
        """Recolour."""
        self._theme = theme
        self.graphics.set_theme(theme)
        self.empty_label.setStyleSheet(f"color: {theme.muted_text}; font-size: 15px;")
        self.playhead.setPen(pg.mkPen(theme.playhead, width=1.5))
        self.notes.set_theme(theme)

    def set_playhead(self, time_s: float | None) -> None:
        """Mark the position of live tracking in this file (None hides the mark)."""
        if time_s is None:
            self.playhead.hide()
        else:
            self.playhead.setValue(time_s)
            self.playhead.show()

    # ---- results -------------------------------------------------------------------------
    def _on_result(self, path: Path, result: RecordingResult) -> None:
        if path != self.path:
            return   # a newer file was opened meanwhile
        self.busy.hide()
        self.result = result
        a = result.analysis
        problems = a.problems.summary()
        self.title.setText(f"{path.name} — {a.duration_s:.1f} s, {a.sample_rate_hz} Hz, "
                           f"{a.channels} ch" + (f" — {'; '.join(problems)}" if problems else ""))
        self.pages.setCurrentWidget(self.graphics)
        spec = result.spectrogram
        if spec is not None:
            self.image.setImage(spec.level_db, autoLevels=False,
                                levels=(float(spec.level_db.max()) - SPEC_RANGE_DB,
                                        float(spec.level_db.max())))
            self.image.show()
        else:
            self.image.hide()
        self._draw()
        self._show_all()
        self.loaded.emit(result)

    def _on_error(self, path: Path, exc: BaseException) -> None:
        if path != self.path:
            return
        self.busy.hide()
        self.path = None
        self.track_button.setEnabled(False)
        self.title.setText("No recording")
        self.empty_label.setText(f"{path.name} could not be analysed. Open another recording.")
        self.failed.emit("This recording cannot be opened", str(exc))

    def _draw(self) -> None:
        if self.result is None:
            return
        track = self.result.analysis.track
        settings = self._settings_model.settings
        labels = self.result.labels(settings)
        midi = np.where(labels.voiced, hz_to_midi(track.frequency_hz, settings.a4_hz), np.nan)
        self.trace.setData(track.times_s, midi)
        self.conf_curve.setData(track.times_s, track.confidence)
        spec = self.result.spectrogram
        if spec is not None:
            # Rows were computed at A4 = 440 Hz; another reference only shifts them.
            shift = 12.0 * math.log2(DEFAULT_A4_HZ / settings.a4_hz)
            rows, _ = spec.level_db.shape
            self.image.setRect(QRectF(spec.start_s, spec.midi_lo + shift - spec.midi_step / 2,
                                      spec.duration_s, rows * spec.midi_step))

    def _show_all(self) -> None:
        """Whole duration; pitch range around the voiced notes."""
        a = self.result.analysis
        track = a.track
        settings = self._settings_model.settings
        labels = self.result.labels(settings)
        midi = hz_to_midi(track.frequency_hz[labels.voiced], settings.a4_hz)
        if np.size(midi):
            lo, hi = float(np.nanmin(midi)) - 5, float(np.nanmax(midi)) + 5
        else:
            lo, hi = 45.0, 80.0
        self.plot.setXRange(0.0, max(a.duration_s, 0.1), padding=0)
        self.plot.setYRange(lo, hi, padding=0)
        self.plot.getViewBox().setLimits(xMin=-1.0, xMax=a.duration_s + 1.0, yMin=SPEC_MIDI_LO - 4,
                                         yMax=SPEC_MIDI_HI + 4)

    def _on_track(self) -> None:
        if self.path is not None:
            self.track_requested.emit(self.path, self.play_check.isChecked())

    def _on_click(self, event) -> None:
        """Double-click: show the whole recording again."""
        if event.double() and self.result is not None:
            self._show_all()
