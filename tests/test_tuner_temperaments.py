"""The named temperaments against published cent tables (sources in tuner/temperaments.py)."""

import pytest

from pitchlive.tuner.temperament import Temperament
from pitchlive.tuner.temperaments import TEMPERAMENT_NAMES, temperament

# Degrees above C in cents, C .. B.
WERCKMEISTER_III_TONALSOFT = (0.0, 90.225, 192.180, 294.135, 390.225, 498.045, 588.270, 696.090,
                              792.180, 888.270, 996.090, 1092.180)
# Wikipedia, "Quarter-comma meantone", and Scala's meanquar.scl (the format page's example).
MEANTONE = (0.0, 76.049, 193.157, 310.265, 386.314, 503.422, 579.471, 696.578, 772.627, 889.735,
            1006.843, 1082.892)
# Wikipedia, "Pythagorean tuning" (Eb .. G#).
PYTHAGOREAN = (0.0, 113.685, 203.910, 294.135, 407.820, 498.045, 611.730, 701.955, 815.640,
               905.865, 996.090, 1109.775)
# Offsets from equal temperament with A at 0, as tabled by tunableapp.com (C .. B).
KIRNBERGER_III_FROM_A = (10.27, 0.49, 3.42, 4.40, -3.42, 8.31, 0.49, 6.84, 2.44, 0.0, 6.36, -1.47)
VALLOTTI_FROM_A = (5.87, 0.0, 1.96, 3.91, -1.96, 7.82, -1.96, 3.91, 1.96, 0.0, 5.87, -3.91)


def test_every_name_builds_a_twelve_note_temperament_on_c():
    for name in TEMPERAMENT_NAMES:
        t = temperament(name)
        assert isinstance(t, Temperament) and t.chromatic and t.tonic_pc == 0
        assert t.degrees_cents[0] == 0.0


def test_equal_is_100_cents_a_step():
    assert temperament("equal").offsets_from_equal_cents() == pytest.approx([0.0] * 12)


def test_just_intervals_above_the_tonic():
    just = temperament("just").degrees_cents
    assert just[4] == pytest.approx(386.31, abs=0.005)       # 5/4
    assert just[7] == pytest.approx(701.955, abs=0.001)      # 3/2
    assert just[3] == pytest.approx(315.64, abs=0.005)       # 6/5
    assert just[9] == pytest.approx(884.36, abs=0.005)       # 5/3


def test_pythagorean_fifths_are_pure():
    assert temperament("pythagorean").degrees_cents == pytest.approx(PYTHAGOREAN, abs=0.001)
    assert temperament("pythagorean").degrees_cents[7] == pytest.approx(701.955, abs=0.001)


def test_quarter_comma_meantone_has_a_pure_major_third():
    meantone = temperament("meantone").degrees_cents
    assert meantone == pytest.approx(MEANTONE, abs=0.001)
    assert meantone[4] == pytest.approx(386.31, abs=0.005)


def test_werckmeister_iii_matches_tonalsoft():
    assert temperament("werckmeister3").degrees_cents == pytest.approx(WERCKMEISTER_III_TONALSOFT,
                                                                      abs=0.001)


@pytest.mark.parametrize("name,table", [("kirnberger3", KIRNBERGER_III_FROM_A),
                                        ("vallotti", VALLOTTI_FROM_A)])
def test_well_temperaments_match_published_offsets(name, table):
    offsets = temperament(name).offsets_from_equal_cents()
    from_a = [o - offsets[9] for o in offsets]
    assert from_a == pytest.approx(table, abs=0.006)


def test_kirnberger_iii_c_to_e_is_pure():
    assert temperament("kirnberger3").degrees_cents[4] == pytest.approx(386.314, abs=0.001)


def test_names_are_forgiving_and_unknown_ones_list_the_choices():
    assert temperament("Werckmeister III").name == "werckmeister3"
    assert temperament("quarter-comma meantone").name == "meantone"
    with pytest.raises(ValueError, match="choose one of equal, just"):
        temperament("bogus")


def test_a_tonic_rotates_the_intervals():
    on_d = temperament("just", tonic_pc=2)
    assert on_d.tonic_pc == 2 and on_d.degrees_cents == temperament("just").degrees_cents
