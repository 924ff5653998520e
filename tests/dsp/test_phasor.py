import torch

from audiogs_core.dsp.phasor import phase_cos_sin, polar, rotated


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


def test_phase_cos_sin_is_the_angle_frame_major_with_zero_bins_at_phase_zero():
    g = torch.Generator().manual_seed(1)
    spec = torch.randn(2, 5, 7, generator=g, dtype=torch.complex128)  # [C, F, N]
    spec[0, 1, 2] = 0
    cos_sin = phase_cos_sin(spec)
    assert cos_sin.shape == (2, 2, 7, 5)
    angle = torch.angle(spec).transpose(-1, -2)
    assert torch.allclose(cos_sin[0], torch.cos(angle)) and torch.allclose(cos_sin[1], torch.sin(angle))
    assert cos_sin[0, 0, 2, 1] == 1.0 and cos_sin[1, 0, 2, 1] == 0.0


def test_rotated_adds_the_turn_to_the_phase():
    g = torch.Generator().manual_seed(2)
    phi, theta = torch.randn(4, generator=g, dtype=torch.float64), torch.randn(4, generator=g, dtype=torch.float64)
    mag = torch.rand(4, generator=g, dtype=torch.float64)
    re, im = rotated(mag, torch.stack([torch.cos(phi), torch.sin(phi)]), torch.cos(theta), torch.sin(theta))
    assert torch.allclose(torch.complex(re, im), torch.polar(mag, phi + theta))
