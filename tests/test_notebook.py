"""The SPICE notebook's method (pitchlive.tracking.notebook): eighth-note groups and rests."""

import numpy as np
import pytest

from pitchlive.settings import Settings
from pitchlive.tracking.notebook import notebook_groups
from pitchlive.tracking.transcription import TranscriptionOptions, transcribe
from test_transcription import melody_frames, track_from


def test_notebook_method_finds_the_eighth_note_grid():
    events = ((60, 0.5), (62, 0.5), (64, 0.5), (None, 0.5), (65, 0.5), (67, 0.5))
    pitch = melody_frames(events, tempo_bpm=60.0, gap_s=0.0, lead_in_s=0.512)
    options = TranscriptionOptions(method="notebook", notebook_min_group_s=0.3,
                                   notebook_max_group_s=0.8)
    transcription = transcribe(track_from(pitch), Settings(), options)
    assert [e.midi for e in transcription.events] == [60, 62, 64, None, 65, 67]
    assert all(e.duration_beats == 0.5 for e in transcription.events)
    assert transcription.tempo_bpm == pytest.approx(60.0, rel=0.07)
    assert transcription.method == "notebook"


def test_notebook_groups_prefer_a_rest_when_mostly_unvoiced():
    midi = np.array([60.0] * 8 + [np.nan] * 8)
    voiced = np.isfinite(midi)
    length, start, labels = notebook_groups(midi, voiced, 8, 8)
    assert (length, start, labels) == (8, 0, [60, None])
