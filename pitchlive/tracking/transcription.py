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

import math
from dataclasses import dataclass, field, replace

import numpy as np

from pitchlive.frames import HOP_S, PitchTrack
from pitchlive.music import hz_to_midi, midi_to_hz, note_name
from pitchlive.settings import Settings, SettingsError
from pitchlive.tracking import tempo as tempo_mod
from pitchlive.tracking.labels import voiced_mask
from pitchlive.tracking.tuning import TuningOffset, estimate_offset, voiced_runs

METHODS = ("segments", "notebook")
# A note change must save this much (semitone-frames of distance) to be worth making.
CHANGE_PENALTY = 1.5
# Distance from a state counts at most this much, so a lone octave slip is cheaper to absorb.
COST_CAP_SEMITONES = 2.0
# A piece this short whose pitch slides this far is a glide, not a note.
GLIDE_MAX_S = 0.3
GLIDE_MIN_SEMITONES = 0.7
GLIDE_CORE_SEMITONES = 0.3
GLIDE_CORE_FRAMES = 3
# A silence between notes is written as a rest when it is at least this share of the time from
# one onset to the next (shorter ones are articulation) and at least 3/4 of a sixteenth.
REST_MIN_SHARE = 0.2
END_ROUNDING_BIAS = 0.2   # sixteenths added to a note's end before rounding it to the grid
# Audio-based refinements (when the 16 kHz audio is given):
ENVELOPE_HOP = 128               # 8 ms level envelope, 32 ms windows
ENVELOPE_WINDOW = 512
REATTACK_RISE_DB = 8.0           # a repeated note: the level climbs this much ...
REATTACK_RISE_S = 0.032          # ... within this time, inside a note of one pitch
REATTACK_ONSET_BELOW_DB = 6.0
ONSET_WINDOW = 2048              # spectra for the new note's harmonic energy (128 ms)
ONSET_HOP = 128
ONSET_SEARCH_BEFORE_S = 0.25     # how far before the pitch change the attack may lie
ONSET_SEARCH_AFTER_S = 0.1
ONSET_FRACTION = 0.15            # the onset is where the energy passes this share of its rise
ONSET_MAX_HARMONIC_HZ = 5000.0
NOTEBOOK_REST_SHARE = 0.8    # notebook: a group is a rest when more than this share is unvoiced
NOTEBOOK_REST_COST = 0.51    # notebook: error charged per voiced frame dropped into a rest


@dataclass(frozen=True)
class TranscriptionOptions:
    """How to transcribe; voicing and naming come from Settings."""

    method: str = "segments"
    correct_offset: bool = True          # quantise and name relative to the singer's own tuning
    tempo_bpm: float | None = None       # None: estimate from the onsets
    beats_per_bar: int = 4
    min_note_s: float = 0.09             # shorter pieces merge into a neighbour or vanish
    change_penalty: float = CHANGE_PENALTY
    use_audio: bool = True               # with audio: split repeated notes, refine onsets
    notebook_min_group_s: float = 0.1    # notebook: shortest and longest eighth note searched
    notebook_max_group_s: float = 1.3

    def __post_init__(self) -> None:
        problems = []
        if self.method not in METHODS:
            problems.append(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if self.tempo_bpm is not None and not 20.0 <= self.tempo_bpm <= 400.0:
            problems.append(f"tempo must be between 20 and 400 BPM, got {self.tempo_bpm}")
        if not 1 <= self.beats_per_bar <= 16:
            problems.append(f"beats per bar must be between 1 and 16, got {self.beats_per_bar}")
        if not 0.0 <= self.min_note_s <= 2.0:
            problems.append(f"shortest note must be between 0 and 2 s, got {self.min_note_s}")
        if not 0.0 < self.notebook_min_group_s < self.notebook_max_group_s <= 10.0:
            problems.append("notebook group lengths must satisfy 0 < min < max <= 10 s")
        if problems:
            raise SettingsError("; ".join(problems) + ".")

    def replace(self, **changes) -> "TranscriptionOptions":
        """A copy with some fields changed (validated)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class Note:
    """One note or rest: measured times in seconds and its place in the score in beats."""

    onset_s: float
    duration_s: float
    midi: int | None          # concert pitch; None for a rest
    name: str | None          # written name (transposition and flats applied); None for a rest
    cents: float              # mean deviation from the grid used; NaN for a rest
    start_beats: float        # score position from the first beat of the first bar
    duration_beats: float

    @property
    def is_rest(self) -> bool:
        """True for a rest."""
        return self.midi is None

    @property
    def end_s(self) -> float:
        """Measured end in seconds."""
        return self.onset_s + self.duration_s

    @property
    def end_beats(self) -> float:
        """Score end in beats."""
        return self.start_beats + self.duration_beats


@dataclass(frozen=True)
class Transcription:
    """Notes and rests of a take, with the tempo and tuning that place them."""

    events: tuple[Note, ...]          # notes and rests in time order
    tempo_bpm: float
    tempo_estimated: bool
    offset: TuningOffset              # estimated tuning offset of the take
    offset_corrected: bool            # True when the grid was shifted by the offset
    a4_hz: float = 440.0
    transposition: str = "C"
    transpose_semitones: int = 0
    prefer_flats: bool = False
    beats_per_bar: int = 4
    score_start_s: float = 0.0        # time of beat 0
    method: str = "segments"
    duration_s: float = 0.0           # length of the analysed track

    notes: tuple[Note, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "notes", tuple(e for e in self.events if not e.is_rest))

    @property
    def grid_offset_cents(self) -> float:
        """The shift applied to the equal-tempered grid (0 when not corrected)."""
        return self.offset.offset_cents if self.offset_corrected and self.offset.valid else 0.0

    @property
    def total_beats(self) -> float:
        """Score length in beats (end of the last event)."""
        return max((e.end_beats for e in self.events), default=0.0)

    def note_hz(self, midi: int) -> float:
        """Frequency of a transcribed MIDI note on the grid used (offset included)."""
        return float(midi_to_hz(midi + self.grid_offset_cents / 100.0, self.a4_hz))

    def summary(self) -> str:
        """One line: tempo, tuning offset, how many notes and rests."""
        how = "estimated" if self.tempo_estimated else "given"
        tempo = f"tempo {self.tempo_bpm:.0f} BPM ({how})"
        if self.offset.valid:
            correction = "corrected" if self.offset_corrected else "not corrected"
            offset = f"tuning offset {self.offset.offset_cents:+.1f} cents ({correction})"
        else:
            offset = "tuning offset unknown"
        rests = len(self.events) - len(self.notes)
        return f"{tempo}, {offset}, {len(self.notes)} notes, {rests} rests"


@dataclass(frozen=True)
class Segment:
    """Frames [first, stop) of the track held on one semitone (offset grid)."""

    first: int
    stop: int
    midi: int


# --- segmentation ---------------------------------------------------------------------------

def viterbi_semitones(midi: np.ndarray, change_penalty: float = CHANGE_PENALTY,
                      cost_cap: float = COST_CAP_SEMITONES) -> np.ndarray:
    """Semitone per frame of a voiced run (finite fractional MIDI), with a cost per change."""
    midi = np.asarray(midi, dtype=np.float64)
    states = np.arange(math.floor(np.min(midi)) - 1, math.ceil(np.max(midi)) + 2)
    cost = np.minimum(np.abs(midi[:, None] - states[None, :]), cost_cap)
    n, n_states = cost.shape
    back = np.empty((n, n_states), dtype=np.int64)
    stay = np.arange(n_states)
    total = cost[0].copy()
    back[0] = stay
    for i in range(1, n):
        best = int(np.argmin(total))
        switch = total[best] + change_penalty
        moved = switch < total
        back[i] = np.where(moved, best, stay)
        total = np.where(moved, switch, total) + cost[i]
    path = np.empty(n, dtype=np.int64)
    path[-1] = int(np.argmin(total))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return states[path]


def _pieces(states: np.ndarray, offset: int) -> list[Segment]:
    """Runs of equal states as Segments, indices shifted by offset."""
    cuts = np.flatnonzero(np.diff(states)) + 1
    bounds = np.concatenate(([0], cuts, [states.size]))
    return [Segment(offset + int(a), offset + int(b), int(states[a]))
            for a, b in zip(bounds[:-1], bounds[1:])]


def merge_short(segments: list[Segment], midi: np.ndarray, min_frames: int) -> list[Segment]:
    """Merge pieces shorter than min_frames into the adjacent piece nearest in pitch; drop
    isolated ones."""
    pieces = list(segments)
    while True:
        short = [k for k, s in enumerate(pieces) if s.stop - s.first < min_frames]
        if not short:
            return pieces
        k = min(short, key=lambda j: pieces[j].stop - pieces[j].first)
        piece = pieces[k]
        neighbours = [j for j in (k - 1, k + 1) if 0 <= j < len(pieces)
                      and (pieces[j].stop == piece.first or pieces[j].first == piece.stop)]
        if not neighbours:
            del pieces[k]
            continue
        level = float(np.nanmean(midi[piece.first:piece.stop]))
        j = min(neighbours, key=lambda j: (abs(pieces[j].midi - level),
                                          -(pieces[j].stop - pieces[j].first)))
        other = pieces[j]
        merged = Segment(min(piece.first, other.first), max(piece.stop, other.stop), other.midi)
        lo = min(j, k)
        pieces[lo:lo + 2] = [merged]


def ramp_travel(midi: np.ndarray, pieces: list[Segment]) -> tuple[float, float, float]:
    """(travel, first, mean) in semitones of consecutive pieces that only slide; travel 0 if not.

    A slide travels GLIDE_MIN_SEMITONES or more from its first to its last frame and has no
    steady core: never GLIDE_CORE_FRAMES frames in a row within GLIDE_CORE_SEMITONES of their
    piece's semitone. A short real note has such a core even when transitions sit at both of
    its ends.
    """
    values = np.concatenate([midi[p.first:p.stop] for p in pieces])
    states = np.concatenate([np.full(p.stop - p.first, p.midi) for p in pieces])
    finite = np.isfinite(values)
    values, states = values[finite], states[finite]
    if values.size < 2:
        return 0.0, float("nan"), float("nan")
    travel = float(values[-1] - values[0])
    steady = np.abs(values - states) <= GLIDE_CORE_SEMITONES
    longest = max((b - a for a, b in voiced_runs(steady)), default=0)
    if abs(travel) < GLIDE_MIN_SEMITONES or longest >= GLIDE_CORE_FRAMES:
        travel = 0.0
    return travel, float(values[0]), float(np.mean(values))


def absorb_glides(segments: list[Segment], midi: np.ndarray, max_frames: int,
                  min_frames: int) -> list[Segment]:
    """Fold short sliding pieces into the notes they join, so a glide is never a note.

    A slide (one or more short pieces, max_frames in all) between two notes (pieces of at least
    min_frames) is split where it crosses the middle of their pitches; a slide into the first
    note of a run (a scoop) or out of the last (a fall) joins that note.
    """
    pieces = list(segments)

    def anchor(a: int, b: int) -> Segment | None:
        """Piece a if it touches piece b and is long enough to be a note."""
        if 0 <= a < len(pieces) and 0 <= b < len(pieces) and \
                (pieces[a].stop == pieces[b].first or pieces[b].stop == pieces[a].first) and \
                pieces[a].stop - pieces[a].first >= min_frames:
            return pieces[a]
        return None

    k = 0
    while k < len(pieces):
        j, frames = k, 0
        while j < len(pieces) and (j == k or pieces[j - 1].stop == pieces[j].first):
            length = pieces[j].stop - pieces[j].first
            if frames + length > max_frames:
                break
            frames += length
            j += 1
        if j == k:
            k += 1
            continue
        group = pieces[k:j]
        prev, nxt = anchor(k - 1, k), anchor(j, j - 1)
        travel, first, mean = ramp_travel(midi, group)
        if travel and prev and nxt and (nxt.midi - prev.midi) * travel > 0:
            middle = (prev.midi + nxt.midi) / 2.0
            values = midi[group[0].first:group[-1].stop]
            crossed = np.flatnonzero(np.sign(travel) * (values - middle) >= 0)
            cut = group[0].first + (int(crossed[0]) if crossed.size else values.size)
            pieces[k - 1:j + 1] = [Segment(prev.first, cut, prev.midi),
                                   Segment(cut, nxt.stop, nxt.midi)]
            continue
        if travel and nxt and prev is None and (nxt.midi - first) * travel > 0:
            pieces[k:j + 1] = [Segment(group[0].first, nxt.stop, nxt.midi)]   # a scoop
            continue
        if travel and prev and nxt is None and (mean - prev.midi) * travel > 0:
            pieces[k - 1:j] = [Segment(prev.first, group[-1].stop, prev.midi)]   # a fall
            k -= 1
            continue
        k += 1
    return pieces


def segment_notes(midi: np.ndarray, voiced: np.ndarray,
                  options: TranscriptionOptions) -> list[Segment]:
    """Note segments of a track: per voiced run, Viterbi over semitones, then clean-up."""
    midi = np.asarray(midi, dtype=np.float64)
    voiced = np.asarray(voiced, dtype=bool) & np.isfinite(midi)
    min_frames = max(1, int(round(options.min_note_s / HOP_S)))
    segments: list[Segment] = []
    for start, stop in voiced_runs(voiced):
        states = viterbi_semitones(midi[start:stop], options.change_penalty)
        segments.extend(_pieces(states, start))
    segments = absorb_glides(segments, midi, int(round(GLIDE_MAX_S / HOP_S)), min_frames)
    return merge_short(segments, midi, min_frames)


def segment_cents(midi: np.ndarray, segment: Segment) -> float:
    """Mean deviation in cents of a segment's frames from its semitone (transitions left out)."""
    deviation = (np.asarray(midi[segment.first:segment.stop]) - segment.midi) * 100.0
    deviation = deviation[np.isfinite(deviation)]
    if deviation.size >= 8:
        deviation = deviation[2:-2]   # transitions sit at the edges
    if not deviation.size:
        return float("nan")
    # Octave slips and other stray frames lie far from the bulk of the note.
    centre = float(np.median(deviation))
    kept = deviation[np.abs(deviation - centre) <= 100.0]
    return float(np.mean(kept)) if kept.size else centre


# --- the notebook's grid method ---------------------------------------------------------------

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


# --- putting it together ------------------------------------------------------------------------

def level_envelope_db(audio_16k: np.ndarray, hop: int = ENVELOPE_HOP,
                      window: int = ENVELOPE_WINDOW) -> np.ndarray:
    """RMS level in dBFS of windows centred on samples 0, hop, 2 hop, ... of the audio.

    window must be an even multiple of hop. Works on hop-sized blocks, so memory stays at about
    one float32 copy of the audio.
    """
    if window % (2 * hop):
        raise ValueError("window must be an even multiple of hop")
    audio = np.asarray(audio_16k, dtype=np.float32)
    n = audio.size // hop + 1
    per_window = window // hop
    padded = np.zeros((n + per_window) * hop, np.float32)
    padded[window // 2:window // 2 + audio.size] = audio
    blocks = padded.reshape(-1, hop)
    block_energy = np.einsum("ij,ij->i", blocks, blocks, dtype=np.float64)
    sums = np.concatenate(([0.0], np.cumsum(block_energy)))
    energy = (sums[per_window:per_window + n] - sums[:n]) / window
    return 10.0 * np.log10(np.maximum(energy, 1e-12))


def rise_onsets(envelope_db: np.ndarray, first: int, stop: int, rise_db: float = REATTACK_RISE_DB,
                rise_steps: int = int(round(REATTACK_RISE_S * 16000 / ENVELOPE_HOP)),
                min_spacing: int = 1) -> list[int]:
    """Envelope indices in [first, stop) where the level climbs rise_db within rise_steps.

    Each onset is where the rising level comes within REATTACK_ONSET_BELOW_DB of the level it
    climbs to (about where the new attack fills half the envelope window); onsets are at least
    min_spacing apart.
    """
    envelope = np.asarray(envelope_db, dtype=np.float64)
    found: list[int] = []
    i = max(first, 2)
    while i < min(stop, envelope.size - 1):
        ahead = envelope[i:i + rise_steps + 1]
        if ahead.max() - envelope[i] >= rise_db and envelope[i] <= envelope[i - 2:i].min():
            found.append(i + int(np.argmax(ahead >= ahead.max() - REATTACK_ONSET_BELOW_DB)))
            i += max(min_spacing, rise_steps)
            continue
        i += 1
    return found


def harmonic_energy(audio_16k: np.ndarray, start_s: float, stop_s: float, new_hz: float,
                    old_hz: float | None) -> tuple[np.ndarray, np.ndarray] | None:
    """(times, energy) of the new note's harmonics between start_s and stop_s, 8 ms steps.

    Harmonics that coincide with one of old_hz's (the note sounding before) are left out, so
    the energy stays low while only the old note rings. None when no harmonic is usable.
    """
    rate = 16000
    freqs = np.fft.rfftfreq(ONSET_WINDOW, 1.0 / rate)
    bin_hz = rate / ONSET_WINDOW
    bands = []
    for k in range(1, 40):
        h = k * new_hz
        if h > ONSET_MAX_HARMONIC_HZ:
            break
        if old_hz:
            j = max(1.0, round(h / old_hz))
            if abs(h - j * old_hz) < max(2.5 * bin_hz, 0.03 * h):
                continue
        band = np.flatnonzero(np.abs(freqs - h) <= max(bin_hz, h * (2 ** (0.4 / 12) - 1)))
        if band.size:
            bands.append(band)
    if not bands:
        return None
    half = ONSET_WINDOW // 2
    first = int(round(start_s * rate)) - half
    last = int(round(stop_s * rate)) + half
    segment = np.zeros(max(last - first, ONSET_WINDOW))
    audio = np.asarray(audio_16k, dtype=np.float64)
    lo, hi = max(first, 0), min(last, audio.size)
    if hi > lo:
        segment[lo - first:hi - first] = audio[lo:hi]
    frames = np.lib.stride_tricks.sliding_window_view(segment, ONSET_WINDOW)[::ONSET_HOP]
    spectra = np.abs(np.fft.rfft(frames * np.hanning(ONSET_WINDOW), axis=1))
    energy = sum(spectra[:, band].max(axis=1) for band in bands)
    times = (first + half + np.arange(frames.shape[0]) * ONSET_HOP) / rate
    return times, energy


def refine_onset(audio_16k: np.ndarray, onset_s: float, new_hz: float, old_hz: float | None,
                 earliest_s: float, latest_s: float) -> float:
    """Where the new note's harmonics start to sound near a pitch-track onset (clamped)."""
    start = max(onset_s - ONSET_SEARCH_BEFORE_S, earliest_s)
    stop = min(onset_s + ONSET_SEARCH_AFTER_S, latest_s)
    if stop - start < 2 * ONSET_HOP / 16000:
        return onset_s
    found = harmonic_energy(audio_16k, start, stop, new_hz, old_hz)
    if found is None:
        return onset_s
    times, energy = found
    peak = int(np.argmax(energy))
    low = int(np.argmin(energy[:peak + 1]))
    if energy[peak] <= 0 or energy[peak] - energy[low] < 0.5 * energy[peak]:
        return onset_s   # no clear rise: keep the pitch-track onset
    threshold = energy[low] + ONSET_FRACTION * (energy[peak] - energy[low])
    crossing = low + int(np.flatnonzero(energy[low:peak + 1] >= threshold)[0])
    return float(min(max(times[crossing], earliest_s), latest_s))


@dataclass(frozen=True)
class _Draft:
    """A note before it is placed on the beat grid."""

    onset_s: float
    end_s: float
    midi: int
    cents: float


def draft_cents(times_s: np.ndarray, midi: np.ndarray, draft: _Draft) -> float:
    """Mean deviation in cents from its semitone of the frames whose centres lie in a note."""
    first, stop = np.searchsorted(times_s, [draft.onset_s, draft.end_s])
    if stop <= first:
        return draft.cents
    return segment_cents(midi, Segment(int(first), int(stop), draft.midi))


def split_repeats(drafts: list[_Draft], envelope_db: np.ndarray, min_note_s: float
                  ) -> list[_Draft]:
    """Split notes where the level jumps up inside them (the same pitch played again)."""
    step_s = ENVELOPE_HOP / 16000
    out: list[_Draft] = []
    for d in drafts:
        first = int(math.ceil((d.onset_s + min_note_s) / step_s))
        stop = int((d.end_s - min_note_s) / step_s)
        cuts = [i * step_s for i in rise_onsets(envelope_db, first, stop,
                                                min_spacing=int(min_note_s / step_s))]
        bounds = [d.onset_s] + cuts + [d.end_s]
        out.extend(_Draft(a, b, d.midi, d.cents) for a, b in zip(bounds[:-1], bounds[1:]))
    return out


def refine_onsets(drafts: list[_Draft], audio_16k: np.ndarray, note_hz, min_note_s: float
                  ) -> list[_Draft]:
    """Move each onset after a pitch change or a rest to where the note starts to sound."""
    out = list(drafts)
    for i, d in enumerate(drafts):
        previous = out[i - 1] if i else None
        if previous is not None and previous.midi == d.midi and d.onset_s - previous.end_s < 0.1:
            continue   # a repeat: its onset came from the level rise
        joined = previous is not None and d.onset_s - previous.end_s < 1e-6
        rings = previous is not None and d.onset_s - previous.end_s < ONSET_SEARCH_BEFORE_S
        earliest = previous.onset_s + min_note_s if joined else \
            (previous.end_s if previous is not None else 0.0)
        latest = d.end_s - min_note_s
        onset = refine_onset(audio_16k, d.onset_s, note_hz(d.midi),
                             note_hz(previous.midi) if rings else None, earliest, latest)
        out[i] = _Draft(onset, d.end_s, d.midi, d.cents)
        if joined:
            out[i - 1] = _Draft(previous.onset_s, onset, previous.midi, previous.cents)
    return out


def _name(midi: int, settings: Settings) -> str:
    return note_name(midi, settings.prefer_flats, settings.transpose_semitones)


def _score_events(drafts: list[_Draft], grid: tempo_mod.TempoEstimate, settings: Settings
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
        events.append(Note(d.onset_s, d.end_s - d.onset_s, d.midi, _name(d.midi, settings),
                           d.cents, float(q_on[i] / per_beat),
                           float((q_end[i] - q_on[i]) / per_beat)))
    return events, start_s


def _empty(track: PitchTrack, settings: Settings, options: TranscriptionOptions,
           offset: TuningOffset) -> Transcription:
    tempo_bpm = options.tempo_bpm or tempo_mod.DEFAULT_TEMPO_BPM
    return Transcription((), tempo_bpm, False, offset, options.correct_offset, settings.a4_hz,
                         settings.transposition, settings.transpose_semitones,
                         settings.prefer_flats, options.beats_per_bar, 0.0, options.method,
                         _track_duration(track))


def _track_duration(track: PitchTrack) -> float:
    return float(track.times_s[-1] + HOP_S / 2) if track.n_frames else 0.0


def transcribe(track: PitchTrack, settings: Settings,
               options: TranscriptionOptions = TranscriptionOptions(),
               audio_16k: np.ndarray | None = None,
               offset: TuningOffset | None = None) -> Transcription:
    """Notes and rests of a pitch track.

    settings gives the voicing threshold, A4 and note naming. audio_16k (the 16 kHz mono audio
    the track came from) lets repeated notes split and onsets sharpen. offset replaces the
    estimated tuning offset (e.g. a running estimate from a live take).
    """
    frequency_hz = np.asarray(track.frequency_hz, dtype=np.float64)
    voiced = voiced_mask(track.confidence, frequency_hz, settings.confidence_threshold)
    raw_midi = np.asarray(hz_to_midi(frequency_hz, settings.a4_hz), dtype=np.float64)
    if options.method == "notebook":
        return _transcribe_notebook(track, settings, options, raw_midi, voiced, offset)
    if offset is None:
        offset = estimate_offset(track, settings.confidence_threshold, settings.a4_hz)
    shift = offset.offset_cents if options.correct_offset and offset.valid else 0.0
    midi = np.where(voiced, raw_midi - shift / 100.0, np.nan)
    segments = segment_notes(midi, voiced, options)
    if not segments:
        return _empty(track, settings, options, offset)
    times = np.asarray(track.times_s, dtype=np.float64)
    drafts = [_Draft(max(float(times[s.first]) - HOP_S / 2, 0.0),
                     float(times[s.stop - 1]) + HOP_S / 2, s.midi, segment_cents(midi, s))
              for s in segments]
    if audio_16k is not None and options.use_audio and np.size(audio_16k):
        def note_hz(m: int) -> float:
            return float(midi_to_hz(m + shift / 100.0, settings.a4_hz))

        drafts = split_repeats(drafts, level_envelope_db(audio_16k), options.min_note_s)
        drafts = refine_onsets(drafts, audio_16k, note_hz, options.min_note_s)
    drafts = [_Draft(d.onset_s, d.end_s, d.midi, draft_cents(times, midi, d)) for d in drafts]
    onsets = np.array([d.onset_s for d in drafts])
    if options.tempo_bpm is None:
        grid = tempo_mod.estimate_tempo(onsets)
    else:
        grid = tempo_mod.with_tempo(onsets, options.tempo_bpm)
    events, start_s = _score_events(drafts, grid, settings)
    return Transcription(tuple(events), grid.tempo_bpm, grid.estimated, offset,
                         options.correct_offset, settings.a4_hz, settings.transposition,
                         settings.transpose_semitones, settings.prefer_flats,
                         options.beats_per_bar, start_s, options.method, _track_duration(track))


def _transcribe_notebook(track: PitchTrack, settings: Settings, options: TranscriptionOptions,
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
        return _empty(track, settings, options, offset)
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
        events.append(Note(onset_s, group_s, midi_k, _name(midi_k, settings), cents,
                           (k - first) * 0.5, 0.5))
    tempo_bpm = options.tempo_bpm or 60.0 / (2 * group_s)
    start_s = origin_s + first * group_s
    return Transcription(tuple(events), tempo_bpm, options.tempo_bpm is None, offset,
                         options.correct_offset, settings.a4_hz, settings.transposition,
                         settings.transpose_semitones, settings.prefer_flats,
                         options.beats_per_bar, start_s, "notebook", _track_duration(track))
