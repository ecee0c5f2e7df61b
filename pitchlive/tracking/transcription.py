"""From a pitch track to notes and rests with a tempo: a pure function of the track and settings.

Two methods:

* ``"segments"`` (default): each voiced run is split where the pitch moves to another semitone,
  by a Viterbi path over semitone states (cost: distance from the state, capped; a fixed penalty
  per change), so vibrato and glides stay inside one note and a glide between two notes splits
  at its middle. Too-short pieces merge into their neighbour. When the audio is given, a fast
  level rise inside a note splits repeated notes of one pitch, and each onset moves to where the
  new note's own harmonics start to sound (the pitch track lags attacks, most on slow-attack
  instruments whose previous note still rings). Notes are then placed on a beat grid
  (pitchlive.tracking.tempo) for the score.
* ``"notebook"``: the SPICE notebook's method, kept for comparison: cut the frames into groups of
  equal length, a rest where more than 80% of a group is unvoiced, else the group's mean
  rounded to a semitone; the group length and start offset with the least quantisation error
  win, and every group is one eighth note.

Both correct for the tuning offset (pitchlive.tracking.tuning) when asked to.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from pitchlive.audio.levels import frame_levels_dbfs
from pitchlive.frames import HOP_S, PitchTrack
from pitchlive.music import hz_to_midi, midi_to_hz
from pitchlive.notation.key import Key, estimate_key
from pitchlive.notation.metre import Metre, TimeSignature, estimate_metre
from pitchlive.settings import Settings
from pitchlive.tracking import tempo as tempo_mod
from pitchlive.tracking import voicing
from pitchlive.tracking.naming import written_name
from pitchlive.tracking.notebook import transcribe_notebook
from pitchlive.tracking.notes import (
    Note,
    Transcription,
    TranscriptionOptions,
    empty_transcription,
    track_duration_s,
)
from pitchlive.tracking.onsets import (
    NoteDraft,
    draft_cents,
    level_envelope_db,
    refine_onsets,
    spectral_flux,
    split_repeats,
)
from pitchlive.tracking.segmentation import segment_cents, segment_notes
from pitchlive.tracking.tuning import TuningOffset, estimate_offset

# A silence between notes is written as a rest when it is at least this share of the time from
# one onset to the next (shorter ones are articulation) and at least 3/4 of a sixteenth.
REST_MIN_SHARE = 0.2
END_ROUNDING_BIAS = 0.2   # sixteenths added to a note's end before rounding it to the grid


def _score_events(drafts: list[NoteDraft], grid: tempo_mod.TempoEstimate, settings: Settings
                  ) -> tuple[list[Note], float]:
    """Notes on the beat grid with rests between them; returns (events, score start time)."""
    onsets_s = np.array([d.onset_s for d in drafts])
    ends_s = np.array([d.end_s for d in drafts])
    unit_s = grid.beat_s / tempo_mod.SUBDIVISIONS_PER_BEAT
    start_s = tempo_mod.score_start(onsets_s, grid)
    q_on = tempo_mod.quantize(onsets_s, start_s, unit_s)
    # Ends round up a little: voicing fades before a note is released.
    q_end = tempo_mod.quantize(ends_s + END_ROUNDING_BIAS * unit_s, start_s, unit_s)
    for i in range(1, q_on.size):
        q_on[i] = max(q_on[i], q_on[i - 1] + 1)
    for i in range(q_on.size):
        q_end[i] = max(q_end[i], q_on[i] + 1)
        if i + 1 < q_on.size:
            gap_s = onsets_s[i + 1] - ends_s[i]
            articulation = gap_s < max(REST_MIN_SHARE * (onsets_s[i + 1] - onsets_s[i]),
                                       0.75 * unit_s)
            q_end[i] = q_on[i + 1] if articulation else min(q_end[i], q_on[i + 1])
    per_beat = float(tempo_mod.SUBDIVISIONS_PER_BEAT)
    events: list[Note] = []
    for i in range(q_on.size):
        if i and q_on[i] > q_end[i - 1]:
            events.append(Note(float(ends_s[i - 1]), float(onsets_s[i] - ends_s[i - 1]), None,
                               None, float("nan"), float(q_end[i - 1] / per_beat),
                               float((q_on[i] - q_end[i - 1]) / per_beat)))
        d = drafts[i]
        events.append(Note(d.onset_s, d.end_s - d.onset_s, d.midi, written_name(d.midi, settings),
                           d.cents, float(q_on[i] / per_beat),
                           float((q_end[i] - q_on[i]) / per_beat)))
    return events, start_s


def transcribe(track: PitchTrack, settings: Settings,
               options: TranscriptionOptions = TranscriptionOptions(),
               audio_16k: np.ndarray | None = None,
               offset: TuningOffset | None = None,
               level_dbfs: np.ndarray | None = None) -> Transcription:
    """Notes and rests of a pitch track.

    Parameters
    ----------
    track : PitchTrack
        Model output, n_frames frames.
    settings : Settings
        Voicing (threshold, level gate), A4 and note naming.
    options : TranscriptionOptions
        Method, offset correction, tempo, meter, shortest note.
    audio_16k : np.ndarray, shape (n,), optional
        The 16 kHz mono audio the track came from: lets repeated notes split and onsets
        sharpen, and gives each frame's level for the level gate unless level_dbfs is given.
    offset : TuningOffset, optional
        Replaces the estimated tuning offset (e.g. a running estimate from a live take).
    level_dbfs : np.ndarray, shape (n_frames,), optional
        Input level per frame in dBFS (FileAnalysis.level_dbfs); with neither this nor the
        audio, the level gate cannot apply.

    Returns
    -------
    Transcription
        Notes and rests with measured times (s) and score positions (beats).
    """
    frequency_hz = np.asarray(track.frequency_hz, dtype=np.float64)
    if level_dbfs is None and audio_16k is not None:
        level_dbfs = frame_levels_dbfs(audio_16k, track.n_frames)
    voiced = voicing.voiced(frequency_hz, track.confidence, level_dbfs, settings)
    raw_midi = np.asarray(hz_to_midi(frequency_hz, settings.a4_hz), dtype=np.float64)
    if options.method == "notebook":
        return transcribe_notebook(track, settings, options, raw_midi, voiced, offset)
    if offset is None:
        offset = estimate_offset(frequency_hz, voiced, settings.a4_hz)
    shift = offset.offset_cents if options.correct_offset and offset.valid else 0.0
    midi = np.where(voiced, raw_midi - shift / 100.0, np.nan)
    segments = segment_notes(midi, voiced, options.min_note_s, options.change_penalty)
    if not segments:
        return empty_transcription(track, settings, options, offset)
    times = np.asarray(track.times_s, dtype=np.float64)
    drafts = [NoteDraft(max(float(times[s.first]) - HOP_S / 2, 0.0),
                     float(times[s.stop - 1]) + HOP_S / 2, s.midi, segment_cents(midi, s))
              for s in segments]
    if audio_16k is not None and options.use_audio and np.size(audio_16k):
        drafts = _onsets_from_audio(drafts, audio_16k, settings.a4_hz, shift, options)
    drafts = [NoteDraft(d.onset_s, d.end_s, d.midi, draft_cents(times, midi, d)) for d in drafts]
    onsets = np.array([d.onset_s for d in drafts])
    if options.tempo_bpm is None:
        grid = tempo_mod.estimate_tempo(onsets)
    else:
        grid = tempo_mod.with_tempo(onsets, options.tempo_bpm)
    events, start_s = _score_events(drafts, grid, settings)
    events, start_s, metre = _place_in_bars(events, start_s, grid.beat_s, options)
    key, key_estimated = _key_of(events, options, settings.prefer_flats)
    signature = metre.time_signature
    return Transcription(tuple(events), grid.tempo_bpm, grid.estimated, offset,
                         options.correct_offset, settings.a4_hz, settings.transposition,
                         settings.transpose_semitones, settings.prefer_flats,
                         signature.beats, start_s, options.method, track_duration_s(track),
                         key, signature.beat_type, key_estimated, metre.estimated)


def _place_in_bars(events: list[Note], start_s: float, beat_s: float,
                   options: TranscriptionOptions) -> tuple[list[Note], float, Metre]:
    """The metre (given or estimated) and the events shifted so its first downbeat starts a
    bar: notes before it become a pickup after leading rests; returns (events, start, metre)."""
    per_beat = tempo_mod.SUBDIVISIONS_PER_BEAT
    notes = [e for e in events if not e.is_rest]
    starts = np.array([round(n.start_beats * per_beat) for n in notes], dtype=np.int64)
    lengths = np.array([round(n.duration_beats * per_beat) for n in notes], dtype=np.int64)
    given = options.given_time_signature
    metre = estimate_metre(starts, lengths, (given,) if given else None)
    bar = metre.time_signature.bar_sixteenths
    shift = (bar - metre.pickup_sixteenths) % bar
    if not shift:
        return events, start_s, metre
    shifted = [replace(e, start_beats=e.start_beats + shift / per_beat) for e in events]
    return shifted, start_s - shift * beat_s / per_beat, metre


def _key_of(events: list[Note], options: TranscriptionOptions,
            prefer_flats: bool) -> tuple[Key | None, bool]:
    """(key, estimated): the given key, else Krumhansl-Schmuckler on the notes' durations.

    Of two enharmonic keys with six accidentals (F# / Gb major), flats follow prefer_flats.
    """
    if isinstance(options.key, Key):
        return options.key, False
    notes = [e for e in events if not e.is_rest]
    key = estimate_key(np.array([n.midi for n in notes]), np.array([n.duration_s for n in notes]))
    if key is not None and prefer_flats and key.fifths >= 6:
        key = Key(key.fifths - 12, key.mode, key.correlation)
    return key, key is not None


def renotate(transcription: Transcription, key: Key | None = None,
             time_signature: TimeSignature | None = None) -> Transcription:
    """The same notes written in another key and/or time signature, without transcribing again.

    key and time_signature are what the user chose; None estimates each from the notes, as
    `transcribe` does. The notes keep their times and their order on the grid: only the bar
    lines (where the first downbeat falls), the key signature and the spelling change, so a
    window can follow a choice at once and the exports (MIDI meta events and pickup, MusicXML)
    follow it too.
    """
    options = TranscriptionOptions(key=key, time_signature=time_signature)
    if not transcription.notes:
        signature = time_signature or transcription.time_signature
        return replace(transcription, key=key or transcription.key, key_estimated=key is None
                       and transcription.key_estimated, beats_per_bar=signature.beats,
                       beat_type=signature.beat_type)
    beat_s = 60.0 / transcription.tempo_bpm
    first = min(e.start_beats for e in transcription.events)
    # Metre estimation is blind to a constant shift: start from the first event on beat 0.
    events = [replace(e, start_beats=e.start_beats - first) for e in transcription.events]
    events, start_s, metre = _place_in_bars(events, transcription.score_start_s + first * beat_s,
                                            beat_s, options)
    chosen_key, key_estimated = _key_of(events, options, transcription.prefer_flats)
    signature = metre.time_signature
    return replace(transcription, events=tuple(events), score_start_s=start_s,
                   beats_per_bar=signature.beats, beat_type=signature.beat_type,
                   key=chosen_key, key_estimated=key_estimated, metre_estimated=metre.estimated)


def estimated_notation(transcription: Transcription) -> tuple[Key | None, TimeSignature]:
    """The key and time signature estimated from a transcription's notes (what "Auto" gives)."""
    if transcription.key_estimated and transcription.metre_estimated:
        return transcription.key, transcription.time_signature
    auto = renotate(transcription)
    return auto.key, auto.time_signature


def _onsets_from_audio(drafts: list[NoteDraft], audio_16k: np.ndarray, a4_hz: float,
                       shift_cents: float, options: TranscriptionOptions) -> list[NoteDraft]:
    """Repeated notes split at level rises, onsets moved to where each note starts to sound."""
    def note_hz(m: int) -> float:
        return float(midi_to_hz(m + shift_cents / 100.0, a4_hz))

    drafts = split_repeats(drafts, level_envelope_db(audio_16k), options.min_note_s,
                           spectral_flux(audio_16k))
    return refine_onsets(drafts, audio_16k, note_hz, options.min_note_s)
