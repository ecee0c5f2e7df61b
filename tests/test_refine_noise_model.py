"""The refinement stage with the real model in noise and on a sung vowel's octave trap.

Each case is one SPICE v1 gets wrong on its own, so every test here fails with the stage off
(REFINE = False; the heavy-noise live test also with LIVE_NOISY_PRIOR_CUT = 0): in pink noise at
0 dB SNR it reads most frames of these notes wrong, and on a sung "ah" at E1 the strongest period
is a harmonic near the first formant (700 Hz), which a frame by frame choice took for the note
before candidates were scored by their repeats.
"""

from __future__ import annotations

import numpy as np
import pytest

from pitchlive.analysis.inference import predict
from pitchlive.analysis.live import live_frames
from pitchlive.settings import Settings
from pitchlive.tracking.refine import refine_track
from synth import write_wav

pytestmark = pytest.mark.model

REFINE = True
NOISE_REDUCTION = True        # whole files: tracking/denoise.py before the periodicity reading
LIVE_NOISE_REDUCTION = True   # live: the same with the stream's running noise estimate
LIVE_NOISY_PRIOR_CUT = 1.0    # live: noisy frames lose the model's prior (refine.py)
RATE_HZ = 16000


def sung_ah(f0_hz: float, duration_s: float, seed: int = 0) -> np.ndarray:
    """A sung "ah" of exactly f0_hz, float32 (n,): a -12 dB/octave glottal source through
    formants at 700, 1220 and 2600 Hz, random harmonic phases, 20 ms fades."""
    t = np.arange(int(duration_s * RATE_HZ)) / RATE_HZ
    rng = np.random.default_rng(seed)
    out = np.zeros(t.size)
    for k in range(1, int(0.45 * RATE_HZ / f0_hz) + 1):
        f = k * f0_hz
        envelope = 0.02 + sum(g / (1 + ((f - c) / (b / 2)) ** 2)
                              for c, b, g in ((700, 110, 1.0), (1220, 120, 0.5),
                                              (2600, 160, 0.25)))
        out += envelope / k * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    out *= 0.5 / np.max(np.abs(out))
    ramp = np.linspace(0.0, 1.0, int(0.02 * RATE_HZ))
    out[:ramp.size] *= ramp
    out[-ramp.size:] *= ramp[::-1]
    return out.astype(np.float32)


def with_pink_noise(audio: np.ndarray, snr_db: float, seed: int = 3) -> np.ndarray:
    spectrum = np.fft.rfft(np.random.default_rng(seed).standard_normal(audio.size))
    spectrum /= np.sqrt(np.maximum(np.arange(spectrum.size), 1.0))
    noise = np.fft.irfft(spectrum, audio.size)
    sounding = np.abs(audio) > 0
    power = np.mean(audio[sounding] ** 2)
    noise *= np.sqrt(power / 10 ** (snr_db / 10) / np.mean(noise ** 2))
    mixed = audio + noise
    return (mixed / max(1.0, np.max(np.abs(mixed)))).astype(np.float32)


def notes_take(f0s_hz, note_s=1.0, gap_s=0.3):
    """Sung "ah" notes with gaps: (audio, truth_hz at every 32 ms frame, 0 = none, core mask)."""
    pieces, spans, t = [np.zeros(int(gap_s * RATE_HZ), np.float32)], [], gap_s
    for i, f0 in enumerate(f0s_hz):
        pieces += [sung_ah(f0, note_s, seed=i), np.zeros(int(gap_s * RATE_HZ), np.float32)]
        spans.append((t, f0))
        t += note_s + gap_s
    audio = np.concatenate(pieces)
    times = np.arange(audio.size // 512 + 1) * 512 / RATE_HZ
    truth, core = np.zeros(times.size), np.zeros(times.size, bool)
    for start, f0 in spans:
        truth[(times >= start) & (times < start + note_s)] = f0
        core |= (times >= start + 0.15) & (times < start + note_s - 0.1)
    return audio, truth, core


def share_right(frequency_hz, truth_hz) -> float:
    return float(np.mean(np.abs(1200 * np.log2(np.asarray(frequency_hz) / truth_hz)) < 50))


@pytest.mark.parametrize("f0s_hz, snr_db", [((110.0, 196.0, 261.63), 0.0),
                                            ((41.2034, 55.0, 82.41), 10.0)],
                         ids=["A2 G3 C4 at 0 dB", "E1 A1 E2 at 10 dB"])
def test_sung_notes_in_pink_noise_whole_file(spice_model, f0s_hz, snr_db):
    # Pink noise hides the low partials and the formant's harmonics stand out: measured, 0.91
    # and 0.93 of the frames right (0.39 and 0.00 with the stage off; 0.77 and 0.76 when the
    # candidates were chosen frame by frame on their peak alone).
    audio, truth, core = notes_take(f0s_hz)
    track = predict(with_pink_noise(audio, snr_db), RATE_HZ, spice_model, refine=REFINE)
    assert share_right(track.frequency_hz[core], truth[core]) >= 0.85


def test_a_vowels_formant_harmonic_is_not_taken_for_the_note_in_noise(spice_model):
    # At 10 dB SNR the harmonic on the first formant (E1 x17, A#3 x3, F3 x4: ~700 Hz) outreads
    # the rest and SPICE v1 names it; its NSDF peak stays below the note's (harmonic_penalty in
    # noisy frames). Measured: 0.99 of the core frames right, 0.29 with HARMONIC_COST = 0.
    audio, truth, core = notes_take((41.2034, 233.08, 174.61, 311.13))
    track = predict(with_pink_noise(audio, 10.0), RATE_HZ, spice_model, refine=REFINE)
    assert share_right(track.frequency_hz[core], truth[core]) >= 0.9


def test_noise_reduction_reads_sung_notes_in_pink_noise(spice_model):
    # Pink noise correlates at short lags, so without noise reduction the notes' formant
    # harmonics out-read them: measured over two noises, 0.89 of the frames right (0.74 with
    # noise_reduction off).
    audio, truth, core = notes_take((146.83, 196.0, 246.94))
    right = []
    for seed in (3, 6):
        noisy = with_pink_noise(audio, 0.0, seed=seed)
        raw = predict(noisy, RATE_HZ, spice_model, refine=False)
        track, _ = refine_track(noisy, raw, noise_reduction=NOISE_REDUCTION)
        right.append(share_right(track.frequency_hz[core], truth[core]))
    assert np.mean(right) >= 0.85


def test_live_noise_reduction_reads_sung_notes_in_pink_noise(spice_model, tmp_path, monkeypatch):
    # The live path estimates the noise from what it has heard so far (from ~0.5 s on), from
    # frames without a clear period only: measured over two noises, 0.83 of the frames right
    # (0.69 with it off; 0.90 learning from every frame, which subtracts a held tone from itself).
    monkeypatch.setattr("pitchlive.tracking.live.LIVE_NOISE_REDUCTION", LIVE_NOISE_REDUCTION)
    audio, truth, core = notes_take((146.83, 196.0, 246.94), note_s=2.0)
    assert live_share_right(spice_model, tmp_path, audio, truth, core, 0.0) >= 0.8


def live_share_right(spice_model, tmp_path, audio, truth, core, snr_db, seeds=(3, 6)):
    """The mean share of core frames the live path reads right, over pink noises (seeds)."""
    right = []
    for seed in seeds:
        wav = write_wav(tmp_path / f"ah{seed}.wav", with_pink_noise(audio, snr_db, seed=seed),
                        RATE_HZ)
        frames, _, _ = live_frames(wav, spice_model, Settings())
        times = np.array([f.time_s for f in frames])
        index = np.clip(np.searchsorted(times, np.arange(truth.size) * 512 / RATE_HZ), 0,
                        times.size - 1)
        frequency = np.array([f.frequency_hz for f in frames])[index]
        right.append(share_right(frequency[core], truth[core]))
    return float(np.mean(right))


def test_low_sung_notes_live_in_heavy_noise_follow_the_signal(spice_model, tmp_path,
                                                              monkeypatch):
    # At 0 dB SNR SPICE v1 on the live window names the first formant's harmonic (~700 Hz) of
    # a low "ah" on most frames; in noisy frames its prior gives way to the signal, whose
    # repeats read the note. Measured over two noises: 0.77 of the core frames right (0.57
    # with LIVE_NOISY_PRIOR_CUT = 0).
    monkeypatch.setattr("pitchlive.tracking.refine.LIVE_NOISY_PRIOR_CUT", LIVE_NOISY_PRIOR_CUT)
    audio, truth, core = notes_take((41.2034, 55.0, 73.42), note_s=2.0)
    assert live_share_right(spice_model, tmp_path, audio, truth, core, 0.0) >= 0.7


def test_sung_e1_reads_e1_live_with_no_frame_an_octave_off(spice_model, tmp_path):
    audio, truth, core = notes_take([41.2034, 55.0], note_s=1.2)
    frames, _, _ = live_frames(write_wav(tmp_path / "ah.wav", audio, RATE_HZ), spice_model,
                               Settings(refine=REFINE))
    times = np.array([f.time_s for f in frames])
    index = np.clip(np.searchsorted(times, np.arange(truth.size) * 512 / RATE_HZ), 0,
                    times.size - 1)
    frequency = np.array([f.frequency_hz for f in frames])[index]
    error = 1200 * np.log2(frequency[core] / truth[core])
    assert np.all(np.abs(error) < 50), "every core frame on the note, none an octave off"
    voiced = np.array([f.voiced for f in frames])[index][core]
    assert voiced.mean() >= 0.9
