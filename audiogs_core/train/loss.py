"""The training loss on the re-analysed rendered waveform (design section 5)."""

from __future__ import annotations

import math

import torch

from audiogs_core.conventions import StftSettings
from audiogs_core.dsp.stft import stft


def wrap_phase(x: torch.Tensor) -> torch.Tensor:
    """Wrap angles to (-pi, pi]."""
    return math.pi - torch.remainder(math.pi - x, 2.0 * math.pi)


class TargetFeatures:
    """What the loss needs of a target [B, 2, L] waveform, computed once."""

    def __init__(self, target: torch.Tensor, settings: StftSettings) -> None:
        spec = stft(target, settings)  # [B, 2, F, N]
        self.mid_mag = (spec[:, 0] + spec[:, 1]).abs()  # S is linear: S(l+r) = S(l) + S(r)
        self.side_mag = (spec[:, 0] - spec[:, 1]).abs()
        self.spec = spec


def binaural_loss(
    pred: torch.Tensor, target: TargetFeatures, settings: StftSettings,
    side_weight: float = 2.0, phase_weight: float = 0.05,
) -> torch.Tensor:
    """MSE(|S(l+r)|) + side_weight MSE(|S(l-r)|) + phase_weight * mean wrapped phase error^2.

    pred: [B, 2, L] rendered waveforms.
    """
    spec = stft(pred, settings)  # [B, 2, F, N]
    mid = torch.mean(((spec[:, 0] + spec[:, 1]).abs() - target.mid_mag) ** 2)
    side = torch.mean(((spec[:, 0] - spec[:, 1]).abs() - target.side_mag) ** 2)
    loss = mid + side_weight * side
    if phase_weight:
        # angle(p * conj(g)) is the wrapped phase difference.  Where either
        # spectrum is (numerically) zero the angle is undefined and atan2's
        # gradient is 0/0: those bins count as zero error with no gradient.
        z = spec * target.spec.conj()
        defined = z.abs() > 1e-12
        z = torch.where(defined, z, torch.ones_like(z))
        dphi = torch.atan2(z.imag, z.real) * defined
        loss = loss + phase_weight * 0.5 * (dphi**2).mean(dim=(0, 2, 3)).sum()
    return loss
