"""A vibrato-aware reading for the needle: the centre of a vibrato, its rate and its width.

A singer's or string player's vibrato swings the pitch +-20..100 cents 4-8 times a second; the
ear hears the centre. The trace keeps the contour; the needle and the note name read the centre:
the mean of the pitch over the last whole vibrato cycles (a mean over whole cycles cancels the
swing, whatever its phase). Until a whole cycle has been heard (0.2-0.35 s into a note), it
reads halfway between the newest peak and trough, so the needle settles after half a cycle to
one cycle rather than swinging with the contour. Causal: only frames already seen are used, so no
delay is added.

A frame or two far from the running centre (an octave or a formant harmonic the refinement read
for a moment), fewer than the note has had, is not yet a new note: it reads as a new note would,
but the note's history is kept; when the pitch comes back the frames in between are bridged (linear in cents) and the
centre over whole cycles goes on; before, each such frame restarted the reading (low-latency
mode, bench/accuracy_by_take.py: named-note flips inside the corpus's 45 vibrato notes 26 -> 23;
the default mode's notes have no such short slips left since live frames carry the pitch of the
frame before, tracking/refine.py). A real note change reads exactly as before.

A reading that alternates between a note and its formant a twelfth or more above (a sung "ah" at
E1: SPICE v1 and about half the live frames read ~700 Hz) keeps the lower pitch as the note once
it recurs, and the frames back up on the formant hold the note's centre (FAR_CENTS).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pitchlive.music import median_of

FRAME_RATE_HZ = 16000 / 512
WINDOW_S = 0.8                 # frames looked back at: four cycles of a 5 Hz vibrato
MIN_RATE_HZ, MAX_RATE_HZ = 3.0, 9.0
MIN_WIDTH_CENTS = 8.0          # narrower swings are read as they are
NOTE_CHANGE_CENTS = 150.0      # a step this far from the running centre starts a new note...
EXCURSION_FRAMES = 2           # ...once more than this many frames in a row stayed away (64 ms)
# A reading that alternates between two pitches a twelfth or more apart (less a semitone) reads a
# note and its formant or a high harmonic: far below the note, the second visit within the
# window is the note itself, and the pitch it left is remembered as its formant; frames back up
# there then hold the note's centre for up to EXCURSION_FRAMES (a sung "ah" at E1 read ~700 Hz on
# half its live frames, and the named note flipped with them).
FAR_CENTS = 1800.0
CYCLES_AVERAGED = 2


@dataclass(frozen=True)
class VibratoReading:
    """The reading of one frame: centre_hz is what the needle shows."""

    centre_hz: float
    rate_hz: float | None = None        # None when no vibrato is heard
    width_cents: float | None = None    # half the peak-to-peak swing


def upward_crossings(values: np.ndarray) -> np.ndarray:
    """Fractional indices (k,) where values (n,) cross zero going up (linear interpolation)."""
    below, above = values[:-1] < 0, values[1:] >= 0
    idx = np.flatnonzero(below & above)
    return idx + values[idx] / (values[idx] - values[idx + 1])


def vibrato_of(cents: np.ndarray, frame_rate_hz: float = FRAME_RATE_HZ
               ) -> tuple[float, float] | None:
    """Rate (Hz) and width (cents, half peak-to-peak) of a vibrato in a pitch contour, or None.

    Parameters
    ----------
    cents : np.ndarray, shape (n,)
        Pitch of consecutive frames in cents (any reference).
    frame_rate_hz : float
        Frames per second.
    """
    if _too_short_for_vibrato(cents.size, frame_rate_hz):
        return None
    return _vibrato_of(cents, frame_rate_hz, float(np.max(cents) - np.min(cents)))


def _too_short_for_vibrato(n: int, frame_rate_hz: float) -> bool:
    return n < frame_rate_hz / MAX_RATE_HZ * 2.5


def _vibrato_of(cents: np.ndarray, frame_rate_hz: float, range_cents: float
                ) -> tuple[float, float] | None:
    """vibrato_of of a contour long enough for one, its range (max - min) already known."""
    n = cents.size
    x, design, scale, rcond, spread_factor = _line_design(n)
    # A contour this narrow has no vibrato whatever the fit (a held steady note: no fit).
    if range_cents * spread_factor < MIN_WIDTH_CENTS - 1e-6:
        return None
    # np.polyfit(x, cents, 1)'s own steps, its design matrix kept from call to call (bit for
    # bit its coefficients: the same least squares on the same matrix).
    slope, intercept = np.linalg.lstsq(design, cents, rcond)[0] / scale
    # The rest on Python floats (a few dozen values, every frame of a vibrato): the same
    # arithmetic as upward_crossings and np.max / np.min, without their array set-up.
    detrended = (cents - (slope * x + intercept)).tolist()
    count, first, last = _outer_upward_crossings(detrended)
    if count < 2:
        return None
    rate = (count - 1) * frame_rate_hz / (last - first)
    width = 0.5 * (max(detrended) - min(detrended))
    if not MIN_RATE_HZ <= rate <= MAX_RATE_HZ or width < MIN_WIDTH_CENTS:
        return None
    return float(rate), width


def _outer_upward_crossings(values: list[float]) -> tuple[int, float, float]:
    """How many upward zero crossings a list of floats has, and the first and last of them
    (upward_crossings' fractional indices; NaN when there are none)."""
    count, first, last = 0, math.nan, math.nan
    previous = values[0]
    for index in range(1, len(values)):
        value = values[index]
        if previous < 0 and value >= 0:
            last = (index - 1) + previous / (previous - value)
            if not count:
                first = last
            count += 1
        previous = value
    return count, first, last


@lru_cache(maxsize=64)
def _line_design(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """np.polyfit's set-up for a line through n points at x = 0..n-1: (x, its scaled design
    matrix [x, 1] / scale, scale, rcond, spread factor), read-only.

    Spread factor k: the width vibrato_of reads (half the range of the contour less its
    least-squares line) is at most k times the contour's own range R. The contour lies within
    R / 2 of its mid-range c and sum(x - mean x) = 0, so the slope's size is
    |sum (x - mean)(y - c)| / sum (x - mean)^2 <= (R / 2) S1 / S2 (S1 = sum |x - mean|,
    S2 = sum (x - mean)^2); the line then spans at most (n - 1) times that, and the width is
    at most (R + that span) / 2.
    """
    x = np.arange(n) + 0.0
    design = np.vander(x, 2)
    scale = np.sqrt((design * design).sum(axis=0))
    design /= scale
    for array in (x, design, scale):
        array.flags.writeable = False
    centred = x - x.mean()
    spread_factor = 0.5 + 0.25 * (n - 1) * float(np.abs(centred).sum() / (centred ** 2).sum())
    return x, design, scale, n * np.finfo(x.dtype).eps, spread_factor


def centre_over_cycles(cents: np.ndarray, period_frames: float, cycles: int = CYCLES_AVERAGED
                       ) -> float:
    """Mean of the last whole periods of cents (n,), up to `cycles` of them (fewer at a note's
    start, at least one); the oldest frame weighted fractionally. NaN when not one period fits.
    """
    cycles = min(cycles, int((cents.size - 1) // period_frames))
    if cycles < 1:
        return math.nan
    length = cycles * period_frames
    whole = int(math.floor(length))
    if cents.size < whole + 1:
        return math.nan
    fraction = length - whole
    # Trapezoid-free discrete mean over exactly `length` frames: the newest `whole` frames in
    # full, plus the fraction of the frame before them.
    total = float(cents[-whole:].sum()) + fraction * float(cents[-whole - 1])
    return total / length


def _vertex(before: float, at: float, after: float) -> float:
    """Height of the parabola through three equally spaced values at its turning point."""
    curvature = before - 2.0 * at + after
    return at if curvature == 0 else at - (before - after) ** 2 / (8.0 * curvature)


def turning_midpoint(cents: np.ndarray, min_width_cents: float = MIN_WIDTH_CENTS,
                     max_width_cents: float = 3 * NOTE_CHANGE_CENTS) -> float:
    """Midpoint of the newest peak and the newest trough of a contour (n,), or NaN.

    A vibrato's centre lies halfway between a peak and the next trough: this reads it after
    half a cycle, long before whole cycles can be averaged (vibrato_of needs one to two). Each
    turning point is the vertex of the parabola through it and its neighbours (a 5.5 Hz vibrato
    has under 6 frames a cycle, so the sampled extremes miss the true ones by up to ~6 cents).
    NaN unless a peak and a trough both lie inside the contour and half their distance is a
    vibrato's width (a steady note's wobble and a glide have none).
    """
    if cents.size < 3:
        return math.nan
    # Each vertex lies within a quarter of the contour's range R beyond it (through b, a, c
    # with a the extreme: (b - c)^2 / (8 |b - 2a + c|) <= (|a - b| + |a - c|) / 8), so the
    # width read is at most 0.75 R: a narrower contour (a held steady note) has none.
    if 0.75 * float(np.max(cents) - np.min(cents)) < min_width_cents - 1e-6:
        return math.nan
    return _midpoint_of_turns(cents, min_width_cents, max_width_cents)


def _midpoint_of_turns(cents: np.ndarray, min_width_cents: float,
                       max_width_cents: float) -> float:
    """turning_midpoint's reading of the vertices, without its range check (size >= 3)."""
    inner, before, after = cents[1:-1], cents[:-2], cents[2:]
    peaks = np.flatnonzero((inner > before) & (inner >= after))
    troughs = np.flatnonzero((inner < before) & (inner <= after))
    if not peaks.size or not troughs.size:
        return math.nan
    high = _vertex(*cents[peaks[-1]:peaks[-1] + 3])
    low = _vertex(*cents[troughs[-1]:troughs[-1] + 3])
    if not min_width_cents <= 0.5 * (high - low) <= max_width_cents:
        return math.nan
    return 0.5 * (high + low)


class VibratoReader:
    """Per-frame vibrato reading of one stream; call update() for every frame in order."""

    def __init__(self, frame_rate_hz: float = FRAME_RATE_HZ, window_s: float = WINDOW_S) -> None:
        self.frame_rate_hz = frame_rate_hz
        self._cents: deque[float] = deque(maxlen=max(4, int(round(window_s * frame_rate_hz))))
        self._away: list[float] = []     # the newest frames far from the note's centre (cents)
        self._frame = 0                  # frames since the stream started (for _below_at)
        self._below_at = -10 ** 9        # the frame and pitch (cents) of the last far-below
        self._below_cents = math.nan     # excursion...
        self._formant_at = -10 ** 9      # ...and of the note's formant (see FAR_CENTS)
        self._formant_cents = math.nan

    def reset(self) -> None:
        """Forget the note so far."""
        self._cents.clear()
        self._away.clear()
        self._below_at = self._formant_at = -10 ** 9

    def update(self, frequency_hz: float, voiced: bool) -> VibratoReading:
        """The reading for the next frame (its own frequency when no vibrato is heard)."""
        if not voiced or not (frequency_hz > 0 and math.isfinite(frequency_hz)):
            self.reset()
            return VibratoReading(frequency_hz)
        cents = 1200.0 * math.log2(frequency_hz)
        self._frame += 1
        centre = median_of(self._cents) if self._cents else cents
        if self._cents and abs(cents - centre) > NOTE_CHANGE_CENTS:
            self._away.append(cents)
            if len(self._away) <= EXCURSION_FRAMES and self._on_formant(cents, centre):
                # Back on the note's formant for a moment: the needle stays on the note.
                return self._reading(self._cents, 2.0 ** (self._cents[-1] / 1200.0))
            if centre - cents >= FAR_CENTS and self._far_below_again(cents):
                # The note is down here (it starts now); the pitch above was its formant.
                self._formant_at, self._formant_cents = self._frame, centre
            elif len(self._away) <= EXCURSION_FRAMES and len(self._away) < len(self._cents):
                # Read as the start of a new note would be, the note's history kept aside
                # (unless it holds no more frames than the excursion: then that was the note).
                return self._reading(self._away, frequency_hz)
            self._cents.clear()                    # it stayed away: a new note
            self._cents.extend(self._away)
            self._away.clear()
        else:
            if self._away:
                # Back on the note: bridge the frames that were away, linear in cents.
                steps = len(self._away) + 1
                last = self._cents[-1]
                self._cents.extend(last + (cents - last) * np.arange(1, steps) / steps)
                self._away.clear()
            self._cents.append(cents)
        return self._reading(self._cents, frequency_hz)

    def _far_below_again(self, cents: float) -> bool:
        """Whether a frame far below the note comes back to where one did within the window
        (the frames above were then the note's formant or harmonic); remembers this one."""
        again = (self._frame - self._below_at < self._cents.maxlen
                 and abs(cents - self._below_cents) <= NOTE_CHANGE_CENTS)
        self._below_at, self._below_cents = self._frame, cents
        return again

    def _on_formant(self, cents: float, centre: float) -> bool:
        """Whether a frame far above the note is back where its formant read within the
        window (and so the formant is remembered from this frame on)."""
        if not (cents - centre >= FAR_CENTS and self._frame - self._formant_at
                < self._cents.maxlen and abs(cents - self._formant_cents) <= NOTE_CHANGE_CENTS):
            return False
        self._formant_at, self._formant_cents = self._frame, cents
        return True

    def _reading(self, contour, frequency_hz: float) -> VibratoReading:
        """The reading of a note's contour so far (a deque or list of cents, oldest first) at
        its newest frame."""
        # vibrato_of's and turning_midpoint's checks, on a range taken once in plain Python (the
        # same max and min): a held note, most frames, passes neither and needs no array.
        n, range_cents = len(contour), max(contour) - min(contour)
        vibrato_possible = not _too_short_for_vibrato(n, self.frame_rate_hz) and \
            range_cents * _line_design(n)[4] >= MIN_WIDTH_CENTS - 1e-6
        turns_possible = n >= 3 and 0.75 * range_cents >= MIN_WIDTH_CENTS - 1e-6
        if not (vibrato_possible or turns_possible):
            return VibratoReading(frequency_hz)
        history = np.fromiter(contour, np.float64, n)
        found = _vibrato_of(history, self.frame_rate_hz, range_cents) if vibrato_possible \
            else None
        if found is None:
            # Not yet a whole cycle: halfway between the last peak and trough, once both passed.
            early = _midpoint_of_turns(history, MIN_WIDTH_CENTS, 3 * NOTE_CHANGE_CENTS) \
                if turns_possible else math.nan
            if math.isfinite(early):
                return VibratoReading(2.0 ** (early / 1200.0))
            return VibratoReading(frequency_hz)
        rate, width = found
        centre = centre_over_cycles(history, self.frame_rate_hz / rate)
        if not math.isfinite(centre):
            return VibratoReading(frequency_hz)
        return VibratoReading(2.0 ** (centre / 1200.0), rate, width)
