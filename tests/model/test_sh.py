import math

import torch

from audiogs_core.model.sh import C0, C1, sh_basis, sh_eval


def _sphere_grid(n_theta=200, n_phi=400):
    theta = (torch.arange(n_theta, dtype=torch.float64) + 0.5) * math.pi / n_theta
    phi = torch.arange(n_phi, dtype=torch.float64) * 2 * math.pi / n_phi
    t, p = torch.meshgrid(theta, phi, indexing="ij")
    dirs = torch.stack([torch.sin(t) * torch.cos(p), torch.sin(t) * torch.sin(p), torch.cos(t)], -1)
    weight = torch.sin(t) * (math.pi / n_theta) * (2 * math.pi / n_phi)
    return dirs.reshape(-1, 3), weight.reshape(-1)


def test_known_values():
    up = torch.tensor([[0.0, 0.0, 1.0]])
    b = sh_basis(up, 3)[0]
    assert torch.isclose(b[0], torch.tensor(C0))
    assert torch.isclose(b[2], torch.tensor(C1))  # degree-1 z term
    assert abs(float(b[1])) < 1e-7 and abs(float(b[3])) < 1e-7
    # Y_2,0 at the pole: 0.31539 * 2; Y_3,0 at the pole: 0.37318 * 2
    assert torch.isclose(b[6], torch.tensor(0.31539156525252005 * 2))
    assert torch.isclose(b[12], torch.tensor(0.3731763325901154 * 2))
    x = torch.tensor([[1.0, 0.0, 0.0]])
    assert torch.isclose(sh_basis(x, 1)[0, 3], torch.tensor(-C1))


def test_orthonormal_over_the_sphere():
    dirs, w = _sphere_grid()
    b = sh_basis(dirs, 3)  # [P, 16]
    gram = (b * w[:, None]).T @ b
    assert torch.allclose(gram, torch.eye(16, dtype=torch.float64), atol=2e-3)


def test_degree_truncation_uses_only_low_coefficients():
    dirs = torch.nn.functional.normalize(torch.randn(10, 3), dim=-1)
    coeffs = torch.randn(10, 16)
    full = sh_eval(coeffs, dirs, 1)
    coeffs[:, 4:] = 1e6  # must not matter at degree 1
    assert torch.allclose(sh_eval(coeffs, dirs, 1), full)
    assert torch.allclose(sh_eval(coeffs, dirs, 0), C0 * coeffs[:, 0])
