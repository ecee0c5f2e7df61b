"""The Practice tab's controls: what to sing against and how (the view's settings part).

The widget only holds choices; the view reads them (``exercise_spec``, ``plan_options``,
``scoring``, ``latency_ms``) and listens to the signals for actions.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QSlider, QSpinBox,
                               QVBoxLayout, QWidget)

from pitchlive.practice.exercises import EXERCISES, ExerciseSpec
from pitchlive.practice.loading import MIDI_SUFFIXES, MUSICXML_SUFFIXES, load_target
from pitchlive.practice.note_score import DEFAULT_BAND_CENTS, ScoringSettings
from pitchlive.practice.plan import MAX_REPEATS, MAX_TEMPO_PERCENT, MIN_TEMPO_PERCENT, PlanOptions
from pitchlive.practice.prefs import PracticePrefs
from pitchlive.practice.target import Target

KEYS = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MAX_LATENCY_MS = 500
# Below 0: the mark of the output's start can fall a little after its first sample is heard.
MIN_LATENCY_MS = -100
BACKING_LABELS = {"tones": "Target as tones", "song": "Song audio", "none": "None"}
EXERCISE_SOURCE = "Exercise"


class PracticeControls(QWidget):
    """Target choice, key, tempo, section, count-in, backing, band and latency."""

    open_requested = Signal()            # the user wants to choose a target file
    voice_chosen = Signal(int)           # index into the track/part list
    exercise_changed = Signal()          # an exercise setting changed (rebuild the target)
    suggest_requested = Signal()
    calibrate_requested = Signal()
    start_requested = Signal()
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.start_button = QPushButton("Start")
        self.start_button.setToolTip("Count in and sing the target (Stop ends early and scores "
                                     "the notes so far)")
        self.start_button.clicked.connect(self._start_or_stop)
        layout.addWidget(self.start_button)
        layout.addWidget(self._target_box())
        layout.addWidget(self._key_box())
        layout.addWidget(self._run_box())
        layout.addWidget(self._timing_box())
        layout.addStretch(1)
        self._running = False

    # ---- building ----------------------------------------------------------------------------
    def _target_box(self) -> QGroupBox:
        box = QGroupBox("Target")
        form = QFormLayout(box)
        self.source_box = QComboBox()
        self.source_box.addItems([EXERCISE_SOURCE, "File"])
        self.open_button = QPushButton("Open MIDI / MusicXML / UltraStar…")
        self.open_button.clicked.connect(self.open_requested)
        self.file_label = QLabel("no file")
        self.file_label.setWordWrap(True)
        self.voice_box = QComboBox()
        self.voice_box.setEnabled(False)
        self.voice_box.activated.connect(self.voice_chosen)
        self.kind_box = QComboBox()
        self.kind_box.addItems(list(EXERCISES))
        self.mode_box = QComboBox()
        self.mode_box.addItems(["major", "minor"])
        self.exercise_tempo = QSpinBox()
        self.exercise_tempo.setRange(20, 300)
        self.exercise_tempo.setValue(80)
        self.exercise_tempo.setSuffix(" BPM")
        self.low_edit, self.high_edit = QLineEdit("C4"), QLineEdit("C5")
        for edit in (self.low_edit, self.high_edit):
            edit.setMaximumWidth(60)
            edit.editingFinished.connect(self.exercise_changed)
        span = QHBoxLayout()
        span.addWidget(self.low_edit)
        span.addWidget(QLabel("to"))
        span.addWidget(self.high_edit)
        for widget in (self.kind_box, self.mode_box):
            widget.currentIndexChanged.connect(self.exercise_changed)
        self.exercise_tempo.valueChanged.connect(self.exercise_changed)
        self.source_box.currentIndexChanged.connect(self._source_switched)
        self._target_form = form
        form.addRow("Source", self.source_box)
        form.addRow(self.open_button)
        form.addRow(self.file_label)
        form.addRow("Track / part", self.voice_box)
        form.addRow("Exercise", self.kind_box)
        form.addRow("Mode", self.mode_box)
        form.addRow("Tempo", self.exercise_tempo)
        form.addRow("Range", span)
        self._source_switched()
        return box

    def _key_box(self) -> QGroupBox:
        box = QGroupBox("Key")
        form = QFormLayout(box)
        self.key_box = QComboBox()
        self.key_box.addItems(list(KEYS))
        self.key_box.currentIndexChanged.connect(self.exercise_changed)
        self.transpose_spin = QSpinBox()
        self.transpose_spin.setRange(-24, 24)
        self.transpose_spin.setSuffix(" semitones")
        self.suggest_button = QPushButton("Suggest a key from my range")
        self.suggest_button.setToolTip("Sing your lowest and highest comfortable notes while "
                                       "tracking, then press: the target moves to fit them")
        self.suggest_button.clicked.connect(self.suggest_requested)
        form.addRow("Exercise key", self.key_box)
        form.addRow("Transpose", self.transpose_spin)
        form.addRow(self.suggest_button)
        return box

    def _run_box(self) -> QGroupBox:
        box = QGroupBox("Run")
        form = QFormLayout(box)
        self.tempo_percent = QSpinBox()
        self.tempo_percent.setRange(MIN_TEMPO_PERCENT, MAX_TEMPO_PERCENT)
        self.tempo_percent.setValue(100)
        self.tempo_percent.setSuffix(" %")
        self.first_note, self.last_note = QSpinBox(), QSpinBox()
        for spin, empty in ((self.first_note, "start"), (self.last_note, "end")):
            spin.setRange(0, 9999)
            spin.setSpecialValueText(empty)
        section = QHBoxLayout()
        section.addWidget(self.first_note)
        section.addWidget(QLabel("to"))
        section.addWidget(self.last_note)
        self.repeats = QSpinBox()
        self.repeats.setRange(1, MAX_REPEATS)
        self.repeats.setSuffix(" ×")
        self.count_in = QSpinBox()
        self.count_in.setRange(0, 16)
        self.count_in.setValue(4)
        self.count_in.setSuffix(" beats")
        self.metronome = QCheckBox("Metronome click while singing")
        self.backing_box = QComboBox()
        for key, label in BACKING_LABELS.items():
            self.backing_box.addItem(label, key)
        self.band_spin = QDoubleSpinBox()
        self.band_spin.setRange(1.0, 100.0)
        self.band_spin.setValue(DEFAULT_BAND_CENTS)
        self.band_spin.setPrefix("± ")
        self.band_spin.setSuffix(" cents")
        form.addRow("Speed", self.tempo_percent)
        form.addRow("Section (notes)", section)
        form.addRow("Loop", self.repeats)
        form.addRow("Count-in", self.count_in)
        form.addRow(self.metronome)
        form.addRow("Backing", self.backing_box)
        form.addRow("In tune within", self.band_spin)
        return box

    def _timing_box(self) -> QGroupBox:
        box = QGroupBox("Timing")
        form = QFormLayout(box)
        self.latency_slider = QSlider(Qt.Orientation.Horizontal)
        self.latency_slider.setRange(MIN_LATENCY_MS, MAX_LATENCY_MS)
        self.latency_label = QLabel()
        self.latency_slider.valueChanged.connect(
            lambda ms: self.latency_label.setText(f"{ms} ms"))
        self.latency_slider.setValue(0)
        self.latency_label.setText("0 ms")
        self.calibrate_button = QPushButton("Calibrate: clap along with 10 clicks")
        self.calibrate_button.clicked.connect(self.calibrate_requested)
        self.align_box = QCheckBox("Align the summary to my timing")
        self.align_box.setChecked(True)
        self.align_box.setToolTip("Score the finished take with its timing searched within "
                                  "±0.5 s of the latency above, as `pitchlive score` does")
        row = QHBoxLayout()
        row.addWidget(self.latency_slider)
        row.addWidget(self.latency_label)
        form.addRow("Latency", row)
        form.addRow(self.calibrate_button)
        form.addRow(self.align_box)
        return box

    # ---- reading -----------------------------------------------------------------------------
    @property
    def uses_file(self) -> bool:
        """True when the target comes from a file, False for an exercise."""
        return self.source_box.currentText() != EXERCISE_SOURCE

    def exercise_spec(self) -> ExerciseSpec:
        """The exercise the controls describe (validated when it is built)."""
        return ExerciseSpec(self.kind_box.currentText(), self.key_box.currentText(),
                            self.mode_box.currentText(), float(self.exercise_tempo.value()),
                            self.low_edit.text().strip(), self.high_edit.text().strip())

    def plan_options(self) -> PlanOptions:
        """Transposition, speed, section, loop, count-in, metronome and backing."""
        return PlanOptions(self.transpose_spin.value(), float(self.tempo_percent.value()),
                           self.first_note.value() or None, self.last_note.value() or None,
                           self.repeats.value(), self.count_in.value(),
                           self.metronome.isChecked(), self.backing_box.currentData())

    def scoring(self, a4_hz: float) -> ScoringSettings:
        """The in-tune band at the window's A4."""
        return ScoringSettings(band_cents=self.band_spin.value(), a4_hz=a4_hz)

    @property
    def latency_ms(self) -> int:
        """The round trip the user set or calibrated."""
        return self.latency_slider.value()

    @property
    def align(self) -> bool:
        """Whether the summary searches the take's timing."""
        return self.align_box.isChecked()

    def prefs(self) -> PracticePrefs:
        """The choices kept between sessions of the app."""
        return PracticePrefs(self.latency_ms, self.band_spin.value(), self.count_in.value(),
                             self.metronome.isChecked(), self.backing_box.currentData(),
                             self.align)

    def apply_prefs(self, prefs: PracticePrefs) -> None:
        """Show stored choices."""
        self.set_latency_ms(prefs.latency_ms)
        self.band_spin.setValue(prefs.band_cents)
        self.count_in.setValue(prefs.count_in_beats)
        self.metronome.setChecked(prefs.metronome)
        self.backing_box.setCurrentIndex(self.backing_box.findData(prefs.backing))
        self.align_box.setChecked(prefs.align)

    # ---- showing -----------------------------------------------------------------------------
    def set_file(self, path: Path, voices: list[str], chosen: int = 0) -> None:
        """Show the opened file and its tracks or parts (empty: nothing to choose)."""
        self.source_box.setCurrentIndex(1)
        self.file_label.setText(path.name)
        self.voice_box.clear()
        self.voice_box.addItems(voices)
        self.voice_box.setCurrentIndex(chosen)
        self.voice_box.setEnabled(len(voices) > 1)

    def set_note_count(self, count: int) -> None:
        """Limit the section to the target's notes."""
        for spin in (self.first_note, self.last_note):
            spin.setMaximum(count)

    def set_running(self, running: bool) -> None:
        """Start becomes Stop while a run goes on; the run's choices are locked."""
        self._running = running
        self.start_button.setText("Stop" if running else "Start")
        for widget in (self.source_box, self.open_button, self.calibrate_button,
                       self.suggest_button):
            widget.setEnabled(not running)

    def set_latency_ms(self, ms: float) -> None:
        """Put a measured latency on the slider (clamped to its range)."""
        self.latency_slider.setValue(int(round(min(max(ms, MIN_LATENCY_MS), MAX_LATENCY_MS))))

    def _start_or_stop(self) -> None:
        (self.stop_requested if self._running else self.start_requested).emit()

    def _source_switched(self) -> None:
        file = self.uses_file
        for row in range(1, self._target_form.rowCount()):
            self._target_form.setRowVisible(row, file == (row <= 3))
        if hasattr(self, "key_box"):
            self.key_box.setEnabled(not file)
        if not file:
            self.exercise_changed.emit()


def target_choices(path: Path, voice: int) -> tuple[list[str], list, Target]:
    """(track or part descriptions, their numbers or ids, the target of the chosen one)."""
    voices, numbers = [], []
    suffix = path.suffix.lower()
    if suffix in MIDI_SUFFIXES:
        from pitchlive.practice.midi_file import list_tracks

        tracks = [t for t in list_tracks(path) if t.n_notes and not t.drums_only]
        voices, numbers = [t.describe() for t in tracks], [t.number for t in tracks]
    elif suffix in MUSICXML_SUFFIXES:
        from pitchlive.practice.musicxml_file import list_parts

        parts = list_parts(path)
        voices, numbers = [f"{pid} {name}".strip() for pid, name in parts], [p for p, _ in parts]
    chosen = numbers[voice] if numbers else None
    return voices, numbers, load_target(path, track=chosen if suffix in MIDI_SUFFIXES else None,
                                        part=chosen if suffix in MUSICXML_SUFFIXES else None)
