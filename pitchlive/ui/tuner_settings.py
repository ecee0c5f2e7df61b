"""The Tuner tab's settings panel: instrument and strings, temperament, and the reference tone.

Every choice is written to the window's SettingsModel (DisplayPrefs.tuner_*), and the panel
follows the model, as the control panel does. A custom string list that is not note names is
not stored: the panel says which string is wrong. Importing a Scala file and starting the tone
are asked of the view by signals (a file dialog and the output device are the view's business).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from pitchlive.music import SHARP_NAMES, parse_note_name
from pitchlive.tuner.instruments import PRESETS, parse_strings
from pitchlive.tuner.temperaments import TEMPERAMENT_LABELS
from pitchlive.ui.prefs import TUNER_CHROMATIC, DisplayPrefs
from pitchlive.ui.settings_model import SettingsModel
from pitchlive.ui.theme import Theme
from pitchlive.ui.tuner_data import TunerChoice, display_name
from pitchlive.ui.window_layout import clamp_to_screen

TIMBRE_LABELS = {"sine": "Sine (pure)", "rich": "Rich (with harmonics)"}
OTHER_NOTE = -1             # reference combo: the note typed beside it, not a string
# A Tuner tab narrower than this has no room for the settings column beside the needle (at
# 800 px the window's Controls leave the tab ~490 px): the settings fold into their own window.
FOLD_BELOW_PX = 720
COLUMN_WIDTH_PX = 340       # the column in a wide tab: whole names in every combo


class TunerSettingsPanel(QWidget):
    """The controls beside the tuner's displays."""

    import_requested = Signal()              # "Import .scl…" pressed
    reference_toggled = Signal(bool)         # play (True) or stop the reference tone
    reference_changed = Signal()             # the user chose another string or note to play

    def __init__(self, model: SettingsModel, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings_model = model
        self._updating = False
        self._theme = theme
        self._reference_instrument = None      # whose strings the reference combo lists
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for box in (self._target_box(), self._temperament_box(), self._reference_box()):
            layout.addWidget(box)
        layout.addStretch(1)
        # Combos may shrink (their lists still show whole names), so the panel fits beside the
        # tab in an 800 px window.
        shrink = QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        for combo in self.findChildren(QComboBox):
            combo.setSizeAdjustPolicy(shrink)
            combo.setMinimumContentsLength(12)
        self.setMinimumWidth(250)
        self._connect()

    # ---- building ------------------------------------------------------------------------------
    def _target_box(self) -> QGroupBox:
        self.instrument_combo = QComboBox()
        self.instrument_combo.addItem("Chromatic (any note)", TUNER_CHROMATIC)
        for key, instrument in PRESETS.items():
            self.instrument_combo.addItem(instrument.label, key)
        self.instrument_combo.addItem("Custom strings…", "custom")
        self.instrument_combo.setToolTip("Tune to an instrument's open strings, or to any note")
        self.strings_edit = QLineEdit()
        self.strings_edit.setPlaceholderText("E2 A2 D3 G3 B3 E4")
        self.strings_edit.setToolTip("The open strings, lowest first, as note names with their "
                                     "octave (E2, F#3, Bb1); Enter applies them")
        self.strings_error = QLabel()
        self.strings_error.setWordWrap(True)
        return _form_box("Tune to", ("Instrument", self.instrument_combo),
                         ("Strings", self.strings_edit), self.strings_error)

    def _temperament_box(self) -> QGroupBox:
        self.temperament_combo = QComboBox()
        for key, label in TEMPERAMENT_LABELS.items():
            self.temperament_combo.addItem(label, key)
        self.temperament_combo.setToolTip("Where each note's target lies; A4 keeps the reference")
        self.tonic_combo = QComboBox()
        for pc, name in enumerate(SHARP_NAMES):
            self.tonic_combo.addItem(display_name(name), pc)
        self.tonic_combo.setToolTip("The tonic the temperament is built on (the key you play in)")
        self.import_button = QPushButton("Import Scala .scl…")
        self.import_button.setToolTip("Tune to a scale from a Scala file (the format lingot and "
                                      "many tuners read)")
        return _form_box("Temperament", ("System", self.temperament_combo),
                         ("Tonic", self.tonic_combo), self.import_button)

    def _reference_box(self) -> QGroupBox:
        self.reference_combo = QComboBox()
        self.reference_combo.setToolTip("The note the reference tone plays")
        self.reference_note_edit = QLineEdit()
        self.reference_note_edit.setPlaceholderText("A4")
        self.reference_note_edit.setToolTip("Any note with its octave, e.g. A4, Bb3")
        self.timbre_combo = QComboBox()
        for key, label in TIMBRE_LABELS.items():
            self.timbre_combo.addItem(label, key)
        self.reference_button = QPushButton("Play tone")
        self.reference_button.setCheckable(True)
        self.reference_button.setToolTip("Play the reference tone on the output device until "
                                         "stopped (a drone)")
        self.reference_label = QLabel()
        self.reference_label.setWordWrap(True)
        return _form_box("Reference tone", ("Play", self.reference_combo),
                         ("Note", self.reference_note_edit), ("Sound", self.timbre_combo),
                         self.reference_button, self.reference_label)

    def _connect(self) -> None:
        self.instrument_combo.currentIndexChanged.connect(self._on_instrument)
        self.strings_edit.editingFinished.connect(self._on_strings)
        self.temperament_combo.currentIndexChanged.connect(self._on_temperament)
        self.tonic_combo.currentIndexChanged.connect(self._on_tonic)
        self.import_button.clicked.connect(self.import_requested)
        self.reference_note_edit.editingFinished.connect(self._on_reference_note)
        self.timbre_combo.currentIndexChanged.connect(self._on_timbre)
        self.reference_button.clicked.connect(self._on_reference_clicked)
        self.reference_combo.currentIndexChanged.connect(self._on_reference_choice)

    # ---- following the model -------------------------------------------------------------------
    def show_choice(self, prefs: DisplayPrefs, choice: TunerChoice, scala_name: str | None) -> None:
        """Show the stored choices (no signals); scala_name labels a loaded Scala scale."""
        self._updating = True
        try:
            self.instrument_combo.setCurrentIndex(
                max(0, self.instrument_combo.findData(prefs.tuner_instrument)))
            custom = prefs.tuner_instrument == "custom"
            self.strings_edit.setEnabled(custom)
            if custom and not self.strings_edit.hasFocus():
                self.strings_edit.setText(prefs.tuner_strings)
            elif not custom:
                self.strings_edit.setText(" ".join(
                    choice.written(m) for m in choice.instrument.strings_midi)
                    if choice.instrument else "")
            if custom and not prefs.tuner_strings and not self.strings_error.text():
                self._say_strings("Type the open strings, lowest first, then press Enter.", False)
            # A Scala scale gets its own entry, replaced by the next one imported.
            scala_index = self.temperament_combo.findData(prefs.tuner_temperament)
            if scala_index < 0 and scala_name:
                if self.temperament_combo.count() > len(TEMPERAMENT_LABELS):
                    self.temperament_combo.removeItem(len(TEMPERAMENT_LABELS))
                self.temperament_combo.addItem(f"Scala: {scala_name}", prefs.tuner_temperament)
                scala_index = self.temperament_combo.count() - 1
            self.temperament_combo.setCurrentIndex(max(0, scala_index))
            self.tonic_combo.setCurrentIndex(prefs.tuner_tonic_pc)
            self.timbre_combo.setCurrentIndex(max(0, self.timbre_combo.findData(
                prefs.tuner_timbre)))
            if not self.reference_note_edit.hasFocus():
                self.reference_note_edit.setText(prefs.tuner_reference_note)
            self._fill_reference(choice)
        finally:
            self._updating = False

    def _fill_reference(self, choice: TunerChoice) -> None:
        wanted = self.reference_combo.currentData()
        if choice.instrument != self._reference_instrument:
            wanted = 0 if choice.instrument is not None else OTHER_NOTE   # a new set of strings
            self._reference_instrument = choice.instrument
        self.reference_combo.clear()
        if choice.instrument is not None:
            for index in range(len(choice.instrument.strings_midi)):
                self.reference_combo.addItem(choice.string_label(index), index)
        self.reference_combo.addItem("The note below", OTHER_NOTE)
        found = self.reference_combo.findData(wanted) if wanted is not None else -1
        self.reference_combo.setCurrentIndex(max(0, found))
        self.reference_note_edit.setEnabled(self.reference_combo.currentData() == OTHER_NOTE)

    def reference_string(self) -> int | None:
        """The string the reference tone plays (0-based), or None for the typed note."""
        data = self.reference_combo.currentData()
        return None if data is None or data == OTHER_NOTE else int(data)

    def set_reference_playing(self, playing: bool, text: str = "") -> None:
        """Reflect the tone's state on the button, with a line under it."""
        self.reference_button.setChecked(playing)
        self.reference_button.setText("Stop tone" if playing else "Play tone")
        self.reference_label.setText(text)

    def set_theme(self, theme: Theme) -> None:
        """Recolour the error line."""
        self._theme = theme
        self.strings_error.setStyleSheet(f"color: {theme.off};")

    def _say_strings(self, text: str, error: bool = True) -> None:
        self.strings_error.setText(text)
        self.strings_error.setStyleSheet(
            f"color: {self._theme.off if error else self._theme.muted_text};")

    # ---- writing to the model ------------------------------------------------------------------
    def _update(self, **changes) -> None:
        if not self._updating:
            self.settings_model.update_prefs(**changes)

    def _on_instrument(self, _index: int) -> None:
        self.strings_error.clear()
        self._update(tuner_instrument=self.instrument_combo.currentData())
        if self.instrument_combo.currentData() == "custom" and not self._updating:
            self.strings_edit.setFocus()

    def _on_strings(self) -> None:
        if self._updating or self.instrument_combo.currentData() != "custom":
            return
        text = self.strings_edit.text()
        try:
            parse_strings(text)
        except ValueError as exc:
            self._say_strings(f"{exc}. Strings not changed.")
            return
        self.strings_error.clear()
        self._update(tuner_strings=" ".join(text.split()))

    def _on_temperament(self, _index: int) -> None:
        self._update(tuner_temperament=self.temperament_combo.currentData())

    def _on_tonic(self, _index: int) -> None:
        self._update(tuner_tonic_pc=int(self.tonic_combo.currentData()))

    def _on_timbre(self, _index: int) -> None:
        self._update(tuner_timbre=self.timbre_combo.currentData())

    def _on_reference_note(self) -> None:
        text = self.reference_note_edit.text().strip()
        try:
            parse_note_name(text)
        except ValueError as exc:
            self.reference_label.setText(f"{exc}.")
            return
        self.reference_label.clear()
        self._update(tuner_reference_note=text)

    def _on_reference_choice(self, _index: int) -> None:
        self.reference_note_edit.setEnabled(self.reference_string() is None)
        if not self._updating:
            self.reference_changed.emit()

    def _on_reference_clicked(self, checked: bool) -> None:
        # The button shows the tone's state, not the click: the view confirms it.
        self.reference_button.setChecked(not checked)
        self.reference_toggled.emit(checked)


class SettingsFold(QObject):
    """Where the settings panel lives, so that the displays always keep the Tuner tab.

    In a wide tab the panel is a scrolling column beside the displays. In a narrow one
    (fit(width) below FOLD_BELOW_PX) the column goes and `button` (shown only then) opens the
    panel in a small window of its own beside the tab (over the window's Controls where there is
    room), on top of the main window and not modal, so the needle still reads while a string or
    temperament is changed.
    """

    def __init__(self, panel: QWidget, button: QAbstractButton, owner: QWidget) -> None:
        super().__init__(owner)
        self.panel, self.button, self.owner = panel, button, owner
        self.column = _scroll_area()
        self.column.setWidget(panel)
        self.column.setMinimumWidth(max(COLUMN_WIDTH_PX, panel.minimumSizeHint().width() + 20))
        self.window = QWidget(owner, Qt.WindowType.Tool)
        self.window.setWindowTitle("Tuner settings")
        self._window_scroll = _scroll_area()
        layout = QVBoxLayout(self.window)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._window_scroll)
        self.window.installEventFilter(self)
        self.narrow = False
        button.setCheckable(True)
        button.setVisible(False)
        button.toggled.connect(self._show_window)

    def fit(self, width: int) -> None:
        """Lay the settings out for a tab `width` px wide."""
        narrow = width < FOLD_BELOW_PX
        if narrow == self.narrow:
            return
        self.narrow = narrow
        self.button.setVisible(narrow)
        self.column.setVisible(not narrow)
        if not narrow:
            self.button.setChecked(False)
            if self.column.widget() is not self.panel:
                self.column.setWidget(self._window_scroll.takeWidget())

    def _show_window(self, shown: bool) -> None:
        if not shown:
            self.window.hide()
            return
        if self._window_scroll.widget() is not self.panel:
            self._window_scroll.setWidget(self.column.takeWidget())
        self.window.setGeometry(self._place())
        self.window.show()
        clamp_to_screen(self.window)
        self.window.raise_()

    def _place(self) -> QRect:
        """Beside the tab where the screen has room (over the window's Controls, left of the
        tab, first), so the needle stays in view; over the tab's right side only if neither."""
        hint = self.panel.sizeHint()
        width, minimum = hint.width() + 24, self.panel.minimumSizeHint().width() + 24
        tab = QRect(self.owner.mapToGlobal(QPoint(0, 0)), self.owner.size())
        screen = self.owner.screen()
        free = screen.availableGeometry() if screen is not None else tab
        height = min(hint.height() + 4, free.height())
        left_room, right_room = tab.left() - free.left(), free.right() - tab.right()
        if left_room >= minimum:
            width = min(width, left_room)
            return QRect(tab.left() - width, tab.top(), width, height)
        if right_room >= minimum:
            return QRect(tab.right() + 1, tab.top(), min(width, right_room), height)
        return QRect(tab.right() + 1 - width, tab.top(), width, height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The settings window closed by its title bar: the button follows."""
        if watched is self.window and event.type() == QEvent.Type.Hide:
            self.button.setChecked(False)
        return False


def _scroll_area() -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return scroll


def _form_box(title: str, *rows) -> QGroupBox:
    """A titled box of form rows: (label, widget) pairs or widgets spanning the row."""
    box = QGroupBox(title)
    form = QFormLayout(box)
    for row in rows:
        if isinstance(row, tuple):
            form.addRow(*row)
        else:
            form.addRow(row)
    return box
