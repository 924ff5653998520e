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


@pytest.mark.parametrize("rt60,level_db", [(0.4, 6.0), (0.9, 14.0)])
def test_fit_band_recovers_the_decay_and_level(rt60, level_db):
    ref = _bursts()
    rho2 = math.exp(-2.0 * HOP_S / (rt60 / (3.0 * math.log(10.0))))
    view = 0.03 * (ref + 10 ** (level_db / 10) * tail_energy(ref, rho2))
    got_rt60, got_level = fit_band(ref, view, HOP_S)
    assert got_rt60 == pytest.approx(rt60, abs=0.051)
    assert got_level == pytest.approx(level_db, abs=2.1)


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
