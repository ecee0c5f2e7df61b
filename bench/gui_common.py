"""Shared pieces of the GUI benchmarks: paint counting, event-loop stall and CPU meters.

Not a benchmark itself (running it prints nothing). The GUI benchmarks run on the real window:
offscreen by default, or under a real X server with `xvfb-run -a`.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, Qt, QTimer

DEMO = ROOT / "assets" / "demo-ode-to-joy.flac"


def platform_name() -> str:
    """The Qt platform in use ('offscreen', 'xcb', ...)."""
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.platformName()


def machine_line() -> str:
    """CPU count and load, to read the figures against."""
    load = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def private_store(folder: Path):
    """A SettingsStore in its own INI file, so benchmarks never touch the user's settings."""
    from pitchlive.ui.settings_store import SettingsStore

    return SettingsStore(QSettings(str(folder / "bench.ini"), QSettings.Format.IniFormat))


class PaintCounter(QObject):
    """Counts paint events of one widget (a redraw that reached the screen's backing store)."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        """Count and pass on."""
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


class StallMeter(QObject):
    """A precise 5 ms timer on the GUI thread; gaps beyond the period are event-loop stalls."""

    def __init__(self, period_ms: int = 5) -> None:
        super().__init__()
        self.period_s = period_ms / 1000
        self.ticks: list[float] = []
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))
        self._timer.start(period_ms)

    def stop(self) -> None:
        """Stop ticking."""
        self._timer.stop()

    def stalls_ms(self) -> list[float]:
        """How much longer than the period each gap between ticks was (ms, >= 0)."""
        gaps = [b - a for a, b in zip(self.ticks, self.ticks[1:])]
        return [max(0.0, (g - self.period_s) * 1000) for g in gaps]


class CpuMeter:
    """CPU time of this whole process (all threads) per wall-clock second."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Start a new interval."""
        times = os.times()
        self._cpu0 = times.user + times.system
        self._wall0 = time.perf_counter()

    def share_of_one_core(self) -> float:
        """CPU seconds / wall seconds since reset (1.0 = one core busy)."""
        times = os.times()
        return (times.user + times.system - self._cpu0) / (time.perf_counter() - self._wall0)


def run_for(seconds: float) -> None:
    """Run the event loop for a while (a local loop: app.quit() would close the windows)."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def percentile(values: list[float], q: float) -> float:
    """q-th percentile (0-100) of values."""
    import numpy as np

    return float(np.percentile(values, q)) if values else float("nan")
