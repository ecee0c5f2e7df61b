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
from pitchlive.music import DEFAULT_A4_HZ, hz_to_midi, note_name
from pitchlive.settings import Settings
from pitchlive.ui.background import BackgroundTask
from pitchlive.ui.notes_overlay import NotesOverlay
from pitchlive.ui.pitch_view import NoteAxis, TimeAxis
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

    def __init__(self, settings: Settings, theme: Theme = DARK,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings, self._theme = settings, theme
        self._model = None
        self._pending: Path | None = None
        self._task: BackgroundTask | None = None
        self.path: Path | None = None
        self.result: RecordingResult | None = None

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

        self.empty_label = QLabel("Open a recording with File → Open (Ctrl+O) or drop an audio "
                                  "file on the window to see its whole pitch track over its "
                                  "spectrogram.")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.graphics = pg.GraphicsLayoutWidget()
        self.note_axis = NoteAxis(self._name, self._is_black)
        self.plot = self.graphics.addPlot(row=0, col=0, axisItems={"left": self.note_axis,
                                                                   "bottom": TimeAxis()})
        self.conf_plot = self.graphics.addPlot(row=1, col=0, axisItems={"bottom": TimeAxis()})
        self.graphics.ci.layout.setRowStretchFactor(0, 5)
        self.graphics.ci.layout.setRowStretchFactor(1, 1)
        self.conf_plot.setXLink(self.plot)
        self.conf_plot.getAxis("left").setWidth(44)
        self.conf_plot.getAxis("left").setTicks([[(0.0, "0"), (0.5, ".5"), (1.0, "1")]])
        self.conf_plot.setLabel("left", "conf")
        self.conf_plot.setMouseEnabled(x=True, y=False)
        self.conf_plot.setYRange(0, 1.05, padding=0)
        self.plot.getAxis("bottom").setStyle(showValues=False)
        for plot in (self.plot, self.conf_plot):
            plot.hideButtons()
            plot.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get(theme.spectrogram_colormap))
        self.plot.addItem(self.image)
        self.notes = NotesOverlay(self.plot, theme)    # the transcribed recording's notes
        self.trace = pg.PlotCurveItem(connect="finite", pen=pg.mkPen(TRACE_COLOUR, width=2.5))
        self.trace.setZValue(10)                        # above the note bars
        self.plot.addItem(self.trace)
        self.conf_curve = pg.PlotCurveItem(connect="finite")
        self.conf_plot.addItem(self.conf_curve)
        self.threshold_line = pg.InfiniteLine(angle=0, movable=False)
        self.conf_plot.addItem(self.threshold_line)
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
        self.set_theme(theme)
        self.set_settings(settings)

    # ---- naming (same rules as the live view) --------------------------------------------
    def _name(self, midi: int) -> str:
        s = self._settings
        return note_name(midi, s.prefer_flats, s.transpose_semitones)

    def _is_black(self, midi: int) -> bool:
        return (midi + self._settings.transpose_semitones) % 12 in (1, 3, 6, 8, 10)

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

        task = BackgroundTask(lambda: analyse_recording(path, self._model), "pitchlive-file",
                              self)
        task.succeeded.connect(lambda result, p=path: self._on_result(p, result))
        task.failed.connect(lambda exc, p=path: self._on_error(p, exc))
        self._task = task.start()

    def set_settings(self, settings: Settings) -> None:
        """Threshold, A4 or naming changed: redraw the track."""
        self._settings = settings
        self.threshold_line.setValue(settings.confidence_threshold)
        self.note_axis.picture = None
        self.note_axis.update()
        self._draw()

    def set_theme(self, theme: Theme) -> None:
        """Recolour."""
        self._theme = theme
        self.graphics.setBackground(theme.window)
        self.empty_label.setStyleSheet(f"color: {theme.muted_text}; font-size: 15px;")
        for plot in (self.plot, self.conf_plot):
            plot.getViewBox().setBackgroundColor(theme.plot_background)
            for name in ("left", "bottom"):
                plot.getAxis(name).setPen(pg.mkPen(theme.muted_text))
                plot.getAxis(name).setTextPen(pg.mkPen(theme.axis_text))
        self.conf_curve.setPen(pg.mkPen(theme.confidence, width=1.2))
        self.threshold_line.setPen(pg.mkPen(theme.threshold, width=1.5,
                                            style=Qt.PenStyle.DashLine))
        self.playhead.setPen(pg.mkPen(theme.playhead, width=1.5))
        self.notes.set_theme(theme)

    def set_playhead(self, time_s: float | None) -> None:
        """Mark the position of live tracking in this file (None hides the mark)."""
        if time_s is None:
            self.playhead.hide()
        else:
            self.playhead.setValue(time_s)
            self.playhead.show()

    def wait_for_analysis(self, timeout_s: float = 30.0) -> bool:
        """Block until the background analysis thread ends (tests and scripts)."""
        return self._task.join(timeout_s) if self._task else True

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
        labels = self.result.labels(self._settings)
        midi = np.where(labels.voiced, hz_to_midi(track.frequency_hz, self._settings.a4_hz),
                        np.nan)
        self.trace.setData(track.times_s, midi)
        self.conf_curve.setData(track.times_s, track.confidence)
        spec = self.result.spectrogram
        if spec is not None:
            # Rows were computed at A4 = 440 Hz; another reference only shifts them.
            shift = 12.0 * math.log2(DEFAULT_A4_HZ / self._settings.a4_hz)
            rows, _ = spec.level_db.shape
            self.image.setRect(QRectF(spec.start_s, spec.midi_lo + shift - spec.midi_step / 2,
                                      spec.duration_s, rows * spec.midi_step))

    def _show_all(self) -> None:
        """Whole duration; pitch range around the voiced notes."""
        a = self.result.analysis
        track = a.track
        labels = self.result.labels(self._settings)
        midi = hz_to_midi(track.frequency_hz[labels.voiced], self._settings.a4_hz)
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
