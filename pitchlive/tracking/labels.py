"""Voicing and note naming for whole tracks: confidence threshold, A4, transposition, naming."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pitchlive.frames import PitchTrack
from pitchlive.music import nearest_notes, note_name
from pitchlive.settings import Settings


@dataclass(frozen=True)
class TrackLabels:
    """Per-frame labels of a PitchTrack; arrays have shape (n_frames,)."""

    voiced: np.ndarray          # bool
    midi: np.ndarray            # nearest concert-pitch MIDI note, NaN where unvoiced
    cents: np.ndarray           # deviation from that note, NaN where unvoiced
    names: tuple[str | None, ...]  # written note name after transposition, None where unvoiced


def voiced_mask(confidence: np.ndarray, frequency_hz: np.ndarray, threshold: float) -> np.ndarray:
    """Frames whose confidence reaches the threshold and whose frequency is a real pitch."""
    frequency_hz = np.asarray(frequency_hz, dtype=np.float64)
    return (np.asarray(confidence) >= threshold) & np.isfinite(frequency_hz) & (frequency_hz > 0)


def label_track(track: PitchTrack, settings: Settings, offset_cents: float = 0.0) -> TrackLabels:
    """Voicing, nearest note and cents for every frame of a track.

    offset_cents moves the reference grid (tuning-offset correction); 0 means plain A4 tuning.
    """
    voiced = voiced_mask(track.confidence, track.frequency_hz, settings.confidence_threshold)
    midi, cents = nearest_notes(track.frequency_hz, settings.a4_hz, offset_cents)
    midi = np.where(voiced, midi, np.nan)
    cents = np.where(voiced, cents, np.nan)
    names = tuple(
        note_name(int(m), settings.prefer_flats, settings.transpose_semitones) if v else None
        for m, v in zip(midi, voiced))
    return TrackLabels(voiced, midi, cents, names)
