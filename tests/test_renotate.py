"""Re-notation: a transcription written in another key or time signature without transcribing
again, exactly as transcribe() would have written it with --key / --time-signature."""

from __future__ import annotations

import pytest
from test_transcription import FOLK, melody_frames, track_from

from pitchlive.exports.musicxml import musicxml_string
from pitchlive.notation.key import parse_key
from pitchlive.notation.metre import TimeSignature
from pitchlive.settings import Settings
from pitchlive.tracking.transcription import (
    TranscriptionOptions,
    estimated_notation,
    renotate,
    transcribe,
)

# A G-major tune with a pickup: auto gives G major; the user may say E minor, 3/4 or 6/8.
TRACK = track_from(melody_frames(((62, 1),) + FOLK))


def starts(t):
    return [(e.midi, e.start_beats, e.duration_beats) for e in t.events]


def test_auto_renotation_gives_back_the_transcription():
    auto = transcribe(TRACK, Settings())
    assert renotate(auto) == auto
    assert estimated_notation(auto) == (auto.key, auto.time_signature)


@pytest.mark.parametrize("key,signature", [("E minor", None), (None, "3/4"), ("Bb major", "6/8"),
                                           ("F# minor", "2/4")])
def test_a_chosen_key_or_metre_is_what_transcribe_gives_with_it(key, signature):
    key = parse_key(key) if key else None
    signature = TimeSignature(*map(int, signature.split("/"))) if signature else None
    auto = transcribe(TRACK, Settings())
    given = transcribe(TRACK, Settings(), TranscriptionOptions(key=key, time_signature=signature))
    again = renotate(auto, key, signature)
    assert starts(again) == starts(given)
    assert again.score_start_s == pytest.approx(given.score_start_s)
    assert (again.key, again.time_signature) == (given.key, given.time_signature)
    assert again.key_estimated == (key is None) and again.metre_estimated == (signature is None)
    assert musicxml_string(again) == musicxml_string(given)
    # Back to Auto, and what was estimated is still known while a choice is shown.
    assert estimated_notation(again) == (auto.key, auto.time_signature)
    assert renotate(again) == auto


@pytest.mark.parametrize("tonic_pc, mode, sharps", [(2, "major", 2), (5, "major", -1),
                                                    (9, "minor", 0), (4, "minor", 1),
                                                    (0, "minor", -3), (11, "major", 5)])
def test_tonal_melodies_come_out_in_their_key_and_music21_reads_it_back(tonic_pc, mode, sharps):
    """Issue 14: pitch track -> transcription -> MusicXML, key estimated, parsed by music21."""
    music21 = pytest.importorskip("music21")
    from test_notation_key import tonal_melody

    midi, durations = tonal_melody(tonic_pc, mode)
    beats = [(int(m), float(d) * 2) for m, d in zip(midi, durations)]
    t = transcribe(track_from(melody_frames(beats)), Settings())
    assert [n.midi for n in t.notes] == list(midi)
    score = music21.converter.parseData(musicxml_string(t), format="musicxml")
    signature = score.recurse().getElementsByClass("KeySignature")[0]
    assert signature.sharps == sharps
    assert getattr(signature, "mode", None) == mode           # <mode> read as a music21 Key
    written = [n.pitch.midi for n in score.stripTies().recurse().notes]
    assert written == list(midi)
