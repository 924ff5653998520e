"""Quaternions to rotation matrices in torch (wxyz, head -> world), differentiable.

The numpy version for poses is ``audiogs_core.geometry.quat_to_matrix``.
"""

from __future__ import annotations

import torch


def torch_quat_to_matrix(q: torch.Tensor) -> torch.Tensor:
    """[..., 4] wxyz (normalised here) -> [..., 3, 3]."""
    q = q / q.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    w, x, y, z = q.unbind(-1)
    row0 = torch.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], -1)
    row1 = torch.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], -1)
    row2 = torch.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], -1)
    return torch.stack([row0, row1, row2], dim=-2)
