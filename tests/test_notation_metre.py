"""Time signature and pickup from the accent pattern of notes on the sixteenth grid."""

import numpy as np
import pytest

from pitchlive.notation.metre import (
    TimeSignature,
    TimeSignatureError,
    estimate_metre,
    parse_time_signature,
)

# One bar of each metre as (start, length) in sixteenths: long notes on strong beats.
BARS = {
    "4/4": ((0, 6), (6, 2), (8, 4), (12, 4)),
    "3/4": ((0, 8), (8, 4)),
    "6/8": ((0, 4), (4, 2), (6, 4), (10, 2)),
    "2/4": ((0, 4), (4, 2), (6, 2)),
}
VARIANTS = {
    "4/4": ((0, 8), (8, 4), (12, 2), (14, 2)),
    "3/4": ((0, 4), (4, 4), (8, 2), (10, 2)),
    "6/8": ((0, 6), (6, 2), (8, 2), (10, 2)),
    "2/4": ((0, 4), (4, 2), (6, 2)),   # 2/4 bars alike (alternating two would be 4/4)
}


def tune(signature: str, n_bars: int = 8, pickup: tuple[tuple[int, int], ...] = ()):
    """(starts, lengths) of n_bars alternating the two bar patterns, after an optional pickup
    (given as (start, length) before the first downbeat at 0)."""
    bar = parse_time_signature(signature).bar_sixteenths
    lead = -min((s for s, _ in pickup), default=0)
    starts, lengths = [s + lead for s, _ in pickup], [n for _, n in pickup]
    for k in range(n_bars):
        for start, length in (BARS if k % 2 == 0 else VARIANTS)[signature]:
            starts.append(lead + k * bar + start)
            lengths.append(length)
    return np.array(starts), np.array(lengths), lead


@pytest.mark.parametrize("signature", ["4/4", "3/4", "6/8", "2/4"])
def test_the_metre_of_typical_rhythms(signature):
    starts, lengths, _ = tune(signature)
    metre = estimate_metre(starts, lengths)
    assert str(metre.time_signature) == signature
    assert metre.pickup_sixteenths == 0 and metre.estimated


@pytest.mark.parametrize("signature, pickup", [
    ("4/4", ((-4, 4),)), ("6/8", ((-2, 2),)),
    ("4/4", ((-2, 2),)), ("2/4", ((-2, 2),)),
])
def test_a_pickup_is_found(signature, pickup):
    starts, lengths, lead = tune(signature, pickup=pickup)
    metre = estimate_metre(starts, lengths)
    assert str(metre.time_signature) == signature
    assert metre.pickup_sixteenths == lead


def test_phrases_ending_on_beat_three_do_not_move_the_downbeat():
    # Ode to Joy: crotchets, then "F#. E8 E2" and "E. D8 D2" with the half notes on beat 3.
    phrase = [4] * 12 + [6, 2, 8]
    lengths = np.array(phrase * 2)
    starts = np.cumsum(np.concatenate([[0], lengths]))[:-1]
    metre = estimate_metre(starts, lengths)
    assert metre.pickup_sixteenths == 0 and str(metre.time_signature) in ("4/4", "2/4")
    assert estimate_metre(starts, lengths, (TimeSignature(4, 4),)).pickup_sixteenths == 0


def test_a_given_signature_only_places_the_downbeat():
    starts, lengths, lead = tune("3/4", pickup=((-4, 4),))
    metre = estimate_metre(starts, lengths, (TimeSignature(3, 4),))
    assert (str(metre.time_signature), metre.pickup_sixteenths, metre.estimated) == \
        ("3/4", lead, False)
    odd = estimate_metre(starts, lengths, (TimeSignature(5, 4),))
    assert str(odd.time_signature) == "5/4"


def test_few_notes_say_four_four():
    metre = estimate_metre(np.array([0, 4, 8]), np.array([4, 4, 8]))
    assert (str(metre.time_signature), metre.pickup_sixteenths, metre.estimated) == \
        ("4/4", 0, False)


@pytest.mark.parametrize("text, bar", [("4/4", 16), ("3/4", 12), ("6/8", 12), ("2/2", 16),
                                       (" 7 / 8 ", 14)])
def test_time_signatures_are_read(text, bar):
    assert parse_time_signature(text).bar_sixteenths == bar


@pytest.mark.parametrize("text, words", [("3-4", "cannot read"), ("3/5", "beat type of 5"),
                                         ("0/4", "1 to 32 beats"), ("four", "cannot read")])
def test_bad_time_signatures_say_what_to_write(text, words):
    with pytest.raises(TimeSignatureError, match=words) as error:
        parse_time_signature(text)
    assert "3/4" in str(error.value)
