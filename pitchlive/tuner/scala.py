"""Reading Scala scale files (.scl), the tuning format of Scala, lingot and most tuners.

The format (https://www.huygens-fokker.org/scala/scl_format.html): lines starting with '!' are
comments; the first other line is a one-line description (possibly empty), the next the number
of notes, then one pitch per line: a value with a '.' is in cents, otherwise a ratio 'n/d' or an
integer 'n' (= n/1); anything after the value is ignored. Degree 0 (1/1) is implicit and the last
pitch is the period (usually 2/1). Files are ASCII or 8-bit text: UTF-8 is tried first, then
ISO 8859-1, which the Scala archive uses.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from pitchlive.tuner.temperament import Temperament

MAX_FILE_BYTES = 1_000_000        # the spec allows rejecting huge files; real ones are < 100 kB
MAX_NOTES = 10_000
MAX_RATIO_TERM = 2 ** 31 - 1      # the spec's largest numerator or denominator
_CENTS_RE = re.compile(r"^[+-]?(\d+\.\d*|\.\d+)$")
_RATIO_RE = re.compile(r"^[+-]?\d+(/[+-]?\d+)?$")


class ScalaError(ValueError):
    """A .scl file that cannot be read; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class ScalaScale:
    """A parsed Scala scale: pitches_cents[k] is degree k+1 above 1/1; the last is the period."""

    description: str
    pitches_cents: tuple[float, ...]
    source: str = ""             # file name, for messages and display

    @property
    def period_cents(self) -> float:
        """The scale's period (its last pitch) in cents."""
        return self.pitches_cents[-1]


def parse_pitch(token: str) -> float:
    """Cents of one Scala pitch value ('386.3', '5/4', '2'); ValueError saying what is wrong."""
    if _CENTS_RE.match(token):
        return float(token)
    if not _RATIO_RE.match(token):
        raise ValueError(f"{token!r} is neither cents (with a '.') nor a ratio like 3/2")
    numerator, _, denominator = token.partition("/")
    ratio = Fraction(int(numerator), 1) if not denominator else None
    if denominator:
        if int(denominator) == 0:
            raise ValueError(f"the ratio {token} divides by zero")
        ratio = Fraction(int(numerator), int(denominator))
    if any(abs(int(t)) > MAX_RATIO_TERM for t in (numerator, denominator or "1")):
        raise ValueError(f"the ratio {token} has a term above {MAX_RATIO_TERM}")
    if ratio <= 0:
        raise ValueError(f"the ratio {token} is not positive (a frequency ratio must be > 0)")
    return 1200.0 * math.log2(ratio)


def parse_scala(text: str, source: str = "<scale>") -> ScalaScale:
    """Parse the text of a .scl file; ScalaError naming source and line number when malformed."""
    lines = text.splitlines()
    content = [(number, line) for number, line in enumerate(lines, start=1)
               if not line.lstrip().startswith("!")]

    def fail(number: int | None, problem: str) -> ScalaError:
        where = f"{source}, line {number}" if number else source
        return ScalaError(f"{where}: {problem}. See "
                          "https://www.huygens-fokker.org/scala/scl_format.html for the format.")

    if not any(line.strip() for _, line in content):
        raise fail(None, "the file is empty (it needs a description line, the number of notes "
                         "and one pitch per line)")
    description = content[0][1].strip()
    if len(content) < 2:
        raise fail(content[0][0], "the number of notes is missing after the description")
    count_line, count_text = content[1]
    try:
        count = int(count_text.split()[0]) if count_text.split() else -1
    except ValueError:
        count = -1
    if not 0 <= count <= MAX_NOTES:
        raise fail(count_line, f"expected the number of notes (0-{MAX_NOTES}), found "
                               f"{count_text.strip()!r}")
    pitch_lines = content[2:]
    while pitch_lines and not pitch_lines[-1][1].strip():
        pitch_lines.pop()                            # blank lines at the end are harmless
    if len(pitch_lines) < count:
        last = pitch_lines[-1][0] if pitch_lines else count_line
        raise fail(last, f"the file declares {count} notes on line {count_line} but has only "
                         f"{len(pitch_lines)} pitch lines; correct the count or add the missing "
                         "pitches")
    if len(pitch_lines) > count:
        raise fail(pitch_lines[count][0], f"the file declares {count} notes on line {count_line} "
                                          f"but has more pitch lines; correct the count")
    pitches = []
    for number, line in pitch_lines:
        fields = line.split()
        if not fields:
            raise fail(number, "a pitch is expected here, the line is empty")
        try:
            pitches.append(parse_pitch(fields[0]))
        except ValueError as exc:
            raise fail(number, str(exc)) from None
    return ScalaScale(description, tuple(pitches), source)


def read_scala(path: str | Path) -> ScalaScale:
    """Read and parse a .scl file; ScalaError with a clear message for any problem."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ScalaError(f"{path}: the file is over {MAX_FILE_BYTES // 1000} kB; it is not a "
                             "Scala scale")
        data = path.read_bytes()
    except ScalaError:
        raise
    except IsADirectoryError:
        raise ScalaError(f"{path} is a folder; give a .scl file") from None
    except OSError as exc:
        raise ScalaError(f"cannot read the scale file {path}: {exc.strerror or exc}") from None
    if b"\0" in data:
        raise ScalaError(f"{path}: this is not a text file (it contains binary data); a Scala "
                         "scale is a plain text .scl file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")                   # the spec's 8-bit files
    return parse_scala(text, path.name)


def scale_to_temperament(scale: ScalaScale, tonic_pc: int = 0) -> Temperament:
    """The scale as a temperament rooted on tonic_pc; ScalaError if it cannot serve as one.

    A 12-note scale maps degree k onto the pitch class k semitones above the tonic. Degrees that
    fall outside one period are folded into it.
    """
    name = scale.description or scale.source or "Scala scale"
    if not scale.pitches_cents:
        raise ScalaError(f"{scale.source}: the scale has no notes, so nothing to tune to")
    period = scale.period_cents
    if not period > 0:
        raise ScalaError(f"{scale.source}: the last pitch (the period, usually 2/1) is "
                         f"{period:.2f} cents; it must be above 1/1")
    degrees = (0.0,) + tuple(c % period for c in scale.pitches_cents[:-1])
    return Temperament(name, degrees, period, tonic_pc % 12)
