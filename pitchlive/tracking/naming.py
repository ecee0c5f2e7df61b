"""Note naming: the nearest note on the chosen grid, its cents, and its written name.

The grid is equal temperament on A4 = settings.a4_hz, shifted by the performer's tuning offset
when settings.correct_tuning_offset is on; names follow the transposition and flats settings.
"""

from __future__ import annotations

import numpy as np

from pitchlive.music import nearest_note, nearest_notes, note_name, offset_reference_a4_hz
from pitchlive.settings import Settings


def naming_a4_hz(settings: Settings, offset_cents: float | None) -> float:
    """The A4 notes are named against: shifted by the singer's offset when the settings say so."""
    if settings.correct_tuning_offset:
        return offset_reference_a4_hz(settings.a4_hz, offset_cents)
    return settings.a4_hz


def display_note_name(name: str) -> str:
    """A note name as the window shows it, with real accidentals: 'C#4' -> 'C♯4', 'Bb' -> 'B♭'.

    Names are made in plain ASCII everywhere (files, CSV, MIDI, the terminal); this is the one
    place they gain the ♯ and ♭ glyphs, so every view of the window spells a note alike.
    """
    if not name:
        return name
    return name[0] + name[1:].replace("#", "\u266f").replace("b", "\u266d")


def written_name(midi: int, settings: Settings) -> str:
    """Name of a concert-pitch MIDI note as the player reads it (transposition, flats)."""
    return note_name(midi, settings.prefer_flats, settings.transpose_semitones)


def name_frequency(frequency_hz: float, a4_hz: float,
                   settings: Settings) -> tuple[int, float, str] | None:
    """(MIDI, cents -50..+50, written name) of the note nearest a frequency; None if no pitch."""
    nearest = nearest_note(frequency_hz, a4_hz)
    if nearest is None:
        return None
    return nearest.midi, nearest.cents, written_name(nearest.midi, settings)


def name_frequencies(frequency_hz: np.ndarray, voiced: np.ndarray, a4_hz: float,
                     settings: Settings) -> tuple[np.ndarray, np.ndarray, tuple[str | None, ...]]:
    """Vectorised name_frequency over the voiced frames of a track.

    Parameters
    ----------
    frequency_hz : np.ndarray, shape (n,)
        Frequency per frame in Hz.
    voiced : np.ndarray of bool, shape (n,)
        Frames to name (see pitchlive.tracking.voicing); the others get NaN and None.
    a4_hz : float
        The A4 of the grid (see naming_a4_hz).
    settings : Settings
        Transposition and flats.

    Returns
    -------
    midi : np.ndarray, shape (n,)
        Nearest concert-pitch MIDI note (float), NaN where unvoiced.
    cents : np.ndarray, shape (n,)
        Deviation from that note in cents, NaN where unvoiced.
    names : tuple of str or None, length n
        Written names, None where unvoiced.
    """
    voiced = np.asarray(voiced, dtype=bool)
    midi, cents = nearest_notes(frequency_hz, a4_hz)
    midi = np.where(voiced, midi, np.nan)
    cents = np.where(voiced, cents, np.nan)
    # One string per distinct note, shared by its frames (a 3-hour track has 337,500 frames).
    distinct = {int(m): written_name(int(m), settings) for m in np.unique(midi[voiced])}
    names = tuple(distinct[int(m)] if v else None for m, v in zip(midi, voiced))
    return midi, cents, names
