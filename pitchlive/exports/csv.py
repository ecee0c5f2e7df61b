"""The analyze CSV: CREPE's first three columns, then voicing, note and cents."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TextIO

from pitchlive.exports.atomic import open_atomically
from pitchlive.frames import PitchTrack
from pitchlive.tracking.labels import TrackLabels

COLUMNS = ("time", "frequency", "confidence", "voiced", "note", "cents")


def csv_row(time_s: float, frequency_hz: float, confidence: float, voiced: bool,
            note: str | None, cents: float | None) -> list[str]:
    """One CSV row as strings; note and cents are empty for unvoiced frames."""
    return [f"{time_s:.3f}", f"{frequency_hz:.3f}", f"{confidence:.6f}", "1" if voiced else "0",
            note if voiced and note else "", f"{cents:+.1f}" if voiced and cents is not None else ""]


def write_track_csv(out: TextIO, track: PitchTrack, labels: TrackLabels) -> None:
    """Write the header and one row per frame to an open text stream."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i in range(track.n_frames):
        voiced = bool(labels.voiced[i])
        writer.writerow(csv_row(track.times_s[i], track.frequency_hz[i], track.confidence[i],
                                voiced, labels.names[i], labels.cents[i] if voiced else None))


def save_track_csv(path: Path, track: PitchTrack, labels: TrackLabels) -> None:
    """Save a track as CSV at path, atomically, streamed to disk (a 3-hour track's text would
    otherwise be held in memory twice)."""
    with open_atomically(path, "w", encoding="utf-8", newline="") as handle:
        write_track_csv(handle, track, labels)
