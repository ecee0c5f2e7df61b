"""Noise reduction before the periodicity reading of whole signals (spectral subtraction).

Broadband noise has an autocorrelation of its own: pink noise (and hum, wind, room rumble)
correlates strongly at short lags, so in the NSDF it lifts every short period above the true one.
At 0 dB SNR a low sung vowel then reads its first-formant harmonic (~700 Hz) instead of its f0,
and a bassoon its octave. Removing the noise's share of every short-time spectrum bin before the
NSDF takes that bias away; bins that the sound dominates pass almost unchanged, so clean audio
is left as it is.

The noise spectrum is estimated from the signal itself, as a low percentile of each bin's
(smoothed) power over the whole signal: noise is always there, notes come and go and move
(minimum statistics). This needs the whole signal, so it serves whole-file analysis only; the
model's own input is never changed (its estimate stays the prior).
"""

from __future__ import annotations

import numpy as np

STFT_SAMPLES = 1024          # 64 ms at 16 kHz, the refinement frame
HOP_SAMPLES = STFT_SAMPLES // 2   # a quarter frame scored the same (0 dB 0.873 vs 0.877), at twice the cost
NOISE_PERCENTILE = 10.0
# The percentile of a bin's power reads below the noise's mean power; this factor brings it
# back to about the mean (and a little over, so noise-only bins are removed).
NOISE_SCALE = 2.0
# The lowest amplitude gain of a bin (-20 dB): keeps a little of everything, so a steady note
# that lasts the whole signal (and so reads as "noise") is turned down, never removed.
GAIN_FLOOR = 0.1
MIN_STFT_FRAMES = 16         # ~0.3 s: less gives no usable noise estimate


def _smooth(power: np.ndarray) -> np.ndarray:
    """Power (n_frames, n_bins) averaged over 3 frames and 3 bins (a steadier estimate)."""
    padded = np.pad(power, 1, mode="edge")
    time = (padded[:-2] + padded[1:-1] + padded[2:]) / 3.0
    return (time[:, :-2] + time[:, 1:-1] + time[:, 2:]) / 3.0


def noise_power(power: np.ndarray, percentile: float = NOISE_PERCENTILE,
                scale: float = NOISE_SCALE) -> np.ndarray:
    """Each bin's noise power: a low percentile of its smoothed power over the frames.

    Parameters
    ----------
    power : np.ndarray, shape (n_frames, n_bins)
        Short-time power spectra.

    Returns
    -------
    np.ndarray, shape (n_bins,)
    """
    return scale * np.percentile(_smooth(power), percentile, axis=0)


def subtraction_gain(power: np.ndarray, noise: np.ndarray, floor: float = GAIN_FLOOR
                     ) -> np.ndarray:
    """Amplitude gain per bin that removes the noise's power: sqrt(1 - noise / power), >= floor.

    Parameters
    ----------
    power : np.ndarray, shape (n_frames, n_bins)
        Short-time power spectra (smoothed).
    noise : np.ndarray, shape (n_bins,)

    Returns
    -------
    np.ndarray, shape (n_frames, n_bins), floor..1
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        kept = 1.0 - noise[None, :] / power
    kept = np.where(np.isfinite(kept), kept, 1.0)
    return np.sqrt(np.clip(kept, floor * floor, 1.0))


def reduce_noise(audio: np.ndarray) -> np.ndarray:
    """The signal with its stationary noise removed (STFT spectral subtraction, overlap-add).

    Parameters
    ----------
    audio : np.ndarray, shape (n,)
        Mono audio (16 kHz).

    Returns
    -------
    np.ndarray, shape (n,), float64
        The audio itself (as float64) when it is shorter than MIN_STFT_FRAMES hops.
    """
    x = np.asarray(audio, np.float64).reshape(-1)
    if x.size < STFT_SAMPLES + MIN_STFT_FRAMES * HOP_SAMPLES:
        return x
    # sqrt-Hann analysis and synthesis (a Hann window in all) at a hop of W / r add up to r / 2.
    window = np.sqrt(np.hanning(STFT_SAMPLES + 1)[:-1])
    padded = np.concatenate((np.zeros(STFT_SAMPLES), x, np.zeros(STFT_SAMPLES)))
    frames = np.lib.stride_tricks.sliding_window_view(padded, STFT_SAMPLES)[::HOP_SAMPLES]
    spectrum = np.fft.rfft(frames * window, axis=1)
    raw_power = spectrum.real ** 2 + spectrum.imag ** 2
    gain = subtraction_gain(_smooth(raw_power), noise_power(raw_power))
    cleaned = np.fft.irfft(spectrum * gain, STFT_SAMPLES, axis=1) * window
    out = np.zeros(padded.size)
    for k in range(STFT_SAMPLES // HOP_SAMPLES):
        # Frames k, k + r, ... do not overlap: each group adds in one strided operation.
        group = cleaned[k::STFT_SAMPLES // HOP_SAMPLES]
        start = k * HOP_SAMPLES
        span = out[start:start + group.size].reshape(group.shape) if \
            start + group.size <= out.size else None
        if span is None:
            flat = group.reshape(-1)[:out.size - start]
            out[start:start + flat.size] += flat
        else:
            span += group
    return out[STFT_SAMPLES:STFT_SAMPLES + x.size] / (STFT_SAMPLES / HOP_SAMPLES / 2.0)
