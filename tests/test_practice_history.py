"""The practice history: storing sessions, progress queries, migrations, corruption, deletion."""

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from pitchlive.practice import history as history_module
from pitchlive.practice.history import (DATA_DIR_ENV_VAR, MIGRATIONS, SCHEMA_VERSION, History,
                                        HistoryError, default_history_path)
from pitchlive.practice.take_score import score_take
from pitchlive.practice.target import Target, TargetNote
from sung_tracks import sung_notes

MELODY = Target((TargetNote(0.5, 0.5, 60.0, "do"), TargetNote(1.0, 0.5, 64.0, "mi"),
                 TargetNote(1.5, 0.5, 67.0, "so")), "Tune", "test tune", key="C major")
DAY1 = datetime(2026, 11, 2, 12, 0, tzinfo=timezone.utc)


def score(cents=(0, -30, 5), target=MELODY):
    sung = sung_notes([(n.onset_s, n.end_s, n.midi + c / 100)
                       for n, c in zip(target.notes, cents)], 3.0)
    return score_take(target, sung, offset_s=0.0)


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV_VAR, str(tmp_path / "data"))
    return History()


def test_default_path_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV_VAR, str(tmp_path))
    assert default_history_path() == tmp_path / "history.sqlite3"
    monkeypatch.delenv(DATA_DIR_ENV_VAR)
    assert default_history_path().name == "history.sqlite3"
    assert "pitchlive" in str(default_history_path())


def test_session_round_trip_and_survives_restart(db, tmp_path):
    first = score()
    session_id = db.add_session(first, take_files={
        "wav": tmp_path / "take.wav", "scores_json": tmp_path / "s.json"}, started_at=DAY1)
    again = History(db.path)        # a new process would do this
    (record,) = again.sessions()
    assert record.id == session_id and record.started_at == DAY1
    assert record.target_title == "Tune" and record.key_name == "C major"
    assert record.overall_percent == pytest.approx(first.overall_percent)
    assert record.take_files == {"wav": str(tmp_path / "take.wav"),
                                 "scores_json": str(tmp_path / "s.json")}
    rows = again.note_scores(session_id)
    assert [round(r["mean_cents"]) for r in rows] == [0, -30, 5]
    assert [r["lyric"] for r in rows] == ["do", "mi", "so"]


def test_unsung_values_are_stored_as_null(db):
    sung = sung_notes([(0.5, 1.0, 60.0)], 3.0)
    session_id = db.add_session(score_take(MELODY, sung, offset_s=0.0))
    rows = db.note_scores(session_id)
    assert rows[1]["mean_cents"] is None and rows[1]["in_tune_share"] == 0.0


def test_accuracy_per_day_and_flat_notes(db):
    for day, cents in [(0, (0, -30, 5)), (0, (0, -20, 0)), (1, (-5, -25, 0)), (3, (0, -40, 40))]:
        db.add_session(score(cents), started_at=DAY1 + timedelta(days=day))
    other = Target(MELODY.notes, "Other", "other", key="C major")
    db.add_session(score((0, 0, 0), target=other), started_at=DAY1)
    daily = db.daily_accuracy("test tune")
    assert [d.day.isoformat() for d in daily] == ["2026-11-02", "2026-11-03", "2026-11-05"]
    assert [d.sessions for d in daily] == [2, 1, 1]
    assert len(db.daily_accuracy()) == 4
    by_pitch = db.flat_notes(flat_cents=-10, min_sessions=3)
    assert [(f.label, f.sessions) for f in by_pitch] == [("E4", 5)]
    assert by_pitch[0].mean_cents == pytest.approx((-30 - 20 - 25 - 40 + 0) / 5, abs=0.5)
    assert by_pitch[0].flat_share == pytest.approx(0.8)
    (in_tune,) = db.flat_notes(flat_cents=-10, min_sessions=3, target_key="test tune")
    assert in_tune.label == "#2 mi" and in_tune.times == 4
    assert db.flat_notes(min_sessions=6) == []


def test_deleted_database_is_recreated(db):
    db.add_session(score())
    db.path.unlink()
    db.add_session(score())
    assert len(db.sessions()) == 1


def test_corrupt_database_is_set_aside_and_replaced(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not an sqlite database, just text" * 100)
    history = History(path)
    assert history.recovered_from is not None and history.recovered_from.exists()
    assert history.recovered_from.name.startswith("history.sqlite3.corrupt-")
    assert history.recovered_from.read_bytes().startswith(b"this is not")
    history.add_session(score())
    assert len(history.sessions()) == 1


def test_corruption_found_later_is_recovered(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    history.add_session(score())
    history.path.write_bytes(b"\0garbage" * 1000)   # damaged while the app runs
    assert history.sessions() == []
    assert history.recovered_from is not None


def test_old_schema_is_migrated_with_its_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    connection = sqlite3.connect(path)
    connection.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    connection.execute("INSERT INTO sessions VALUES (1, '2026-01-01T10:00:00+00:00', "
                       "'2026-01-01', 'k', 'Old', 'src', NULL, 0, 25, 0, 80.0, -3.0)")
    connection.commit()
    connection.close()
    history = History(path)
    assert [s.target_title for s in history.sessions()] == ["Old"]
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    indexes = {r[0] for r in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'")}
    connection.close()
    assert {"sessions_by_target_day", "note_scores_by_pitch"} <= indexes


def test_newer_schema_is_refused_with_a_message(tmp_path):
    path = tmp_path / "new.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(HistoryError, match="newer pitchlive"):
        History(path)
    assert path.exists()   # nothing was thrown away


def test_unwritable_folder_is_a_message(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(HistoryError, match="cannot create the history folder"):
        History(blocker / "sub" / "h.sqlite3")


def test_locked_is_not_mistaken_for_corruption(tmp_path, monkeypatch):
    history = History(tmp_path / "h.sqlite3")
    monkeypatch.setattr(history_module.sqlite3, "connect",
                        lambda *a, **k: (_ for _ in ()).throw(
                            sqlite3.OperationalError("database is locked")))
    with pytest.raises(HistoryError, match="locked"):
        history.sessions()
    assert history.recovered_from is None and history.path.exists()
