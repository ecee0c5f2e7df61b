"""Pitch candidates from periodicity, and the choice among them with the model's estimate as prior.

The NSDF is read on a log-frequency grid from E1's neighbourhood to beyond C7 (the periodicity
"salience"); each local maximum is a candidate. A periodic sound has candidates at its f0 and
every subharmonic (the NSDF repeats at every multiple of the period) and sometimes at its octave
(a strong second harmonic). The model's estimate, weighted by its confidence, says which one is
meant; the signal says exactly where it is and overrules the model where the model is out of its
range or clearly wrong.
"""

from __future__ import annotations

import numpy as np

from pitchlive.tracking.periodicity import peak_near, values_at_lags

LOWEST_HZ = 38.0          # a little below E1 (41.2 Hz)
HIGHEST_HZ = 2300.0       # a little above C7 (2093 Hz)
GRID_CENTS = 20.0
N_CANDIDATES = 5
RANK_BONUS_PER_OCTAVE = 0.05


def frequency_grid(lowest_hz: float = LOWEST_HZ, highest_hz: float = HIGHEST_HZ,
                   step_cents: float = GRID_CENTS) -> np.ndarray:
    """Log-spaced frequencies (G,) in Hz, step_cents apart."""
    n = int(np.floor(1200 * np.log2(highest_hz / lowest_hz) / step_cents)) + 1
    return lowest_hz * 2.0 ** (np.arange(n) * step_cents / 1200.0)


def salience(curve: np.ndarray, grid_hz: np.ndarray, sample_rate_hz: float) -> np.ndarray:
    """NSDF read at the period of every grid frequency.

    Parameters
    ----------
    curve : np.ndarray, shape (n_frames, n_lags)
        NSDF per frame.
    grid_hz : np.ndarray, shape (G,)
        Frequencies in Hz.
    sample_rate_hz : float
        Rate of the audio the NSDF came from.

    Returns
    -------
    np.ndarray, shape (n_frames, G)
        Values in [-1, 1]; frequencies whose period exceeds the lags computed read -1.
    """
    out = values_at_lags(curve, sample_rate_hz / grid_hz)     # the grid's lags, as columns
    out[:, sample_rate_hz / grid_hz > curve.shape[1] - 2] = -1.0
    return out


def pick_candidates(values: np.ndarray, grid_hz: np.ndarray, n_candidates: int = N_CANDIDATES
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The n_candidates strongest local maxima of each frame's salience.

    Parameters
    ----------
    values : np.ndarray, shape (n_frames, G)
        Salience per grid frequency.
    grid_hz : np.ndarray, shape (G,)

    Returns
    -------
    candidate_hz : np.ndarray, shape (n_frames, n_candidates)
        Grid frequencies of the maxima, strongest first; NaN where a frame has fewer.
    strength : np.ndarray, shape (n_frames, n_candidates)
        Their salience; -inf where there is none.
    """
    inner = values[:, 1:-1]
    is_peak = (inner > values[:, :-2]) & (inner >= values[:, 2:]) & (inner > 0)
    peaks = np.full(values.shape, -np.inf)
    peaks[:, 1:-1] = np.where(is_peak, inner, -np.inf)
    k = min(n_candidates, values.shape[1])
    # A high note's period repeats many times in the frame: its subharmonics read as high as the
    # note, so among near-equal peaks the higher frequencies are kept (the choice sorts them out).
    rank = peaks + RANK_BONUS_PER_OCTAVE * np.log2(grid_hz / grid_hz[0])[None, :]
    top = np.argpartition(-rank, k - 1, axis=1)[:, :k]
    rows = np.arange(values.shape[0])[:, None]
    order = np.argsort(-peaks[rows, top], axis=1)
    top = top[rows, order]
    strength = peaks[rows, top]
    candidate_hz = np.where(np.isfinite(strength), grid_hz[top], np.nan)
    return candidate_hz, strength


def _periods(candidate_hz: np.ndarray, sample_rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """(present, period in samples) of candidates; a stand-in period where there is none."""
    present = np.isfinite(candidate_hz)
    return present, sample_rate_hz / np.where(present, candidate_hz, 1000.0)


def sharpen_candidates(curve: np.ndarray, candidate_hz: np.ndarray, sample_rate_hz: float
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate moved to its NSDF peak in the lag domain, with the peak's height.

    The grid reads sharp peaks (high notes span a few samples) below their top; the parabola
    through the peak's samples gives the height every candidate is compared on.

    Parameters
    ----------
    curve : np.ndarray, shape (n_frames, n_lags)
    candidate_hz : np.ndarray, shape (n_frames, K), NaN = none

    Returns
    -------
    candidate_hz, strength : np.ndarray, shape (n_frames, K)
    """
    present, lag = _periods(candidate_hz, sample_rate_hz)
    peak_lag, peak = peak_near(curve, lag, np.maximum(0.03 * lag, 1.0))
    return (np.where(present, sample_rate_hz / peak_lag, np.nan),
            np.where(present, peak, -np.inf))


SUPPORT_MULTIPLES = 4


def multiple_heights(curve: np.ndarray, candidate_hz: np.ndarray, sample_rate_hz: float,
                     n_multiples: int = SUPPORT_MULTIPLES) -> np.ndarray:
    """NSDF peak heights at 1, 2, ... n_multiples times each candidate's period.

    A real period repeats: its multiples read about as high as the period itself. A strong
    harmonic (a vowel's formant, a bassoon's third partial) reads high at its own period but its
    multiples drift out of phase with the other partials until the true period, so its heights
    fall. Multiples beyond the lags computed repeat the last height that fits.

    Parameters
    ----------
    curve : np.ndarray, shape (n_frames, n_lags)
        NSDF per frame.
    candidate_hz : np.ndarray, shape (n_frames, K)
        Sharpened candidates (sharpen_candidates), NaN = none.
    sample_rate_hz : float
    n_multiples : int

    Returns
    -------
    np.ndarray, shape (n_frames, K, n_multiples); -inf where there is no candidate.
    """
    present, period = _periods(candidate_hz, sample_rate_hz)
    multiples = np.arange(1, n_multiples + 1, dtype=np.float64)
    n_lags = curve.shape[1]
    fits = np.maximum(np.floor((n_lags - 2) / period), 1.0)
    lags = period[..., None] * np.minimum(multiples, fits[..., None])
    # The parabola's vertex through the samples around each multiple: the period is known to a
    # small fraction of a sample (sharpen_candidates), so no search is needed (live cost).
    nearest = np.clip(np.rint(lags).astype(np.int64), 1, n_lags - 2).reshape(curve.shape[0], -1)
    rows = np.arange(curve.shape[0])[:, None]
    left, centre, right = (curve[rows, nearest - 1], curve[rows, nearest],
                           curve[rows, nearest + 1])
    curvature = left - 2.0 * centre + right
    with np.errstate(divide="ignore", invalid="ignore"):
        vertex = np.where(curvature < 0, centre - (left - right) ** 2 / (8.0 * curvature), centre)
    heights = np.minimum(vertex, np.maximum(np.maximum(left, right), centre) + 0.05)
    return np.where(present[..., None], heights.reshape(lags.shape), -np.inf)


def repeated_strength(strength: np.ndarray, heights: np.ndarray) -> np.ndarray:
    """A candidate's strength, half its own peak and half the mean over its multiples.

    A real period reads as high at its multiples as at itself, so its strength is unchanged; a
    strong harmonic's multiples fall away, and so does its strength. Measured on the accuracy
    corpus, whole-file RPA: 10 dB 0.922 -> 0.926, 0 dB 0.843 -> 0.849, room 0.901 -> 0.908, clean
    0.946 -> 0.951 (the mean alone: about the same in noise, 0.005 less clean).

    Parameters
    ----------
    strength : np.ndarray, shape (n_frames, K)
    heights : np.ndarray, shape (n_frames, K, M), from multiple_heights

    Returns
    -------
    np.ndarray, shape (n_frames, K)
    """
    return 0.5 * (strength + np.mean(heights, axis=2))


def subharmonic_penalty(candidate_hz: np.ndarray, strength: np.ndarray,
                        keep_ratio: float = 0.9, tolerance_cents: float = 50.0,
                        heights: np.ndarray | None = None) -> np.ndarray:
    """How surely each candidate is a subharmonic of another candidate: 0 (not) to 1.

    A period T repeats at 2T, 3T...: the candidate f/m reads about as high as f itself. Like
    McLeod's key-maximum rule, f/m is set aside when some candidate near m f (m >= 2) reaches
    its height; the grade falls linearly to 0 at keep_ratio of it (a vowel's formant harmonic
    reads a little lower than the note and must not take its place). With ``heights``
    (multiple_heights), the higher candidate's height is the mean over its multiples below the
    lower one's period (up to SUPPORT_MULTIPLES), so a strong harmonic, whose multiples fall
    away, does not set the true note aside: in noise it often reads as high as the note; and
    the lower candidate's height is its own peak (heights[..., 0]).

    Parameters
    ----------
    candidate_hz, strength : np.ndarray, shape (n_frames, K)
    heights : np.ndarray, shape (n_frames, K, M), optional

    Returns
    -------
    np.ndarray, shape (n_frames, K), 0 or 1
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = candidate_hz[:, None, :] / candidate_hz[:, :, None]    # [i, j] = f_j / f_i
        multiple = np.round(ratio)
        near = (multiple >= 2) & (np.abs(1200 * np.log2(ratio / multiple)) < tolerance_cents)
    higher = np.broadcast_to(strength[:, None, :], near.shape)
    if heights is not None:
        m = heights.shape[2]
        running_mean = np.cumsum(heights, axis=2) / np.arange(1, m + 1)     # (n, K, M)
        used = np.clip(np.nan_to_num(multiple, nan=1.0) - 1, 1, m).astype(np.int64) - 1
        frames = np.arange(near.shape[0])[:, None, None]
        higher = running_mean[frames, np.arange(near.shape[2])[None, None, :], used]
        # ... against the lower one's own peak: its repeated strength falls where a vibrato
        # moves its multiples, which set a vibrato note aside for its formant harmonic (whole-
        # file RPA, repeated strength -> own peak: clean 0.959 -> 0.961, 20 dB 0.953 -> 0.959,
        # 10 dB 0.941 -> 0.943, 0 dB 0.901 -> 0.903, room 0.923 -> 0.920).
        strength = heights[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = higher / strength[:, :, None]
    grade = np.clip((np.nan_to_num(relative, nan=0.0, neginf=0.0, posinf=0.0) - keep_ratio)
                    / (1.0 - keep_ratio), 0.0, 1.0)
    return np.max(np.where(near, grade, 0.0), axis=2)


def prior_closeness(candidate_hz: np.ndarray, prior_hz: np.ndarray,
                    width_semitones: float = 1.0) -> np.ndarray:
    """How close each candidate lies to a prior pitch: exp(-d^2 / 2 w^2), d in semitones.

    Parameters
    ----------
    candidate_hz : np.ndarray, shape (n_frames, K), NaN = none
    prior_hz : np.ndarray, shape (n_frames,), Hz (not positive or NaN: no prior)
    width_semitones : float

    Returns
    -------
    np.ndarray, shape (n_frames, K), 0-1 (0 where a candidate or the prior is missing)
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = 12.0 * np.log2(candidate_hz / np.asarray(prior_hz, np.float64)[:, None])
    closeness = np.exp(-0.5 * (distance / width_semitones) ** 2)
    return np.where(np.isfinite(closeness), closeness, 0.0)


def candidate_scores(candidate_hz: np.ndarray, strength: np.ndarray, prior_hz: np.ndarray,
                     prior_confidence: np.ndarray, prior_weight: float = 0.3,
                     prior_width_semitones: float = 1.0, height_bonus_per_octave: float = 0.01,
                     subharmonic_cost: float = 0.5, heights: np.ndarray | None = None,
                     noise_share: np.ndarray | None = None, noisy_prior_cut: float = 0.0
                     ) -> np.ndarray:
    """How well each candidate explains the frame: periodicity + the model's prior.

    score = strength + prior_weight * confidence * exp(-d^2 / 2 w^2) + bonus * octaves above
    the lowest candidate - subharmonic_cost * (candidate is a subharmonic), with d the
    candidate's distance from the model's estimate in semitones.
    The small height bonus breaks the tie between a period and its multiples (subharmonics read
    the same NSDF) towards the period itself, as McLeod's "first key maximum" rule does.

    Parameters
    ----------
    candidate_hz, strength : np.ndarray, shape (n_frames, K)
    prior_hz, prior_confidence : np.ndarray, shape (n_frames,)
        The model's estimate (Hz) and confidence (0-1).
    heights : np.ndarray, shape (n_frames, K, M), optional
        multiple_heights of the candidates, for subharmonic_penalty (and harmonic_penalty).
    noise_share : np.ndarray, shape (n_frames,), optional
        The share of each frame's power removed as noise (denoise.removed_share); with
        heights, noisy frames also pay harmonic_penalty (HARMONIC_COST at full weight).
    noisy_prior_cut : float, 0-1
        The share of the model's prior that a frame loses at full noise weight
        (``noisy_weight`` of noise_share): 1 lets the signal alone choose in noisy frames.

    Returns
    -------
    np.ndarray, shape (n_frames, K)
        -inf where there is no candidate.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        octaves_up = np.log2(candidate_hz / LOWEST_HZ)
    closeness = prior_closeness(candidate_hz, prior_hz, prior_width_semitones)
    confidence = np.clip(np.nan_to_num(prior_confidence), 0.0, 1.0)[:, None]
    weight = None if noise_share is None else noisy_weight(noise_share)
    if weight is not None and noisy_prior_cut:
        confidence = confidence * (1.0 - noisy_prior_cut * weight[:, None])
    score = strength + prior_weight * confidence * closeness + height_bonus_per_octave * \
        np.nan_to_num(octaves_up) - subharmonic_cost * subharmonic_penalty(candidate_hz, strength,
                                                             heights=heights)
    if weight is not None and heights is not None:
        score = score - HARMONIC_COST * weight[:, None] * harmonic_penalty(candidate_hz,
                                                                           heights[..., 0])
    return np.where(np.isfinite(strength), score, -np.inf)


# In noise a sung vowel's formant harmonic (the 3rd, 4th... partial) outreads the rest, the more
# so once noise reduction has taken the weak partials with the noise, and the model often names
# it; its NSDF peak still reads clearly below the fundamental's, which a harmonic's always does.
# Whole-file RPA on bench/accuracy.py's corpus, without -> with: 10 dB 0.930 -> 0.941, 0 dB
# 0.887 -> 0.901 (sung vowels 157 -> 76 frames wrong at 10 dB, a bassoon 28 -> 24); clean and
# the room unchanged, 20 dB one frame less. Costs in noise: plucked or struck notes whose new
# note is a twelfth or more above the last one's ring (nylon guitar 7 -> 19 frames wrong over
# 10 and 0 dB, piano 8 -> 14), piccolo and violin a frame or two. Octaves (multiple 2) are left
# to the subharmonic rule and the prior: the lower octave of a high note often reads higher than
# the note itself (a GM flute's, a piccolo's).
HARMONIC_COST = 0.5
HARMONIC_MIN_MULTIPLE = 3
HARMONIC_LEAD = 0.04          # NSDF height the lower candidate must lead by, then ...
HARMONIC_LEAD_WIDTH = 0.05    # ... the penalty grows to 1 over this much more
# The penalty's weight (and the live prior's cut, refine.LIVE_NOISY_PRIOR_CUT) grows from 0 to 1
# as the share of a frame's power removed as noise goes from NOISY_SHARE_FROM (local SNR ~20 dB)
# to NOISY_SHARE_FULL (~10 dB): none in clean frames.
NOISY_SHARE_FROM = 0.01
NOISY_SHARE_FULL = 0.1


def noisy_weight(noise_share: np.ndarray) -> np.ndarray:
    """How noisy each frame counts as, 0 (local SNR ~20 dB and up) to 1 (~10 dB and below).

    Parameters
    ----------
    noise_share : np.ndarray, shape (n_frames,)
        The share of each frame's power removed as noise (denoise.removed_share).

    Returns
    -------
    np.ndarray, shape (n_frames,), 0-1
    """
    return np.clip((np.asarray(noise_share, np.float64) - NOISY_SHARE_FROM)
                   / (NOISY_SHARE_FULL - NOISY_SHARE_FROM), 0.0, 1.0)


def names_a_harmonic(model_hz: float, frequency_hz: float, tolerance_cents: float) -> bool:
    """True when model_hz lies within tolerance_cents of a harmonic of frequency_hz from the
    HARMONIC_MIN_MULTIPLE-th up (a formant's harmonic that the model named instead of the note);
    False for NaN, zero or negative frequencies."""
    if not (frequency_hz > 0 and model_hz > 0 and np.isfinite(model_hz / frequency_hz)):
        return False
    multiple = round(model_hz / frequency_hz)
    return multiple >= HARMONIC_MIN_MULTIPLE and \
        abs(1200.0 * np.log2(model_hz / (multiple * frequency_hz))) <= tolerance_cents


def harmonic_penalty(candidate_hz: np.ndarray, peak_height: np.ndarray,
                     tolerance_cents: float = 50.0) -> np.ndarray:
    """How surely each candidate is a strong harmonic of another candidate: 0 (not) to 1.

    The mirror of subharmonic_penalty: f is graded as a harmonic when a candidate near f / m
    (m >= HARMONIC_MIN_MULTIPLE) reads an NSDF peak higher than f's by more than HARMONIC_LEAD
    (1 at HARMONIC_LEAD + HARMONIC_LEAD_WIDTH). A period's multiples read at most as high as the
    period itself, so a candidate outread by one of its subharmonics is not the period.

    Parameters
    ----------
    candidate_hz : np.ndarray, shape (n_frames, K)
        NaN = none.
    peak_height : np.ndarray, shape (n_frames, K)
        Each candidate's own NSDF peak height (multiple_heights(...)[..., 0]).

    Returns
    -------
    np.ndarray, shape (n_frames, K)
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = candidate_hz[:, :, None] / candidate_hz[:, None, :]    # [i, j] = f_i / f_j
        multiple = np.round(ratio)
        near = (multiple >= HARMONIC_MIN_MULTIPLE) & \
            (np.abs(1200 * np.log2(ratio / multiple)) < tolerance_cents)
        lead = peak_height[:, None, :] - peak_height[:, :, None]       # [i, j] = h_j - h_i
    grade = np.clip((np.nan_to_num(lead, nan=0.0, posinf=0.0, neginf=0.0) - HARMONIC_LEAD)
                    / HARMONIC_LEAD_WIDTH, 0.0, 1.0)
    return np.max(np.where(near, grade, 0.0), axis=2)
