"""The vibrato-aware reading: centre, rate and width from a causal pitch stream."""

import math

import numpy as np
import pytest

from pitchlive.tracking.vibrato import (FRAME_RATE_HZ, VibratoReader, _midpoint_of_turns,
                                        centre_over_cycles, turning_midpoint, upward_crossings,
                                        vibrato_of)


def stream(centre_hz, width_cents, rate_hz, n=60, phase=0.3):
    t = np.arange(n) / FRAME_RATE_HZ
    return centre_hz * 2 ** (width_cents * np.sin(2 * np.pi * rate_hz * t + phase) / 1200)


@pytest.mark.parametrize("width, rate", [(40, 5.5), (60, 4.5), (25, 7.0)])
def test_reader_gives_the_centre_rate_and_width(width, rate):
    reader = VibratoReader()
    readings = [reader.update(f, True) for f in stream(440.0, width, rate)]
    late = readings[30:]
    centre = 1200 * np.log2(np.array([r.centre_hz for r in late]) / 440.0)
    assert np.all(np.abs(centre) < 1.0)
    assert all(abs(r.rate_hz - rate) < 0.3 for r in late)
    assert all(abs(r.width_cents - width) < 0.15 * width for r in late)


def test_a_steady_note_reads_itself_and_a_note_change_starts_over():
    reader = VibratoReader()
    for _ in range(30):
        reading = reader.update(440.0, True)
    assert reading.centre_hz == 440.0 and reading.rate_hz is None
    for f in stream(440.0, 40, 5.5, n=40):
        reader.update(f, True)
    jumped = reader.update(660.0, True)
    assert jumped.centre_hz == 660.0 and jumped.rate_hz is None


def test_unvoiced_frames_reset_the_reader():
    reader = VibratoReader()
    for f in stream(440.0, 40, 5.5, n=40):
        reader.update(f, True)
    assert reader.update(math.nan, False).rate_hz is None
    assert reader.update(445.0, True).centre_hz == 445.0


def test_helpers():
    values = np.array([-1.0, 1.0, 0.5, -0.5, -1.0, 3.0])
    np.testing.assert_allclose(upward_crossings(values), [0.5, 4.25])
    assert vibrato_of(np.zeros(40)) is None
    # A mean over exactly two periods of a sampled sine is its centre.
    period = FRAME_RATE_HZ / 5.5
    x = 10 + 40 * np.sin(2 * np.pi * np.arange(40) / period)
    assert abs(centre_over_cycles(x, period) - 10) < 2
    assert math.isnan(centre_over_cycles(x[:5], period))


@pytest.mark.parametrize("phase", [0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
def test_the_reading_locks_within_a_cycle_of_the_note_start(phase):
    # 5.5 Hz, +-40 cents: one cycle is 5.7 frames. From the seventh frame on (0.19 s), whatever
    # the phase the note starts at, the needle reads the centre (the contour swings +-40);
    # averaging whole cycles once they fit leaves up to ~3.5 cents on a frame.
    reader = VibratoReader()
    readings = [reader.update(f, True) for f in stream(440.0, 40, 5.5, n=30, phase=phase)]
    centre = 1200 * np.log2(np.array([r.centre_hz for r in readings]) / 440.0)
    assert np.all(np.abs(centre[6:]) < 4.0) and abs(np.median(centre[6:])) < 1.0


def test_turning_midpoint():
    # Halfway between the vertex of the last peak and of the last trough.
    x = 40 * np.sin(2 * np.pi * np.arange(12) / (FRAME_RATE_HZ / 5.5) + 0.4)
    assert abs(turning_midpoint(x)) < 1.0
    assert abs(turning_midpoint(x + 25.0) - 25.0) < 1.0
    # No trough yet, a glide, a steady note's wobble: nothing to read.
    assert math.isnan(turning_midpoint(x[:3]))
    assert math.isnan(turning_midpoint(np.linspace(0, 100, 12)))
    assert math.isnan(turning_midpoint(np.array([0.0, 2.0, -1.0, 1.5, 0.0])))


@pytest.mark.parametrize("away", [1, 2])
def test_a_frame_or_two_on_a_harmonic_do_not_restart_the_reading(away):
    # A sung vowel's frames slip to the formant harmonic (3x) now and then: the reading of those
    # frames is their own, and then the note's centre carries on over whole cycles.
    contour = stream(220.0, 40, 5.5, n=60)
    slipped = contour.copy()
    for start in (20, 33, 45):
        slipped[start:start + away] *= 3.0
    plain, reader = VibratoReader(), VibratoReader()
    clean = [plain.update(f, True) for f in contour]
    read = [reader.update(f, True) for f in slipped]
    on_note = []
    for k, b in enumerate(read):
        if slipped[k] != contour[k]:
            assert b.centre_hz == slipped[k] and b.rate_hz is None
        elif k >= 30:
            assert b.rate_hz is not None
            on_note.append(1200 * np.log2(b.centre_hz / 220.0))
    # The frames bridged (linear in cents across part of a cycle) move a frame's mean over two
    # cycles a little; restarting instead read the swinging contour itself (up to 40 cents).
    assert np.max(np.abs(on_note)) < 4.0 * away and abs(np.median(on_note)) < 1.5
    assert np.max(np.abs(1200 * np.log2([r.centre_hz / 220.0 for r in clean[30:]]))) < 4.0


def test_a_note_change_reads_as_before_from_its_first_frame():
    # Three frames away is a new note: each of its frames reads as a new note's would.
    reader = VibratoReader()
    for f in stream(440.0, 40, 5.5, n=40):
        reader.update(f, True)
    new = stream(660.0, 40, 5.5, n=30, phase=1.0)
    fresh = VibratoReader()
    for f in new:
        assert reader.update(f, True) == fresh.update(f, True)


def _named(readings):
    return np.round(69 + 12 * np.log2(np.array([r.centre_hz for r in readings]) / 440.0))


def test_a_note_read_on_its_formant_at_first_reads_its_centre_once_it_recurs():
    # bench/accuracy.py's sung "ah" at E1 with +-40 cents: the live frames alternate between the
    # note and its first formant (~16.7x, 700 Hz), and the note's first frames read the formant.
    # The second visit far below is the note; from then on the frames up on the formant hold
    # the note's centre (they flipped the named note 7 times and moved its reading 10 cents).
    centre = 41.2
    contour = stream(centre, 40, 5.5, n=26)
    up = "UUUUdUUdUddUUdUUddddddUUdd"          # U: the frame read the formant
    heard = np.where(np.array(list(up)) == "U", contour * 16.7, contour)
    reader = VibratoReader()
    readings = [reader.update(f, True) for f in heard]
    assert set(_named(readings[7:])) == {28.0}
    error = 1200 * np.log2(np.array([r.centre_hz for r in readings[7:]]) / centre)
    assert np.all(np.abs(error) < 45) and abs(np.median(error)) < 12


def test_one_frame_far_below_does_not_take_the_note():
    contour = stream(440.0, 40, 5.5, n=40)
    heard = contour.copy()
    heard[25] /= 4.0
    plain, reader = VibratoReader(), VibratoReader()
    clean = [plain.update(f, True) for f in contour]
    read = [reader.update(f, True) for f in heard]
    assert read[25].centre_hz == heard[25]
    late = 1200 * np.log2(np.array([r.centre_hz for r in read[30:]]) / 440.0)
    assert np.all(np.abs(late) < 6) and read[:25] == clean[:25]


@pytest.mark.parametrize("semitones", [7, 12, 19, 24, -19, -24])
def test_a_real_leap_reads_the_new_note_from_its_first_frame(semitones):
    reader = VibratoReader()
    for f in stream(440.0 * 2 ** (-9 / 12), 40, 5.5, n=40):      # C4
        reader.update(f, True)
    new = stream(440.0 * 2 ** ((semitones - 9) / 12), 40, 5.5, n=10, phase=1.0)
    assert np.all(_named([reader.update(f, True) for f in new]) == 60 + semitones)


def test_after_a_formant_the_note_leaps_back_up_within_two_frames():
    # A note taken far below from its formant, then a real leap back up there: it reads from
    # its third frame (the first two are held as the formant's would be).
    reader = VibratoReader()
    high = stream(440.0, 40, 5.5, n=8)
    low = stream(440.0 / 4, 40, 5.5, n=20)
    for f in [*high[:4], low[0], *high[4:], *low[1:]]:
        reader.update(f, True)
    named = _named([reader.update(f, True) for f in stream(440.0, 40, 5.5, n=8, phase=2.0)])
    assert np.all(named[:2] == 45) and np.all(named[2:] == 69)


def _vibrato_of_with_polyfit(cents, frame_rate_hz=FRAME_RATE_HZ):
    """vibrato_of as first written, np.polyfit on every call: the reference of its fast form."""
    n = cents.size
    if n < frame_rate_hz / 9.0 * 2.5:
        return None
    x = np.arange(n)
    slope, intercept = np.polyfit(x, cents, 1)
    detrended = cents - (slope * x + intercept)
    below, above = detrended[:-1] < 0, detrended[1:] >= 0
    idx = np.flatnonzero(below & above)
    ups = idx + detrended[idx] / (detrended[idx] - detrended[idx + 1])
    if ups.size < 2:
        return None
    rate = (ups.size - 1) * frame_rate_hz / (ups[-1] - ups[0])
    width = 0.5 * float(np.max(detrended) - np.min(detrended))
    if not 3.0 <= rate <= 9.0 or width < 8.0:
        return None
    return float(rate), width


def test_the_line_fit_is_polyfits_bit_for_bit():
    # vibrato_of keeps np.polyfit's design matrix between calls: the same rate and width, on
    # vibratos, glides, steady notes and noise of every length the reader holds.
    rng = np.random.default_rng(5)
    found = 0
    for n in range(3, 27):
        t = np.arange(n) / FRAME_RATE_HZ
        for contour in (5000 + 40 * np.sin(2 * np.pi * 5.5 * t + rng.uniform(0, 6)),
                        4000 + 300 * t + 25 * np.sin(2 * np.pi * 7 * t),
                        6000 + rng.normal(0, 3, n), 5500 + rng.normal(0, 30, n)):
            got, expected = vibrato_of(contour), _vibrato_of_with_polyfit(contour)
            assert got == expected
            found += got is not None
    assert found > 20


def test_a_narrow_contour_is_no_vibrato_without_a_fit():
    # vibrato_of skips the line fit where the contour's range R bounds the width below
    # MIN_WIDTH_CENTS (k R, vibrato._line_design): the bound holds for steps, ramps, spikes
    # and noise, and contours at the bound read as the fitted code reads them.
    from pitchlive.tracking.vibrato import MIN_WIDTH_CENTS, _line_design
    rng = np.random.default_rng(8)
    for n in range(9, 26):
        factor = _line_design(n)[4]
        x = np.arange(n)
        shapes = [np.where(x >= k, 1.0, 0.0) for k in range(1, n)]
        shapes += [(x == k).astype(float) for k in range(n)]
        shapes += [rng.random(n) for _ in range(30)] + [x / n, np.abs(x - n / 2)]
        for shape in shapes:
            contour = 6000.0 + shape / (np.ptp(shape) or 1.0)       # range 1 cent
            slope, intercept = np.polyfit(x, contour, 1)
            detrended = contour - (slope * x + intercept)
            assert 0.5 * np.ptp(detrended) <= factor * 1.0 + 1e-9
            for scale in (0.9, 1.0, 1.1):
                wide = 6000.0 + (contour - 6000.0) * scale * MIN_WIDTH_CENTS / factor
                assert vibrato_of(wide) == _vibrato_of_with_polyfit(wide)
        assert 1.0 < factor < 1.5


def test_a_narrow_contour_has_no_turning_midpoint_without_its_vertices():
    # turning_midpoint answers NaN at once where 0.75 times the contour's range is below the
    # smallest width (each vertex lies within a quarter of the range beyond it): the same
    # answers as reading the vertices, on spikes, zigzags and noise around that range.
    rng = np.random.default_rng(12)
    answered = 0
    for n in range(3, 26):
        for _ in range(60):
            shape = rng.choice([rng.random(n), np.where(rng.random(n) < 0.5, 0.0, 1.0),
                                (np.arange(n) % 2).astype(float)])
            scale = rng.uniform(0.8, 1.3) * 8.0 / 0.75 / (np.ptp(shape) or 1.0)
            contour = 5000.0 + shape * scale
            got, expected = turning_midpoint(contour), _midpoint_of_turns(
                contour, 8.0, 450.0)
            assert got == expected or (math.isnan(got) and math.isnan(expected))
            answered += not math.isnan(expected)
    assert answered > 20


def _reading_from_the_public_functions(history, frequency_hz):
    """VibratoReader's reading of a contour as vibrato_of and turning_midpoint give it."""
    found = vibrato_of(history)
    if found is None:
        early = turning_midpoint(history)
        return (2.0 ** (early / 1200.0), None, None) if math.isfinite(early) else \
            (frequency_hz, None, None)
    centre = centre_over_cycles(history, FRAME_RATE_HZ / found[0])
    if not math.isfinite(centre):
        return frequency_hz, None, None
    return 2.0 ** (centre / 1200.0), found[0], found[1]


def test_the_readers_range_check_reads_as_the_public_functions():
    # The reader takes a contour's range once in plain Python and skips the arrays when neither
    # a vibrato nor a turning point can be read (a held note): the same readings, bit for bit,
    # on held notes, wobbles near the smallest width, vibratos and glides of every length.
    rng = np.random.default_rng(21)
    skipped = read = 0
    for n in range(1, 27):
        t = np.arange(n) / FRAME_RATE_HZ
        for contour in (5000 + rng.normal(0, 1, n), 5000 + rng.normal(0, 4, n),
                        5000 + 6 * np.sin(2 * np.pi * 6 * t), 5000 + 11 * np.sin(2 * np.pi * 6 * t),
                        5000 + 40 * np.sin(2 * np.pi * 5.5 * t + rng.uniform(0, 6)),
                        4000 + 300 * t):
            frequency_hz = float(2.0 ** (contour[-1] / 1200.0))
            got = VibratoReader()._reading(list(contour), frequency_hz)
            expected = _reading_from_the_public_functions(contour, frequency_hz)
            assert (got.centre_hz, got.rate_hz, got.width_cents) == expected
            skipped += got.centre_hz == frequency_hz
            read += got.rate_hz is not None
    assert skipped > 20 and read > 10


def test_the_outer_crossings_are_upward_crossings_bit_for_bit():
    # vibrato_of counts the crossings and reads the first and last on Python floats.
    from pitchlive.tracking.vibrato import _outer_upward_crossings
    rng = np.random.default_rng(30)
    for n in range(2, 30):
        for values in (rng.normal(0, 1, n), np.round(rng.normal(0, 1, n)),
                       np.sin(np.arange(n) * rng.uniform(0.3, 1.5)), np.zeros(n)):
            ups = upward_crossings(values)
            count, first, last = _outer_upward_crossings(values.tolist())
            assert count == ups.size
            if count:
                assert (first, last) == (ups[0], ups[-1])
            else:
                assert math.isnan(first) and math.isnan(last)
