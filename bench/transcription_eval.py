"""Transcription accuracy: note F-measure (mir_eval), tuning offset and tempo on known melodies.

The set is made here from known notes: three melodies rendered by fluidsynth with eight General
MIDI instruments (voice-like, strings, winds, brass, plucked), some of them shifted off A440 by a
known number of cents, plus two synthesised voice-like takes with vibrato, glides between notes
and a constant tuning offset (30 cents flat; 15 cents sharp with wide vibrato). Every take is
analysed by the real SPICE model and transcribed by pitchlive; the notebook's fixed-grid method
runs on the same tracks for comparison.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel .venv/bin/python bench/transcription_eval.py

tests/test_transcription_accuracy.py asserts the thresholds on this same set.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from pitchlive.music import midi_to_hz  # noqa: E402

SAMPLE_RATE_HZ = 16000
LEAD_IN_S = 0.5          # silence before the first note
GAP_S = 0.04             # articulation: each rendered note stops this long before the next
ONSET_TOLERANCE_S = 0.05  # mir_eval's default
F_MEASURE_TARGET = 0.8
OFFSET_TOLERANCE_CENTS = 5.0

Event = tuple[int | None, float]   # (MIDI note or None for a rest, length in beats)


@dataclass(frozen=True)
class Melody:
    """A melody written in beats at a tempo: (MIDI or None for a rest, beats) events."""

    name: str
    tempo_bpm: float
    events: tuple[Event, ...]


@dataclass(frozen=True)
class TruthNote:
    """A known note of a test take: onset and end in seconds, MIDI number."""

    onset_s: float
    end_s: float
    midi: int


@dataclass(frozen=True)
class Take:
    """One test recording with its ground truth."""

    name: str              # e.g. "ode/violin"
    source: str            # instrument or "synth voice"
    audio: np.ndarray      # mono float32
    sample_rate_hz: int
    notes: tuple[TruthNote, ...]
    offset_cents: float    # true tuning offset from A440 equal temperament
    tempo_bpm: float


MELODIES = (
    # Beethoven's "Ode to Joy": repeated notes, dotted rhythm, half notes.
    Melody("ode", 112.0, (
        (64, 1), (64, 1), (65, 1), (67, 1), (67, 1), (65, 1), (64, 1), (62, 1),
        (60, 1), (60, 1), (62, 1), (64, 1), (64, 1.5), (62, 0.5), (62, 2),
        (64, 1), (64, 1), (65, 1), (67, 1), (67, 1), (65, 1), (64, 1), (62, 1),
        (60, 1), (60, 1), (62, 1), (64, 1), (62, 1.5), (60, 0.5), (60, 2))),
    # A folk-like tune with eighths, a dotted eighth + sixteenth, and rests.
    Melody("folk", 96.0, (
        (67, 0.5), (69, 0.5), (71, 1), (None, 0.5), (71, 0.5), (72, 0.5), (74, 0.5),
        (76, 1), (74, 1), (None, 1), (72, 0.75), (71, 0.25), (69, 1), (67, 1),
        (66, 0.5), (67, 0.5), (69, 2), (None, 1), (62, 1), (67, 1.5), (66, 0.5), (64, 1),
        (62, 1), (67, 2), (None, 2))),
    # Leaps (fourths to an octave), chromatic steps and rests.
    Melody("leaps", 126.0, (
        (60, 1), (67, 1), (64, 0.5), (72, 1.5), (71, 0.5), (67, 0.5), (62, 1), (None, 1),
        (65, 0.5), (69, 0.5), (74, 1), (73, 0.5), (72, 0.5), (71, 1), (None, 0.5),
        (59, 0.5), (64, 1), (68, 1), (69, 2), (None, 1), (57, 1), (60, 1), (64, 1),
        (63, 0.5), (62, 0.5), (60, 3))),
)

# (label, GM program, semitones added to the melody, tuning offset in cents applied to the take)
INSTRUMENTS = (
    ("choir aahs", 52, 0, 0.0),
    ("voice oohs", 53, 0, -20.0),
    ("violin", 40, 0, 0.0),
    ("cello", 42, -12, 15.0),
    ("flute", 73, 0, 0.0),
    ("clarinet", 71, 0, -10.0),
    ("trumpet", 56, 0, 0.0),
    ("nylon guitar", 24, -12, 25.0),
)

# Synthesised voice takes: (label, melody index, offset cents, vibrato depth cents, semitones)
VOICES = (
    ("synth voice -30c", 0, -30.0, 35.0, 0),
    ("synth voice +15c", 1, 15.0, 60.0, -5),
    ("synth voice -30c", 2, -30.0, 45.0, -3),
)


def truth_notes(melody: Melody, semitones: int = 0, lead_in_s: float = LEAD_IN_S,
                gap_s: float = GAP_S) -> list[TruthNote]:
    """The sounding notes of a melody: onsets from the beats, each shortened by gap_s."""
    beat_s = 60.0 / melody.tempo_bpm
    notes, t = [], lead_in_s
    for midi, beats in melody.events:
        if midi is not None:
            notes.append(TruthNote(t, t + beats * beat_s - gap_s, midi + semitones))
        t += beats * beat_s
    return notes


def render_instrument(melody: Melody, program: int, semitones: int, offset_cents: float,
                      sample_rate_hz: int = SAMPLE_RATE_HZ) -> tuple[np.ndarray, list[TruthNote]]:
    """Render with fluidsynth; a tuning offset comes from rendering at another rate.

    Audio rendered at rate r and played at sample_rate_hz sounds sample_rate_hz / r higher and
    runs r / sample_rate_hz longer, so the truth times are scaled by the same factor.
    """
    from synth import Note, render_midi

    ratio = 2.0 ** (offset_cents / 1200.0)
    render_rate = int(round(sample_rate_hz / ratio))
    stretch = render_rate / sample_rate_hz
    notes = truth_notes(melody, semitones)
    audio = render_midi([Note(n.onset_s, n.end_s - n.onset_s, n.midi) for n in notes], program,
                        render_rate)
    scaled = [TruthNote(n.onset_s * stretch, n.end_s * stretch, n.midi) for n in notes]
    return audio, scaled


def _formant_gain(frequency_hz: np.ndarray) -> np.ndarray:
    """Amplitude of an /a/-like vowel's resonances at the given frequencies."""
    gain = np.zeros_like(frequency_hz)
    for centre_hz, bandwidth_hz, level in ((700, 130, 1.0), (1220, 150, 0.5), (2600, 250, 0.25)):
        gain += level / (1.0 + ((frequency_hz - centre_hz) / bandwidth_hz) ** 2)
    return gain + 0.02


def voice_take(melody: Melody, offset_cents: float, vibrato_cents: float, semitones: int = 0,
               seed: int = 0, sample_rate_hz: int = SAMPLE_RATE_HZ,
               glide_s: float = 0.09) -> tuple[np.ndarray, list[TruthNote]]:
    """A sung-like take: formant vowel, vibrato, glides between notes, constant tuning offset.

    Consecutive different notes are joined legato by a raised-cosine glide of glide_s centred on
    the written boundary; repeated notes and rests get an amplitude dip or silence. Vibrato
    (5-6 Hz, peak depth vibrato_cents) fades in over 0.3 s after each onset; the whole take is
    offset_cents off A440 equal temperament.
    """
    rng = np.random.default_rng(seed)
    beat_s = 60.0 / melody.tempo_bpm
    n_total = int((LEAD_IN_S + sum(b for _, b in melody.events) * beat_s + 0.5) * sample_rate_hz)
    t = np.arange(n_total) / sample_rate_hz
    pitch = np.full(n_total, np.nan)          # target MIDI (without offset), NaN in rests
    amplitude = np.zeros(n_total)
    vibrato_env = np.zeros(n_total)
    notes: list[TruthNote] = []
    onset = LEAD_IN_S
    previous: int | None = None
    for midi, beats in melody.events:
        end = onset + beats * beat_s
        i0, i1 = int(onset * sample_rate_hz), int(end * sample_rate_hz)
        if midi is None:
            previous = None
        else:
            midi = midi + semitones
            notes.append(TruthNote(onset, end, midi))
            pitch[i0:i1] = midi
            local = t[i0:i1] - onset
            vibrato_env[i0:i1] = np.clip((local - 0.15) / 0.3, 0.0, 1.0)
            env = np.ones(i1 - i0)
            attack = int(0.04 * sample_rate_hz)
            if previous is None or previous == midi:   # fresh attack after a rest or repeat
                env[:attack] = np.linspace(0.0, 1.0, attack) if previous is None else \
                    np.linspace(0.15, 1.0, attack)
            amplitude[i0:i1] = env
            previous = midi
        onset = end
    # Releases: fade out the last 60 ms before a rest / the end, dip before repeated notes.
    release = int(0.06 * sample_rate_hz)
    for k, note in enumerate(notes):
        i1 = int(note.end_s * sample_rate_hz)
        follows = notes[k + 1] if k + 1 < len(notes) else None
        joined = follows is not None and abs(follows.onset_s - note.end_s) < 1e-9
        if not joined:
            amplitude[i1 - release:i1] *= np.linspace(1.0, 0.0, release)
        elif follows.midi == note.midi:
            amplitude[i1 - release:i1] *= np.linspace(1.0, 0.15, release)
    # Glides: smooth the step between joined notes with a raised cosine centred on the boundary.
    half = int(glide_s / 2 * sample_rate_hz)
    contour = pitch.copy()
    for a, b in zip(notes, notes[1:]):
        if abs(b.onset_s - a.end_s) < 1e-9 and a.midi != b.midi:
            ib = int(b.onset_s * sample_rate_hz)
            ramp = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, 2 * half))
            contour[ib - half:ib + half] = a.midi + (b.midi - a.midi) * ramp
    rate_hz = 5.5 + 0.4 * np.sin(2 * np.pi * 0.3 * t + rng.uniform(0, 6.3))
    vibrato = vibrato_cents / 100.0 * vibrato_env * np.sin(2 * np.pi * np.cumsum(rate_hz)
                                                           / sample_rate_hz)
    drift = 0.04 * np.sin(2 * np.pi * 0.2 * t + rng.uniform(0, 6.3))   # +-4 cents, zero mean
    contour = np.where(np.isfinite(contour), contour, 60.0)   # silent in rests anyway
    frequency = midi_to_hz(contour + vibrato + drift + offset_cents / 100.0)
    phase = 2 * np.pi * np.cumsum(frequency) / sample_rate_hz
    audio = np.zeros(n_total)
    for k in range(1, 40):
        partial_hz = k * frequency
        audible = partial_hz < 0.45 * sample_rate_hz
        audio += np.where(audible, _formant_gain(partial_hz) / k ** 0.5, 0.0) * np.sin(k * phase)
    audio *= amplitude
    audio += rng.normal(0.0, 0.003, n_total) * (0.3 + amplitude)   # breath noise
    audio *= 0.4 / np.max(np.abs(audio))
    return audio.astype(np.float32), notes


@lru_cache(maxsize=1)
def takes() -> tuple[Take, ...]:
    """The whole evaluation set (rendered once per process)."""
    out = []
    for melody in MELODIES:
        for label, program, semitones, offset in INSTRUMENTS:
            audio, notes = render_instrument(melody, program, semitones, offset)
            out.append(Take(f"{melody.name}/{label}", label, audio, SAMPLE_RATE_HZ,
                            tuple(notes), offset, melody.tempo_bpm))
    for k, (label, index, offset, vibrato, semitones) in enumerate(VOICES):
        melody = MELODIES[index]
        audio, notes = voice_take(melody, offset, vibrato, semitones, seed=k)
        out.append(Take(f"{melody.name}/{label}", "synth voice", audio, SAMPLE_RATE_HZ,
                        tuple(notes), offset, melody.tempo_bpm))
    return tuple(out)


# --- independent truth for the tuning offset ---------------------------------------------------

def measured_tuning_cents(take: Take) -> tuple[float, float]:
    """(median, spread) over notes of the audio's tuning, measured without SPICE.

    Each note of 0.3 s or more is windowed (Hann, from 0.1 s after its onset to 0.05 s before
    its end) and zero-padded to 2^18 points; the strongest of its first four harmonics within
    +-70 cents of the expected frequency is located by parabolic interpolation. The spread is
    the median absolute deviation of the per-note values: sampled instruments whose notes come
    from differently tuned samples have a large spread, and then no single offset is true.
    """
    sr = take.sample_rate_hz
    n_fft = 1 << 18
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    values = []
    for note in take.notes:
        if note.end_s - note.onset_s < 0.3:
            continue
        audio = take.audio[int((note.onset_s + 0.1) * sr):int((note.end_s - 0.05) * sr)]
        spectrum = np.abs(np.fft.rfft(audio * np.hanning(audio.size), n_fft))
        expected = midi_to_hz(note.midi)
        best = None
        for k in range(1, 5):
            band = np.flatnonzero((freqs > k * expected * 2 ** (-0.7 / 12))
                                  & (freqs < k * expected * 2 ** (0.7 / 12)))
            i = int(band[np.argmax(spectrum[band])])
            y0, y1, y2 = np.log(spectrum[i - 1:i + 2] + 1e-12)
            peak_hz = (i + 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)) * sr / n_fft / k
            if best is None or spectrum[i] > best[0]:
                best = (spectrum[i], peak_hz)
        values.append(1200.0 * math.log2(best[1] / expected))
    values = np.array(values)
    median = float(np.median(values))
    return median, float(np.median(np.abs(values - median)))


MAX_TRUTH_SPREAD_CENTS = 3.0


_TRUTH: dict[str, float | None] = {}


def offset_truth(take: Take) -> float | None:
    """The true tuning offset of a take, or None where its notes disagree (see above)."""
    if take.source == "synth voice":
        return take.offset_cents          # synthesised: exact
    if take.name not in _TRUTH:
        median, spread = measured_tuning_cents(take)
        _TRUTH[take.name] = median if spread <= MAX_TRUTH_SPREAD_CENTS else None
    return _TRUTH[take.name]


# --- scoring -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Config:
    """One way of transcribing, as compared in the table."""

    label: str
    method: str = "segments"
    use_audio: bool = True


CONFIGS = (
    Config("pitchlive (track + audio onsets)"),
    Config("pitchlive (track only)", use_audio=False),
    # The notebook searches the eighth-note length; here it is told the true one (+-5%), its
    # most favourable case: left to search 0.1-1.3 s it always picks the shortest groups.
    Config("notebook method, told the true eighth-note length", method="notebook"),
)


@dataclass(frozen=True)
class Result:
    """Scores of one transcription of one take."""

    take: Take
    config: Config
    n_ref: int
    n_est: int
    n_matched: int            # onset within 50 ms and pitch within 50 cents (mir_eval)
    n_matched_score: int      # the same with onsets read from the quantised score
    offset_cents: float
    tempo_bpm: float

    @property
    def f_measure(self) -> float:
        """Note F-measure on onset and pitch."""
        return f_measure(self.n_matched, self.n_ref, self.n_est)


def f_measure(matched: int, n_ref: int, n_est: int) -> float:
    """F-measure from match counts (0 when either side is empty)."""
    if not matched:
        return 0.0
    precision, recall = matched / n_est, matched / n_ref
    return 2 * precision * recall / (precision + recall)


def pooled_f(results: list[Result]) -> float:
    """F-measure over all notes of several takes together."""
    return f_measure(sum(r.n_matched for r in results), sum(r.n_ref for r in results),
                     sum(r.n_est for r in results))


def count_matches(truth: tuple[TruthNote, ...], onsets_s: list[float], ends_s: list[float],
                  midis: list[int]) -> int:
    """Notes matched by mir_eval.transcription (onset +-50 ms, pitch +-50 cents, no offsets)."""
    import mir_eval

    if not midis or not truth:
        return 0
    ref_intervals = np.array([[n.onset_s, n.end_s] for n in truth])
    ref_pitches = midi_to_hz(np.array([n.midi for n in truth], dtype=float))
    est_intervals = np.array([[a, max(b, a + 1e-3)] for a, b in zip(onsets_s, ends_s)])
    est_pitches = midi_to_hz(np.array(midis, dtype=float))
    matches = mir_eval.transcription.match_notes(
        ref_intervals, ref_pitches, est_intervals, est_pitches,
        onset_tolerance=ONSET_TOLERANCE_S, pitch_tolerance=50.0, offset_ratio=None)
    return len(matches)


def score(take: Take, track, config: Config) -> Result:
    """Transcribe one analysed take with one configuration and score it."""
    from pitchlive.settings import Settings
    from pitchlive.tracking.transcription import TranscriptionOptions, transcribe

    options = TranscriptionOptions(method=config.method, use_audio=config.use_audio)
    if config.method == "notebook":
        eighth_s = 30.0 / take.tempo_bpm
        options = options.replace(notebook_min_group_s=0.95 * eighth_s,
                                  notebook_max_group_s=1.05 * eighth_s)
    transcription = transcribe(track, Settings(), options, audio_16k=take.audio)
    notes = transcription.notes
    beat_s = 60.0 / transcription.tempo_bpm
    matched = count_matches(take.notes, [n.onset_s for n in notes], [n.end_s for n in notes],
                            [n.midi for n in notes])
    score_onsets = [transcription.score_start_s + n.start_beats * beat_s for n in notes]
    score_ends = [transcription.score_start_s + n.end_beats * beat_s for n in notes]
    matched_score = count_matches(take.notes, score_onsets, score_ends, [n.midi for n in notes])
    return Result(take, config, len(take.notes), len(notes), matched, matched_score,
                  transcription.offset.offset_cents, transcription.tempo_bpm)


def load_model():
    """SPICE from $PITCHLIVE_MODEL (the benchmark needs a local copy)."""
    from pitchlive.model import load_model as load
    from pitchlive.settings import Settings

    return load(Settings())


def evaluate(model, configs: tuple[Config, ...] = CONFIGS) -> list[Result]:
    """Analyse every take once and score it with every configuration."""
    from pitchlive.analysis.inference import predict

    results = []
    for take in takes():
        track = predict(take.audio, take.sample_rate_hz, model)
        results.extend(score(take, track, config) for config in configs)
    return results


def tempo_ok(result: Result, tolerance: float = 0.04) -> bool:
    """True when the estimated tempo is within tolerance of the truth."""
    return abs(result.tempo_bpm / result.take.tempo_bpm - 1.0) <= tolerance


def print_tables(results: list[Result]) -> None:
    """Per-take, per-source and overall tables in Markdown."""
    main = [r for r in results if r.config == CONFIGS[0]]
    by_config = {c: [r for r in results if r.config == c] for c in CONFIGS}
    print("### Per take\n")
    print("| take | F | F, track only | F, notebook | F, score timing | notes (found/true) | "
          "tempo BPM (true) | offset cents | true offset |")
    print("|---|---|---|---|---|---|---|---|---|")
    for k, r in enumerate(main):
        others = [by_config[c][k] for c in CONFIGS[1:]]
        truth = offset_truth(r.take)
        truth_text = "unknown (samples disagree)" if truth is None else f"{truth:+.1f}"
        print(f"| {r.take.name} | {r.f_measure:.2f} | {others[0].f_measure:.2f} | "
              f"{others[1].f_measure:.2f} | "
              f"{f_measure(r.n_matched_score, r.n_ref, r.n_est):.2f} | {r.n_est}/{r.n_ref} | "
              f"{r.tempo_bpm:.1f} ({r.take.tempo_bpm:.0f}) | {r.offset_cents:+.1f} | "
              f"{truth_text} |")
    print("\n### Per instrument (three melodies pooled)\n")
    print("| source | F | F, track only | F, notebook |")
    print("|---|---|---|---|")
    for source in dict.fromkeys(r.take.source for r in main):
        cells = [pooled_f([r for r in by_config[c] if r.take.source == source]) for c in CONFIGS]
        print(f"| {source} | " + " | ".join(f"{f:.2f}" for f in cells) + " |")
    print("\n### Overall\n")
    print("| method | note F-measure (onset 50 ms + pitch 50 cents), all notes pooled | "
          "mean of per-take F | takes with tempo within 4% |")
    print("|---|---|---|---|")
    for config in CONFIGS:
        rs = by_config[config]
        print(f"| {config.label} | {pooled_f(rs):.3f} | "
              f"{np.mean([r.f_measure for r in rs]):.3f} | "
              f"{sum(tempo_ok(r) for r in rs)}/{len(rs)} |")
    errors = [(r.take.name, r.offset_cents - offset_truth(r.take)) for r in main
              if offset_truth(r.take) is not None]
    worst = max(errors, key=lambda e: abs(e[1]))
    print(f"\nTuning offset: {len(errors)} takes with a known truth, largest error "
          f"{worst[1]:+.1f} cents ({worst[0]}); mean absolute error "
          f"{np.mean([abs(e) for _, e in errors]):.1f} cents.")
    plain = [(r.take.name, r.offset_cents - offset_truth(r.take)) for r in by_config[CONFIGS[2]]
             if offset_truth(r.take) is not None]
    worst_plain = max(plain, key=lambda e: abs(e[1]))
    print(f"The notebook's plain mean on the same takes: largest error {worst_plain[1]:+.1f} "
          f"cents ({worst_plain[0]}); mean absolute error "
          f"{np.mean([abs(e) for _, e in plain]):.1f} cents.")
    matched = sum(r.n_matched_score for r in main)
    n_ref, n_est = sum(r.n_ref for r in main), sum(r.n_est for r in main)
    print(f"Score timing: with onsets read back from the quantised score (the tempo grid) "
          f"instead of the measured times, {matched} of {n_ref} true notes match "
          f"(F {f_measure(matched, n_ref, n_est):.3f}).")


def save_figure(path: Path, model, take_name: str = "ode/synth voice -30c") -> None:
    """A picture of one take: confident pitch frames, transcribed notes as bars, true notes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pitchlive.analysis.inference import predict
    from pitchlive.music import hz_to_midi, note_name
    from pitchlive.settings import Settings
    from pitchlive.tracking.transcription import transcribe

    take = next(t for t in takes() if t.name == take_name)
    track = predict(take.audio, take.sample_rate_hz, model)
    transcription = transcribe(track, Settings(), audio_16k=take.audio)
    shift = transcription.grid_offset_cents / 100.0
    voiced = track.confidence >= 0.9
    fig, ax = plt.subplots(figsize=(11, 4.2), dpi=110)
    for note in take.notes:
        ax.add_patch(plt.Rectangle((note.onset_s, note.midi - 0.45), note.end_s - note.onset_s,
                                   0.9, fill=False, edgecolor="0.55", linewidth=0.8, ls="--"))
    for note in transcription.notes:
        ax.add_patch(plt.Rectangle((note.onset_s, note.midi + shift - 0.35), note.duration_s,
                                   0.7, color="tab:orange", alpha=0.55, linewidth=0))
        ax.text(note.onset_s + 0.02, note.midi + shift + 0.45, note.name, fontsize=7)
    ax.plot(track.times_s[voiced], hz_to_midi(track.frequency_hz[voiced]), ".", ms=2.5,
            color="tab:blue", label="SPICE pitch (confidence >= 0.9)")
    ax.plot([], [], color="tab:orange", lw=6, alpha=0.55,
            label=f"transcribed notes (grid {transcription.grid_offset_cents:+.0f} cents)")
    ax.plot([], [], color="0.55", ls="--", lw=0.8, label="true notes")
    lo = min(n.midi for n in take.notes) - 2
    hi = max(n.midi for n in take.notes) + 2
    ax.set_ylim(lo, hi)
    ax.set_yticks(range(lo, hi + 1))
    ax.set_yticklabels([note_name(m) for m in range(lo, hi + 1)], fontsize=7)
    ax.set_xlim(0, take.audio.size / take.sample_rate_hz)
    ax.set_xlabel("time (s)")
    ax.set_title(f"{take_name}: {transcription.summary()}", fontsize=9)
    ax.grid(axis="y", color="0.92")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=8,
              frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> int:
    """Print the tables (and save the figure when asked)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--figure", type=Path, metavar="OUT.png",
                        help="also save a picture of one take: pitch, notes and truth")
    parser.add_argument("--write-takes", type=Path, metavar="DIR",
                        help="also save every take as WAV with its truth as CSV")
    args = parser.parse_args()
    if not os.environ.get("PITCHLIVE_MODEL"):
        print("Set PITCHLIVE_MODEL to a local SPICE SavedModel folder "
              "(e.g. ../shared/models/spice_1_savedmodel).", file=sys.stderr)
        return 2
    model = load_model()
    print(f"SPICE {model.info.version} from {model.info.source}; {len(takes())} takes\n")
    print_tables(evaluate(model))
    if args.figure:
        save_figure(args.figure, model)
        print(f"\nfigure: {args.figure}")
    if args.write_takes:
        from synth import write_wav

        args.write_takes.mkdir(parents=True, exist_ok=True)
        for take in takes():
            stem = take.name.replace("/", "-").replace(" ", "_")
            write_wav(args.write_takes / f"{stem}.wav", take.audio, take.sample_rate_hz)
            (args.write_takes / f"{stem}.truth.csv").write_text(
                "onset_s,end_s,midi\n" + "".join(f"{n.onset_s:.4f},{n.end_s:.4f},{n.midi}\n"
                                                 for n in take.notes))
        print(f"takes: {args.write_takes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
