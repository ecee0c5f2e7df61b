"""Plain values the take controller shares with the window and its strip (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

LIVE_VIEW, RECORDING_VIEW = "live", "recording"     # where the window shows something

@dataclass(frozen=True)
class OpenRecording:
    """The recording in the Recording view: its path, its analysis once done, whether shown."""

    path: Path | None = None
    result: object | None = None     # RecordingResult
    shown: bool = False


@dataclass(frozen=True)
class StripState:
    """Which take buttons apply now."""

    recording: bool
    can_save: bool
    can_transcribe: bool
    can_export: bool
    can_play: bool
    can_play_notes: bool
    can_stop: bool

    @classmethod
    def of(cls, recording: bool, has_take: bool, has_recording: bool, has_notes: bool,
           playing: bool) -> StripState:
        """The buttons that apply to this situation."""
        return cls(recording, has_take and not recording, not recording, has_notes,
                   (has_take or has_recording) and not playing, has_notes and not playing,
                   playing)
