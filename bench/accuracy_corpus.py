"""The accuracy corpus: made here from our own tools, with exact or MIDI truth, cached in bench/out.

Three kinds of take, all at 16 kHz mono:
- ``gm``: melodies rendered by fluidsynth with 17 General MIDI instruments and voices, from
  electric bass and tuba (E1) to flute, piccolo and whistle (C7), several with vibrato and glides
  written as pitch bends (so the truth follows them). Truth: MIDI note + bend between note-on and
  note-off, the bend held step-wise from one pitchwheel message to the next as the synth plays it;
- ``exact``: synthetic notes whose f0 is known to the sample, E1..C7 every 5 semitones, in three
  timbres (saw-like, odd harmonics only, a sung "ah" with formants), steady and with 5.5 Hz
  vibrato of +-40 cents;
- ``room``: some of the above convolved with a synthetic room (exponentially decaying noise,
  RT60 0.6 s).

``condition(take, snr_db)`` adds pink noise at an SNR measured over the voiced part.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

SAMPLE_RATE_HZ = 16_000
HOP_S = 512 / SAMPLE_RATE_HZ
CACHE_DIR = ROOT / "bench" / "out" / "accuracy_corpus"
CORPUS_VERSION = 4                                   # 4: bends no longer overlap
PITCH_BEND_RANGE_SEMITONES = 2.0
EXACT_MIDIS = tuple(range(28, 97, 5)) + (96,)        # E1 ... C7
VIBRATO_RATE_HZ = 5.5
VIBRATO_WIDTH_CENTS = 40.0
SNRS_DB = (None, 20.0, 10.0, 0.0)                    # None = clean

# (name, GM program, lowest MIDI, highest MIDI, vibrato cents, glides)
INSTRUMENTS = (
    ("electric bass", 33, 28, 45, 0.0, False),
    ("tuba", 58, 28, 50, 0.0, False),
    ("bassoon", 70, 34, 58, 0.0, False),
    ("cello", 42, 36, 60, 25.0, True),
    ("trombone", 57, 40, 65, 0.0, True),
    ("choir aahs low", 52, 40, 55, 0.0, False),
    ("voice oohs male", 53, 45, 62, 30.0, True),
    ("nylon guitar", 24, 40, 69, 0.0, False),
    ("piano", 0, 33, 84, 0.0, False),
    ("clarinet", 71, 50, 77, 0.0, False),
    ("alto sax", 65, 49, 75, 20.0, False),
    ("trumpet", 56, 55, 77, 0.0, True),
    ("voice oohs soprano", 53, 67, 84, 40.0, True),
    ("violin E string", 40, 76, 93, 30.0, True),
    ("flute high", 73, 79, 96, 20.0, False),
    ("piccolo", 72, 84, 96, 0.0, False),
    ("whistle", 78, 84, 96, 0.0, True),
)
ROOM_TAKES = ("cello", "voice oohs male", "clarinet", "voice oohs soprano", "flute high",
              "electric bass")


@dataclass(frozen=True)
class Take:
    """One corpus item: audio (n,) float32 at 16 kHz and its f0 truth on the 32 ms frame grid.

    truth_hz has shape (n_frames,): f0 at times k * HOP_S, 0 where nothing is pitched.
    """

    name: str
    kind: str                 # 'gm' | 'exact' | 'room'
    audio: np.ndarray
    truth_hz: np.ndarray
    steady: np.ndarray        # (n_frames,) bool: inside a steady exact note, away from its ends
    vibrato: np.ndarray       # (n_frames,) bool: inside a vibrato exact note, away from its ends
    centre_hz: np.ndarray     # (n_frames,) the vibrato centre (= truth for steady notes), 0 else

    @property
    def times_s(self) -> np.ndarray:
        """Frame times (n_frames,) in seconds."""
        return np.arange(self.truth_hz.size) * HOP_S


def midi_hz(midi) -> np.ndarray:
    """Equal-tempered frequency in Hz of MIDI numbers (A4 = 440 Hz)."""
    return 440.0 * 2.0 ** ((np.asarray(midi, np.float64) - 69.0) / 12.0)


def _frames_for(n_samples: int) -> int:
    return n_samples // 512 + 1


# -- General MIDI melodies -----------------------------------------------------------------------

def _melody(rng: np.random.Generator, low: int, high: int, n_notes: int = 12):
    """[(start_s, duration_s, midi)] with small gaps; steps of at most a sixth, like a tune."""
    notes, t, midi = [], 0.3, int(rng.integers(low, high + 1))
    for _ in range(n_notes):
        duration = float(rng.choice([0.3, 0.45, 0.6]))
        notes.append((t, duration - 0.05, midi))
        t += duration
        midi = int(np.clip(midi + rng.integers(-9, 10), low, high))
    return notes


def _bend_curve(notes, vibrato_cents: float, glides: bool, rng) -> list[tuple[float, float]]:
    """[(time_s, semitones)] pitch-bend points every 10 ms over each note, in time order.

    A note's points run 0.2 s past its end (its release keeps the curve) but stop where the next
    note starts: the pitchwheel is one channel-wide control, so points of two notes interleaved
    in time would make the wheel flip between their curves every 10 ms.
    """
    points = []
    for i, (start, duration, midi) in enumerate(notes):
        glide_from = 0.0
        if glides and i and rng.random() < 0.5:
            # Slide in from the previous note's pitch (clamped to the bend range).
            glide_from = float(np.clip(notes[i - 1][2] - midi, -PITCH_BEND_RANGE_SEMITONES,
                                       PITCH_BEND_RANGE_SEMITONES))
        stop = duration + 0.2
        if i + 1 < len(notes):
            stop = min(stop, notes[i + 1][0] - start)
        for t in np.arange(0.0, stop - 1e-9, 0.01):
            bend = glide_from * max(0.0, 1.0 - t / 0.12)
            if vibrato_cents and t > 0.15:
                bend += vibrato_cents / 100.0 * np.sin(2 * np.pi * VIBRATO_RATE_HZ * (t - 0.15))
            points.append((start + t, bend))
    return points


_TICKS_PER_BEAT = 480
_S_PER_TICK = 0.5 / _TICKS_PER_BEAT          # at 120 bpm


def _bend_events(bends) -> list[tuple[int, int]]:
    """[(tick, pitchwheel value)]: the bend points as the MIDI file holds them."""
    return [(round(t / _S_PER_TICK),
             int(np.clip(round(semitones / PITCH_BEND_RANGE_SEMITONES * 8192), -8192, 8191)))
            for t, semitones in bends]


def _gm_truth(notes, bends, times: np.ndarray) -> np.ndarray:
    """f0 truth (Hz) at `times` for a bent melody, 0 outside its notes.

    Follows what the synthesiser plays: the pitchwheel holds each written value (tick-rounded
    time, 14-bit value) until the next one, so the truth is that step function, not an
    interpolation of the bend points.
    """
    events = _bend_events(bends)
    tick_t = np.array([tick for tick, _ in events], np.float64) * _S_PER_TICK
    value = np.array([v for _, v in events], np.float64) / 8192 * PITCH_BEND_RANGE_SEMITONES
    order = np.argsort(tick_t, kind="stable")
    tick_t, value = tick_t[order], value[order]
    truth = np.zeros(times.size)
    for start, duration, midi in notes:
        inside = (times >= start) & (times < start + duration)
        # The last bend written at or before each frame (pitchwheel holds until the next one).
        idx = np.searchsorted(tick_t, times[inside], side="right") - 1
        truth[inside] = midi_hz(midi + np.where(idx >= 0, value[np.clip(idx, 0, None)], 0.0))
    return truth


def _write_bent_midi(notes, bends, path: Path, program: int) -> None:
    import mido

    tpb, tempo = _TICKS_PER_BEAT, mido.bpm2tempo(120)
    events = []
    for start, duration, midi in notes:
        events.append((round(start / _S_PER_TICK), 2, "note_on", midi))
        events.append((round((start + duration) / _S_PER_TICK), 0, "note_off", midi))
    for tick, value in _bend_events(bends):
        events.append((tick, 1, "pitchwheel", value))
    events.sort(key=lambda e: (e[0], e[1]))
    mid = mido.MidiFile(ticks_per_beat=tpb)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=tempo, time=0))
    track.append(mido.Message("program_change", program=program, channel=0, time=0))
    now = 0
    for tick, _, kind, value in events:
        if kind == "pitchwheel":
            msg = mido.Message("pitchwheel", pitch=value, channel=0, time=tick - now)
        else:
            msg = mido.Message(kind, note=value, velocity=100 if kind == "note_on" else 0,
                               channel=0, time=tick - now)
        track.append(msg)
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=480))
    mid.save(str(path))


def _render_gm(name: str, program: int, low: int, high: int, vibrato_cents: float,
               glides: bool, seed: int) -> Take:
    import shutil
    import subprocess

    import soundfile as sf
    from synth import find_soundfont

    soundfont = find_soundfont()
    if soundfont is None or shutil.which("fluidsynth") is None:
        raise RuntimeError("fluidsynth and a GM soundfont are needed (Debian: fluidsynth "
                           "fluid-soundfont-gm)")
    rng = np.random.default_rng(seed)
    notes = _melody(rng, low, high)
    bends = _bend_curve(notes, vibrato_cents, glides, rng)
    with tempfile.TemporaryDirectory() as tmp:
        mid, wav = Path(tmp) / "m.mid", Path(tmp) / "m.wav"
        _write_bent_midi(notes, bends, mid, program)
        subprocess.run(["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "0.8",
                        "-r", str(SAMPLE_RATE_HZ), "-F", str(wav), str(soundfont), str(mid)],
                       check=True, capture_output=True, timeout=120)
        audio, _ = sf.read(str(wav), dtype="float32", always_2d=True)
    audio = audio.mean(axis=1)
    audio = (0.5 * audio / max(float(np.max(np.abs(audio))), 1e-9)).astype(np.float32)
    times = np.arange(_frames_for(audio.size)) * HOP_S
    truth = _gm_truth(notes, bends, times)
    empty = np.zeros(times.size, bool)
    return Take(name, "gm", audio, truth, empty, empty.copy(), np.zeros(times.size))


# -- exact synthetic notes -----------------------------------------------------------------------

def _harmonic_amplitudes(timbre: str, f0_hz: float, n: int) -> np.ndarray:
    k = np.arange(1, n + 1, dtype=np.float64)
    if timbre == "saw":
        return 1.0 / k
    if timbre == "odd":
        return np.where(k % 2 == 1, 1.0 / k, 0.0)
    # A sung "ah": a glottal source falling 12 dB/octave through three formant resonances.
    freq = k * f0_hz
    envelope = np.zeros_like(freq)
    for formant_hz, bandwidth_hz, gain in ((700, 110, 1.0), (1220, 120, 0.5), (2600, 160, 0.25)):
        envelope += gain / (1.0 + ((freq - formant_hz) / (bandwidth_hz / 2)) ** 2)
    return (0.02 + envelope) / k


def exact_note(timbre: str, f0_hz: float, duration_s: float, vibrato_cents: float = 0.0,
               rate_hz: int = SAMPLE_RATE_HZ, phase_seed: int = 0) -> np.ndarray:
    """A band-limited note of exactly f0_hz (centre), shape (n,), float32, 20 ms fades."""
    n = int(round(duration_s * rate_hz))
    t = np.arange(n) / rate_hz
    inst = f0_hz * 2.0 ** (vibrato_cents / 1200.0 * np.sin(2 * np.pi * VIBRATO_RATE_HZ * t))
    phase = 2 * np.pi * np.cumsum(inst) / rate_hz
    n_harm = max(1, int(0.45 * rate_hz / (f0_hz * 2 ** (vibrato_cents / 1200))))
    amplitudes = _harmonic_amplitudes(timbre, f0_hz, n_harm)
    offsets = np.random.default_rng(phase_seed).uniform(0, 2 * np.pi, n_harm)
    out = np.zeros(n)
    for k in range(1, n_harm + 1):
        if amplitudes[k - 1]:
            out += amplitudes[k - 1] * np.sin(k * phase + offsets[k - 1])
    out *= 0.5 / max(float(np.max(np.abs(out))), 1e-12)
    ramp = int(0.02 * rate_hz)
    fade = np.linspace(0.0, 1.0, ramp)
    out[:ramp] *= fade
    out[-ramp:] *= fade[::-1]
    return out.astype(np.float32)


def _exact_take(timbre: str, vibrato: bool, note_s: float = 0.8, gap_s: float = 0.25) -> Take:
    width = VIBRATO_WIDTH_CENTS if vibrato else 0.0
    pieces, spans = [np.zeros(int(0.3 * SAMPLE_RATE_HZ), np.float32)], []
    t = 0.3
    for i, midi in enumerate(EXACT_MIDIS):
        f0 = float(midi_hz(midi))
        pieces.append(exact_note(timbre, f0, note_s, width, phase_seed=i))
        spans.append((t, f0))
        t += note_s
        pieces.append(np.zeros(int(gap_s * SAMPLE_RATE_HZ), np.float32))
        t += gap_s
    audio = np.concatenate(pieces)
    times = np.arange(_frames_for(audio.size)) * HOP_S
    truth, centre = np.zeros(times.size), np.zeros(times.size)
    steady, vib = np.zeros(times.size, bool), np.zeros(times.size, bool)
    for start, f0 in spans:
        local = times - start
        inside = (local >= 0) & (local < note_s)
        truth[inside] = f0 * 2.0 ** (width / 1200.0 * np.sin(2 * np.pi * VIBRATO_RATE_HZ
                                                             * local[inside]))
        centre[inside] = f0
        core = (local >= 0.2) & (local < note_s - 0.1)
        (vib if vibrato else steady)[core] = True
    name = f"exact {timbre}" + (" vibrato" if vibrato else "")
    return Take(name, "exact", audio, truth, steady, vib, centre)


# -- rooms and noise -----------------------------------------------------------------------------

def room_impulse_response(rt60_s: float = 0.6, seed: int = 7) -> np.ndarray:
    """A synthetic room: a direct path then exponentially decaying noise, shape (n,) at 16 kHz."""
    rng = np.random.default_rng(seed)
    n = int(rt60_s * SAMPLE_RATE_HZ)
    t = np.arange(n) / SAMPLE_RATE_HZ
    tail = rng.standard_normal(n) * 10.0 ** (-3.0 * t / rt60_s)   # -60 dB at rt60
    tail[: int(0.005 * SAMPLE_RATE_HZ)] = 0.0                      # first reflections after 5 ms
    tail *= 0.5 / np.sqrt(np.sum(tail ** 2))                       # direct-to-reverb ratio ~6 dB
    tail[0] = 1.0
    return tail


def _room(take: Take) -> Take:
    from scipy.signal import fftconvolve

    wet = fftconvolve(take.audio, room_impulse_response())[: take.audio.size]
    wet = (0.5 * wet / np.max(np.abs(wet))).astype(np.float32)
    return Take(take.name + " (room)", "room", wet, take.truth_hz, take.steady, take.vibrato,
                take.centre_hz)


def pink_noise(n: int, seed: int) -> np.ndarray:
    """Unit-RMS noise with a 1/f power spectrum, shape (n,)."""
    spectrum = np.fft.rfft(np.random.default_rng(seed).standard_normal(n))
    f = np.arange(spectrum.size, dtype=np.float64)
    f[0] = 1.0
    noise = np.fft.irfft(spectrum / np.sqrt(f), n)
    return noise / np.sqrt(np.mean(noise ** 2))


def condition(take: Take, snr_db: float | None, seed: int = 11) -> np.ndarray:
    """The take's audio with pink noise at snr_db (over its voiced frames); None = clean."""
    if snr_db is None:
        return take.audio
    voiced = np.repeat(take.truth_hz > 0, 512)[: take.audio.size]
    signal_power = float(np.mean(take.audio[voiced] ** 2)) if voiced.any() else 1e-6
    noise = pink_noise(take.audio.size, seed) * np.sqrt(signal_power / 10 ** (snr_db / 10))
    mixed = take.audio + noise
    return (mixed / max(1.0, float(np.max(np.abs(mixed))))).astype(np.float32)


# -- the corpus ----------------------------------------------------------------------------------

def corpus_key() -> str:
    """A short hash of everything the corpus is made from (names its cache files)."""
    text = repr((CORPUS_VERSION, INSTRUMENTS, EXACT_MIDIS, ROOM_TAKES, VIBRATO_WIDTH_CENTS))
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def build() -> list[Take]:
    """Render every take (fluidsynth for the GM ones): ~2.5 min of audio."""
    takes = [_render_gm(*spec, seed=i) for i, spec in enumerate(INSTRUMENTS)]
    takes += [_exact_take(timbre, vibrato) for timbre in ("saw", "odd", "vowel")
              for vibrato in (False, True)]
    by_name = {t.name: t for t in takes}
    takes += [_room(by_name[name]) for name in ROOM_TAKES]
    return takes


def load() -> list[Take]:
    """The corpus, from bench/out's cache when it is there (built and cached otherwise)."""
    path = CACHE_DIR / f"corpus-{corpus_key()}.npz"
    if path.is_file():
        data = np.load(path, allow_pickle=False)
        names, kinds = list(data["names"]), list(data["kinds"])
        return [Take(str(names[i]), str(kinds[i]), *(data[f"{field}{i}"] for field in
                                                     ("audio", "truth", "steady", "vibrato",
                                                      "centre")))
                for i in range(len(names))]
    takes = build()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    arrays = {"names": np.array([t.name for t in takes]), "kinds": np.array([t.kind for t in takes])}
    for i, t in enumerate(takes):
        arrays.update({f"audio{i}": t.audio, f"truth{i}": t.truth_hz, f"steady{i}": t.steady,
                       f"vibrato{i}": t.vibrato, f"centre{i}": t.centre_hz})
    np.savez(path, **arrays)
    return takes


if __name__ == "__main__":
    corpus = load()
    total = sum(t.audio.size for t in corpus) / SAMPLE_RATE_HZ
    print(f"{len(corpus)} takes, {total:.0f} s of audio, cached in {CACHE_DIR}")
    for take in corpus:
        print(f"  {take.kind:5s} {take.name:32s} {take.audio.size / SAMPLE_RATE_HZ:5.1f} s")
