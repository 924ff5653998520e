"""The reverberant tail added to the reference magnitude (flag reverb_tail)."""

import math

import torch
from _handmade import handmade_model

from audiogs_core.model.flags import ModelFlags


def _spec_with_impulse(frames=40, at=5, f=257):
    spec = torch.zeros(1, f, frames, dtype=torch.complex64)
    spec[0, :, at] = 1.0
    return spec


def test_without_the_flag_the_magnitude_is_the_reference():
    model = handmade_model(at=[0, 0, 0])
    spec = _spec_with_impulse()
    assert torch.equal(model.reference_magnitude(spec), spec.abs()[0].T)


def test_tail_decays_exponentially_at_the_learned_level():
    model = handmade_model(at=[0, 0, 0], flags=ModelFlags(reverb_tail=True))
    with torch.no_grad():
        model.tail_db.fill_(-6.0)
        model.tail_log_tau.fill_(math.log(0.05))
    mag = model.reference_magnitude(_spec_with_impulse()).detach()  # [N, F]
    hop_s = 0.01
    rho2 = math.exp(-2 * hop_s / 0.05)
    b2 = 10 ** (-6.0 / 10)
    assert float(mag[:5].max()) < 1e-4  # nothing before the impulse (FFT round-off aside)
    assert torch.allclose(mag[5], torch.ones_like(mag[5]), atol=1e-5)
    for m in (1, 2, 10):
        expected = math.sqrt(b2 * rho2**m)
        assert torch.allclose(mag[5 + m], torch.full_like(mag[5 + m], expected), rtol=1e-3)


def test_history_frames_feed_the_tail_but_are_not_returned():
    model = handmade_model(at=[0, 0, 0], flags=ModelFlags(reverb_tail=True))
    history = _spec_with_impulse(frames=10, at=9)
    now = torch.zeros(1, 257, 20, dtype=torch.complex64)
    mag = model.reference_magnitude(now, history).detach()
    assert mag.shape == (20, 257)
    assert float(mag[0].min()) > 0.01  # the tail of the impulse one frame before
    assert bool((mag[1:] < mag[:-1]).all())


def test_tail_parameters_get_gradients():
    model = handmade_model(at=[0, 0, 0], flags=ModelFlags(reverb_tail=True))
    model.reference_magnitude(_spec_with_impulse()).sum().backward()
    assert model.tail_db.grad.abs().sum() > 0 and model.tail_log_tau.grad.abs().sum() > 0


def test_direct_fraction_is_one_without_tail_energy_and_falls_after_the_impulse():
    flags = ModelFlags(reverb_tail=True, diffuse_itd=True)
    model = handmade_model(at=[0, 0, 0], flags=flags)
    with torch.no_grad():
        model.tail_db.fill_(0.0)
        model.tail_log_tau.fill_(math.log(0.05))
    spec = _spec_with_impulse(frames=40, at=5)
    spec[0, :, 20] = 1.0  # a second impulse on top of the first one's tail
    fraction = model.reference_terms(spec)[1].detach()
    assert fraction.shape == (40, 257)
    assert torch.allclose(fraction[5], torch.ones(257), atol=1e-5)  # nothing before it: all direct
    assert float(fraction[6:20].max()) < 1e-3  # between them: tail only
    tail = math.exp(-2 * 0.01 / 0.05) ** 15  # the first impulse's tail, 15 hops of 10 ms later (b = 1)
    assert torch.allclose(fraction[20], torch.full((257,), math.sqrt(1.0 / (1.0 + tail))), rtol=1e-3)


def test_without_diffuse_itd_there_is_no_weight():
    model = handmade_model(at=[0, 0, 0], flags=ModelFlags(reverb_tail=True))
    assert model.reference_terms(_spec_with_impulse())[1] is None


def test_diffuse_itd_needs_the_tail():
    import pytest

    with pytest.raises(ValueError, match="reverb_tail"):
        ModelFlags.from_dict({"diffuse_itd": True, "reverb_tail": False})


def test_direct_fraction_has_finite_gradients_over_silent_frames():
    # Zero-padded frames (the last training window) have |X| = 0 exactly.
    model = handmade_model(at=[0, 0, 0], flags=ModelFlags(reverb_tail=True, diffuse_itd=True))
    spec = _spec_with_impulse(frames=30, at=5)
    spec[..., 20:] = 0.0
    model.reference_terms(spec)[1].sum().backward()
    assert torch.isfinite(model.tail_db.grad).all() and torch.isfinite(model.tail_log_tau.grad).all()
