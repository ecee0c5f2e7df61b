"""Onsets from the audio (pitchlive.tracking.onsets): fast level rises, spectral flux."""

import numpy as np

from pitchlive.tracking.onsets import rise_onsets


def test_rise_onsets_finds_fast_rises_only():
    envelope = np.concatenate([np.full(50, -30.0), np.linspace(-30, -20, 40),  # slow swell
                               np.full(20, -20.0), [-35, -32, -25, -20], np.full(30, -20.0)])
    # The onset is where the rise comes within 6 dB of its top: -25 dB, two steps in.
    assert rise_onsets(envelope, 0, envelope.size) == [112]


# --- spectral flux: repeated notes the level hardly shows ------------------------------------

RATE = 16000


def tone(hz: float, seconds: float, vibrato_cents: float = 0.0, seed: int = 0) -> np.ndarray:
    """A harmonic tone (10 partials, 1/k) with optional 5.5 Hz vibrato and a little noise."""
    t = np.arange(int(seconds * RATE)) / RATE
    cents = vibrato_cents * np.sin(2 * np.pi * 5.5 * t)
    phase = 2 * np.pi * np.cumsum(hz * 2 ** (cents / 1200)) / RATE
    out = sum(np.sin(k * phase) / k for k in range(1, 11))
    return (0.2 * out + np.random.default_rng(seed).normal(0, 1e-3, t.size)).astype(np.float32)


def repeated_note(dip_db: float = 3.0, gap_s: float = 0.04) -> tuple[np.ndarray, float]:
    """One pitch sung twice, the level dipping only dip_db between: (audio, second onset s).

    The second note starts as real ones do, with a consonant: 40 ms of noise from 1 kHz up,
    fading, over its partials.
    """
    first, second = tone(330.0, 0.6), tone(330.0, 0.6, seed=1)
    burst = int(0.04 * RATE)
    noise = np.random.default_rng(2).normal(0, 0.15, burst)
    noise -= np.convolve(noise, np.ones(16) / 16, mode="same")   # keep the highs
    second[:burst] += (noise * np.linspace(1.0, 0.0, burst)).astype(np.float32)
    release = int(gap_s * RATE)
    first[-release:] *= np.linspace(1.0, 10 ** (-dip_db / 20), release)
    second[:release // 2] *= np.linspace(10 ** (-dip_db / 20), 1.0, release // 2)
    silence = np.zeros(int(0.3 * RATE), np.float32)
    return np.concatenate([silence, first, second, silence]), 0.3 + 0.6


def test_spectral_flux_peaks_at_an_attack_and_ignores_vibrato():
    from pitchlive.tracking.onsets import ENVELOPE_HOP, spectral_flux

    audio = np.concatenate([np.zeros(8000, np.float32), tone(440.0, 1.5, vibrato_cents=50)])
    flux = spectral_flux(audio)
    assert flux.shape == (audio.size // ENVELOPE_HOP + 1,)
    onset = int(np.argmax(flux)) * ENVELOPE_HOP / RATE
    assert abs(onset - 0.5) <= 0.035   # the 64 ms spectra see an attack up to 32 ms early
    inside = flux[int(0.7 * RATE / ENVELOPE_HOP):int(1.9 * RATE / ENVELOPE_HOP)]
    assert inside.max() < 0.2 * flux.max()   # vibrato of +-50 cents stays small


def test_spectral_flux_is_the_same_computed_in_blocks(monkeypatch):
    from pitchlive.tracking import onsets

    audio, _ = repeated_note()
    whole = onsets.spectral_flux(audio)
    monkeypatch.setattr(onsets, "FLUX_BLOCK_FRAMES", 37)
    assert np.allclose(onsets.spectral_flux(audio), whole, atol=1e-4)


def test_a_repeat_with_a_small_dip_splits_with_the_flux_only():
    from pitchlive.tracking.onsets import NoteDraft, level_envelope_db, spectral_flux, split_repeats

    audio, second_s = repeated_note(dip_db=3.0)
    draft = [NoteDraft(0.3, 1.5, 64, 0.0)]
    envelope = level_envelope_db(audio)
    assert len(split_repeats(draft, envelope, 0.09)) == 1        # the level alone misses it
    notes = split_repeats(draft, envelope, 0.09, spectral_flux(audio))
    assert len(notes) == 2
    assert abs(notes[1].onset_s - second_s) <= 0.03
    assert notes[0].end_s == notes[1].onset_s and notes[1].end_s == 1.5


def test_vibrato_and_a_slow_swell_do_not_split():
    from pitchlive.tracking.onsets import NoteDraft, level_envelope_db, spectral_flux, split_repeats

    held = tone(330.0, 1.8, vibrato_cents=60)
    held[:int(0.5 * RATE)] *= np.linspace(0.05, 1.0, int(0.5 * RATE))   # a 0.5 s crescendo
    tremolo = 1.0 + 0.3 * np.sin(2 * np.pi * 5.5 * np.arange(held.size) / RATE)
    audio = np.concatenate([np.zeros(4800, np.float32), held * tremolo.astype(np.float32)])
    draft = [NoteDraft(0.3, 2.1, 64, 0.0)]
    assert len(split_repeats(draft, level_envelope_db(audio), 0.09, spectral_flux(audio))) == 1
