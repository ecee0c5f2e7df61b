"""The practice choices kept from one session of the app to the next: the calibrated latency and
how runs are judged and accompanied. A small JSON file beside the practice history; a missing,
damaged or partly invalid file gives the defaults for what it cannot supply, never an error.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from pitchlive.exports.atomic import write_text_atomically
from pitchlive.practice.history import default_history_path
from pitchlive.practice.note_score import DEFAULT_BAND_CENTS
from pitchlive.practice.plan import BACKINGS

PREFS_NAME = "practice.json"
LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class PracticePrefs:
    """latency_ms: the round trip (calibrated or set); band_cents: the in-tune band;
    count_in_beats, metronome, backing: the run's sound; align: align the summary."""

    latency_ms: int = 0
    band_cents: float = DEFAULT_BAND_CENTS
    count_in_beats: int = 4
    metronome: bool = False
    backing: str = "tones"
    align: bool = True


_VALID = {
    "latency_ms": lambda v: isinstance(v, int) and -100 <= v <= 500,
    "band_cents": lambda v: isinstance(v, (int, float)) and 1 <= v <= 100,
    "count_in_beats": lambda v: isinstance(v, int) and 0 <= v <= 16,
    "metronome": lambda v: isinstance(v, bool),
    "backing": lambda v: v in BACKINGS,
    "align": lambda v: isinstance(v, bool),
}


def default_prefs_path() -> Path:
    """practice.json beside the history (follows $PITCHLIVE_DATA_DIR)."""
    return default_history_path().parent / PREFS_NAME


def load_prefs(path: Path | None = None) -> PracticePrefs:
    """The stored choices; defaults for anything missing or invalid."""
    path = Path(path) if path is not None else default_prefs_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return PracticePrefs()
    except (OSError, ValueError) as exc:
        LOG.warning("ignoring the practice preferences in %s (%s)", path, exc)
        return PracticePrefs()
    if not isinstance(data, dict):
        return PracticePrefs()
    valid = {f.name: data[f.name] for f in fields(PracticePrefs)
             if f.name in data and _VALID[f.name](data[f.name])}
    return replace(PracticePrefs(), **valid)


def save_prefs(prefs: PracticePrefs, path: Path | None = None) -> bool:
    """Store the choices (atomically); False, after logging why, when the file cannot be written."""
    path = Path(path) if path is not None else default_prefs_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(path, json.dumps(asdict(prefs), indent=2) + "\n")
    except OSError as exc:
        LOG.warning("cannot keep the practice preferences in %s (%s)", path, exc)
        return False
    return True
