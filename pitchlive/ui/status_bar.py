"""The status bar: model and version, input level meter, measured latency, dropped/overflow counts."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QStatusBar, QWidget

from pitchlive.ui.theme import DARK, Theme

METER_FLOOR_DBFS = -80.0


def devices_found_text(devices: list) -> str:
    """What a device rescan found, for the status bar."""
    if not devices:
        return ("Found no input device. Connect or enable a microphone (and check that the "
                "sound server runs), then try again.")
    names = ", ".join(d.name for d in devices[:3]) + (" …" if len(devices) > 3 else "")
    return f"Found {len(devices)} input device{'s' if len(devices) != 1 else ''}: {names}"


class ElidedLabel(QLabel):
    """A one-line label that shrinks with an ellipsis instead of widening the status bar."""

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)

    def full_text(self) -> str:
        """The whole text (what is drawn may be elided)."""
        return self.text()

    def minimumSizeHint(self) -> QSize:
        """Small: the text gives way first."""
        return QSize(40, super().minimumSizeHint().height())

    def paintEvent(self, event) -> None:
        """The text, elided at the right when it does not fit."""
        painter = QPainter(self)
        painter.setPen(self.palette().windowText().color())
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                             self.width())
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         text)
        painter.end()


class LevelMeter(QWidget):
    """Horizontal input level bar, -80..0 dBFS, with the level gate marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._level = -math.inf
        self._gate = -60.0
        self._theme = DARK
        self.setFixedSize(QSize(120, 14))
        self.setToolTip("Input level (dBFS); the tick marks the level gate")

    @property
    def level_dbfs(self) -> float:
        """Level shown."""
        return self._level

    def set_level(self, level_dbfs: float) -> None:
        """Show a level (NaN or -inf: empty)."""
        level = level_dbfs if math.isfinite(level_dbfs) else -math.inf
        if level != self._level:
            self._level = level
            self.update()

    def set_gate(self, gate_dbfs: float) -> None:
        """Where the gate tick goes."""
        self._gate = gate_dbfs
        self.update()

    def set_theme(self, theme: Theme) -> None:
        """Recolour."""
        self._theme = theme
        self.update()

    def _fraction(self, dbfs: float) -> float:
        return min(1.0, max(0.0, (dbfs - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS))

    def paintEvent(self, event) -> None:
        """Bar coloured green below -12 dBFS, yellow to -3, red above."""
        painter = QPainter(self)
        t = self._theme
        rect = QRectF(0, 0, self.width(), self.height())
        painter.fillRect(rect, QColor(t.plot_background))
        if math.isfinite(self._level):
            colour = t.in_tune if self._level < -12 else t.close if self._level < -3 else t.off
            painter.fillRect(QRectF(0, 2, rect.width() * self._fraction(self._level),
                                    rect.height() - 4), QColor(colour))
        x = rect.width() * self._fraction(self._gate)
        painter.fillRect(QRectF(x - 1, 0, 2, rect.height()), QColor(t.threshold))
        painter.end()


class StatusPanel:
    """Owns the widgets placed in the window's QStatusBar and keeps them up to date."""

    def __init__(self, bar: QStatusBar) -> None:
        self.bar = bar
        self.model_label = ElidedLabel("Model: not loaded")
        self.model_busy = QProgressBar()
        self.model_busy.setRange(0, 0)   # indeterminate: 'busy'
        self.model_busy.setFixedWidth(80)
        self.model_busy.setMaximumHeight(12)
        self.model_busy.setTextVisible(False)
        self.model_busy.hide()
        self.device_label = ElidedLabel("")
        self.meter = LevelMeter()
        self.level_label = QLabel("— dBFS")
        self.latency_label = QLabel("latency —")
        self.latency_label.setToolTip("Time from a sound reaching the program to its pitch being "
                                      "ready, measured on each frame (includes the analysis "
                                      "window's look-back)")
        self.counts_label = QLabel("dropped 0 · overflows 0")
        self.counts_label.setToolTip("dropped: analysis windows skipped to keep up; overflows: "
                                     "audio lost by the sound system")
        for label in (self.level_label, self.latency_label, self.counts_label):
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance("dropped 000 · overflows 000")
                                  if label is self.counts_label else 78)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.model_label.setMinimumWidth(90)
        bar.addWidget(self.model_label, 1)
        bar.addWidget(self.model_busy)
        bar.addWidget(self.device_label, 2)
        bar.addPermanentWidget(self.meter)
        bar.addPermanentWidget(self.level_label)
        bar.addPermanentWidget(self.latency_label)
        bar.addPermanentWidget(self.counts_label)

    def set_theme(self, theme: Theme) -> None:
        """Recolour."""
        self.meter.set_theme(theme)

    def set_model_loading(self, source: str) -> None:
        """Show that the model is loading."""
        self.model_label.setText("Loading model…")
        self.model_label.setToolTip(f"Loading SPICE from {source}")
        self.model_busy.show()

    def set_model(self, description: str, details: str) -> None:
        """Show the loaded model, e.g. 'SPICE v1 · spice_1_savedmodel'."""
        self.model_label.setText(description)
        self.model_label.setToolTip(details)
        self.model_busy.hide()

    def set_model_failed(self) -> None:
        """Show that there is no model."""
        self.model_label.setText("Model: not loaded")
        self.model_busy.hide()

    def set_device(self, text: str) -> None:
        """Describe the open input."""
        self.device_label.setText(text)

    def set_gate(self, gate_dbfs: float) -> None:
        """Mark the level gate on the meter."""
        self.meter.set_gate(gate_dbfs)

    def set_level(self, level_dbfs: float) -> None:
        """Show the input level."""
        self.meter.set_level(level_dbfs)
        self.level_label.setText(f"{level_dbfs:.0f} dBFS" if math.isfinite(level_dbfs)
                                 else "— dBFS")

    def show_stats(self, stats) -> None:
        """An engine's EngineStats (None: no engine, nothing changes)."""
        if stats is not None:
            self.set_counters(stats.latency_s, stats.skipped_windows + stats.ring_overruns,
                              stats.overflows)

    def set_counters(self, latency_s: float, dropped: int, overflows: int) -> None:
        """Show latency and loss counters."""
        self.latency_label.setText(f"latency {latency_s * 1000:.0f} ms"
                                   if math.isfinite(latency_s) else "latency —")
        self.counts_label.setText(f"dropped {dropped} · overflows {overflows}")

    def show_message(self, text: str, timeout_ms: int = 5000) -> None:
        """A transient message at the left of the bar."""
        self.bar.showMessage(text, timeout_ms)
