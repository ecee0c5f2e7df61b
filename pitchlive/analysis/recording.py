"""What the Recording view shows of a recording: its analysis, labels and spectrogram.

analyse_recording runs on a background thread; the labels come from the tracking stage
(pitchlive.tracking.labels), so the view voices and names a file exactly as `pitchlive analyze`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pitchlive.analysis.file import FileAnalysis, analyze_file
from pitchlive.analysis.spectrogram import SemitoneSpectrogram, semitone_spectrogram
from pitchlive.audio.files import open_info
from pitchlive.settings import Settings
from pitchlive.tracking.labels import TrackLabels, label_track

MAX_SPECTROGRAM_S = 1800.0  # beyond 30 min only the pitch track is shown (audio not kept)


@dataclass(frozen=True)
class RecordingResult:
    """Everything the view draws for one recording."""

    analysis: FileAnalysis
    spectrogram: SemitoneSpectrogram | None

    def labels(self, settings: Settings) -> TrackLabels:
        """Voicing and note names of every frame under these settings."""
        return label_track(self.analysis.track, settings, self.analysis.level_dbfs)


def analyse_recording(path: Path, model) -> RecordingResult:
    """Whole-file pitch, level and spectrogram (runs on a background thread)."""
    keep_audio = open_info(Path(path)).duration_s <= MAX_SPECTROGRAM_S
    analysis = analyze_file(Path(path), model, keep_audio=keep_audio)
    audio = analysis.audio_16k
    spectrogram = semitone_spectrogram(audio) if audio is not None else None
    return RecordingResult(analysis, spectrogram)
