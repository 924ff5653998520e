"""Starting the reverberant tail from the train views (train/tail_fit.py)."""

import math

import numpy as np
import pytest
import torch

from audiogs_core.conventions import stft_settings
from audiogs_core.dsp.stft import stft
from audiogs_core.model.flags import ModelFlags
from audiogs_core.train.data import TrainingData
from audiogs_core.train.tail_fit import fit_band, initial_tail, start_tail, tail_energy
from audiogs_core.train.trainer import build_model

HOP_S = 0.01


def _bursts(n=600, seed=0):
    """Speech-like band energy: bursts of random level with gaps."""
    rng = np.random.default_rng(seed)
    e = np.zeros(n)
    t = 0
    while t < n:
        length = int(rng.integers(5, 30))
        e[t:t + length] = rng.uniform(0.2, 1.0) * rng.uniform(0.5, 1.5, size=len(e[t:t + length]))
        t += length + int(rng.integers(5, 40))
    return e


def test_tail_energy_is_the_decaying_sum_of_earlier_frames():
    e = np.array([1.0, 0.0, 0.0, 2.0, 0.0])
    rho2 = 0.5
    expected = [0.0, 0.5, 0.25, 0.125, 1.0 + 0.0625]
    assert np.allclose(tail_energy(e, rho2), expected)


def _reverberant(energy, rt60, level_db):
    """energy plus its reverberation, written as a convolution with a decay of 60 dB per rt60.

    Independent of tail_energy's one-pole filter on purpose: the fit must recover
    a decay stated the way acousticians state it, not its own parametrisation.
    """
    lags = np.arange(1, len(energy))
    kernel = np.concatenate([[0.0], 10.0 ** (-6.0 * lags * HOP_S / rt60)])
    return energy + 10.0 ** (level_db / 10.0) * np.convolve(energy, kernel)[:len(energy)]


@pytest.mark.parametrize("rt60,level_db", [(0.4, 6.0), (0.9, 14.0)])
def test_fit_band_recovers_a_decay_on_its_grid_exactly(rt60, level_db):
    ref = _bursts()
    got_rt60, got_level = fit_band(ref, 0.03 * _reverberant(ref, rt60, level_db), HOP_S)
    assert got_rt60 == pytest.approx(rt60, abs=1e-9) and got_level == pytest.approx(level_db, abs=1e-9)


# Off the search grid (RT60 in 0.05 s steps, level in 2 dB steps) the decay must
# land on a neighbouring grid point. The level is weakly determined: with the
# overall scale free, 3 dB more tail moves the log fit by under 0.2 dB, so
# the fit may trade a level step or two for the decay's grid step.
@pytest.mark.parametrize("rt60,level_db", [(0.43, 7.0), (0.63, 3.0), (0.87, 13.0)])
@pytest.mark.parametrize("seed", [0, 1])
def test_fit_band_recovers_a_decay_off_its_grid(rt60, level_db, seed):
    ref = _bursts(seed=seed)
    got_rt60, got_level = fit_band(ref, 0.03 * _reverberant(ref, rt60, level_db), HOP_S)
    assert got_rt60 == pytest.approx(rt60, abs=0.03)
    assert got_level == pytest.approx(level_db, abs=4.1)


def test_initial_tail_spreads_band_values_over_the_bins():
    settings = stft_settings(16000)
    rng = np.random.default_rng(1)
    ref = rng.standard_normal((1, 16000)).astype(np.float32) * np.repeat(rng.uniform(0, 1, 40) > 0.5, 400)[None]
    views = np.stack([np.stack([ref[0], ref[0]])] * 2) * 0.1
    tail_db, log_tau = initial_tail(ref, views, settings)
    assert tail_db.shape == log_tau.shape == (settings.n_freq,)
    assert np.isfinite(tail_db).all() and np.isfinite(log_tau).all()
    # Views that are the reference scaled: no tail is needed, the fit keeps it at its floor.
    assert tail_db.max() <= -20.0


def test_start_tail_restarts_the_gain_against_the_tailed_reference():
    sr = 16000
    settings = stft_settings(sr)
    rng = np.random.default_rng(2)
    ref = (rng.standard_normal((1, 2 * sr)) * np.repeat(rng.uniform(0, 1, 80) > 0.5, 400)[None]).astype(np.float32)
    views = np.stack([np.stack([ref[0], ref[0]])] * 3).astype(np.float32) * 0.5
    data = TrainingData(sr, ref, np.zeros(3), None, 0.0875, ["a", "b", "c"], np.ones((3, 3)),
                        np.tile([1.0, 0, 0, 0], (3, 1)), views)
    model = build_model(data, ModelFlags(reverb_tail=True))
    start_tail(model, ref, views, settings)
    with torch.no_grad():
        level = torch.pow(10.0, model.gain_db / 20.0) * model.reference_magnitude(stft(torch.from_numpy(ref), settings)).mean(0)
    view_mag = stft(torch.from_numpy(views), settings).abs().mean(dim=(0, 1, 3))
    assert torch.allclose(level, view_mag, rtol=1e-3, atol=1e-6)
