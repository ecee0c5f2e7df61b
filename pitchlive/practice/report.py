"""A take's scores for people and programs: an aligned text table, CSV and JSON.

Columns (one row per target note): ``note`` (number from 1), ``time_s`` (target onset), ``target``
(note name), ``lyric``, ``in_tune_pct`` (share of the note after its attack within the band),
``mean_cents`` (sustain offset, + = sharp), ``vibrato_cents`` (offset of the vibrato's centre),
``onset_ms`` (+ = late), ``voiced_pct``, ``octave`` (whole octaves sung away from the target)
and ``kind`` (normal, golden, freestyle, rap, glide). Unmeasurable values are empty (NaN).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from pathlib import Path

from pitchlive.exports.atomic import write_text_atomically
from pitchlive.music import note_name
from pitchlive.practice.take_score import TakeScore
from pitchlive.practice.target import TargetNote

COLUMNS = ("note", "time_s", "target", "lyric", "in_tune_pct", "mean_cents", "vibrato_cents",
           "onset_ms", "voiced_pct", "octave", "kind")
REPORT_SUFFIXES = (".csv", ".json")


def target_name(note: TargetNote) -> str:
    """'A4', 'A4+30c' for pitches off the semitone grid, 'C4->G4' for glides."""
    def one(midi: float) -> str:
        nearest = int(round(midi))
        cents = (midi - nearest) * 100.0
        return note_name(nearest) + (f"{cents:+.0f}c" if abs(cents) >= 0.5 else "")

    if note.glide_to_midi is not None:
        return f"{one(note.midi)}->{one(note.glide_to_midi)}"
    return one(note.midi)


def _kind(note: TargetNote) -> str:
    if note.freestyle:
        return "freestyle"
    if note.rap:
        return "golden rap" if note.golden else "rap"
    if note.glide_to_midi is not None:
        return "glide"
    return "golden" if note.golden else "normal"


def _number(value: float, digits: int) -> float | None:
    return round(float(value), digits) + 0.0 if math.isfinite(value) else None   # no -0.0


def note_rows(score: TakeScore) -> list[dict]:
    """One dict per note with the COLUMNS (None where not measurable)."""
    rows = []
    for s in score.notes:
        rows.append({
            "note": s.index + 1, "time_s": round(s.note.onset_s, 3),
            "target": target_name(s.note), "lyric": s.note.lyric.strip(),
            "in_tune_pct": _number(100.0 * s.in_tune_share, 1),
            "mean_cents": _number(s.mean_cents, 1), "vibrato_cents": _number(s.vibrato_cents, 1),
            "onset_ms": _number(s.onset_ms, 0), "voiced_pct": _number(100.0 * s.voiced_share, 1),
            "octave": s.octave, "kind": _kind(s.note)})
    return rows


def summary(score: TakeScore) -> dict:
    """Overall figures of a take as plain values."""
    worst = [s.index + 1 for s in score.worst_notes()]
    return {
        "target": score.target.title, "source": score.target.source,
        "transpose_semitones": score.target.transpose_semitones,
        "band_cents": score.settings.band_cents,
        "offset_ms": round(score.offset_s * 1000.0, 1),
        "offset_searched": score.alignment is not None,
        "overall_pct": _number(score.overall_percent, 1),
        "mean_cents": _number(score.mean_cents, 1),
        "mean_abs_onset_ms": _number(score.mean_abs_onset_ms, 0),
        "notes": len(score.notes), "notes_missed": score.notes_missed, "worst_notes": worst}


def format_table(score: TakeScore) -> str:
    """The per-note report as an aligned text table."""
    header = ("#", "time", "target", "lyric", "in tune", "cents", "vib.c", "onset", "kind")
    lines = []
    for row in note_rows(score):
        def show(value, fmt):
            return "-" if value is None else format(value, fmt)
        lines.append((str(row["note"]), f"{row['time_s']:.2f}", row["target"] +
                      (f" ({row['octave']:+d} oct)" if row["octave"] else ""),
                      row["lyric"][:12], show(row["in_tune_pct"], ".0f") +
                      ("%" if row["in_tune_pct"] is not None else ""),
                      show(row["mean_cents"], "+.1f"), show(row["vibrato_cents"], "+.1f"),
                      show(row["onset_ms"], "+.0f") + (" ms" if row["onset_ms"] is not None
                                                       else ""), row["kind"]))
    widths = [max(len(r[i]) for r in [header] + lines) for i in range(len(header))]
    left = {2, 3, 8}
    def render(cells):
        return "  ".join(c.ljust(w) if i in left else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    return "\n".join([render(header), render(["-" * w for w in widths])] +
                     [render(r) for r in lines])


def format_summary(score: TakeScore, spell: Callable[[str], str] = str) -> str:
    """A few lines: overall percentage, mean offset, timing, offset used and worst notes.

    `spell` turns an ASCII note name into the one shown (the window passes its ♯/♭ rule).
    """
    info = summary(score)
    overall = "-" if info["overall_pct"] is None else f"{info['overall_pct']:.0f}%"
    cents = "-" if info["mean_cents"] is None else f"{info['mean_cents']:+.1f} cents"
    onset = "-" if info["mean_abs_onset_ms"] is None else f"{info['mean_abs_onset_ms']:.0f} ms"
    how = "searched" if info["offset_searched"] else "given"
    lines = [f"in tune (±{info['band_cents']:g} cents): {overall} of the time; mean offset "
             f"{cents}; mean onset error {onset}",
             f"take offset {info['offset_ms']:+.0f} ms ({how}); {info['notes']} notes, "
             f"{info['notes_missed']} not sung"]
    worst = score.worst_notes()
    if worst:
        lines.append("worst notes: " + ", ".join(
            f"#{s.index + 1} {spell(target_name(s.note))} ({100 * s.in_tune_share:.0f}%"
            + (f", {s.mean_cents:+.0f} c" if math.isfinite(s.mean_cents) else ", not sung")
            + ")" for s in worst))
    return "\n".join(lines)


def report_csv(score: TakeScore) -> str:
    """The per-note rows as CSV text (header COLUMNS, empty cells where not measurable)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in note_rows(score):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def report_json(score: TakeScore) -> str:
    """{"summary": {...}, "notes": [...]} as indented JSON text (null where not measurable)."""
    return json.dumps({"summary": summary(score), "notes": note_rows(score)}, indent=2,
                      ensure_ascii=False) + "\n"


def save_report(path: Path, score: TakeScore) -> None:
    """Write the report as CSV or JSON, chosen by the suffix, atomically.

    Raises
    ------
    ValueError
        Unknown suffix.
    OSError
        The file cannot be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise ValueError(f"a report must be .csv or .json, got {path.name!r}.")
    write_text_atomically(path, report_csv(score) if suffix == ".csv" else report_json(score))


def format_report(score: TakeScore) -> str:
    """The per-note table, a blank line and the summary, as printed at the end of a take."""
    return f"{format_table(score)}\n\n{format_summary(score)}"
