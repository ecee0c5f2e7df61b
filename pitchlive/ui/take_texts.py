"""What the take strip and its messages say: every user-facing text of takes, without Qt.

The take controller decides what happened; these functions word it (the state line, banner
titles and messages with their next step). Kept free of Qt so the wording is tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pitchlive.audio.devices import DeviceError
from pitchlive.audio.files import AudioFileError
from pitchlive.takes import TakeError

NO_TAKE = "No take — press Record (R) while tracking"
INFO, ERROR = "info", "error"


@dataclass(frozen=True)
class Notice:
    """A message for the window's banner: kind (INFO or ERROR), title, text, next-step buttons."""

    kind: str
    title: str
    message: str
    actions: Sequence[tuple[str, Callable[[], object]]] = field(default_factory=tuple)


def clock(seconds: float) -> str:
    """m:ss.s for durations on display."""
    minutes, rest = divmod(max(0.0, seconds), 60.0)
    return f"{int(minutes)}:{rest:04.1f}"


def no_notes_message(duration_s: float, offset_valid: bool, min_note_s: float) -> str:
    """Why a take or recording gave no notes, and what to do, for the banner."""
    if duration_s < min_note_s:
        return (f"It is only {duration_s:.2f} s long; a note needs at least {min_note_s:.2f} s. "
                "Record a longer take.")
    if not offset_valid:
        return ("No part of it reached the confidence threshold (silence, noise, or a pitch "
                "outside the model's range). Sing or play louder and closer to the microphone, "
                "or lower Confidence in the Voicing controls.")
    return ("Every voiced part is shorter than a note. Hold the notes longer, or lower "
            "Confidence in the Voicing controls.")


def transcription_summary(transcription) -> str:
    """Short summary of a transcription: notes, tempo, whole-take tuning offset ('' for None)."""
    t = transcription
    if t is None:
        return ""
    offset = (f"tuning {t.offset.offset_cents:+.0f} c"
              + (" (corrected)" if t.offset_corrected else "")) if t.offset.valid \
        else "tuning —"
    return f"{len(t.notes)} notes · {t.tempo_bpm:.0f} BPM · {offset}"


def take_line(duration_s: float | None, saved_as: str | None, summary: str) -> str:
    """The strip's resting line: the take (saved or not) and the transcription's summary."""
    parts = []
    if duration_s is not None:
        where = f"saved as {saved_as}" if saved_as else "not saved"
        parts.append(f"Take {clock(duration_s)} ({where})")
    if summary:
        parts.append(summary)
    return " · ".join(parts) if parts else NO_TAKE


def recording_line(elapsed_s: float) -> str:
    """The strip's line while a take records."""
    return f"● Recording {clock(elapsed_s)}"


def playing_line(what: str, position_s: float) -> str:
    """The strip's line while the take ('take') or the notes play."""
    return f"▶ Playing {'take' if what == 'take' else 'notes'} {clock(position_s)}"


WAITING_TO_RECORD = "● Recording starts when tracking starts…"
TRANSCRIBING = "Transcribing…"


def saving_line(directory: Path) -> str:
    """The strip's line while a take is written."""
    return f"Saving the take in {directory}…"


def starting_playback_line(what: str) -> str:
    """The strip's line while the output device opens."""
    return f"▶ Starting playback of the {what}…"


def replace_unsaved_question(duration_s: float) -> tuple[str, str]:
    """(title, message) asking before a new take replaces an unsaved one."""
    return ("The last take is not saved",
            f"Recording again replaces the take of {clock(duration_s)}. Save it first, or "
            "record anyway and discard it.")


def unsaved_offer(newest_name: str, older: int) -> tuple[str, str]:
    """(title, message) offering a take that an earlier run left unsaved."""
    extra = (f" {older} older unsaved take{'s' if older > 1 else ''} will be offered after "
             "this one." if older else "")
    return ("An unsaved take was found",
            f"{newest_name} was recorded when pitchlive last ran and never saved (pitchlive "
            f"closed unexpectedly, or saving failed). Keep it to play, transcribe or save it."
            f"{extra}")


def save_failure(exc: BaseException) -> str:
    """Why a take could not be saved, and what to do."""
    if isinstance(exc, TakeError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}. The take is kept; choose another folder."


def transcription_failure(exc: BaseException) -> str:
    """Why a transcription failed, and what to do."""
    message = str(exc) if isinstance(exc, TakeError) else f"{type(exc).__name__}: {exc}"
    return f"{message}. Try again, or record a new take."


def export_failure(path: Path, exc: BaseException) -> str:
    """Why the notes could not be exported to path; they are kept."""
    if isinstance(exc, OSError):
        why = exc.strerror or str(exc)
        return (f"{path} could not be written ({why}). The notes are kept; choose a writable "
                "folder.")
    return f"{exc} The notes are kept."


def playback_failure(exc: BaseException) -> tuple[str, str]:
    """(title, message) for a playback that could not start."""
    if isinstance(exc, DeviceError):
        return "Nothing can be played", str(exc)
    if isinstance(exc, (AudioFileError, TakeError)):
        return "The audio cannot be played", str(exc)
    return ("Playback failed",
            f"{type(exc).__name__}: {exc}. Check the output device and try again.")


def nothing_to_transcribe(recording_waiting: bool) -> tuple[str, str]:
    """(title, message) when Transcribe has nothing to work on."""
    if recording_waiting:
        return ("The recording is still being analysed",
                "Transcribe again once its pitch track is shown.")
    return ("Nothing to transcribe",
            "Record a take (R) while tracking, or open a recording (Ctrl+O) and transcribe it "
            "in the Recording view.")
