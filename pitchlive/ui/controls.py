"""The control panel: input device, start/stop, tuning, naming, voicing gates and display bands.

Every control takes effect at once: a change becomes a new validated Settings or DisplayPrefs in
the window's SettingsModel, which every view, the engine session and the store follow. The panel
also follows the model, so a change made elsewhere (a device chosen from a banner) shows here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pitchlive.audio.devices import InputDevice
from pitchlive.music import MAX_CUSTOM_TRANSPOSITION, TRANSPOSITIONS_SEMITONES
from pitchlive.settings import Settings
from pitchlive.ui.prefs import DisplayPrefs
from pitchlive.ui.settings_model import SettingsModel

# Every transposition the naming core knows (music.TRANSPOSITIONS_SEMITONES, which the CLI's
# --transpose offers too), then a custom number of semitones.
_TRANSPOSITION_LABELS = {"C": "C (concert pitch)", "Bb": "B♭ instrument", "Eb": "E♭ instrument",
                         "F": "F instrument", "A": "A instrument", "D": "D instrument",
                         "G": "G instrument", "8va": "Octave up (sounds 8va: piccolo)",
                         "8vb": "Octave down (sounds 8vb: guitar, tenor)"}
CUSTOM_TRANSPOSITION = "custom"
TRANSPOSITION_CHOICES = tuple((key, _TRANSPOSITION_LABELS[key])
                              for key in TRANSPOSITIONS_SEMITONES) + \
    ((CUSTOM_TRANSPOSITION, "Custom (semitones)…"),)
DEFAULT_DEVICE_LABEL = "System default"
PITCH_SOURCE_CHOICES = (("Refined", True), ("Raw SPICE", False))


class ControlPanel(QWidget):
    """Side panel with every live control."""

    device_chosen = Signal(object)      # device name (str) or None for the system default
    run_requested = Signal(bool)        # True: start, False: stop
    refresh_requested = Signal()

    def __init__(self, model: SettingsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings_model = model
        self._updating = False      # True while we set widgets ourselves: no signals then
        self._running = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for box in (self._input_box(), self._tuning_box(), self._voicing_box(),
                    self._pitch_source_box(), self._display_box()):
            layout.addWidget(box)
        layout.addStretch(1)
        self._show_settings(model.settings)
        self._show_prefs(model.prefs)
        self.set_running(False)
        model.settings_changed.connect(self._show_settings)
        model.prefs_changed.connect(self._show_prefs)
        self._connect()

    def _input_box(self) -> QGroupBox:
        self.device_combo = QComboBox()
        self.device_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.device_combo.setMinimumContentsLength(14)
        self.device_combo.setToolTip("Input device; switching it restarts tracking on the new one")
        self.refresh_button = QToolButton(text="⟳")
        self.refresh_button.setToolTip("Look for input devices again (F5)")
        self.source_label = QLabel("Source: microphone")
        self.source_label.setWordWrap(True)
        self.run_button = QPushButton("Start")
        self.run_button.setCheckable(True)
        self.run_button.setToolTip("Start or stop tracking (Ctrl+R)")
        device_row = QHBoxLayout()
        device_row.addWidget(self.device_combo, 1)
        device_row.addWidget(self.refresh_button)
        input_box = QGroupBox("Input")
        input_form = QVBoxLayout(input_box)
        input_form.addLayout(device_row)
        input_form.addWidget(self.source_label)
        input_form.addWidget(self.run_button)
        return input_box

    def _tuning_box(self) -> QGroupBox:
        self.a4_spin = QDoubleSpinBox(minimum=400.0, maximum=480.0, singleStep=0.5, decimals=1,
                                      suffix=" Hz")
        self.a4_spin.setToolTip("Tuning reference: the frequency of A4 (400-480 Hz)")
        self.transposition_combo = QComboBox()
        for key, label in TRANSPOSITION_CHOICES:
            self.transposition_combo.addItem(label, key)
        self.transposition_combo.setToolTip("Name notes as written for a transposing instrument")
        # Long labels show in the open list; closed, the combo must not widen the panel (issue 12).
        self.transposition_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.transposition_combo.setMinimumContentsLength(14)
        self.custom_transposition_spin = QSpinBox(minimum=-MAX_CUSTOM_TRANSPOSITION,
                                                  maximum=MAX_CUSTOM_TRANSPOSITION,
                                                  suffix=" semitones")
        self.custom_transposition_spin.setToolTip(
            "Written pitch minus concert pitch, in semitones (+2 for a B♭ instrument)")
        self.naming_combo = QComboBox()
        self.naming_combo.addItem("Sharps (C♯, F♯)", False)
        self.naming_combo.addItem("Flats (D♭, G♭)", True)
        self.correct_tuning_check = QCheckBox("Correct for my tuning")
        self.correct_tuning_check.setToolTip(
            "Name notes and transcribe relative to your own tuning (the offset shown under the "
            "note) instead of A4 exactly: a choir that sits 30 cents flat still reads in tune")
        tuning_box = QGroupBox("Tuning")
        tuning_form = QFormLayout(tuning_box)
        tuning_form.addRow("A4", self.a4_spin)
        tuning_form.addRow("Instrument", self.transposition_combo)
        tuning_form.addRow("Transpose", self.custom_transposition_spin)
        tuning_form.addRow("Names", self.naming_combo)
        tuning_form.addRow(self.correct_tuning_check)
        return tuning_box

    def _voicing_box(self) -> QGroupBox:
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100)
        self.threshold_slider.setToolTip("Frames below this model confidence are not drawn")
        self.threshold_label = QLabel()
        self.gate_slider = QSlider(Qt.Orientation.Horizontal, minimum=-100, maximum=0)
        self.gate_slider.setToolTip("Input quieter than this is treated as silence")
        self.gate_label = QLabel()
        for label in (self.threshold_label, self.gate_label):
            label.setMinimumWidth(64)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.smoothing_check = QCheckBox("Smooth steady notes")
        self.smoothing_check.setToolTip(
            "A 3-frame median while a note is held: the needle wobbles a third as much, and note "
            "changes show at once (bench/engine_smoothing.py)")
        voicing_box = QGroupBox("Voicing")
        voicing_form = QFormLayout(voicing_box)
        voicing_form.addRow("Confidence", _row(self.threshold_slider, self.threshold_label))
        voicing_form.addRow("Level gate", _row(self.gate_slider, self.gate_label))
        voicing_form.addRow(self.smoothing_check)
        return voicing_box

    # ---- pitch source: refined or SPICE's raw output (the accuracy block) ------------------
    def _pitch_source_box(self) -> QGroupBox:
        self.pitch_source_combo = QComboBox()
        for label, refine in PITCH_SOURCE_CHOICES:
            self.pitch_source_combo.addItem(label, refine)
        self.pitch_source_combo.setToolTip(
            "Refined: SPICE's estimate checked against the signal (exact pitch, octave, range, "
            "voicing). Raw SPICE: the model's own output, as `--raw` gives, for comparison; "
            "back to Refined at the next start")
        self.low_latency_check = QCheckBox("Low latency")
        self.low_latency_check.setToolTip(
            "A shorter look-ahead: the note changes that the newest audio cannot confirm on its "
            "own (semitones, low or noisy notes) show about 20 ms sooner, with a little less "
            "live accuracy (README, \"Latency study\"); the same as `--low-latency`")
        box = QGroupBox("Pitch")
        form = QFormLayout(box)
        form.addRow("Source", self.pitch_source_combo)
        form.addRow(self.low_latency_check)
        return box

    def _display_box(self) -> QGroupBox:
        self.history_spin = QSpinBox(minimum=2, maximum=600, suffix=" s")
        self.history_spin.setToolTip("Seconds of pitch shown across the trace")
        self.in_tune_spin = QDoubleSpinBox(minimum=0.5, maximum=49.5, singleStep=1.0,
                                           decimals=1, prefix="± ", suffix=" cents")
        self.in_tune_spin.setToolTip("Deviation drawn in the 'in tune' colour")
        self.close_spin = QDoubleSpinBox(minimum=1.0, maximum=50.0, singleStep=1.0, decimals=1,
                                         prefix="± ", suffix=" cents")
        self.close_spin.setToolTip("Deviation drawn in the 'close' colour; beyond it: 'off'")
        self.hold_spin = QDoubleSpinBox(minimum=0.0, maximum=5.0, singleStep=0.1, decimals=1,
                                        suffix=" s")
        self.hold_spin.setToolTip("How long the note stays after the voice stops")
        display_box = QGroupBox("Display")
        display_form = QFormLayout(display_box)
        display_form.addRow("Time shown", self.history_spin)
        display_form.addRow("In tune", self.in_tune_spin)
        display_form.addRow("Close", self.close_spin)
        display_form.addRow("Hold note", self.hold_spin)
        return display_box

    def _connect(self) -> None:
        self.device_combo.activated.connect(self._on_device)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.run_button.clicked.connect(self._on_run_clicked)
        self.a4_spin.valueChanged.connect(self._on_settings_widget)
        self.transposition_combo.currentIndexChanged.connect(self._on_settings_widget)
        self.custom_transposition_spin.valueChanged.connect(self._on_settings_widget)
        self.naming_combo.currentIndexChanged.connect(self._on_settings_widget)
        self.threshold_slider.valueChanged.connect(self._on_settings_widget)
        self.gate_slider.valueChanged.connect(self._on_settings_widget)
        self.history_spin.valueChanged.connect(self._on_settings_widget)
        self.correct_tuning_check.toggled.connect(self._on_settings_widget)
        self.smoothing_check.toggled.connect(self._on_settings_widget)
        self.pitch_source_combo.currentIndexChanged.connect(self._on_settings_widget)
        self.low_latency_check.toggled.connect(self._on_settings_widget)
        for spin in (self.in_tune_spin, self.close_spin, self.hold_spin):
            spin.valueChanged.connect(self._on_prefs_widget)

    # ---- programmatic updates (no signals) ------------------------------------------------
    def _show_settings(self, settings: Settings) -> None:
        self._updating = True
        try:
            self.a4_spin.setValue(settings.a4_hz)
            index = self.transposition_combo.findData(settings.transposition)
            if index < 0:               # a custom count such as "+3"
                index = self.transposition_combo.findData(CUSTOM_TRANSPOSITION)
            self.transposition_combo.setCurrentIndex(index)
            self.custom_transposition_spin.setValue(settings.transpose_semitones)
            self.custom_transposition_spin.setEnabled(
                self.transposition_combo.currentData() == CUSTOM_TRANSPOSITION)
            self.naming_combo.setCurrentIndex(1 if settings.prefer_flats else 0)
            self.threshold_slider.setValue(round(settings.confidence_threshold * 100))
            self.gate_slider.setValue(round(max(-100.0, settings.level_gate_dbfs)))
            self.history_spin.setValue(round(settings.history_s))
            self.correct_tuning_check.setChecked(settings.correct_tuning_offset)
            self.smoothing_check.setChecked(settings.smoothing)
            self.pitch_source_combo.setCurrentIndex(
                max(0, self.pitch_source_combo.findData(settings.refine)))
            self.low_latency_check.setChecked(settings.low_latency)
            self._update_value_labels()
        finally:
            self._updating = False

    def _show_prefs(self, prefs: DisplayPrefs) -> None:
        self._updating = True
        try:
            self.in_tune_spin.setValue(prefs.in_tune_cents)
            self.close_spin.setValue(prefs.close_cents)
            self.hold_spin.setValue(prefs.hold_s)
            self._update_band_limits()
        finally:
            self._updating = False

    def set_devices(self, devices: list[InputDevice], current: str | None) -> None:
        """Fill the device picker; current is the chosen device's name (None: system default)."""
        self._updating = True
        try:
            self.device_combo.clear()
            default = next((d for d in devices if d.is_default), None)
            label = DEFAULT_DEVICE_LABEL + (f" ({default.name})" if default else "")
            self.device_combo.addItem(label, None)
            for device in devices:
                self.device_combo.addItem(
                    f"{device.name} · {device.max_input_channels} ch", device.name)
                self.device_combo.setItemData(
                    self.device_combo.count() - 1,
                    f"{device.name}\n{device.host_api}, {device.max_input_channels} channels, "
                    f"{device.default_sample_rate_hz:.0f} Hz", Qt.ItemDataRole.ToolTipRole)
            index = self.device_combo.findData(current) if current is not None else 0
            if index < 0:
                # A stored device that is not connected now: keep it visible and chosen.
                self.device_combo.addItem(f"{current} (not found)", current)
                index = self.device_combo.count() - 1
            self.device_combo.setCurrentIndex(index)
        finally:
            self._updating = False

    def device_names(self) -> list[str]:
        """Labels in the device picker, in order."""
        return [self.device_combo.itemText(i) for i in range(self.device_combo.count())]

    def set_running(self, running: bool) -> None:
        """Reflect the engine state on the start/stop button."""
        self._running = running
        self.run_button.setChecked(running)
        self.run_button.setText("Stop" if running else "Start")

    def set_source_text(self, text: str) -> None:
        """Describe the current source (microphone or file)."""
        self.source_label.setText(text)

    # ---- widget handlers -------------------------------------------------------------------
    def _update_value_labels(self) -> None:
        self.threshold_label.setText(f"{self.threshold_slider.value() / 100:.2f}")
        self.gate_label.setText(f"{self.gate_slider.value()} dBFS")

    def _update_band_limits(self) -> None:
        # Keep in-tune < close so every combination the widgets allow is a valid DisplayPrefs.
        self.in_tune_spin.setMaximum(self.close_spin.value() - 0.5)
        self.close_spin.setMinimum(self.in_tune_spin.value() + 0.5)

    def _on_settings_widget(self, *_args) -> None:
        self._update_value_labels()
        if self._updating:
            return
        self.settings_model.update_settings(
            a4_hz=float(self.a4_spin.value()),
            transposition=self._transposition(),
            prefer_flats=bool(self.naming_combo.currentData()),
            confidence_threshold=self.threshold_slider.value() / 100.0,
            level_gate_dbfs=float(self.gate_slider.value()),
            history_s=float(self.history_spin.value()),
            correct_tuning_offset=self.correct_tuning_check.isChecked(),
            smoothing=self.smoothing_check.isChecked(),
            refine=bool(self.pitch_source_combo.currentData()),
            low_latency=self.low_latency_check.isChecked())

    def _transposition(self) -> str:
        """The transposition the widgets say: a key, or '+N' / '-N' for a custom count."""
        key = self.transposition_combo.currentData()
        custom = key == CUSTOM_TRANSPOSITION
        self.custom_transposition_spin.setEnabled(custom)
        return f"{self.custom_transposition_spin.value():+d}" if custom else key

    def _on_prefs_widget(self, *_args) -> None:
        if self._updating:
            return
        self._updating = True
        try:
            self._update_band_limits()
        finally:
            self._updating = False
        self.settings_model.update_prefs(in_tune_cents=float(self.in_tune_spin.value()),
                                 close_cents=float(self.close_spin.value()),
                                 hold_s=float(self.hold_spin.value()))

    def _on_device(self, index: int) -> None:
        if not self._updating:
            self.device_chosen.emit(self.device_combo.itemData(index))

    def _on_run_clicked(self, checked: bool) -> None:
        # The button shows the engine's state, not the click: the window confirms with set_running.
        self.run_button.setChecked(self._running)
        self.run_requested.emit(not self._running)


def _row(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, QSlider) else 0)
    return holder
