"""The practice history: an SQLite database in the user's data folder.

Every scored session is kept with its target, key, per-note scores and take files. Each call
opens its own short connection, so the file can be deleted at any time (it is recreated empty
on the next call). The schema is versioned with ``PRAGMA user_version`` and upgraded by the
MIGRATIONS in order. A file that is not a readable database is renamed aside
(``history.sqlite3.corrupt-YYYYmmdd-HHMMSS``) and replaced by a new one; ``recovered_from``
then names the backup so the caller can tell the user.
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from pitchlive.practice.take_score import TakeScore

DATA_DIR_ENV_VAR = "PITCHLIVE_DATA_DIR"
DB_NAME = "history.sqlite3"
LOG = logging.getLogger(__name__)

MIGRATIONS = (
    # 1: sessions, their per-note scores and their take files
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,          -- ISO 8601, UTC
        day TEXT NOT NULL,                 -- local calendar day of the session, YYYY-MM-DD
        target_key TEXT NOT NULL,          -- identity of the song or exercise
        target_title TEXT NOT NULL,
        target_source TEXT NOT NULL,
        key_name TEXT,
        transpose_semitones INTEGER NOT NULL DEFAULT 0,
        band_cents REAL NOT NULL,
        offset_s REAL NOT NULL,
        overall_percent REAL,
        mean_cents REAL
    );
    CREATE TABLE note_scores (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        note_index INTEGER NOT NULL,
        onset_s REAL NOT NULL,
        duration_s REAL NOT NULL,
        target_midi REAL NOT NULL,         -- as sung, after transposition
        lyric TEXT NOT NULL DEFAULT '',
        in_tune_share REAL,
        mean_cents REAL,
        vibrato_cents REAL,
        onset_ms REAL,
        voiced_share REAL NOT NULL,
        octave INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (session_id, note_index)
    );
    CREATE TABLE take_files (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,                -- e.g. wav, pitch_csv, scores_csv, scores_json
        path TEXT NOT NULL,
        PRIMARY KEY (session_id, kind)
    );
    """,
    # 2: indexes for the progress queries (accuracy per target over days, notes by pitch)
    """
    CREATE INDEX sessions_by_target_day ON sessions (target_key, day);
    CREATE INDEX note_scores_by_pitch ON note_scores (target_midi);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(Exception):
    """The history cannot be used; the message says what to do."""


@dataclass(frozen=True)
class SessionRecord:
    """One stored session (overall figures; per-note rows via ``History.note_scores``)."""

    id: int
    started_at: datetime
    target_key: str
    target_title: str
    key_name: str | None
    transpose_semitones: int
    band_cents: float
    overall_percent: float | None
    mean_cents: float | None
    take_files: dict[str, str]


@dataclass(frozen=True)
class DailyAccuracy:
    """Mean overall in-tune percentage of one target's sessions on one day."""

    day: date
    target_key: str
    target_title: str
    mean_percent: float
    sessions: int


@dataclass(frozen=True)
class FlatNote:
    """A note that is sung flat again and again.

    ``label`` is the note name (all targets) or "#index lyric" (one target); ``mean_cents`` the
    average offset over ``times`` scored notes in ``sessions`` sessions; ``flat_share`` the
    share of those notes sung flatter than the threshold.
    """

    label: str
    target_midi: float
    mean_cents: float
    flat_share: float
    times: int
    sessions: int


def default_history_path() -> Path:
    """history.sqlite3 in $PITCHLIVE_DATA_DIR, else in the user's data folder (platformdirs)."""
    folder = os.environ.get(DATA_DIR_ENV_VAR)
    if not folder:
        from platformdirs import user_data_dir

        folder = user_data_dir("pitchlive", appauthor=False)
    return Path(folder) / DB_NAME


def _finite(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    # OperationalError (locked, read-only, disk full) and friends are not damage to the file.
    return type(exc) is sqlite3.DatabaseError


class History:
    """The practice history database at ``path`` (default: ``default_history_path()``)."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else default_history_path()
        self.recovered_from: Path | None = None
        self._checked = False
        self._connect().close()

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"cannot create the history folder {self.path.parent} "
                               f"({exc.strerror}); set {DATA_DIR_ENV_VAR} to a writable folder."
                               ) from None
        connection = sqlite3.connect(self.path, timeout=5.0)
        connection.execute("PRAGMA foreign_keys = ON")
        if not self._checked:
            row = connection.execute("PRAGMA quick_check").fetchone()
            if row is None or row[0] != "ok":
                connection.close()
                raise sqlite3.DatabaseError(f"quick_check: {row[0] if row else 'no answer'}")
            self._checked = True
        self._migrate(connection)
        return connection

    def _connect(self) -> sqlite3.Connection:
        """A connection to an up-to-date database, replacing a corrupt file first."""
        try:
            return self._open()
        except sqlite3.DatabaseError as exc:
            if not _is_corruption(exc):
                raise HistoryError(f"the history {self.path} cannot be used ({exc}).") from None
            self._set_aside(str(exc))
            return self._open()

    def _set_aside(self, reason: str) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while backup.exists():
            backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
            n += 1
        for suffix in ("", "-wal", "-shm", "-journal"):
            part = Path(str(self.path) + suffix)
            if part.exists():
                os.replace(part, Path(str(backup) + suffix))
        self.recovered_from = backup
        self._checked = False
        LOG.warning("the practice history %s was damaged (%s); it was kept as %s and a new one "
                    "started", self.path, reason, backup)

    def _migrate(self, connection: sqlite3.Connection) -> None:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            connection.close()
            raise HistoryError(f"the history {self.path} was written by a newer pitchlive "
                               f"(schema {version}, this one knows {SCHEMA_VERSION}); update "
                               f"pitchlive, or set {DATA_DIR_ENV_VAR} to another folder.")
        for number in range(version + 1, SCHEMA_VERSION + 1):
            connection.executescript(f"BEGIN; {MIGRATIONS[number - 1]}; "
                                     f"PRAGMA user_version = {number}; COMMIT;")

    def _run(self, work):
        """Run work(connection) in a transaction; corruption found on the way is recovered."""
        for attempt in (0, 1):
            connection = self._connect()
            try:
                with connection:
                    return work(connection)
            except sqlite3.DatabaseError as exc:
                if attempt or not _is_corruption(exc):
                    raise HistoryError(f"the history {self.path} cannot be used ({exc}).") \
                        from None
                connection.close()
                self._set_aside(str(exc))
            finally:
                connection.close()
        raise AssertionError("unreachable")

    def add_session(self, score: TakeScore, target_key: str | None = None,
                    take_files: Mapping[str, Path | str] | None = None,
                    started_at: datetime | None = None) -> int:
        """Store a scored session and return its id.

        Parameters
        ----------
        score : TakeScore
        target_key : str or None
            Identity of the song or exercise for progress views (default: the target's source).
        take_files : mapping of kind to path, optional
            e.g. {"wav": ..., "pitch_csv": ..., "scores_json": ...}.
        started_at : datetime or None
            When the session began (default: now).
        """
        started = (started_at or datetime.now(timezone.utc)).astimezone()
        target = score.target

        def work(connection):
            cursor = connection.execute(
                "INSERT INTO sessions (started_at, day, target_key, target_title, target_source,"
                " key_name, transpose_semitones, band_cents, offset_s, overall_percent,"
                " mean_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (started.astimezone(timezone.utc).isoformat(), started.date().isoformat(),
                 target_key or target.source, target.title, target.source, target.key,
                 target.transpose_semitones, score.settings.band_cents, score.offset_s,
                 _finite(score.overall_percent), _finite(score.mean_cents)))
            session_id = cursor.lastrowid
            connection.executemany(
                "INSERT INTO note_scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(session_id, s.index, s.note.onset_s, s.note.duration_s, s.note.midi,
                  s.note.lyric, _finite(s.in_tune_share), _finite(s.mean_cents),
                  _finite(s.vibrato_cents), _finite(s.onset_ms), s.voiced_share, s.octave)
                 for s in score.notes])
            connection.executemany("INSERT INTO take_files VALUES (?, ?, ?)",
                                   [(session_id, kind, str(path))
                                    for kind, path in (take_files or {}).items()])
            return session_id

        return self._run(work)

    def sessions(self, target_key: str | None = None) -> list[SessionRecord]:
        """Stored sessions, oldest first, optionally of one target."""
        def work(connection):
            where, args = ("WHERE target_key = ?", (target_key,)) if target_key else ("", ())
            rows = connection.execute(
                "SELECT id, started_at, target_key, target_title, key_name, transpose_semitones,"
                f" band_cents, overall_percent, mean_cents FROM sessions {where}"
                " ORDER BY started_at, id", args).fetchall()
            files = {}
            for session_id, kind, path in connection.execute("SELECT * FROM take_files"):
                files.setdefault(session_id, {})[kind] = path
            return [SessionRecord(r[0], datetime.fromisoformat(r[1]), *r[2:],
                                  files.get(r[0], {})) for r in rows]

        return self._run(work)

    def note_scores(self, session_id: int) -> list[dict]:
        """Per-note rows of a session as dicts (column name -> value, None where unmeasured)."""
        def work(connection):
            cursor = connection.execute("SELECT * FROM note_scores WHERE session_id = ? "
                                        "ORDER BY note_index", (session_id,))
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

        return self._run(work)

    def daily_accuracy(self, target_key: str | None = None) -> list[DailyAccuracy]:
        """Mean overall percentage per target and day (for the progress plot), by day."""
        def work(connection):
            where, args = ("AND target_key = ?", (target_key,)) if target_key else ("", ())
            rows = connection.execute(
                "SELECT day, target_key, MAX(target_title), AVG(overall_percent), COUNT(*) "
                f"FROM sessions WHERE overall_percent IS NOT NULL {where} "
                "GROUP BY target_key, day ORDER BY day, target_key", args).fetchall()
            return [DailyAccuracy(date.fromisoformat(r[0]), r[1], r[2], r[3], r[4])
                    for r in rows]

        return self._run(work)

    def flat_notes(self, flat_cents: float = -10.0, min_sessions: int = 3,
                   target_key: str | None = None) -> list[FlatNote]:
        """Notes whose mean offset is flatter than flat_cents over at least min_sessions
        sessions, flattest first: by pitch over all targets, or by note of one target."""
        from pitchlive.music import note_name

        def work(connection):
            if target_key:
                group, label_sql, where, args = ("n.note_index", "n.note_index",
                                                 "AND s.target_key = ?", (target_key,))
            else:
                group, label_sql, where, args = ("ROUND(n.target_midi)", "ROUND(n.target_midi)",
                                                 "", ())
            rows = connection.execute(
                f"SELECT {label_sql}, AVG(n.target_midi), AVG(n.mean_cents),"
                " AVG(n.mean_cents <= ?), COUNT(*), COUNT(DISTINCT n.session_id),"
                " MAX(n.lyric) FROM note_scores n JOIN sessions s ON s.id = n.session_id"
                f" WHERE n.mean_cents IS NOT NULL {where} GROUP BY {group}"
                " HAVING COUNT(DISTINCT n.session_id) >= ? AND AVG(n.mean_cents) <= ?"
                " ORDER BY AVG(n.mean_cents)", (flat_cents, *args, min_sessions, flat_cents)
            ).fetchall()
            return [FlatNote(f"#{int(r[0]) + 1} {r[6]}".strip() if target_key
                             else note_name(int(r[0])), r[1], r[2], r[3], r[4], r[5])
                    for r in rows]

        return self._run(work)
