"""What the Recording view shows of a recording: its analysis, labels and spectrogram.

analyse_recording runs on a background thread; the labels come from the tracking stage
(pitchlive.tracking.labels), so the view voices and names a file exactly as `pitchlive analyze`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pitchlive.analysis.file import FileAnalysis, analyze_file
from pitchlive.analysis.spectrogram import SemitoneSpectrogram, StreamingSpectrogram
from pitchlive.audio.files import open_info
from pitchlive.frames import MODEL_SAMPLE_RATE_HZ
from pitchlive.settings import Settings
from pitchlive.tracking.labels import TrackLabels, label_track

# The 16 kHz audio (for transcribing from the view) is kept up to 30 min (115 MB); the
# spectrogram is streamed for any length, so memory does not grow with the file.
MAX_KEPT_AUDIO_S = 1800.0


@dataclass(frozen=True)
class RecordingResult:
    """Everything the view draws for one recording."""

    analysis: FileAnalysis
    spectrogram: SemitoneSpectrogram | None

    def labels(self, settings: Settings) -> TrackLabels:
        """Voicing and note names of every frame under these settings."""
        return label_track(self.analysis.track, settings, self.analysis.level_dbfs)


def analyse_recording(path: Path, model, refine: bool = True) -> RecordingResult:
    """Whole-file pitch, level and spectrogram (runs on a background thread).

    `refine` False keeps SPICE's raw pitch (the window's Raw SPICE switch), as `analyze --raw`.
    """
    info = open_info(Path(path))
    spectrogram = StreamingSpectrogram(int(info.duration_s * MODEL_SAMPLE_RATE_HZ))
    analysis = analyze_file(Path(path), model, keep_audio=info.duration_s <= MAX_KEPT_AUDIO_S,
                            on_audio_16k=spectrogram.push, refine=refine)
    return RecordingResult(analysis, spectrogram.finish())
