"""The training loss on the re-analysed rendered waveform (DESIGN.md §5)."""

from __future__ import annotations

import math

import torch

from audiogs_core.conventions import StftSettings
from audiogs_core.dsp.stft import stft


def wrap_phase(x: torch.Tensor) -> torch.Tensor:
    """Wrap angles to (-pi, pi]."""
    return math.pi - torch.remainder(math.pi - x, 2.0 * math.pi)


def _magnitude_pair(spec: torch.Tensor, terms: str, spec_abs: torch.Tensor | None = None
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """The two magnitude spectrograms the loss compares: mid/side or left/right
    (``spec_abs``: |spec| when already computed)."""
    if terms == "mid_side":  # S is linear: S(l+r) = S(l) + S(r)
        return (spec[:, 0] + spec[:, 1]).abs(), (spec[:, 0] - spec[:, 1]).abs()
    if terms == "ears":
        ears = spec.abs() if spec_abs is None else spec_abs
        return ears[:, 0], ears[:, 1]
    raise ValueError(f"unknown loss terms {terms!r} (mid_side or ears)")


class TargetFeatures:
    """What the loss needs of a target [B, 2, L] waveform, computed once."""

    def __init__(self, target: torch.Tensor, settings: StftSettings, terms: str = "mid_side") -> None:
        self.spec = stft(target, settings)  # [B, 2, F, N]
        self.terms = terms
        self.spec_abs = self.spec.abs()
        self.first_mag, self.second_mag = _magnitude_pair(self.spec, terms, self.spec_abs)


def binaural_loss(
    pred: torch.Tensor, target: TargetFeatures, settings: StftSettings,
    side_weight: float = 2.0, phase_weight: float = 0.05, norm: str = "l2",
) -> torch.Tensor:
    """D(|S(l+r)|) + side_weight D(|S(l-r)|) + phase_weight * mean wrapped phase error^2.

    D is the mean squared (norm "l2", published) or absolute ("l1") error;
    with target terms "ears" the two magnitudes are |S(l)| and |S(r)|, equally
    weighted.  pred: [B, 2, L] rendered waveforms.
    """
    spec = stft(pred, settings)  # [B, 2, F, N]
    spec_abs = spec.abs()
    first, second = _magnitude_pair(spec, target.terms, spec_abs)
    if norm == "l2":
        dist = lambda a, b: torch.mean((a - b) ** 2)  # noqa: E731
    elif norm == "l1":
        dist = lambda a, b: torch.mean(torch.abs(a - b))  # noqa: E731
    else:
        raise ValueError(f"unknown loss norm {norm!r} (l2 or l1)")
    weight = side_weight if target.terms == "mid_side" else 1.0
    loss = dist(first, target.first_mag) + weight * dist(second, target.second_mag)
    if phase_weight:
        # angle(p * conj(g)) is the wrapped phase difference.  Where either
        # spectrum is (numerically) zero the angle is undefined and its
        # gradient is 0/0: those bins count as zero error with no gradient.
        # (angle of the complex tensor, not atan2 of its strided real and
        # imaginary views: the same values, twenty times faster.)
        z = spec * target.spec.conj()
        defined = spec_abs.detach() * target.spec_abs > 1e-12  # |z|, from magnitudes at hand
        z = torch.where(defined, z, torch.ones_like(z))
        dphi = torch.angle(z) * defined
        loss = loss + phase_weight * 0.5 * (dphi**2).mean(dim=(0, 2, 3)).sum()
    return loss
