"""Render the demo recording: the opening of Beethoven's 'Ode to Joy', sung by a sampled voice.

Made with the project's own test tools (tests/synth.py: MIDI -> fluidsynth with the General MIDI
'Voice Oohs' instrument, reverb and chorus off), so the truth is the MIDI notes. Run from the
repository root:

    .venv/bin/python assets/make_demo.py            # writes assets/demo-ode-to-joy.flac

Needs Debian's fluidsynth and fluid-soundfont-gm.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from synth import PROGRAM_VOICE_OOHS, Note, render_midi

OUTPUT = ROOT / "assets" / "demo-ode-to-joy.flac"
SAMPLE_RATE_HZ = 22050
BEAT_S = 0.42
GAP_S = 0.04     # a short breath between notes, as a singer articulates them
LEAD_IN_S = 0.4

# (note name, beats): D major, F#4 .. A4 -- a comfortable sung range with sharps in it.
MELODY = [
    ("F#4", 1), ("F#4", 1), ("G4", 1), ("A4", 1), ("A4", 1), ("G4", 1), ("F#4", 1), ("E4", 1),
    ("D4", 1), ("D4", 1), ("E4", 1), ("F#4", 1), ("F#4", 1.5), ("E4", 0.5), ("E4", 2),
    ("F#4", 1), ("F#4", 1), ("G4", 1), ("A4", 1), ("A4", 1), ("G4", 1), ("F#4", 1), ("E4", 1),
    ("D4", 1), ("D4", 1), ("E4", 1), ("F#4", 1), ("E4", 1.5), ("D4", 0.5), ("D4", 2),
]


def melody_notes() -> list[Note]:
    """The melody as timed MIDI notes."""
    from pitchlive.music import parse_note_name

    notes, t = [], LEAD_IN_S
    for name, beats in MELODY:
        length = beats * BEAT_S
        notes.append(Note(t, length - GAP_S, parse_note_name(name)))
        t += length
    return notes


def main() -> int:
    """Render and write the FLAC file."""
    notes = melody_notes()
    audio = render_midi(notes, PROGRAM_VOICE_OOHS, sample_rate_hz=SAMPLE_RATE_HZ)
    end = int((notes[-1].end_s + 0.5) * SAMPLE_RATE_HZ)
    audio = audio[:end]
    audio = 0.7 * audio / max(float(np.max(np.abs(audio))), 1e-9)
    sf.write(str(OUTPUT), audio.astype(np.float32), SAMPLE_RATE_HZ, subtype="PCM_16")
    print(f"wrote {OUTPUT} ({audio.size / SAMPLE_RATE_HZ:.1f} s, "
          f"{OUTPUT.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
