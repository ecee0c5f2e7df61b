"""The named temperaments a tuner offers, built from their definitions (chains of fifths, ratios).

Each is built the way its author defined it, and tests/test_tuner_temperaments.py checks the
results against published cent tables:
- Pythagorean and quarter-comma meantone: 12 notes from E-flat to G-sharp in a chain of pure
  (701.955 c) or quarter-comma (696.578 c) fifths, the wolf between G-sharp and E-flat, as in the
  tables of Wikipedia's "Pythagorean tuning" and "Quarter-comma meantone" articles.
- Werckmeister III: C-G, G-D, D-A and B-F# narrowed by 1/4 Pythagorean comma, the rest pure
  (Tonalsoft encyclopedia, "Werckmeister", http://tonalsoft.com/enc/w/werckmeister.aspx).
- Kirnberger III: C-G-D-A-E four quarter-syntonic-comma fifths (C-E a pure 5/4), the rest pure
  (Monzo, http://www.tonalsoft.com/sonic-arts/dict/kirnberger.htm).
- Vallotti: the six fifths F-C-G-D-A-E-B narrowed by 1/6 Pythagorean comma, the rest pure
  (cent offsets as tabled by https://tunableapp.com/temperaments/kirnberger-iii-vs-vallotti).
- Just intonation: the common 5-limit twelve-note scale on the tonic, 1/1 16/15 9/8 6/5 5/4 4/3
  45/32 3/2 8/5 5/3 9/5 15/8 (Wikipedia, "Five-limit tuning", the asymmetric standard scale).
"""

from __future__ import annotations

import math
from fractions import Fraction

from pitchlive.tuner.temperament import Temperament

PURE_FIFTH_CENTS = 1200.0 * math.log2(3 / 2)                      # 701.955
PYTHAGOREAN_COMMA_CENTS = 1200.0 * math.log2(3 ** 12 / 2 ** 19)    # 23.460
SYNTONIC_COMMA_CENTS = 1200.0 * math.log2(81 / 80)                 # 21.506

JUST_RATIOS = tuple(Fraction(r) for r in ("1/1", "16/15", "9/8", "6/5", "5/4", "4/3", "45/32",
                                          "3/2", "8/5", "5/3", "9/5", "15/8"))


def _from_chain_of_fifths(name: str, start_pc: int, fifths_cents: list[float]) -> Temperament:
    """A 12-note temperament from a chain of 11 fifths starting at start_pc, rooted on C."""
    assert len(fifths_cents) == 11
    positions = {start_pc % 12: 0.0}
    pc, cents = start_pc % 12, 0.0
    for fifth in fifths_cents:
        pc, cents = (pc + 7) % 12, cents + fifth
        positions[pc] = cents
    c_cents = positions[0]
    degrees = tuple((positions[k] - c_cents) % 1200.0 for k in range(12))
    return Temperament(name, degrees)


def _equal() -> Temperament:
    return Temperament("equal", tuple(100.0 * k for k in range(12)))


def _just() -> Temperament:
    return Temperament("just", tuple(1200.0 * math.log2(r) for r in JUST_RATIOS))


def _pythagorean() -> Temperament:
    return _from_chain_of_fifths("pythagorean", 3, [PURE_FIFTH_CENTS] * 11)       # Eb .. G#


def _meantone() -> Temperament:
    fifth = PURE_FIFTH_CENTS - SYNTONIC_COMMA_CENTS / 4
    return _from_chain_of_fifths("meantone", 3, [fifth] * 11)                     # Eb .. G#


def _werckmeister3() -> Temperament:
    pure, narrow = PURE_FIFTH_CENTS, PURE_FIFTH_CENTS - PYTHAGOREAN_COMMA_CENTS / 4
    # C-G G-D D-A A-E E-B B-F# F#-C# C#-G# G#-D# D#-A# A#-F
    return _from_chain_of_fifths("werckmeister3", 0, [narrow, narrow, narrow, pure, pure, narrow,
                                                      pure, pure, pure, pure, pure])


def _kirnberger3() -> Temperament:
    pure, meantone = PURE_FIFTH_CENTS, PURE_FIFTH_CENTS - SYNTONIC_COMMA_CENTS / 4
    # Db-Ab Ab-Eb Eb-Bb Bb-F F-C C-G G-D D-A A-E E-B B-F#
    return _from_chain_of_fifths("kirnberger3", 1, [pure] * 5 + [meantone] * 4 + [pure] * 2)


def _vallotti() -> Temperament:
    pure, narrow = PURE_FIFTH_CENTS, PURE_FIFTH_CENTS - PYTHAGOREAN_COMMA_CENTS / 6
    # F-C C-G G-D D-A A-E E-B B-F# F#-C# C#-G# G#-D# D#-A#
    return _from_chain_of_fifths("vallotti", 5, [narrow] * 6 + [pure] * 5)


# key -> (label, builder)
_CATALOGUE = {
    "equal": ("Equal temperament", _equal),
    "just": ("Just intonation (5-limit, on the tonic)", _just),
    "pythagorean": ("Pythagorean", _pythagorean),
    "meantone": ("Quarter-comma meantone", _meantone),
    "werckmeister3": ("Werckmeister III", _werckmeister3),
    "kirnberger3": ("Kirnberger III", _kirnberger3),
    "vallotti": ("Vallotti", _vallotti),
}
TEMPERAMENT_NAMES = tuple(_CATALOGUE)
TEMPERAMENT_LABELS = {key: label for key, (label, _) in _CATALOGUE.items()}


def temperament(name: str, tonic_pc: int = 0) -> Temperament:
    """The named temperament rooted on tonic_pc (0 = C); ValueError naming the choices."""
    key = str(name).strip().lower().replace(" ", "").replace("-", "").replace("_", "")
    aliases = {"et": "equal", "12tet": "equal", "werckmeisteriii": "werckmeister3",
               "kirnbergeriii": "kirnberger3", "quartercommameantone": "meantone"}
    key = aliases.get(key, key)
    if key not in _CATALOGUE:
        raise ValueError(f"unknown temperament {name!r}; choose one of "
                         f"{', '.join(TEMPERAMENT_NAMES)}, or give a Scala .scl file")
    return _CATALOGUE[key][1]().on_tonic(tonic_pc)
