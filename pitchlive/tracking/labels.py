"""The tracking stage for whole tracks: voicing, tuning offset and note naming, vectorised.

The counterpart of pitchlive.tracking.live.LiveTracker for a whole recording: the same voicing
rule and naming, with the take's tuning offset in place of the running one. `pitchlive
analyze`, the Recording view, saved takes and transcription label their frames here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pitchlive.frames import PitchTrack
from pitchlive.settings import Settings
from pitchlive.tracking import voicing
from pitchlive.tracking.naming import name_frequencies, naming_a4_hz
from pitchlive.tracking.tuning import TuningOffset, estimate_offset


@dataclass(frozen=True)
class TrackLabels:
    """Per-frame labels of a PitchTrack; arrays have shape (n_frames,)."""

    voiced: np.ndarray          # bool
    midi: np.ndarray            # nearest concert-pitch MIDI note, NaN where unvoiced
    cents: np.ndarray           # deviation from that note, NaN where unvoiced
    names: tuple[str | None, ...]  # written note name after transposition, None where unvoiced
    offset: TuningOffset = TuningOffset.none()   # the take's tuning offset (when corrected)


def label_track(track: PitchTrack, settings: Settings, level_dbfs: np.ndarray | None,
                offset_cents: float | None = None) -> TrackLabels:
    """Voicing, nearest note and cents for every frame of a track.

    Parameters
    ----------
    track : PitchTrack
        Model output, n frames.
    settings : Settings
        Voicing (threshold, level gate) and naming (A4, transposition, flats, and whether to
        name against the performer's own tuning: correct_tuning_offset).
    level_dbfs : np.ndarray, shape (n,), or None
        Input level around each frame (pitchlive.audio.levels.frame_levels_dbfs of the audio);
        None when the audio is unknown, and then the level gate cannot apply.
    offset_cents : float or None
        The tuning offset to name against when correct_tuning_offset is on; None estimates it
        from the track's voiced frames.

    Returns
    -------
    TrackLabels
    """
    voiced = voicing.voiced(track.frequency_hz, track.confidence, level_dbfs, settings)
    offset = TuningOffset.none()
    if settings.correct_tuning_offset and offset_cents is None:
        offset = estimate_offset(track.frequency_hz, voiced, settings.a4_hz)
        offset_cents = offset.offset_cents if offset.valid else None
    a4_hz = naming_a4_hz(settings, offset_cents)
    midi, cents, names = name_frequencies(track.frequency_hz, voiced, a4_hz, settings)
    return TrackLabels(voiced, midi, cents, names, offset)
