"""The Tuner tab: the note, a damped needle, a strobe, the lock, strings, temperaments, a drone.

Split as Friture splits a view: the displays (tuner_widgets), the settings panel
(tuner_settings) and the data (tuner_data, no Qt). Live frames come from the session's `frames`
signal; the tuner core (pitchlive.tuner) turns them into readings. The choices are DisplayPrefs
in the window's SettingsModel, so they persist like every other control; the A4, transposition
and accidentals are the shared Settings.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QTimer, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pitchlive.frames import PitchFrame
from pitchlive.music import FLAT_NAMES, SHARP_NAMES
from pitchlive.tuner.meter import TunerReading
from pitchlive.tuner.scala import ScalaError, ScalaScale, read_scala, scale_to_temperament
from pitchlive.tuner.temperaments import TEMPERAMENT_LABELS
from pitchlive.ui.take_playback import TakePlayback
from pitchlive.ui.take_texts import ERROR, Notice
from pitchlive.ui.theme import THEMES, Theme
from pitchlive.ui.tuner_data import (TunerChoice, TunerFeed, cents_text, display_name,
                                     reference_midi, tuner_choice, turn_text)
from pitchlive.ui.tuner_settings import SettingsFold, TunerSettingsPanel
from pitchlive.ui.tuner_widgets import NeedleGauge, StrobeDisplay

log = logging.getLogger(__name__)

REFERENCE_RATE_HZ = 44100
ANIMATION_INTERVAL_MS = 16          # the strobe drifts smoothly between frames at ~60 Hz
# Point sizes (wide tab, narrow tab): a narrow tab's readout row must still hold "−50.0 ¢",
# "Tune down ↓ (sharp)" and the Hz side by side.
FONT_POINTS = {"note": (64, 52), "cents": (30, 21), "turn": (18, 13), "lock": (15, 12)}
WIDEST_TEXTS = {"cents": "−50.0 ¢", "turn": "Tune down ↓  (sharp)", "hz": "1999.99 Hz"}
SCALA_FORMAT_URL = "https://www.huygens-fokker.org/scala/scl_format.html"


def _style(widget: QWidget, css: str) -> None:
    """Set a style sheet only when it changes: restyling is the costly part of a repaint."""
    if widget.styleSheet() != css:
        widget.setStyleSheet(css)


def _big_label(point_size: float, bold: bool = True) -> QLabel:
    label = QLabel()
    font = QFont(label.font())
    font.setPointSizeF(point_size)
    font.setBold(bold)
    label.setFont(font)
    return label


class TunerView(QWidget):
    """The Tuner tab; feed it live frames with show_frames (the session's frames signal).

    context is the window's pitchlive.ui.view_tabs.ViewContext (not imported here: view_tabs
    imports this module for its row); session may be None when a test feeds frames itself.
    """

    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings_model = context.model
        self._show_notice = context.show_notice
        self._show_status = context.show_status
        self._theme = context.theme
        self._scala: tuple[str, ScalaScale] | None = None    # the loaded file (path, scale)
        self.choice: TunerChoice = tuner_choice(self.settings_model.settings,
                                                self.settings_model.prefs)
        self.feed = TunerFeed(self.choice.config)
        self.reading: TunerReading | None = None
        self.playback = TakePlayback(context.jobs, self)
        self._applied_key: tuple | None = None
        self._reference_sound: tuple[float, str] | None = None     # (Hz, timbre) playing
        self._reference_text = ""
        self._build()
        self._fit_fonts(False)
        self._fill_strings()
        self._timer = QTimer(self, interval=ANIMATION_INTERVAL_MS)
        self._timer.timeout.connect(self._animate)
        self._connect(context)
        self.set_theme(context.theme)
        self._apply_choice()
        self._render()

    # ---- building --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.note_label = _big_label(64)
        self.note_label.setMinimumWidth(170)
        self.note_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.target_label = _big_label(13, bold=False)
        self.lock_label = _big_label(15)
        self.context_label = QLabel()
        for label in (self.target_label, self.lock_label, self.context_label):   # may wrap
            label.setWordWrap(True)
        info = QVBoxLayout()
        info.addStretch(1)
        for label in (self.target_label, self.lock_label, self.context_label):
            info.addWidget(label)
        info.addStretch(1)
        self.settings_button = QToolButton()
        self.settings_button.setText("Settings…")
        self.settings_button.setToolTip("Instrument, temperament and reference tone (the tab is "
                                        "too narrow to show them beside the needle)")
        header = QHBoxLayout()
        header.addWidget(self.note_label)
        header.addLayout(info, 1)
        header.addWidget(self.settings_button, 0, Qt.AlignmentFlag.AlignTop)
        self.strings_row = QHBoxLayout()
        self.string_labels: list[QLabel] = []
        self.gauge = NeedleGauge(self._theme)
        self.cents_label = _big_label(30)
        self.turn_label = _big_label(18)
        self.hz_label = _big_label(13, bold=False)
        readout = QHBoxLayout()
        readout.addWidget(self.cents_label)
        self.turn_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        readout.addWidget(self.turn_label, 1)       # all the room left, not its last text's
        readout.addWidget(self.hz_label)
        self.strobe = StrobeDisplay(self._theme)
        display = QVBoxLayout()
        display.addLayout(header)
        display.addLayout(self.strings_row)
        display.addWidget(self.gauge, 1)
        display.addLayout(readout)
        display.addWidget(self.strobe)
        self.panel = TunerSettingsPanel(self.settings_model, self._theme)
        self.fold = SettingsFold(self.panel, self.settings_button, self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(display, 1)
        layout.addWidget(self.fold.column)

    def _connect(self, context) -> None:
        if context.session is not None:
            context.session.frames.connect(self.show_frames)
            context.session.starting.connect(self._on_new_run)
        self.settings_model.settings_changed.connect(lambda _s: self._apply_choice())
        self.settings_model.prefs_changed.connect(self._on_prefs)
        self.panel.import_requested.connect(self._ask_scala)
        self.panel.reference_toggled.connect(self._on_reference_toggled)
        self.panel.reference_changed.connect(self._follow_reference)
        self.playback.started.connect(self._on_reference_started)
        self.playback.ended.connect(self._on_reference_ended)
        self.playback.failed.connect(self._on_reference_failed)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop_reference)

    # ---- live frames -----------------------------------------------------------------------------
    def show_frames(self, frames: list[PitchFrame]) -> None:
        """Step the tuner with a batch of live frames and show the latest reading."""
        if frames:
            self.reading = self.feed.feed(frames)
            if self.isVisible():            # a hidden tab keeps reading, and draws when shown
                self._render()

    def _on_new_run(self) -> None:
        self.feed.reset()
        self.reading = None
        self._render()

    # ---- showing ---------------------------------------------------------------------------------
    def _render(self) -> None:
        reading, choice = self.reading, self.choice
        target = reading.target if reading is not None else None
        has_pitch = reading is not None and reading.cents is not None
        locked = has_pitch and reading.locked
        self.note_label.setText(display_name(target.name) if target else "—")
        colour = self._theme.text if has_pitch else self._theme.held
        _style(self.note_label, f"color: {colour};")
        if target is None:
            self.target_label.setText("Play a note" if not choice.strings else
                                      f"Play a string of the {choice.instrument.label.lower()}")
        elif target.string_index is not None:
            self.target_label.setText(f"{choice.string_label(target.string_index)} · "
                                      f"{target.target_hz:.2f} Hz")
        else:
            self.target_label.setText(f"Target {target.target_hz:.2f} Hz")
        self.lock_label.setText("● LOCKED · in tune" if locked else
                                "○ hold the note steady" if has_pitch else "")
        _style(self.lock_label,
               f"color: {self._theme.in_tune if locked else self._theme.muted_text};")
        self.cents_label.setText(cents_text(reading.cents) if has_pitch else "")
        self.turn_label.setText(turn_text(reading.direction, choice.strings) if has_pitch else "")
        band = self._theme.in_tune if locked or (has_pitch and reading.direction == "in tune") \
            else self._theme.close if has_pitch and abs(reading.cents) <= 5 else self._theme.off
        _style(self.cents_label, f"color: {band};")
        _style(self.turn_label, f"color: {band};")
        self.hz_label.setText(f"{reading.frequency_hz:.2f} Hz" if has_pitch else "")
        self.gauge.set_needle(reading.needle_cents if has_pitch else None, locked)
        self.strobe.set_reading(reading.strobe_phase if reading else 0.0,
                                reading.strobe_rate_hz if has_pitch else 0.0, has_pitch, locked)
        current = target.string_index if target is not None and has_pitch else None
        for index, label in enumerate(self.string_labels):
            on = index == current
            lit = self._theme.in_tune if locked else self._theme.accent
            weight = "bold" if on else "normal"
            _style(label,
                   f"padding: 2px 8px; border-radius: 4px; font-weight: {weight};"
                   f" color: {self._theme.window if on else self._theme.muted_text};"
                   f" background: {lit if on else 'transparent'};")
        if has_pitch and self.isVisible() and not self._timer.isActive():
            self._timer.start()

    def _animate(self) -> None:
        if self.strobe.moving:
            self.strobe.update()
        elif self.reading is None or self.reading.cents is None:
            self._timer.stop()

    def _fill_strings(self) -> None:
        while self.strings_row.count():
            item = self.strings_row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.string_labels = []
        if self.choice.instrument is None:
            return
        self.strings_row.addStretch(1)
        for midi in self.choice.instrument.strings_midi:
            label = QLabel(self.choice.written(midi))
            self.string_labels.append(label)
            self.strings_row.addWidget(label)
        self.strings_row.addStretch(1)

    # ---- choices ---------------------------------------------------------------------------------
    def _on_prefs(self, prefs) -> None:
        if prefs.theme != self._theme.name and prefs.theme in THEMES:
            self.set_theme(THEMES[prefs.theme])
        self._apply_choice()

    def _choice_key(self) -> tuple:
        """What the tab's targets and names depend on (not the window's other settings)."""
        settings, prefs = self.settings_model.settings, self.settings_model.prefs
        return (settings.a4_hz, settings.transposition, settings.prefer_flats,
                prefs.tuner_instrument, prefs.tuner_strings, prefs.tuner_temperament,
                prefs.tuner_tonic_pc, prefs.tuner_timbre, prefs.tuner_reference_note)

    def _apply_choice(self) -> None:
        """Rebuild the target set from the settings; start the reading over if it changed."""
        key = self._choice_key()
        if key == self._applied_key:
            return                  # another setting (a zoom, a threshold): nothing to redo
        self._applied_key = key
        settings, prefs = self.settings_model.settings, self.settings_model.prefs
        tuning, scala_name = None, None
        if prefs.tuner_temperament.lower().endswith(".scl"):
            try:
                scale = self._load_scala(prefs.tuner_temperament)
                tuning = scale_to_temperament(scale, prefs.tuner_tonic_pc)
                scala_name = scale.description or scale.source
            except ScalaError as exc:
                self._scala_failed(exc, "equal temperament")
                self._applied_key = None
                self.settings_model.update_prefs(tuner_temperament="equal")
                return                    # the change comes back through prefs_changed
        choice = tuner_choice(settings, prefs, tuning)
        if choice.config != self.choice.config or choice.instrument != self.choice.instrument:
            self.choice = choice
            self.feed.reset(choice.config)
            self.reading = None
            self._fill_strings()
        self.choice = choice
        self.gauge.in_tune_cents = choice.config.in_tune_cents
        name = scala_name or TEMPERAMENT_LABELS.get(prefs.tuner_temperament, "")
        names = FLAT_NAMES if settings.prefer_flats else SHARP_NAMES
        tonic = display_name(names[prefs.tuner_tonic_pc])
        self.context_label.setText(f"A4 = {settings.a4_hz:g} Hz · {name}"
                                   + ("" if prefs.tuner_temperament == "equal" else
                                      f" on {tonic}"))
        self.panel.show_choice(prefs, choice, scala_name)
        self._render()
        self._follow_reference()

    def _load_scala(self, path: str) -> ScalaScale:
        if self._scala is None or self._scala[0] != path:
            self._scala = (path, read_scala(path))
        return self._scala[1]

    def _scala_failed(self, exc: BaseException, keeping: str) -> None:
        self._show_notice(Notice(ERROR, "This Scala scale cannot be used",
                                 f"{exc}. The tuner keeps {keeping}. Choose another .scl file "
                                 f"(the format: {SCALA_FORMAT_URL}).",
                                 (("Import another…", self._ask_scala),)))

    def _ask_scala(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a Scala scale", str(Path.home()),
                                              "Scala scales (*.scl);;All files (*)")
        if path:
            self.import_scala(Path(path))

    def import_scala(self, path: Path) -> bool:
        """Tune to the scale in a .scl file; a broken file gets a banner and changes nothing."""
        prefs = self.settings_model.prefs
        try:
            scale = read_scala(path)
            scale_to_temperament(scale, prefs.tuner_tonic_pc)
        except ScalaError as exc:
            keeping = self.panel.temperament_combo.currentText() or "its temperament"
            self._scala_failed(exc, keeping)
            return False
        self._scala = (str(path), scale)
        self.settings_model.update_prefs(tuner_temperament=str(path))
        self._show_status(f"Tuning to the Scala scale {scale.description or path.name}", 4000)
        return True

    def set_theme(self, theme: Theme) -> None:
        """Recolour."""
        self._theme = theme
        self.gauge.set_theme(theme)
        self.strobe.set_theme(theme)
        self.panel.set_theme(theme)
        self.note_label.setStyleSheet(f"color: {theme.text};")
        self.target_label.setStyleSheet(f"color: {theme.text};")
        self.context_label.setStyleSheet(f"color: {theme.muted_text};")
        self.hz_label.setStyleSheet(f"color: {theme.muted_text};")
        self._render()

    # ---- reference tone --------------------------------------------------------------------------
    def _on_reference_toggled(self, play: bool) -> None:
        if play:
            self.start_reference()
        else:
            self.stop_reference()

    def start_reference(self) -> None:
        """Play the chosen string or note as a drone until stop_reference (a background job)."""
        from pitchlive.tuner.reference_tone import drone_loop

        prefs = self.settings_model.prefs
        try:
            midi = reference_midi(self.choice, self.panel.reference_string(),
                                  prefs.tuner_reference_note)
        except ValueError as exc:
            self.panel.set_reference_playing(False, f"{exc}.")
            return
        hz, timbre = self.choice.target_hz(midi), prefs.tuner_timbre
        self._reference_sound = (hz, timbre)
        self._reference_text = f"Playing {self.choice.written(midi)} · {hz:.2f} Hz"
        self.panel.set_reference_playing(True, "Opening the output device…")
        self.playback.play("reference", lambda player: player.play_loop(
            lambda rate_hz: drone_loop(hz, rate_hz, timbre), REFERENCE_RATE_HZ))

    def stop_reference(self) -> None:
        """Stop the reference tone (nothing happens when none plays)."""
        self._reference_sound = None
        self.playback.stop()
        self.panel.set_reference_playing(False)

    def _follow_reference(self) -> None:
        """A playing tone follows a new string, note, timbre, temperament or A4."""
        if self._reference_sound is None or self.playback.playing != "reference":
            return
        try:
            midi = reference_midi(self.choice, self.panel.reference_string(),
                                  self.settings_model.prefs.tuner_reference_note)
        except ValueError:
            return
        sound = (self.choice.target_hz(midi), self.settings_model.prefs.tuner_timbre)
        if sound != self._reference_sound:
            self.start_reference()

    def _on_reference_started(self) -> None:
        self.panel.set_reference_playing(True, self._reference_text)

    def _on_reference_ended(self) -> None:
        self._reference_sound = None
        self.panel.set_reference_playing(False)

    def _on_reference_failed(self, exc: BaseException) -> None:
        from pitchlive.audio.devices import DeviceError

        self._reference_sound = None
        message = str(exc) if isinstance(exc, DeviceError) else (
            f"The output device failed ({type(exc).__name__}: {exc}). Check the system sound "
            "settings or choose another output device.")
        self.panel.set_reference_playing(False, message)
        self._show_notice(Notice(ERROR, "The reference tone cannot be played", message))

    # ---- visibility ------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """A narrow tab keeps the displays and folds the settings away (SettingsFold)."""
        super().resizeEvent(event)
        self.fold.fit(self.width())
        self._fit_fonts(self.fold.narrow)

    def _fit_fonts(self, narrow: bool) -> None:
        labels = {"note": self.note_label, "cents": self.cents_label, "turn": self.turn_label,
                  "lock": self.lock_label}
        for name, label in labels.items():
            points = FONT_POINTS[name][narrow]
            if label.font().pointSizeF() != points:
                font = QFont(label.font())
                font.setPointSizeF(points)
                label.setFont(font)
        # Room for the widest texts, so the row neither jumps nor cuts as the reading changes.
        for name, label in (("cents", self.cents_label), ("turn", self.turn_label),
                            ("hz", self.hz_label)):
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance(WIDEST_TEXTS[name]) + 4)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._render()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API
        self._timer.stop()
        self.settings_button.setChecked(False)    # the settings window goes with its tab
        super().hideEvent(event)

    # ---- what tests and the screenshot read ------------------------------------------------------
    def note_text(self) -> str:
        """The note shown."""
        return self.note_label.text()

    def cents_text(self) -> str:
        """The reading shown, e.g. '−3.0 ¢'."""
        return self.cents_label.text()

    def turn_text(self) -> str:
        """Which way to turn, as shown."""
        return self.turn_label.text()

    def target_text(self) -> str:
        """The string or note tuned to and its target, as shown."""
        return self.target_label.text()

    def locked(self) -> bool:
        """True while the lock indicator is on."""
        return self.lock_label.text().startswith("●")


def build_tuner_tab(context) -> TunerView:
    """VIEW_TABS row: the Tuner tab built from the window's context."""
    return TunerView(context)
