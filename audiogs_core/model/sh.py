"""Real spherical harmonics up to degree 3, in the 3D Gaussian Splatting basis.

Index order l = 0..3, m = -l..l (16 functions); the sign convention and
constants are those of the 3DGS reference renderer, which is orthonormal
over the unit sphere.
"""

from __future__ import annotations

import torch

C0 = 0.28209479177387814
C1 = 0.4886025119029199
C2 = (1.0925484305920792, -1.0925484305920792, 0.31539156525252005, -1.0925484305920792, 0.5462742152960396)
C3 = (
    -0.5900435899266435,
    2.890611442640554,
    -0.4570457994644658,
    0.3731763325901154,
    -0.4570457994644658,
    1.445305721320277,
    -0.5900435899266435,
)


def n_coeffs(degree: int) -> int:
    """Number of real SH coefficients up to ``degree``: (degree + 1)^2."""
    return (degree + 1) ** 2


def sh_basis(dirs: torch.Tensor, degree: int = 3) -> torch.Tensor:
    """[..., 3] unit directions -> [..., (degree+1)^2] basis values."""
    if not 0 <= degree <= 3:
        raise ValueError(f"SH degree must be 0..3, got {degree}")
    x, y, z = dirs[..., 0], dirs[..., 1], dirs[..., 2]
    out = [torch.full_like(x, C0)]
    if degree >= 1:
        out += [-C1 * y, C1 * z, -C1 * x]
    if degree >= 2:
        xx, yy, zz = x * x, y * y, z * z
        out += [
            C2[0] * x * y,
            C2[1] * y * z,
            C2[2] * (2 * zz - xx - yy),
            C2[3] * x * z,
            C2[4] * (xx - yy),
        ]
    if degree >= 3:
        out += [
            C3[0] * y * (3 * xx - yy),
            C3[1] * x * y * z,
            C3[2] * y * (4 * zz - xx - yy),
            C3[3] * z * (2 * zz - 3 * xx - 3 * yy),
            C3[4] * x * (4 * zz - xx - yy),
            C3[5] * z * (xx - yy),
            C3[6] * x * (xx - 3 * yy),
        ]
    return torch.stack(out, dim=-1)


def sh_eval(coeffs: torch.Tensor, dirs: torch.Tensor, degree: int = 3) -> torch.Tensor:
    """Evaluate [..., 16] coefficients (only the first (degree+1)^2 used) at [..., 3] dirs -> [...]."""
    n = n_coeffs(degree)
    return (sh_basis(dirs, degree) * coeffs[..., :n]).sum(-1)
