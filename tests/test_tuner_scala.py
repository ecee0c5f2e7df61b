"""Scala .scl files: the format's own example and archive-style files read; broken ones rejected
with the line that is wrong."""

import math

import pytest

from pitchlive.tuner.scala import (ScalaError, ScalaScale, parse_pitch, parse_scala, read_scala,
                                   scale_to_temperament)
from pitchlive.tuner.temperament import nearest_scale_note, note_target_hz
from pitchlive.tuner.temperaments import temperament

# The example on https://www.huygens-fokker.org/scala/scl_format.html (ratios and cents mixed).
MEANQUAR = """! meanquar.scl
!
1/4-comma meantone scale. Pietro Aaron's temperament (1523)
 12
!
 76.04900
 193.15686
 310.26471
 5/4
 503.42157
 579.46569
 696.57843
 25/16
 889.73529
 1006.84314
 1082.89214
 2/1
"""

EQUAL_12 = """! 12-tet.scl
!
12 tone equal temperament
12
!
100.0
200.
300.0 cents
400.0
500.0
600.0
700.0
800.0
900.0
1000.0
1100.0
2/1
"""

# Scala archive style: Werckmeister III with the pure steps as ratios.
WERCK3 = """! werck3.scl
!
Andreas Werckmeister's temperament III (the most famous one, 1681)
 12
!
 256/243
 192.18000
 32/27
 390.22500
 4/3
 1024/729
 696.09000
 128/81
 888.27000
 16/9
 1092.18000
 2
"""

# A non-octave scale: Bohlen-Pierce, 13 equal steps of the tritave 3/1.
BOHLEN_PIERCE = "! bp.scl\nBohlen-Pierce equal\n13\n" + \
    "".join(f"{1200 * math.log2(3) * k / 13:.5f}\n" for k in range(1, 13)) + "3/1\n"


def test_the_format_page_example_reads():
    scale = parse_scala(MEANQUAR, "meanquar.scl")
    assert scale.description == "1/4-comma meantone scale. Pietro Aaron's temperament (1523)"
    assert len(scale.pitches_cents) == 12 and scale.period_cents == pytest.approx(1200.0)
    assert scale.pitches_cents[3] == pytest.approx(386.314, abs=0.001)    # 5/4
    assert scale.pitches_cents[7] == pytest.approx(772.627, abs=0.001)    # 25/16
    t = scale_to_temperament(scale)
    assert t.chromatic
    assert t.degrees_cents == pytest.approx(temperament("meantone").degrees_cents, abs=0.01)


def test_equal_file_with_trailing_text_and_bare_point_cents():
    t = scale_to_temperament(parse_scala(EQUAL_12))
    assert t.degrees_cents == pytest.approx(temperament("equal").degrees_cents)


def test_werckmeister_iii_from_ratios_matches_the_built_in_one():
    t = scale_to_temperament(parse_scala(WERCK3), tonic_pc=0)
    assert t.degrees_cents == pytest.approx(temperament("werckmeister3").degrees_cents, abs=1e-3)
    assert note_target_hz(t, 69) == pytest.approx(440.0)


def test_a_non_octave_scale_tunes_to_its_nearest_degree():
    scale = parse_scala(BOHLEN_PIERCE)
    assert scale.period_cents == pytest.approx(1901.955, abs=0.001)
    t = scale_to_temperament(scale, tonic_pc=0)
    assert t.size == 13 and not t.chromatic
    step = 1200 * math.log2(3) / 13
    note = nearest_scale_note(t, 261.6256 * 3 * 2 ** ((2 * step + 1.5) / 1200))
    assert (note.degree, note.period_index) == (2, 1)
    assert note.cents == pytest.approx(1.5, abs=1e-3)


@pytest.mark.parametrize("token,cents", [("3/2", 701.955), ("2", 1200.0), ("-5.0", -5.0),
                                         ("100.", 100.0), (".5", 0.5), ("10/20", -1200.0),
                                         ("2147483647/1073741824", 1200.0)])
def test_pitch_values(token, cents):
    assert parse_pitch(token) == pytest.approx(cents, abs=0.001)


def test_zero_notes_is_a_valid_file_but_no_temperament():
    scale = parse_scala("empty scale\n0\n")
    assert scale == ScalaScale("empty scale", (), "<scale>")
    with pytest.raises(ScalaError, match="no notes"):
        scale_to_temperament(scale)


def test_an_empty_description_line_is_allowed():
    assert parse_scala("\n1\n2/1\n").description == ""


@pytest.mark.parametrize("text,line,message", [
    ("", None, "the file is empty"),
    ("! only comments\n!\n", None, "the file is empty"),
    ("just a description\n", 1, "number of notes is missing"),
    ("desc\ntwelve\n100.0\n", 2, "expected the number of notes"),
    ("desc\n-3\n", 2, "expected the number of notes"),
    ("desc\n3\n100.0\n2/1\n", 4, "declares 3 notes on line 2 but has only 2"),
    ("desc\n1\n100.0\n2/1\n", 4, "has more pitch lines"),
    ("desc\n2\n100.0\nabc\n", 4, "'abc' is neither cents"),
    ("desc\n2\n-3/2\n2/1\n", 3, "not positive"),
    ("desc\n2\n0/5\n2/1\n", 3, "not positive"),
    ("desc\n2\n3/0\n2/1\n", 3, "divides by zero"),
    ("desc\n2\n3/2/1\n2/1\n", 3, "neither cents"),
    ("desc\n2\n100,0\n2/1\n", 3, "neither cents"),
    ("desc\n3\n100.0\n\n2/1\n", 4, "line is empty"),
    ("desc\n2\n4294967296/1\n2/1\n", 3, "term above 2147483647"),
])
def test_broken_files_name_the_line_and_the_problem(text, line, message):
    with pytest.raises(ScalaError, match=message) as caught:
        parse_scala(text, "bad.scl")
    where = f"bad.scl, line {line}:" if line else "bad.scl:"
    assert str(caught.value).startswith(where)
    assert "scl_format.html" in str(caught.value)


def test_a_period_below_unison_is_rejected():
    with pytest.raises(ScalaError, match="must be above 1/1"):
        scale_to_temperament(parse_scala("down\n2\n100.0\n1/2\n", "down.scl"))


def test_read_from_disk_utf8_latin1_and_errors(tmp_path):
    good = tmp_path / "werck3.scl"
    good.write_text(WERCK3)
    assert read_scala(good).source == "werck3.scl"
    latin = tmp_path / "rameau.scl"
    latin.write_bytes("Gamme tempérée de Rameau\n1\n2/1\n".encode("latin-1"))
    assert read_scala(latin).description == "Gamme tempérée de Rameau"
    utf = tmp_path / "utf.scl"
    utf.write_bytes("\ufeffÉchelle égale\n1\n1200.0\n".encode("utf-8"))
    assert read_scala(utf).description == "Échelle égale"
    binary = tmp_path / "x.scl"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    with pytest.raises(ScalaError, match="not a text file"):
        read_scala(binary)
    with pytest.raises(ScalaError, match="cannot read the scale file"):
        read_scala(tmp_path / "missing.scl")
    with pytest.raises(ScalaError, match="is a folder"):
        read_scala(tmp_path)
    empty = tmp_path / "empty.scl"
    empty.write_bytes(b"")
    with pytest.raises(ScalaError, match="empty.scl: the file is empty"):
        read_scala(empty)
