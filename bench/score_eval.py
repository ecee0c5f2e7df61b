"""Scoring accuracy: per-note cents and onset errors of `pitchlive score` on takes with known
detunings (-40, -15, 0, +15, +40 cents) and notes sung 100 ms late.

Takes: one melody rendered by fluidsynth with General MIDI instruments, each note detuned by
pitch bend (bend range ±2 semitones), plus a synthesised voice-like take (harmonic tones, some
notes with 25-30 cent vibrato) in a high and a low range. Each take is analysed by the real
SPICE model and scored against the melody's MIDI notes with the offset searched, as the CLI does.
Cents error: vibrato-centred offset for notes with vibrato, mean offset otherwise, minus the
truth. Onset error: measured minus true lateness (0 or 100 ms). Rendered instruments also carry
their samples' own tuning and attack, so their figures bound the whole chain, not scoring alone.

    PITCHLIVE_MODEL=../shared/models/spice_1_savedmodel .venv/bin/python bench/score_eval.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from pitchlive.music import midi_to_hz  # noqa: E402

RATE = 16000
BEAT_S = 0.5
LEAD_S = 0.6
DETUNINGS = (-40, -15, 0, 15, 40)
# (MIDI, beats, late by s, vibrato cents for the synthesised voice)
MELODY = [(67, 1, 0, 0), (69, 1, 0, 0), (71, 2, 0.1, 30), (72, 1, 0, 0), (74, 1, 0.1, 0),
          (71, 1, 0, 0), (67, 2, 0, 30), (64, 1, 0.1, 0), (66, 1, 0, 0), (67, 2, 0, 0)]
PROGRAMS = {"voice oohs": 53, "choir aahs": 52, "flute": 73, "violin": 40, "clarinet": 71,
            "trumpet": 56, "cello": 42}
LOW_PROGRAMS = {"cello": -24, "choir aahs": -12, "voice oohs": -12}   # octave shifts


def truth(melody):
    return [(DETUNINGS[i % 5], late * 1000.0, vib) for i, (_, _, late, vib) in enumerate(melody)]


def target_notes(melody, shift=0):
    from synth import Note

    notes, t = [], 0.0
    for midi, beats, _, _ in melody:
        notes.append(Note(t, beats * BEAT_S * 0.9, midi + shift))
        t += beats * BEAT_S
    return notes


def render_fluidsynth(melody, program, shift, soundfont):
    """The melody with per-note pitch bends and late starts, rendered at RATE."""
    import mido
    import soundfile as sf

    tpb, tempo = 480, mido.bpm2tempo(120)
    seconds_per_tick = 0.5 / tpb
    events = []
    t = LEAD_S
    for i, (midi, beats, late, _) in enumerate(melody):
        start, end = t + late, t + beats * BEAT_S * 0.9
        bend = int(round(DETUNINGS[i % 5] / 200.0 * 8191))
        events.append((round(start / seconds_per_tick) - 1, 0, ("pitchwheel", bend, 0)))
        events.append((round(start / seconds_per_tick), 1, ("note_on", midi + shift, 100)))
        events.append((round(end / seconds_per_tick), 0, ("note_off", midi + shift, 0)))
        t += beats * BEAT_S
    events.sort(key=lambda e: (e[0], e[1]))
    song = mido.MidiFile(ticks_per_beat=tpb)
    track = mido.MidiTrack()
    song.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=tempo, time=0))
    track.append(mido.Message("program_change", program=program, time=0))
    now = 0
    for tick, _, (kind, a, b) in events:
        if kind == "pitchwheel":
            track.append(mido.Message("pitchwheel", pitch=a, time=tick - now))
        else:
            track.append(mido.Message(kind, note=a, velocity=b, time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=480))
    with tempfile.TemporaryDirectory() as tmp:
        mid, wav = Path(tmp) / "m.mid", Path(tmp) / "m.wav"
        song.save(str(mid))
        subprocess.run(["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "0.8", "-r",
                        str(RATE), "-F", str(wav), str(soundfont), str(mid)], check=True,
                       capture_output=True, timeout=120)
        audio, _ = sf.read(str(wav), dtype="float32", always_2d=True)
    return audio.mean(axis=1)


def render_voice(melody, shift):
    from synth import harmonic_tone

    parts = [np.zeros(int(LEAD_S * RATE), np.float32)]
    for i, (midi, beats, late, vib) in enumerate(melody):
        length = beats * BEAT_S
        tone = harmonic_tone(float(midi_to_hz(midi + shift + DETUNINGS[i % 5] / 100)),
                             length * 0.9 - late, RATE, vibrato_cents=vib)
        gap = int(round(late * RATE))
        parts += [np.zeros(gap, np.float32), tone,
                  np.zeros(int(round(length * RATE)) - gap - tone.size, np.float32)]
    parts.append(np.zeros(int(0.5 * RATE), np.float32))
    return np.concatenate(parts)


def score(audio, melody, shift, model, use_vibrato):
    from pitchlive.practice.take_pitch import analyze_take
    from pitchlive.practice.take_score import score_take
    from pitchlive.practice.target import Target, TargetNote
    from pitchlive.settings import Settings
    from synth import write_wav

    with tempfile.TemporaryDirectory() as tmp:
        path = write_wav(Path(tmp) / "take.wav", audio, RATE)
        sung, _ = analyze_take(path, model, Settings())
    target = Target(tuple(TargetNote(n.start_s, n.duration_s, float(n.midi))
                          for n in target_notes(melody, shift)), "melody", "bench")
    result = score_take(target, sung)
    cents, onsets = [], []
    for s, (c, late_ms, vib) in zip(result.notes, truth(melody)):
        measured = s.vibrato_cents if (vib and use_vibrato) else s.mean_cents
        cents.append(measured - c)
        onsets.append(s.onset_ms - late_ms)
    return np.array(cents), np.array(onsets), result.offset_s


def main() -> int:
    from pitchlive.model import load_model
    from pitchlive.settings import Settings
    from synth import find_soundfont

    model = load_model(Settings(model_source=os.environ.get("PITCHLIVE_MODEL")))
    soundfont = find_soundfont()
    takes = [("synthesised voice, high", render_voice(MELODY, 0), 0, True),
             ("synthesised voice, low (-17)", render_voice(MELODY, -17), -17, True)]
    if soundfont is not None:
        for name, program in PROGRAMS.items():
            shift = LOW_PROGRAMS.get(name, 0)
            takes.append((f"{name}" + (f" ({shift:+d})" if shift else ""),
                          render_fluidsynth(MELODY, program, shift, soundfont), shift, False))
    else:
        print("fluidsynth soundfont not found: rendered instruments skipped")
    print(f"{len(MELODY)} notes per take; errors per note: median |x| / max |x|; "
          "found = notes with a measured onset")
    print(f"{'take':<30} {'cents med':>9} {'cents max':>9} {'onset med':>9} {'onset max':>9} "
          f"{'found':>6} {'offset':>7}")
    for name, audio, shift, vibrato in takes:
        cents, onsets, offset = score(audio, MELODY, shift, model, vibrato)
        found = np.isfinite(onsets)
        late = np.abs(onsets[found])
        print(f"{name:<30} {np.nanmedian(np.abs(cents)):9.1f} {np.nanmax(np.abs(cents)):9.1f} "
              f"{np.median(late):7.0f}ms {np.max(late):7.0f}ms "
              f"{found.sum():3d}/{len(MELODY):<2d} {offset * 1000:+5.0f}ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
