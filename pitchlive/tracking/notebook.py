"""The SPICE notebook's transcription method, kept for comparison.

Cut the frames into groups of equal length, a rest where more than 80% of a group is unvoiced,
else the group's mean rounded to a semitone; the group length and start offset with the least
quantisation error win, and every group is one eighth note.
"""

from __future__ import annotations

import numpy as np

from pitchlive.frames import HOP_S, PitchTrack
from pitchlive.notation.metre import TimeSignature
from pitchlive.settings import Settings
from pitchlive.tracking.naming import written_name
from pitchlive.tracking.notes import (
    Note,
    Transcription,
    TranscriptionOptions,
    empty_transcription,
    track_duration_s,
)
from pitchlive.tracking.tuning import TuningOffset

NOTEBOOK_REST_SHARE = 0.8    # a group is a rest when more than this share is unvoiced
NOTEBOOK_REST_COST = 0.51    # error charged per voiced frame dropped into a rest


def notebook_offset_cents(midi: np.ndarray, voiced: np.ndarray) -> float:
    """The notebook's "ideal offset": plain mean of the voiced frames' distance from a semitone."""
    values = np.asarray(midi, dtype=np.float64)[np.asarray(voiced, dtype=bool)]
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan")
    return float(np.mean(values - np.round(values)) * 100.0)


def notebook_groups(midi: np.ndarray, voiced: np.ndarray, min_group: int,
                    max_group: int) -> tuple[int, int, list[int | None]]:
    """The notebook's search: (group length, start offset, MIDI or None per group) of least
    error.

    midi is already offset-corrected; the leading padding of the offset counts as unvoiced.
    """
    midi = np.asarray(midi, dtype=np.float64)
    voiced = np.asarray(voiced, dtype=bool) & np.isfinite(midi)
    best: tuple[float, int, int, list[int | None]] | None = None
    for length in range(max(1, min_group), max(min_group, max_group) + 1):
        for offset in range(length):
            padded_voiced = np.concatenate((np.zeros(offset, bool), voiced))
            padded_midi = np.concatenate((np.zeros(offset), np.where(voiced, midi, 0.0)))
            starts = np.arange(0, padded_voiced.size, length)
            sizes = np.diff(np.append(starts, padded_voiced.size))
            n_voiced = np.add.reduceat(padded_voiced.astype(np.int64), starts)
            sums = np.add.reduceat(padded_midi, starts)
            means = np.divide(sums, n_voiced, out=np.zeros(sums.shape), where=n_voiced > 0)
            notes = np.round(means)
            per_frame = np.abs(padded_midi - np.repeat(notes, sizes)) * padded_voiced
            note_error = np.add.reduceat(per_frame, starts)
            rest = (sizes - n_voiced) > NOTEBOOK_REST_SHARE * sizes
            error = float(np.sum(np.where(rest, NOTEBOOK_REST_COST * n_voiced, note_error)))
            if best is None or error < best[0]:
                labels = [None if r else int(m) for r, m in zip(rest, notes)]
                best = (error, length, offset, labels)
    if best is None:
        return max(1, min_group), 0, []
    return best[1], best[2], best[3]


def transcribe_notebook(track: PitchTrack, settings: Settings, options: TranscriptionOptions,
                         raw_midi: np.ndarray, voiced: np.ndarray,
                         offset: TuningOffset | None) -> Transcription:
    """The notebook's method; each group becomes an eighth note or rest."""
    if offset is None:
        mean = notebook_offset_cents(raw_midi, voiced)
        offset = TuningOffset(mean, float("nan"), int(voiced.sum())) if voiced.any() \
            else TuningOffset.none()
    shift = offset.offset_cents if options.correct_offset and offset.valid else 0.0
    midi = np.where(voiced, raw_midi - shift / 100.0, np.nan)
    if not voiced.any():
        return empty_transcription(track, settings, options, offset)
    min_group = max(1, int(round(options.notebook_min_group_s / HOP_S)))
    max_group = max(min_group, int(round(options.notebook_max_group_s / HOP_S)))
    length, start, labels = notebook_groups(midi, voiced, min_group, max_group)
    times = np.asarray(track.times_s, dtype=np.float64)
    group_s = length * HOP_S
    first = 0
    while first < len(labels) and labels[first] is None:
        first += 1
    last = len(labels)
    while last > first and labels[last - 1] is None:
        last -= 1
    events: list[Note] = []
    origin_s = (times[0] if times.size else 0.0) - start * HOP_S - HOP_S / 2
    for k in range(first, last):
        onset_s = max(origin_s + k * group_s, 0.0)
        frames = slice(max(0, k * length - start), max(0, (k + 1) * length - start))
        midi_k = labels[k]
        if midi_k is None:
            events.append(Note(onset_s, group_s, None, None, float("nan"),
                               (k - first) * 0.5, 0.5))
            continue
        values = midi[frames]
        values = values[np.isfinite(values)]
        cents = float(np.mean(values - midi_k) * 100.0) if values.size else float("nan")
        events.append(Note(onset_s, group_s, midi_k, written_name(midi_k, settings), cents,
                           (k - first) * 0.5, 0.5))
    tempo_bpm = options.tempo_bpm or 60.0 / (2 * group_s)
    start_s = origin_s + first * group_s
    signature = options.given_time_signature or TimeSignature(4, 4)
    return Transcription(tuple(events), tempo_bpm, options.tempo_bpm is None, offset,
                         options.correct_offset, settings.a4_hz, settings.transposition,
                         settings.transpose_semitones, settings.prefer_flats,
                         signature.beats, start_s, "notebook", track_duration_s(track),
                         beat_type=signature.beat_type)
