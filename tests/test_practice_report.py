"""Score reports: the text table, CSV and JSON files."""

import csv
import json

import pytest

from pitchlive.practice.report import (COLUMNS, format_summary, format_table, report_csv,
                                       save_report, target_name)
from pitchlive.practice.take_score import score_take
from pitchlive.practice.target import Target, TargetNote
from sung_tracks import sung_notes

TARGET = Target((TargetNote(0.5, 0.5, 60.0, "Do"), TargetNote(1.0, 0.5, 62.0, "Re"),
                 TargetNote(1.5, 0.5, 64.0, freestyle=True), TargetNote(2.0, 0.5, 65.0)),
                "Tune", "test")
SCORE = score_take(TARGET, sung_notes([(0.5, 1.0, 60.1), (1.0, 1.5, 62.4)], 3.0), offset_s=0.0)


def test_table_is_aligned_and_complete():
    lines = format_table(SCORE).splitlines()
    assert len(lines) == 2 + 4
    # numbers are right-aligned under their headers
    assert lines[0].index("cents") + 5 == lines[2].index("+10.0") + 5 == lines[3].index("+40.0") + 5
    assert lines[2].split()[:6] == ["1", "0.50", "C4", "Do", "100%", "+10.0"]
    assert "+40.0" in lines[3] and "freestyle" in lines[4]
    assert lines[5].split()[2:7] == ["F4", "0%", "-", "-", "-"]     # not sung, no lyric


def test_summary_names_worst_notes():
    text = format_summary(SCORE)
    assert "±25 cents" in text and "offset +0 ms (given)" in text and "1 not sung" in text
    assert "worst notes: #4 F4 (0%, not sung), #2 D4 (0%, +40 c)" in text


def test_csv_and_json_files(tmp_path):
    save_report(tmp_path / "r.csv", SCORE)
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 4
    assert rows[0]["mean_cents"] == "10.0" and rows[3]["mean_cents"] == ""
    save_report(tmp_path / "r.json", SCORE)
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["summary"]["worst_notes"][:2] == [4, 2]
    assert data["notes"][2]["kind"] == "freestyle" and data["notes"][2]["in_tune_pct"] is None
    with pytest.raises(ValueError, match=".csv or .json"):
        save_report(tmp_path / "r.txt", SCORE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.json"]   # no temp files
    assert report_csv(SCORE).startswith(",".join(COLUMNS))


def test_target_names():
    assert target_name(TargetNote(0, 1, 69.3)) == "A4+30c"
    assert target_name(TargetNote(0, 1, 55.0, glide_to_midi=67.0)) == "G3->G4"


def test_report_is_table_then_summary():
    from pitchlive.practice.report import format_report

    assert format_report(SCORE) == format_table(SCORE) + "\n\n" + format_summary(SCORE)
