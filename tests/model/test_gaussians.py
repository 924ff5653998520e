"""Upkeep of the parameters after an optimiser step."""

import math

import torch
from _handmade import handmade_model


def test_repair_zeroes_non_finite_values_of_the_stepped_parameters_only():
    model = handmade_model(at=[1.0, 0.0, 0.0])
    with torch.no_grad():
        model.mu[0, 3, 1] = math.nan
        model.gain_db[5] = math.inf
        model.sh_mono_rest[1, 2, 0] = math.nan  # not stepped: left as it is
    model.repair_([model.mu, model.gain_db])
    assert model.mu[0, 3, 1] == 0.0 and torch.isfinite(model.mu).all()
    assert model.gain_db[5] == 0.0
    assert math.isnan(float(model.sh_mono_rest[1, 2, 0]))
    model.repair_()  # all of them
    assert torch.isfinite(model.sh_mono_rest).all()


def test_repair_renormalises_the_quaternions_when_they_were_stepped():
    model = handmade_model(at=[1.0, 0.0, 0.0])
    with torch.no_grad():
        model.q.mul_(3.0)
        model.q[0, 0] = 0.0  # degenerate: back to the identity
    model.repair_([model.mu])
    assert torch.allclose(model.q[1].norm(dim=-1), torch.full((model.grid.n_freq,), 3.0))
    model.repair_([model.q])
    assert torch.allclose(model.q.norm(dim=-1), torch.ones(model.q.shape[:-1]))
    assert torch.equal(model.q[0, 0], torch.tensor([1.0, 0.0, 0.0, 0.0]))
