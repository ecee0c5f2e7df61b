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

Live frames get the same subtraction with a causal estimate (``RunningNoise``): the same
percentile over the power spectra of the last 3 s of frames, re-read every second, first made
after ~0.35 s (LIVE_MIN_FRAMES).
"""

from __future__ import annotations

import numpy as np

STFT_SAMPLES = 1024          # 64 ms at 16 kHz, the refinement frame
# Half a frame (reduce_noise relies on it): a quarter scored the same (whole-file RPA at 0 dB
# 0.873 vs 0.877) at twice the cost.
HOP_SAMPLES = STFT_SAMPLES // 2
NOISE_PERCENTILE = 10.0
# The percentile of a bin's power reads below the noise's mean power; this factor brings it
# back to about the mean (and a little over, so noise-only bins are removed).
NOISE_SCALE = 2.0
# The lowest amplitude gain of a bin (-20 dB): keeps a little of everything, so a steady note
# that lasts the whole signal (and so reads as "noise") is turned down, never removed.
GAIN_FLOOR = 0.1
MIN_STFT_FRAMES = 16         # ~0.5 s: less gives no usable noise estimate
# Live: the noise estimate spans the last ~3 s of frames and is re-read every ~1 s (5 s and
# 0.5 s scored the same on the accuracy corpus, at twice the cost).
HISTORY_FRAMES = 96
REFRESH_FRAMES = 32
# The first live estimate is made once this many frames were learnt (~0.35 s), sooner than a
# whole signal's minimum: until then a stream's first notes are read with no noise removed.
# Live RPA on bench/accuracy.py's corpus, 0 dB: 0.854 -> 0.862 (10 dB 0.919 -> 0.918; clean and
# 20 dB unchanged, the noise is not audible there); 6 or 8 frames lost 0.003 at 10 dB.
LIVE_MIN_FRAMES = 11
# Live frames skip the subtraction where the noise estimate's power is below this share of the
# newest frame's (the estimate reads ~5x below the noise's mean, so about 33 dB of SNR and
# more): it changes no period there, and that is the usual quiet room.
AUDIBLE_NOISE_RATIO = 1e-4


def _smooth(power: np.ndarray) -> np.ndarray:
    """Power (n_frames, n_bins) averaged over 3 frames and 3 bins, the edges repeated (a
    steadier estimate): np.pad(mode="edge") and two 3-point means, in fewer operations."""
    power = np.asarray(power)
    if power.dtype.kind != "f":
        power = power.astype(np.float64)
    if power.shape[0] < 2 or power.shape[1] < 2:
        padded = np.pad(power, 1, mode="edge")
        time = padded[:-2] + padded[1:-1] + padded[2:]
        return (time[:, :-2] + time[:, 1:-1] + time[:, 2:]) / 9.0
    # In place where a step allows, both edges in one step where the axis has 4 entries or
    # more: the same sums in the same order, fewer numpy calls (the live path smooths
    # 4 x 513 bins ~15 times a second).
    time = np.empty_like(power)
    np.add(power[:-2], power[1:-1], out=time[1:-1])
    time[1:-1] += power[2:]
    _add_edges(time, power, power.shape[0])
    out = np.empty_like(power)
    np.add(time[:, :-2], time[:, 1:-1], out=out[:, 1:-1])
    out[:, 1:-1] += time[:, 2:]
    _add_edges(out.T, time.T, power.shape[1])
    out /= 9.0
    return out


def _add_edges(out: np.ndarray, values: np.ndarray, n: int) -> None:
    """out[0] = 2 values[0] + values[1], out[-1] = values[-2] + 2 values[-1] (axis 0, n >= 2
    entries): the edge-repeated 3-point sums at the ends."""
    if n >= 4:
        # Rows 0 and n - 1 and their neighbours 1 and n - 2, as strided views.
        ends, neighbours = slice(0, None, n - 1), slice(1, n - 1, n - 3)
        np.multiply(values[ends], 2.0, out=out[ends])
        out[ends] += values[neighbours]
        return
    np.multiply(values[0], 2.0, out=out[0])
    out[0] += values[1]
    np.multiply(values[-1], 2.0, out=out[-1])
    np.add(values[-2], out[-1], out=out[-1])


def _percentile_of_columns(values: np.ndarray, percentile: float) -> np.ndarray:
    """np.percentile(values, percentile, axis=0) (linear interpolation).

    By a sort: numpy's vectorised sort ran 2-2.5x faster here than np.partition at the two
    ranks, on a whole signal's frames (~300 x 513) and on the live history (96 x 513).
    """
    n = values.shape[0]
    rank = percentile / 100.0 * (n - 1)
    low = int(np.floor(rank))
    high = min(low + 1, n - 1)
    parts = np.sort(values, axis=0)
    fraction = rank - low
    return parts[low] + fraction * (parts[high] - parts[low])


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
    return scale * _percentile_of_columns(_smooth(power), percentile)


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
    # Where the power is 0 nothing is removed (a digital silence, or no noise at all).
    kept = np.zeros(np.broadcast_shapes(power.shape, (1, noise.shape[-1])),
                    np.result_type(power, noise))
    return _gain_in_place(kept, power, noise, floor)


def _gain_in_place(kept: np.ndarray, power: np.ndarray, noise: np.ndarray, floor: float,
                   out: np.ndarray | None = None) -> np.ndarray:
    """subtraction_gain's steps, in kept (zeros, its shape and dtype) and then out (kept if
    None; a float32 out is the float64 gain rounded, as astype would): one array, no
    temporaries."""
    np.divide(noise[None, :], power, out=kept, where=power > 0)
    np.subtract(1.0, kept, out=kept)
    np.maximum(kept, floor * floor, out=kept)
    np.minimum(kept, 1.0, out=kept)
    return np.sqrt(kept, out=kept if out is None else out)


def removed_share(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The share of each frame's power that noise reduction removed, 0-1 (0 for silence).

    Parameters
    ----------
    before, after : np.ndarray, shape (n_frames, W)
        The same frames before and after reduce_noise.

    Returns
    -------
    np.ndarray, shape (n_frames,)
    """
    power_before = np.einsum("ij,ij->i", before, before)
    power_after = np.einsum("ij,ij->i", after, after)
    kept = np.divide(power_after, power_before, out=np.ones_like(power_before),
                     where=power_before > 1e-10)
    return np.clip(1.0 - kept, 0.0, 1.0)


# sqrt-Hann analysis and synthesis window (periodic), float64 and float32; read-only.
_WINDOW = np.sqrt(np.hanning(STFT_SAMPLES + 1)[:-1])
_WINDOW.flags.writeable = False
_WINDOW32 = _WINDOW.astype(np.float32)
_WINDOW32.flags.writeable = False


def reduce_noise(audio: np.ndarray, noise: np.ndarray | None = None) -> np.ndarray:
    """The signal with its stationary noise removed (STFT spectral subtraction, overlap-add).

    Parameters
    ----------
    audio : np.ndarray, shape (n,)
        Mono audio (16 kHz).
    noise : np.ndarray, shape (STFT_SAMPLES // 2 + 1,), optional
        The noise's power per bin (RunningNoise, live); estimated from audio itself if None.

    Returns
    -------
    np.ndarray, shape (n,), float64
        The audio itself (as float64) when noise is None and audio is shorter than
        MIN_STFT_FRAMES hops.
    """
    x = np.asarray(audio, np.float64).reshape(-1)
    if noise is None and x.size < STFT_SAMPLES + MIN_STFT_FRAMES * HOP_SAMPLES:
        return x
    # sqrt-Hann analysis and synthesis (a Hann window in all) at half-frame hops add up to 1.
    # In float32 (half the cost): a denoiser needs no more; the NSDF after it runs in float64.
    # Padded by a hop before and at least one after, to whole hops: every sample of the audio
    # lies under two frames; frame k is hops k and k + 1.
    n_hops = -(-(x.size + 2 * HOP_SAMPLES) // HOP_SAMPLES)
    padded = np.zeros(n_hops * HOP_SAMPLES, np.float32)
    padded[HOP_SAMPLES:HOP_SAMPLES + x.size] = x
    hops = padded.reshape(n_hops, HOP_SAMPLES)
    # Windowed frame k is hops k and k + 1 times the window's halves: the products of the
    # strided frames' (frames * _WINDOW32), without building the strided view (~10 us live).
    windowed = np.empty((n_hops - 1, STFT_SAMPLES), np.float32)
    np.multiply(hops[:-1], _WINDOW32[:HOP_SAMPLES], out=windowed[:, :HOP_SAMPLES])
    np.multiply(hops[1:], _WINDOW32[HOP_SAMPLES:], out=windowed[:, HOP_SAMPLES:])
    if noise is None:
        import scipy.fft as fft       # whole signals: float32 transforms, a third less time
    else:
        fft = np.fft                  # live: the live path never imports SciPy (start-up)
    spectrum = fft.rfft(windowed, axis=1)
    raw_power = np.square(spectrum.real)
    raw_power += np.square(spectrum.imag)
    smoothed = _smooth(raw_power)
    if noise is None:           # noise_power(raw_power), on the smoothing made once
        noise = NOISE_SCALE * _percentile_of_columns(smoothed, NOISE_PERCENTILE)
    # subtraction_gain, rounded to float32 as the spectrum is (in place: the live path's
    # temporaries cost as much as its transforms).
    gain = _gain_in_place(np.zeros(smoothed.shape, np.result_type(smoothed, noise)), smoothed,
                          noise, GAIN_FLOOR, np.empty(smoothed.shape, np.float32))
    spectrum *= gain
    cleaned = fft.irfft(spectrum, STFT_SAMPLES, axis=1)
    cleaned *= _WINDOW32
    # Overlap-add: hop j (1 .. n_hops - 2, which hold all of the audio) is the second half of
    # frame j - 1 plus the first half of frame j.
    summed = cleaned[1:, :HOP_SAMPLES] + cleaned[:-1, HOP_SAMPLES:]
    return summed.reshape(-1)[:x.size].astype(np.float64)


class RunningNoise:
    """A causal noise estimate for live frames, one update per model hop (worker thread only).

    Each update adds the power spectrum of the newest STFT_SAMPLES samples; the estimate is
    noise_power over the last HISTORY_FRAMES of them, re-read every REFRESH_FRAMES updates.
    """

    def __init__(self) -> None:
        self._window = _WINDOW
        self._history = np.zeros((HISTORY_FRAMES, STFT_SAMPLES // 2 + 1))
        self.reset()

    def reset(self) -> None:
        """Forget what was heard (a new stream, or frames were lost)."""
        self._count = 0
        self._since_refresh = 0
        self._estimate: np.ndarray | None = None
        self._estimate_total = 0.0

    @property
    def estimate(self) -> np.ndarray | None:
        """The noise power per bin as last estimated (None until LIVE_MIN_FRAMES were heard)."""
        return self._estimate

    def audible(self, audio_16k: np.ndarray) -> np.ndarray | None:
        """The estimate if the noise is audible against the newest STFT_SAMPLES of audio_16k
        (AUDIBLE_NOISE_RATIO), else None (nothing worth subtracting, or no estimate yet)."""
        if self._estimate is None:
            return None
        frame = np.asarray(audio_16k[-STFT_SAMPLES:], np.float64) * self._window
        # Parseval: the one-sided power spectrum sums to about N/2 times the frame's energy.
        power = 0.5 * STFT_SAMPLES * float(np.dot(frame, frame))
        return self._estimate if self._estimate_total >= AUDIBLE_NOISE_RATIO * power else None

    def update(self, audio_16k: np.ndarray) -> np.ndarray | None:
        """Add the newest frame; the noise power per bin (n_bins,), None until LIVE_MIN_FRAMES.

        Parameters
        ----------
        audio_16k : np.ndarray, shape (n,), n >= STFT_SAMPLES
            The newest audio (a live window); its last STFT_SAMPLES samples are the new frame.
        """
        frame = np.asarray(audio_16k[-STFT_SAMPLES:], np.float64)
        spectrum = np.fft.rfft(frame * self._window)
        self._history[self._count % HISTORY_FRAMES] = spectrum.real ** 2 + spectrum.imag ** 2
        self._count += 1
        self._since_refresh += 1
        heard = min(self._count, HISTORY_FRAMES)
        if heard >= LIVE_MIN_FRAMES and (self._estimate is None or
                                         self._since_refresh >= REFRESH_FRAMES):
            # Oldest first: the estimate smooths over neighbouring frames.
            self._estimate = noise_power(np.roll(self._history, -self._count, axis=0)
                                         if heard == HISTORY_FRAMES else self._history[:heard])
            self._estimate_total = float(self._estimate.sum())
            self._since_refresh = 0
        return self._estimate
