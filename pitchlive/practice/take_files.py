"""Keeping a scored practice take: WAV, pitch CSV, scores CSV and JSON, and its history row.

The window saves every run this way (on a background job); the files are the ones
`pitchlive practice --record` writes, plus the scores as CSV.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pitchlive.practice.history import History, HistoryError, default_history_path
from pitchlive.practice.report import save_report
from pitchlive.practice.take_score import TakeScore
from pitchlive.settings import Settings

TAKES_FOLDER = "takes"


def default_takes_dir() -> Path:
    """Practice takes live beside the history, in the user's data folder."""
    return default_history_path().parent / TAKES_FOLDER


@dataclass(frozen=True)
class SavedPractice:
    """What saving a run did: files by kind, the history session id (None when the history
    could not be used), and the messages the user should read (problems, a replaced history)."""

    files: dict[str, Path]
    session_id: int | None
    history_path: Path | None
    messages: tuple[str, ...] = field(default_factory=tuple)


def save_practice(score: TakeScore, take, settings: Settings, directory: Path | None = None,
                  history: History | None = None, target_key: str | None = None
                  ) -> SavedPractice:
    """Save the take (a ``takes.Take`` or None) with its scores, and add the run to the history.

    Nothing here raises for a problem the user can fix: an unwritable folder or a damaged
    history becomes a message, and the recording stays in its spool when it cannot be saved.
    """
    from pitchlive.takes import TakeError, save_take

    messages: list[str] = []
    files: dict[str, Path] = {}
    directory = Path(directory) if directory is not None else default_takes_dir()
    if take is not None:
        if take.problem:
            messages.append(take.problem)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            saved = save_take(take, directory, settings)
            files = {"wav": saved.wav_path, "pitch_csv": saved.csv_path}
            take.discard()
            for kind, suffix in (("scores_csv", ".scores.csv"), ("scores_json", ".scores.json")):
                path = saved.wav_path.with_suffix(suffix)
                save_report(path, score)
                files[kind] = path
        except TakeError as exc:
            messages.append(str(exc))
        except OSError as exc:
            messages.append(f"cannot write the take into {directory} ({exc.strerror or exc}); "
                            f"the recording is kept in {take.audio_path}.")
    session_id = history_path = None
    try:
        history = history if history is not None else History()
        history_path = history.path
        session_id = history.add_session(score, target_key=target_key, take_files=files)
        if history.recovered_from is not None:
            messages.append(f"The practice history was damaged; it was kept as "
                            f"{history.recovered_from} and a new one started.")
    except HistoryError as exc:
        messages.append(f"{exc} The scores were not added to the history.")
    return SavedPractice(files, session_id, history_path, tuple(messages))
