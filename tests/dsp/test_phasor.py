import torch

from audiogs_core.dsp.phasor import polar


def test_polar_is_torch_polar_with_broadcasting_and_its_gradient():
    g = torch.Generator().manual_seed(0)
    mag = torch.rand(1, 5, 7, generator=g, dtype=torch.float64).requires_grad_()
    phase = (10 * torch.randn(3, 5, 7, generator=g, dtype=torch.float64)).requires_grad_()
    ours = polar(mag, phase)
    theirs = torch.polar(mag.expand(3, 5, 7), phase)
    assert ours.shape == (3, 5, 7) and ours.dtype == torch.complex128
    assert torch.allclose(ours, theirs, atol=1e-12)
    weights = torch.randn(3, 5, 7, generator=g, dtype=torch.complex128)
    ours_grad = torch.autograd.grad((ours * weights).real.sum(), (mag, phase))
    theirs_grad = torch.autograd.grad((theirs * weights).real.sum(), (mag, phase))
    for a, b in zip(ours_grad, theirs_grad):
        assert torch.allclose(a, b, atol=1e-12)


def test_polar_of_a_quarter_turn():
    z = polar(torch.tensor([2.0]), torch.tensor([torch.pi / 2]))
    assert abs(z.real.item()) < 1e-6 and abs(z.imag.item() - 2.0) < 1e-6
