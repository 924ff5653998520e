"""ICE, the interaural coherence error, on signals whose coherence is known by construction."""

import numpy as np
import pytest

from audiogs_core.metrics.coherence import BANDS_HZ, band_coherences, coherence, ice

SR = 16000


@pytest.fixture
def noise():
    return np.random.default_rng(3).standard_normal((3, 2 * SR))


def test_coherence_is_one_for_the_same_signal_within_the_lag_range(noise):
    a = noise[0]
    assert coherence(a, a, SR) == pytest.approx(1.0)
    shifted = np.roll(a, 8)  # 0.5 ms: inside +-1 ms
    assert coherence(a, shifted, SR) > 0.99


def test_coherence_of_independent_or_far_delayed_noise_is_small(noise):
    assert coherence(noise[0], noise[1], SR) < 0.1
    assert coherence(noise[0], np.roll(noise[0], 48), SR) < 0.1  # 3 ms: outside the +-1 ms range


def test_silence_has_no_coherence():
    assert np.isnan(coherence(np.zeros(100), np.ones(100), SR))


def test_ice_is_zero_for_identical_and_large_for_a_decorrelated_room(noise):
    coherent = np.stack([noise[0], noise[0]])  # one signal at both ears: coherence 1 in every band
    decorrelated = np.stack([noise[1], noise[2]])  # independent ears: coherence near 0
    assert ice(coherent, coherent, SR) == pytest.approx(0.0, abs=1e-9)
    ic, _ = band_coherences(decorrelated, SR)
    assert ic.shape == (len(BANDS_HZ), 4)  # 5 bands, 4 windows of 0.5 s
    expect = float(np.mean(1.0 - ic))
    assert ice(decorrelated, coherent, SR) == pytest.approx(expect)
    assert expect > 0.6
