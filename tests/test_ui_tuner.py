"""The Tuner tab fed with synthetic frames: needle, strobe, lock, strings, temperaments, tone."""

from __future__ import annotations

import math
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings  # noqa: E402

from pitchlive.audio.devices import DeviceError  # noqa: E402
from pitchlive.frames import HOP_S, PitchFrame  # noqa: E402
from pitchlive.music import TRANSPOSITIONS_SEMITONES  # noqa: E402
from pitchlive.settings import Settings  # noqa: E402
from pitchlive.tuner.temperament import note_target_hz  # noqa: E402
from pitchlive.tuner.temperaments import temperament  # noqa: E402
from pitchlive.ui import view_tabs  # noqa: E402
from pitchlive.ui.background import BackgroundJobs  # noqa: E402
from pitchlive.ui.controls import TRANSPOSITION_CHOICES, ControlPanel  # noqa: E402
from pitchlive.ui.prefs import DisplayPrefs  # noqa: E402
from pitchlive.ui.settings_model import SettingsModel  # noqa: E402
from pitchlive.ui.settings_store import SettingsStore  # noqa: E402
from pitchlive.ui.take_texts import ERROR  # noqa: E402
from pitchlive.ui.theme import DARK  # noqa: E402
from pitchlive.ui.tuner_view import TunerView  # noqa: E402
from pitchlive.ui.view_tabs import ViewContext  # noqa: E402

pytestmark = pytest.mark.gui

WERCK3 = """! werck3.scl
!
Andreas Werckmeister's temperament III (the most famous one, 1681)
 12
!
 90.225
 192.18
 294.135
 390.225
 498.045
 588.27
 696.09
 792.18
 888.27
 996.09
 1092.18
 2/1
"""


@pytest.fixture
def make_view(qtbot):
    """Factory: a shown TunerView on its own SettingsModel; .notices collects banner messages."""
    made = []

    def make(settings: Settings | None = None, prefs: DisplayPrefs | None = None) -> TunerView:
        model = SettingsModel(settings, prefs)
        jobs = BackgroundJobs()
        notices, statuses = [], []
        context = ViewContext(model, jobs, None, DARK, notices.append,
                              lambda text, ms: statuses.append(text))
        view = TunerView(context)
        view.notices, view.model, view.jobs = notices, model, jobs
        qtbot.addWidget(view)
        view.resize(1100, 650)
        view.show()
        made.append(view)
        return view

    yield make
    for view in made:
        view.stop_reference()
        view.jobs.shutdown()


def play(view: TunerView, frequency_hz: float, seconds: float, start_s: float = 0.0) -> list:
    """Feed frames of one steady frequency, one 32 ms hop apart; the strobe phase after each."""
    phases = []
    for i in range(int(round(seconds / HOP_S))):
        view.show_frames([PitchFrame(start_s + i * HOP_S, frequency_hz, 0.95, -20.0, True)])
        phases.append(view.strobe.phase)
    return phases


def unwrapped_drift(phases: list[float]) -> float:
    """Total movement of the strobe pattern in periods (+ = to the right)."""
    total = 0.0
    for a, b in zip(phases, phases[1:]):
        step = (b - a + 0.5) % 1.0 - 0.5
        total += step
    return total


@pytest.mark.parametrize("cents", [-20.0, -3.0, -0.5, 0.0, 0.5, 3.0, 20.0])
def test_needle_strobe_and_lock_at_known_offsets(make_view, cents):
    view = make_view()
    frequency = 440.0 * 2 ** (cents / 1200)
    early = play(view, frequency, 0.35)
    assert not view.locked()                       # half a second must pass first
    phases = early + play(view, frequency, 1.0, start_s=0.35 + HOP_S)
    assert view.note_text() == "A4"
    assert view.cents_text() == ("0.0 ¢" if cents == 0 else
                                 f"{'+' if cents > 0 else '−'}{abs(cents):.1f} ¢")
    assert view.gauge.needle_cents == pytest.approx(cents, abs=0.05)
    drift = unwrapped_drift(phases)
    if cents == 0:
        assert view.gauge.needle_angle_deg == pytest.approx(0.0, abs=0.05)
        assert drift == pytest.approx(0.0, abs=1e-9)
    else:
        assert math.copysign(1, view.gauge.needle_angle_deg) == math.copysign(1, cents)
        assert math.copysign(1, drift) == math.copysign(1, cents)      # right when sharp
    assert view.locked() == (abs(cents) <= 1.0)
    assert (view.turn_text() == "In tune") == (abs(cents) <= 1.0)
    if cents < -1:
        assert view.turn_text().startswith("Tune up")
    if cents > 1:
        assert view.turn_text().startswith("Tune down")
    # Silence lets the lock go and the needle rest.
    view.show_frames([PitchFrame(2.0 + i * HOP_S, 440.0, 0.1, -80.0, False) for i in range(10)])
    assert not view.locked() and view.cents_text() == "" and view.gauge.needle_cents is None


def hz_of(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


@pytest.mark.parametrize("instrument, midi, cents, string, turn", [
    ("guitar", 40, -8.0, "String 6 · E2", "Tighten"),
    ("guitar", 59, 12.0, "String 2 · B3", "Loosen"),
    ("guitar-drop-d", 38.3, 0.0, "String 6 · D2", "Loosen"),
    ("guitar-dadgad", 57, -4.0, "String 2 · A3", "Tighten"),
    ("guitar-open-g", 43, 0.0, "String 5 · G2", "In tune"),
    ("bass", 28, 0.0, "String 4 · E1", "In tune"),
    ("bass-5", 23, -6.0, "String 5 · B0", "Tighten"),
    ("violin", 76, 3.0, "String 1 · E5", "Loosen"),
    ("viola", 48, -3.0, "String 4 · C3", "Tighten"),
    ("cello", 57, 0.0, "String 1 · A3", "In tune"),
    ("ukulele", 67, 5.0, "String 4 · G4", "Loosen"),
    ("mandolin", 62, -2.0, "String 3 · D4", "Tighten"),
])
def test_presets_show_the_nearest_string_and_which_way_to_turn(make_view, qtbot, instrument,
                                                               midi, cents, string, turn):
    view = make_view()
    combo = view.panel.instrument_combo
    combo.setCurrentIndex(combo.findData(instrument))         # as the user picks it
    assert view.model.prefs.tuner_instrument == instrument
    play(view, hz_of(midi + cents / 100), 0.8)
    assert view.target_text().startswith(string)
    assert view.turn_text().startswith(turn)
    assert string.split(" · ")[1] in [label.text() for label in view.string_labels]


def test_chromatic_mode_names_any_note(make_view):
    view = make_view(prefs=DisplayPrefs(tuner_instrument="guitar"))
    combo = view.panel.instrument_combo
    combo.setCurrentIndex(combo.findData("chromatic"))
    play(view, hz_of(61 + 0.1), 0.6)
    assert view.note_text() == "C♯4" and view.target_text().startswith("Target 277.")
    assert view.string_labels == []


def test_custom_strings_are_typed_and_a_bad_one_is_named(make_view, qtbot):
    view = make_view()
    panel = view.panel
    panel.instrument_combo.setCurrentIndex(panel.instrument_combo.findData("custom"))
    assert panel.strings_edit.isEnabled()
    panel.strings_edit.setText("D2 A2 D3 F#3 A3 D4")
    panel.strings_edit.editingFinished.emit()
    assert view.model.prefs.tuner_strings == "D2 A2 D3 F#3 A3 D4"
    play(view, hz_of(54 - 0.05), 0.6)
    assert view.target_text().startswith("String 3 · F♯3")
    assert view.turn_text() == "Tighten ↑  (flat)"
    panel.strings_edit.setText("D2 H2 D3")
    panel.strings_edit.editingFinished.emit()
    assert "string 2: 'H2' is not a note name" in panel.strings_error.text()
    assert view.model.prefs.tuner_strings == "D2 A2 D3 F#3 A3 D4"           # unchanged


@pytest.mark.parametrize("name, tonic", [("meantone", 0), ("just", 2), ("pythagorean", 0),
                                         ("werckmeister3", 0), ("kirnberger3", 0),
                                         ("vallotti", 0)])
def test_temperaments_shift_the_targets(make_view, name, tonic):
    view = make_view()
    c4 = hz_of(60)                                  # C4 exactly in equal temperament
    play(view, c4, 0.6)
    assert view.cents_text() == "0.0 ¢"
    view.panel.tonic_combo.setCurrentIndex(tonic)
    combo = view.panel.temperament_combo
    combo.setCurrentIndex(combo.findData(name))
    assert view.model.prefs.tuner_temperament == name
    play(view, c4, 1.0, start_s=1.0)
    target = note_target_hz(temperament(name, tonic), 60, 440.0)
    expected = 1200 * math.log2(c4 / target)
    assert abs(expected) > 5                        # each moves C4 by cents (A4 stays)
    assert view.target_text() == f"Target {target:.2f} Hz"
    assert view.gauge.needle_cents == pytest.approx(expected, abs=0.05)


def test_a_scala_file_is_imported_and_a_broken_one_gets_a_banner(make_view, tmp_path):
    view = make_view()
    broken = tmp_path / "broken.scl"
    broken.write_text("! broken.scl\nA scale\n 3\n 100.0\n not a pitch\n 2/1\n")
    assert not view.import_scala(broken)
    (notice,) = view.notices
    assert notice.kind == ERROR and notice.title == "This Scala scale cannot be used"
    assert "broken.scl" in notice.message and "keeps Equal temperament" in notice.message
    assert view.model.prefs.tuner_temperament == "equal"
    play(view, 440.0, 0.6)                           # still tuning
    assert view.note_text() == "A4" and view.cents_text() == "0.0 ¢"
    good = tmp_path / "werck3.scl"
    good.write_text(WERCK3)
    assert view.import_scala(good)
    assert view.model.prefs.tuner_temperament == str(good)
    assert view.panel.temperament_combo.currentText().startswith("Scala: Andreas Werckmeister")
    e4 = hz_of(64)
    play(view, e4, 0.6, start_s=1.0)
    target = note_target_hz(temperament("werckmeister3"), 64, 440.0)
    assert view.gauge.needle_cents == pytest.approx(1200 * math.log2(e4 / target), abs=0.1)


def test_a_stored_scala_file_that_went_missing_is_explained(make_view, tmp_path):
    view = make_view(prefs=DisplayPrefs(tuner_temperament=str(tmp_path / "moved.scl")))
    assert view.notices and "moved.scl" in view.notices[0].message
    assert view.model.prefs.tuner_temperament == "equal"


@pytest.mark.parametrize("transposition, flats, name", [
    ("C", False, "A4"), ("Bb", False, "B4"), ("Eb", False, "F♯5"), ("F", False, "E5"),
    ("A", False, "C5"), ("D", True, "G4"), ("G", False, "D5"), ("8va", False, "A3"),
    ("8vb", False, "A5"), ("+1", True, "B♭4"), ("-4", False, "F4"),
])
def test_transpositions_rename_the_note(make_view, transposition, flats, name):
    view = make_view()
    view.model.update_settings(transposition=transposition, prefer_flats=flats)
    play(view, 440.0, 0.4)
    assert view.note_text() == name and view.cents_text() == "0.0 ¢"


def test_controls_offer_every_transposition_and_a_custom_one(qtbot):
    model = SettingsModel()
    panel = ControlPanel(model)
    qtbot.addWidget(panel)
    keys = [key for key, _label in TRANSPOSITION_CHOICES]
    assert keys == list(TRANSPOSITIONS_SEMITONES) + ["custom"]
    combo, spin = panel.transposition_combo, panel.custom_transposition_spin
    assert not spin.isEnabled()
    combo.setCurrentIndex(combo.findData("8vb"))
    assert model.settings.transposition == "8vb"
    combo.setCurrentIndex(combo.findData("custom"))
    assert spin.isEnabled()
    spin.setValue(-5)
    assert model.settings.transposition == "-5" and model.settings.transpose_semitones == -5
    model.update_settings(transposition="+3")
    assert combo.currentData() == "custom" and spin.value() == 3
    model.update_settings(transposition="D")
    assert combo.currentData() == "D" and not spin.isEnabled()


class FakePlayer:
    """Stands in for the output device: records what a drone would play."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.fail, self.loops, self.on_finished, self.stopped = fail, [], None, 0
        self.position_s = 0.0

    def play_loop(self, render, rate_hz):
        if self.fail is not None:
            raise self.fail
        self.loops.append((render(rate_hz), rate_hz))

    def stop(self):
        self.stopped += 1


def test_reference_tone_plays_the_chosen_string_in_the_temperament(make_view, qtbot):
    view = make_view(prefs=DisplayPrefs(tuner_instrument="guitar", tuner_timbre="rich"))
    view.playback.player = player = FakePlayer()
    panel = view.panel
    panel.reference_combo.setCurrentIndex(panel.reference_combo.findData(1))    # the A string
    panel.reference_button.click()
    qtbot.waitUntil(lambda: panel.reference_button.text() == "Stop tone", timeout=3000)
    qtbot.waitUntil(lambda: "Playing A2 · 110.00 Hz" in panel.reference_label.text(), timeout=3000)
    (loop, rate_hz), = player.loops
    import numpy as np
    spectrum = np.abs(np.fft.rfft(np.tile(loop, 4)))
    assert np.argmax(spectrum) * rate_hz / (4 * loop.size) == pytest.approx(110.0, abs=0.3)
    panel.reference_button.click()
    assert panel.reference_button.text() == "Play tone" and player.stopped
    # Any note, typed.
    panel.reference_combo.setCurrentIndex(panel.reference_combo.findData(-1))
    panel.reference_note_edit.setText("C4")
    panel.reference_note_edit.editingFinished.emit()
    assert view.model.prefs.tuner_reference_note == "C4"
    panel.reference_button.click()
    qtbot.waitUntil(lambda: "Playing C4 · 261.63 Hz" in panel.reference_label.text(), timeout=3000)


def test_reference_tone_on_a_failing_output_device_gives_a_message(make_view, qtbot):
    view = make_view()
    view.playback.player = FakePlayer(DeviceError(
        "No audio output device found. Plug in or enable speakers or headphones."))
    view.panel.reference_button.click()
    qtbot.waitUntil(lambda: bool(view.notices), timeout=3000)
    (notice,) = view.notices
    assert notice.kind == ERROR and notice.title == "The reference tone cannot be played"
    assert notice.message.startswith("No audio output device found")
    assert "Traceback" not in notice.message
    assert view.panel.reference_button.text() == "Play tone"
    assert not view.panel.reference_button.isChecked()
    assert "No audio output device" in view.panel.reference_label.text()


def test_choices_persist_through_the_settings_store(make_view, tmp_path):
    store = SettingsStore(QSettings(str(tmp_path / "p.ini"), QSettings.Format.IniFormat))
    view = make_view()
    panel = view.panel
    panel.instrument_combo.setCurrentIndex(panel.instrument_combo.findData("cello"))
    panel.temperament_combo.setCurrentIndex(panel.temperament_combo.findData("vallotti"))
    panel.tonic_combo.setCurrentIndex(7)
    panel.timbre_combo.setCurrentIndex(panel.timbre_combo.findData("rich"))
    store.save_prefs(view.model.prefs)
    store.sync()
    loaded = store.load_prefs()
    assert (loaded.tuner_instrument, loaded.tuner_temperament, loaded.tuner_tonic_pc,
            loaded.tuner_timbre) == ("cello", "vallotti", 7, "rich")
    again = make_view(prefs=loaded)
    assert again.panel.instrument_combo.currentData() == "cello"
    assert again.panel.tonic_combo.currentText() == "G"


def test_the_tuner_is_a_row_of_the_window_tabs():
    assert [row.title for row in view_tabs.VIEW_TABS].count("Tuner") == 1


def test_a_hidden_tab_keeps_reading_and_shows_it_when_shown(make_view):
    view = make_view()
    view.hide()
    play(view, 440.0 * 2 ** (5 / 1200), 0.6)
    assert view.reading.cents == pytest.approx(5.0)
    assert view.cents_text() == ""                   # nothing drawn while hidden
    view.show()
    assert view.cents_text() == "+5.0 ¢" and view.note_text() == "A4"


def test_a_playing_tone_follows_the_string_and_the_temperament(make_view, qtbot):
    view = make_view(prefs=DisplayPrefs(tuner_instrument="guitar"))
    view.playback.player = player = FakePlayer()
    panel = view.panel
    panel.reference_button.click()
    qtbot.waitUntil(lambda: len(player.loops) == 1, timeout=3000)
    qtbot.waitUntil(lambda: "Playing E2 · 82.41 Hz" in panel.reference_label.text(), timeout=3000)
    view.model.update_prefs(pitch_span_semitones=12.0)        # another setting: no restart
    qtbot.wait(100)
    assert len(player.loops) == 1
    panel.reference_combo.setCurrentIndex(panel.reference_combo.findData(5))     # high E
    qtbot.waitUntil(lambda: "Playing E4 · 329.63 Hz" in panel.reference_label.text(), timeout=3000)
    view.model.update_prefs(tuner_temperament="meantone")
    target = note_target_hz(temperament("meantone"), 64, 440.0)
    qtbot.waitUntil(lambda: f"Playing E4 · {target:.2f} Hz" in panel.reference_label.text(),
                    timeout=3000)
    assert len(player.loops) == 3
    view.stop_reference()
    view.model.update_prefs(tuner_temperament="equal")       # stopped: stays stopped
    qtbot.wait(100)
    assert len(player.loops) == 3 and panel.reference_button.text() == "Play tone"


def test_the_tab_follows_the_theme(make_view):
    view = make_view()
    play(view, 440.0, 0.6)
    view.model.update_prefs(theme="light")
    assert view.gauge._theme.name == "light" and view.strobe._theme.name == "light"
    assert "#1e9e52" in view.lock_label.styleSheet()             # the light in-tune green
