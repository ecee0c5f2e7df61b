"""Test audio made with our own tools: harmonic tones and MIDI melodies rendered by fluidsynth."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

SOUNDFONT_CANDIDATES = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
)

# General MIDI programs (0-based) used across the tests.
PROGRAM_FLUTE = 73
PROGRAM_VOICE_OOHS = 53
PROGRAM_CHOIR_AAHS = 52
PROGRAM_VIOLIN = 40
PROGRAM_CLARINET = 71
PROGRAM_NYLON_GUITAR = 24


@dataclass(frozen=True)
class Note:
    """Ground-truth note: onset and duration in seconds, MIDI number."""

    start_s: float
    duration_s: float
    midi: int

    @property
    def end_s(self) -> float:
        """Offset time in seconds."""
        return self.start_s + self.duration_s


def find_soundfont() -> Path | None:
    """The first General MIDI soundfont found on this machine."""
    for candidate in SOUNDFONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def harmonic_tone(frequency_hz: float, duration_s: float, sample_rate_hz: int = 16000,
                  n_harmonics: int = 6, amplitude: float = 0.5, vibrato_cents: float = 0.0,
                  vibrato_hz: float = 5.5) -> np.ndarray:
    """A tone with decaying harmonics (1/k), shape (n,), float32; optional sinusoidal vibrato."""
    n = int(round(duration_s * sample_rate_hz))
    t = np.arange(n) / sample_rate_hz
    inst_hz = frequency_hz * 2.0 ** (vibrato_cents / 1200.0 * np.sin(2 * np.pi * vibrato_hz * t))
    phase = 2 * np.pi * np.cumsum(inst_hz) / sample_rate_hz
    nyquist = sample_rate_hz / 2
    out = np.zeros(n)
    for k in range(1, n_harmonics + 1):
        if k * frequency_hz < nyquist * 0.95:
            out += np.sin(k * phase) / k
    out *= amplitude / max(np.max(np.abs(out)), 1e-9)
    ramp = min(n // 2, int(0.01 * sample_rate_hz))
    if ramp:
        fade = np.linspace(0.0, 1.0, ramp)
        out[:ramp] *= fade
        out[-ramp:] *= fade[::-1]
    return out.astype(np.float32)


def melody_notes(midis: list[int], note_s: float = 0.5, gap_s: float = 0.05,
                 start_s: float = 0.3) -> list[Note]:
    """Consecutive notes of equal length separated by short gaps."""
    notes, t = [], start_s
    for m in midis:
        notes.append(Note(t, note_s - gap_s, m))
        t += note_s
    return notes


def write_midi(notes: list[Note], path: Path, program: int, tempo_bpm: float = 120.0) -> None:
    """A one-track standard MIDI file of notes on channel 0 with a GM program."""
    import mido

    ticks_per_beat = 480
    seconds_per_tick = 60.0 / tempo_bpm / ticks_per_beat
    events = []
    for note in notes:
        events.append((round(note.start_s / seconds_per_tick), 1, note.midi))
        events.append((round(note.end_s / seconds_per_tick), 0, note.midi))
    events.sort(key=lambda e: (e[0], e[1]))
    midi = mido.MidiFile(ticks_per_beat=ticks_per_beat)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(tempo_bpm), time=0))
    track.append(mido.Message("program_change", program=program, channel=0, time=0))
    now = 0
    for tick, on, pitch in events:
        kind = "note_on" if on else "note_off"
        track.append(mido.Message(kind, note=pitch, velocity=100 if on else 0, time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=480))
    midi.save(str(path))


def render_midi(notes: list[Note], program: int, sample_rate_hz: int = 16000,
                soundfont: Path | None = None) -> np.ndarray:
    """Render notes with a sampled GM instrument (reverb and chorus off), mono float32 (n,)."""
    soundfont = soundfont or find_soundfont()
    if soundfont is None or shutil.which("fluidsynth") is None:
        raise RuntimeError("fluidsynth and a GM soundfont are needed to render MIDI")
    with tempfile.TemporaryDirectory() as tmp:
        mid, wav = Path(tmp) / "m.mid", Path(tmp) / "m.wav"
        write_midi(notes, mid, program)
        subprocess.run(["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "0.8",
                        "-r", str(sample_rate_hz), "-F", str(wav), str(soundfont), str(mid)],
                       check=True, capture_output=True, timeout=120)
        audio, rate = sf.read(str(wav), dtype="float32", always_2d=True)
    assert rate == sample_rate_hz
    return audio.mean(axis=1)


def write_wav(path: Path, audio: np.ndarray, sample_rate_hz: int, subtype: str = "FLOAT") -> Path:
    """Write audio (n,) or (n, channels) to a WAV file and return the path."""
    sf.write(str(path), audio, sample_rate_hz, subtype=subtype)
    return path


def truth_at(notes: list[Note], times_s: np.ndarray) -> np.ndarray:
    """MIDI truth at each time (NaN between notes), shape like times_s."""
    truth = np.full(np.shape(times_s), np.nan)
    for note in notes:
        truth[(times_s >= note.start_s) & (times_s < note.end_s)] = note.midi
    return truth


def _vowel_gain(frequency_hz: float) -> float:
    """A sung "ah"'s spectral envelope at frequency_hz: three formant resonances over a floor."""
    gain = 0.02
    for formant_hz, bandwidth_hz, height in ((700, 110, 1.0), (1220, 120, 0.5), (2600, 160, 0.25)):
        gain += height / (1.0 + ((frequency_hz - formant_hz) / (bandwidth_hz / 2)) ** 2)
    return gain


def exact_tone(frequency_hz: float, duration_s: float, timbre: str = "saw",
               sample_rate_hz: int = 16000, vibrato_cents: float = 0.0,
               vibrato_hz: float = 5.5, amplitude: float = 0.5) -> np.ndarray:
    """A band-limited tone of exactly frequency_hz (its centre, with vibrato), float32 (n,).

    timbre: "saw" (every harmonic, 1/k) or "odd" (odd harmonics only, 1/k: clarinet-like, the
    fundamental's octave is missing) or "vowel" (a sung "ah": 1/k through formants at 700, 1220
    and 2600 Hz, as bench/accuracy_corpus.py makes it). Every harmonic below 0.45 of the rate;
    20 ms fades.
    """
    n = int(round(duration_s * sample_rate_hz))
    t = np.arange(n) / sample_rate_hz
    inst_hz = frequency_hz * 2.0 ** (vibrato_cents / 1200.0 * np.sin(2 * np.pi * vibrato_hz * t))
    phase = 2 * np.pi * np.cumsum(inst_hz) / sample_rate_hz
    top_hz = frequency_hz * 2.0 ** (abs(vibrato_cents) / 1200.0)
    out = np.zeros(n)
    for k in range(1, int(0.45 * sample_rate_hz / top_hz) + 1):
        if timbre == "vowel":
            out += _vowel_gain(k * frequency_hz) * np.sin(k * phase) / k
        elif timbre == "saw" or k % 2:
            out += np.sin(k * phase) / k
    out *= amplitude / max(float(np.max(np.abs(out))), 1e-12)
    ramp = int(0.02 * sample_rate_hz)
    fade = np.linspace(0.0, 1.0, ramp)
    out[:ramp] *= fade
    out[-ramp:] *= fade[::-1]
    return out.astype(np.float32)
