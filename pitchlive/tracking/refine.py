"""Refinement: the model proposes, the signal decides (exact pitch, octave, range and voicing).

For every model frame the audio around the frame's centre is read with McLeod's NSDF
(tracking/periodicity.py). Its maxima are the pitch candidates; the model's estimate and
confidence are the prior that picks among them (tracking/candidates.py), so the model keeps
deciding which note is meant while the signal fixes the octave when the model slips, carries the
track beyond the model's range (SPICE v1 reads nothing right above ~1.2 kHz), and gives the
exact frequency: the NSDF peak at the largest multiple of the period in the frame, interpolated,
reads steady tones to within a few hundredths of a cent.

Voicing combines the model's confidence with the periodicity of the chosen candidate
(``combined_confidence``), on the same 0-1 scale, so the threshold keeps its meaning.

Periodicity is read on noise-reduced audio (tracking/denoise.py: whole signals estimate their
noise themselves, live frames get the stream's running estimate); the voicing clarity is read
on the audio as it is (``periodicity.clarity_at``).

Two entry points share every step:
- ``refine_track``: a whole signal (analyze, transcribe, the Recording view); each frame is
  centred on its time;
- ``refine_live_frame``: one live frame, causal: only audio up to the frame's right context.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pitchlive.frames import MODEL_SAMPLE_RATE_HZ, PitchTrack
from pitchlive.tracking.attacks import attack_shift, attack_shifts
from pitchlive.tracking.candidates import (candidate_scores, frequency_grid, multiple_heights,
                                           pick_candidates, prior_closeness, repeated_strength,
                                           salience, sharpen_candidates)
from pitchlive.tracking.decoding import viterbi_path
from pitchlive.tracking.denoise import reduce_noise, removed_share
from pitchlive.tracking.exact_reading import (FRAME_SAMPLES, MAX_LAG_SAMPLES,
                                              SHORT_FRAME_MAX_PERIOD, exact_periods)
from pitchlive.tracking.periodicity import (clarity_at, frames_around, nsdf, nsdf_at,
                                            peak_in_row, peak_near)

# Live noise reduction cleans this much of the window's end: the analysed frame and the
# half-frame before it, so that each sample it reads lies under two STFT frames.
LIVE_NOISE_SAMPLES = FRAME_SAMPLES + FRAME_SAMPLES // 2
# Whole signals read periodicity on noise-reduced audio by default (refine_frames' path=True):
# whole-file RPA at 0 dB SNR 0.848 -> 0.877 on bench/accuracy.py's corpus, for ~0.001 CPU s per
# second of audio (live: tracking/live.py's LIVE_NOISE_REDUCTION).
WHOLE_FILE_NOISE_REDUCTION = True
# Whole signals start a frame at an attack inside it (tracking/attacks.py): whole-file RPA clean
# 0.954 -> 0.959, 20 dB 0.949 -> 0.953, 10 dB 0.927 -> 0.930, 0 dB 0.882 -> 0.887, room
# 0.913 -> 0.923 on bench/accuracy.py's corpus (a note's first frames: the last note's ring and
# reverberation no longer outweigh the new note).
WHOLE_FILE_ATTACKS = True
# Live frames start at an attack too, as far as the window's right context lets the frame move
# later (live_attack_shift: the default window's 768 samples after the centre allow the full
# attacks.MAX_SHIFT_SAMPLES; a low-latency window none). Causal: no audio beyond the window.
# Live RPA on bench/accuracy.py's corpus (bench/accuracy_by_take.py --no-whole): clean 0.951 ->
# 0.954, 20 dB 0.951 -> 0.954, 10 dB 0.930 -> 0.933, 0 dB 0.877 -> 0.881, room 0.919 -> 0.930;
# steady exact notes unchanged, vibrato worst note unchanged (10.2 cents).
LIVE_ATTACKS = True
GRID_HZ = frequency_grid()
# Live frames choose on their own (no path through later frames), with the stream's previous
# frame as a second prior beside the model's: its refined pitch, weighted by its periodicity.
# A vibrato's slope or a noisy frame reads the true period less clearly than a strong formant
# harmonic, and the model (on its short live window) often points at that harmonic too; the
# frame before still held the note clearly. Measured in bench/accuracy.py (README "Accuracy").
CONTINUITY_WEIGHT = 0.3
# In noisy live frames (candidates.noisy_weight of the share the running noise estimate removed)
# the model's prior gives way to the signal: SPICE v1 on the 144 ms live window names a low
# voice's or a bassoon's formant harmonic in noise far more often than on a whole file, while
# the harmonic rule and the NSDF repeats read the note. Live RPA on bench/accuracy.py's corpus,
# no cut -> full cut: 0 dB 0.882 -> 0.897, 10 dB 0.935 -> 0.937 (a half cut: 0.891, 0.937);
# clean, 20 dB and the room unchanged (no audible noise there). Whole files keep their prior.
LIVE_NOISY_PRIOR_CUT = 1.0


@dataclass(frozen=True)
class Refinement:
    """What refinement makes of frames; every array has shape (n_frames,)."""

    frequency_hz: np.ndarray     # refined f0 (the model's estimate where the frame is silent)
    confidence: np.ndarray       # combined voicing confidence, 0-1 (compare with the threshold)
    periodicity: np.ndarray      # NSDF clarity of the chosen period, -1..1
    model_hz: np.ndarray         # the model's own estimate
    model_confidence: np.ndarray


def combined_confidence(model_confidence: np.ndarray, periodicity: np.ndarray) -> np.ndarray:
    """Voicing confidence from the model's confidence and the chosen period's NSDF clarity.

    1 - (1 - model) (1 - periodicity): either source alone at a given level makes the frame at
    least that confident, and two moderate ones add up (a noisy note that both the model and the
    NSDF half-believe). Measured on the corpus at threshold 0.9 (bench/accuracy.py): voicing
    recall 0.94 -> 0.98 clean and 0.26 -> 0.48 at 0 dB SNR for false alarms 0.33 -> 0.36 (mostly
    release tails, which do sound) and 0.019 -> 0.032.

    Parameters
    ----------
    model_confidence, periodicity : np.ndarray, shape (n_frames,)

    Returns
    -------
    np.ndarray, shape (n_frames,), 0-1
    """
    clarity = np.clip(periodicity, 0.0, 1.0)
    confidence = np.clip(model_confidence, 0.0, 1.0)
    return 1.0 - (1.0 - confidence) * (1.0 - clarity)


def combined_confidence_of_one(model_confidence: float, periodicity: float) -> float:
    """combined_confidence of one frame on floats, bit for bit (tests/test_refine.py): a held
    note's frames take it ~30 times a second, where np.clip's wrapper on (1,) arrays cost
    ~5 us."""
    clarity = min(max(periodicity, 0.0), 1.0)         # np.clip's NaN passes through too
    confidence = min(max(model_confidence, 0.0), 1.0)
    return 1.0 - (1.0 - confidence) * (1.0 - clarity)


def _soften(audio_16k: np.ndarray) -> np.ndarray:
    """A gentle low-pass ([1, 2, 1] / 4, zero at Nyquist) before every NSDF.

    Rounder NSDF peaks, which the parabola fits with less bias (steady high notes read 0.36 ->
    0.14 cent sharp without it), and less of the noise above the harmonics (whole-file RPA at
    0 dB SNR 0.814 -> 0.826; clean unchanged). A pre-emphasis instead lost 0.02-0.2 everywhere.
    """
    x = np.asarray(audio_16k, np.float64)
    return np.convolve(x, _SOFTEN_KERNEL, mode="same") if x.size > 2 else x


_SOFTEN_KERNEL = np.array([0.25, 0.5, 0.25])


def _soften_span(audio_16k: np.ndarray, start: int, stop: int) -> np.ndarray:
    """_soften(audio_16k)[start:stop] (0 <= start <= stop <= n), bit for bit, from the samples
    those need only: a live read uses one 1024-sample frame of its 2304-sample window.

    np.convolve's 'same' output at a sample is the same 3-term dot product whatever the slice
    around it, and at the audio's own ends the same 2-term one (tests/test_refine.py).
    """
    x = np.asarray(audio_16k).reshape(-1)
    low, high = max(start - 1, 0), min(stop + 1, x.size)
    if high - low < 3:
        return _soften(x)[start:stop]
    part = np.convolve(np.asarray(x[low:high], np.float64), _SOFTEN_KERNEL, mode="same")
    return part[start - low:stop - low]


def _analysed_span(window_16k: np.ndarray, noise_power: np.ndarray | None, start: int,
                   stop: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """_analysed_audio(window_16k, False, noise_power) at samples start:stop only, bit for bit:
    what read_live_period's frame reads (the noise is still removed from the whole tail, whose
    STFT frames overlap)."""
    plain = _soften_span(window_16k, start, stop)
    if noise_power is None:
        return plain, plain, False
    audio = np.asarray(window_16k).reshape(-1)
    tail = np.asarray(audio[-LIVE_NOISE_SAMPLES:], np.float64)
    before = audio.size - tail.size
    if start - 1 >= before:     # the span and its left neighbour lie in the tail (the default)
        return plain, _soften_span(reduce_noise(tail, noise_power), start - before,
                                   stop - before), True
    cleaned = np.concatenate((np.asarray(audio[:before], np.float64),
                              reduce_noise(tail, noise_power)))
    return plain, _soften_span(cleaned, start, stop), True


def _analysed_audio(audio_16k: np.ndarray, denoise_whole: bool,
                    noise_power: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, bool]:
    """(softened audio as it is, softened audio periodicity is read on, whether they differ).

    With noise_power (a causal estimate, live) the noise is removed from the last
    LIVE_NOISE_SAMPLES; with denoise_whole, from the whole signal by its own estimate.
    """
    plain = _soften(audio_16k)
    if noise_power is not None:
        audio_16k = np.asarray(audio_16k, np.float64)
        tail = audio_16k[-LIVE_NOISE_SAMPLES:]
        return plain, _soften(np.concatenate((audio_16k[:-tail.size],
                                              reduce_noise(tail, noise_power)))), True
    if denoise_whole:
        return plain, _soften(reduce_noise(audio_16k)), True
    return plain, plain, False


def refine_frames(audio_16k: np.ndarray, centres: np.ndarray, model_hz: np.ndarray,
                  model_confidence: np.ndarray, offset_samples: int = 0,
                  path: bool = False, noise_reduction: bool | None = None,
                  noise_power: np.ndarray | None = None,
                  previous: tuple[np.ndarray, np.ndarray] | None = None) -> Refinement:
    """Refine model frames against the audio around them.

    Parameters
    ----------
    audio_16k : np.ndarray, shape (n,)
        Mono audio at 16 kHz (the model's input).
    centres : np.ndarray, shape (n_frames,), int
        Sample index of each model frame's centre in audio_16k.
    model_hz, model_confidence : np.ndarray, shape (n_frames,)
        The model's estimate (Hz) and confidence (0-1) per frame.
    offset_samples : int
        Where the analysed frame lies relative to the centre (negative = earlier; the live path
        ends it at the audio it has).
    path : bool
        Whole signals: choose by the best path through all the frames (decoding.viterbi_path),
        the centres being consecutive frames, and start a frame at an attack inside it before
        its centre (attacks.attack_shifts); False: each frame on its own, where it is.
    noise_reduction : bool, optional
        Remove the signal's stationary noise before reading periodicity (tracking/denoise.py;
        it needs the whole signal); default: with path (WHOLE_FILE_NOISE_REDUCTION).
    noise_power : np.ndarray, shape (n_bins,), optional
        The noise's power per bin from a causal estimate (denoise.RunningNoise, live): the
        audio's noise is removed with it, in the last LIVE_NOISE_SAMPLES of audio_16k only,
        and noisy frames lose the model's prior (LIVE_NOISY_PRIOR_CUT).
    previous : (np.ndarray, np.ndarray), each shape (n_frames,), optional
        The pitch (Hz) and periodicity (NSDF clarity) each frame's predecessor was refined to
        (live: the stream's last frame): candidates near it score CONTINUITY_WEIGHT times its
        clarity more, as near the model's estimate (``continuity_scores``).

    Returns
    -------
    Refinement
    """
    model_hz = np.asarray(model_hz, np.float64)
    model_confidence = np.asarray(model_confidence, np.float64)
    if model_hz.size == 0:
        empty = np.zeros(0)
        return Refinement(empty, empty, empty, empty, empty)
    denoised = (path and WHOLE_FILE_NOISE_REDUCTION) if noise_reduction is None else \
        noise_reduction
    plain, softened, denoised = _analysed_audio(audio_16k, denoised, noise_power)
    if path and WHOLE_FILE_ATTACKS:
        centres = np.asarray(centres) + attack_shifts(audio_16k, centres, FRAME_SAMPLES)
    plain_frames = frames_around(plain, centres, FRAME_SAMPLES, offset_samples)
    analysed = frames_around(softened, centres, FRAME_SAMPLES, offset_samples) if denoised \
        else plain_frames
    curve = nsdf(analysed, MAX_LAG_SAMPLES)
    values = salience(curve, GRID_HZ, MODEL_SAMPLE_RATE_HZ)
    candidate_hz, _ = pick_candidates(values, GRID_HZ)
    candidate_hz, strength = sharpen_candidates(curve, candidate_hz, MODEL_SAMPLE_RATE_HZ)
    heights = multiple_heights(curve, candidate_hz, MODEL_SAMPLE_RATE_HZ)
    strength = repeated_strength(strength, heights)
    scores = candidate_scores(candidate_hz, strength, model_hz, model_confidence, heights=heights,
                              noise_share=removed_share(plain_frames, analysed) if denoised
                              else None, noisy_prior_cut=0.0 if noise_power is None
                              else LIVE_NOISY_PRIOR_CUT)
    if previous is not None:
        scores = scores + continuity_scores(candidate_hz, *previous)
    if path:
        best = viterbi_path(candidate_hz, scores)
    else:
        best = np.argmax(scores, axis=1)
    rows = np.arange(model_hz.size)
    chosen_hz = candidate_hz[rows, best]
    found = np.isfinite(chosen_hz)
    safe_hz = np.where(found, chosen_hz, 440.0)
    lag, clarity = peak_near(curve, MODEL_SAMPLE_RATE_HZ / safe_hz,
                             0.03 * MODEL_SAMPLE_RATE_HZ / safe_hz)
    if denoised:
        # Clarity (voicing) is read on the audio as it is, noise included: on the noise-reduced
        # audio the leftovers of noise read periodic enough to voice noise-only frames.
        clarity = clarity_at(plain_frames, lag)
    period = exact_periods(softened, centres, offset_samples, curve, lag, found, path)
    frequency_hz = np.where(found, MODEL_SAMPLE_RATE_HZ / period, model_hz)
    periodicity = np.where(found, clarity, 0.0)
    return Refinement(frequency_hz, combined_confidence(model_confidence, periodicity),
                      periodicity, model_hz, model_confidence)


def continuity_scores(candidate_hz: np.ndarray, previous_hz: np.ndarray,
                      previous_clarity: np.ndarray, weight: float | None = None
                      ) -> np.ndarray:
    """What each candidate gains from lying near the pitch of the frame before.

    weight * clarity * exp(-d^2 / 2), d the distance in semitones from previous_hz (the same
    closeness as the model's prior): a clearly periodic frame before pulls towards its pitch,
    an unclear one (clarity <= 0) or none (previous_hz NaN or 0) not at all.

    Parameters
    ----------
    candidate_hz : np.ndarray, shape (n_frames, K), NaN = none
    previous_hz, previous_clarity : np.ndarray, shape (n_frames,)

    Returns
    -------
    np.ndarray, shape (n_frames, K), >= 0
    """
    clarity = np.clip(np.nan_to_num(np.asarray(previous_clarity, np.float64)), 0.0, 1.0)
    weight = CONTINUITY_WEIGHT if weight is None else weight
    return weight * clarity[:, None] * prior_closeness(candidate_hz, previous_hz)


def refine_track(audio_16k: np.ndarray, track: PitchTrack, noise_reduction: bool | None = None
                 ) -> tuple[PitchTrack, Refinement]:
    """Refine a whole signal's track (frame k centred on sample 512 k of audio_16k).

    Returns the refined track (times kept; refined frequency; combined confidence) and the
    details per frame. noise_reduction=False reads periodicity on the audio as it is (for
    comparison); None follows WHOLE_FILE_NOISE_REDUCTION (see refine_frames).
    """
    centres = np.round(np.asarray(track.times_s) * MODEL_SAMPLE_RATE_HZ).astype(np.int64)
    result = refine_frames(audio_16k, centres, track.frequency_hz, track.confidence, path=True,
                           noise_reduction=noise_reduction)
    return PitchTrack(track.times_s, result.frequency_hz, result.confidence), result


def live_offset_samples(window_length: int, centre_index: int) -> int:
    """Shift of the analysed frame so it ends at the newest sample a live window has (<= 0)."""
    return min(0, window_length - centre_index - FRAME_SAMPLES // 2)


def live_attack_shift(window_16k: np.ndarray, centre_index: int, offset_samples: int) -> int:
    """How far a live window's analysed frame moves later to start at an attack inside it.

    attacks.attack_shift of the frame (centred on centre_index + offset_samples), limited to
    the audio the window holds after the frame's end, so the moved frame still ends inside the
    window (0 where LIVE_ATTACKS is off or the frame already ends at the window's end).
    """
    window_16k = np.asarray(window_16k)
    room = window_16k.shape[0] - (centre_index + offset_samples + FRAME_SAMPLES // 2)
    if not LIVE_ATTACKS or room <= 0:
        return 0
    return min(attack_shift(window_16k, centre_index + offset_samples, FRAME_SAMPLES), room)


# read_live_period reads the NSDF near the period and at also_at as one span of lags where the
# gap between them is at most this: each span costs ~5 us of numpy steps, a lag ~0.12 us of
# products on the 1024-sample frame (nsdf_at; the lags in between are read, the same values).
MERGED_GAP_LAGS = 32


@dataclass(frozen=True)
class PeriodRead:
    """What refine_live_frame's frame reads at the NSDF peak near a known period (one frame)."""

    period_samples: float        # the exact period there (exact_periods), 16 kHz samples
    clarity: np.ndarray          # (1,) the peak's NSDF height: the frame's periodicity
    curve: np.ndarray            # (1, MAX_LAG_SAMPLES + 1) the frame's NSDF (NaN: not read)


def read_live_period(window_16k: np.ndarray, centre_index: int, near_period: float,
                     noise_power: np.ndarray | None = None, also_at: tuple[float, ...] = ()
                     ) -> PeriodRead:
    """Read the live frame of a window at the NSDF peak within 3% of near_period (samples).

    The same frame, softening, noise reduction (noise_power as for refine_live_frame), NSDF,
    clarity and exact period as refine_live_frame, so a prior at that peak makes
    refine_live_frame give exactly refinement_of_read (pitchlive.tracking.steady uses this to
    skip the candidate search on a held note). near_period < MAX_LAG_SAMPLES - 2.

    A short period (read exactly on the short frame) reads the frame's NSDF only near the peak
    and from the lowest lag of also_at to the highest (the caller interpolates there, each
    < near_period), and between the two where they lie within MERGED_GAP_LAGS: the curve is
    NaN at every other lag (periodicity.nsdf_at). Longer periods read the whole curve.
    """
    window_16k = np.asarray(window_16k)
    size = window_16k.shape[0]
    offset = live_offset_samples(size, centre_index)
    centre = centre_index + live_attack_shift(window_16k, centre_index, offset)
    # Only the frame's samples are softened and read (frames_around gives zeros beyond the
    # window, as before); the exact reading's short frame lies inside the frame.
    frame_start = centre + offset - FRAME_SAMPLES // 2
    start = min(max(frame_start, 0), size)
    stop = min(max(frame_start + FRAME_SAMPLES, 0), size)
    plain, softened, denoised = _analysed_span(window_16k, noise_power, start, stop)
    centres = np.array([centre - start])
    # The span is the frame where it lies inside the window (frames_around's zeros elsewhere).
    whole = stop - start == FRAME_SAMPLES
    frame = softened[None, :] if whole else frames_around(softened, centres, FRAME_SAMPLES,
                                                          offset)
    span = max(0.03 * near_period, 1.0)
    width, last = math.ceil(span) * 2 + 3, MAX_LAG_SAMPLES - 1
    if near_period + span + 0.5 <= SHORT_FRAME_MAX_PERIOD:
        # peak_in_row reads first - 1 .. end + 1; exact_periods' peak_near(curve, lag, 1) at
        # most 3 beyond (lag within half a sample of first .. end).
        low = math.floor(near_period - span)
        first = min(max(low, 1), last)
        end = min(max(min(low + width - 1, math.floor(near_period + span)), 1), last)
        spans = [(max(first - 3, 0), min(end + 3, MAX_LAG_SAMPLES))]
        if also_at:
            low, high = math.floor(min(also_at)), math.floor(max(also_at)) + 1
            if spans[0][0] - high <= MERGED_GAP_LAGS:
                spans = [(min(low, spans[0][0]), max(high, spans[0][1]))]
            else:
                spans.append((low, high))
        curve = nsdf_at(frame[0], MAX_LAG_SAMPLES, spans)
    else:
        curve = nsdf(frame, MAX_LAG_SAMPLES)
    # peak_near's few-places search of the one row (a finite near_period), without its set-up.
    lag, clarity = (np.array([value]) for value in peak_in_row(
        curve[0], near_period, span, width, last))
    if denoised:
        clarity = clarity_at(plain[None, :] if whole else
                             frames_around(plain, centres, FRAME_SAMPLES, offset), lag)
    period = exact_periods(softened, centres, offset, curve, lag, np.array([True]))
    return PeriodRead(float(period[0]), clarity, curve)


def refinement_of_read(read: PeriodRead, model_hz: float, model_confidence: float
                       ) -> Refinement:
    """The Refinement (arrays (1,)) of a frame whose chosen peak is the one read."""
    confidence = combined_confidence_of_one(model_confidence, float(read.clarity[0]))
    return Refinement(np.array([MODEL_SAMPLE_RATE_HZ / read.period_samples]),
                      np.array([confidence]), read.clarity, np.array([model_hz]),
                      np.array([model_confidence]))


def refine_live_frame(window_16k: np.ndarray, centre_index: int, model_hz: float,
                      model_confidence: float, noise_power: np.ndarray | None = None,
                      previous: tuple[float, float] | None = None) -> Refinement:
    """Refine the one kept frame of a live model call, using only the audio the window holds.

    Causal: the analysed frame ends at the window's end (the kept frame's right context), so no
    audio later than the model already waited for is needed and no delay is added.

    Parameters
    ----------
    window_16k : np.ndarray, shape (window_samples,)
        The 16 kHz audio the model was run on.
    centre_index : int
        Index in window_16k of the kept frame's centre (window_samples - right_context_samples).
    model_hz, model_confidence : float
        The model's estimate for that frame.
    noise_power : np.ndarray, shape (n_bins,), optional
        The stream's noise so far (denoise.RunningNoise.update of this window), removed
        before the periodicity reading; None reads the audio as it is.
    previous : (float, float), optional
        The stream's last frame: its refined pitch (Hz) and periodicity (refine_frames'
        ``previous``); None when there is none (a new stream, lost frames).

    Returns
    -------
    Refinement with arrays of shape (1,)
    """
    window_16k = np.asarray(window_16k)
    offset = live_offset_samples(window_16k.shape[0], centre_index)
    centre_index += live_attack_shift(window_16k, centre_index, offset)
    before = None if previous is None else (np.array([previous[0]], np.float64),
                                            np.array([previous[1]], np.float64))
    return refine_frames(window_16k, np.array([centre_index]), np.array([model_hz]),
                         np.array([model_confidence]), offset, noise_power=noise_power,
                         previous=before)
