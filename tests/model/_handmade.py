"""Hand-built Audio Gaussian models for exact rendering tests."""

from __future__ import annotations

import numpy as np
import torch

from audiogs_core.conventions import stft_settings
from audiogs_core.geometry import quat_to_matrix
from audiogs_core.model.flags import ModelFlags
from audiogs_core.model.gaussians import AudioGaussians, GridSpec

SR = 16000


def handmade_model(at, duration: float = 1.0, reference_position=(0.0, 0.0, 0.0), flags: ModelFlags = ModelFlags(),
                   n_cells: int = 4, sample_rate: int = SR) -> AudioGaussians:
    """Every Gaussian at point ``at``; zero SH (mask exactly 1), alpha = 1, gain 0 dB."""
    grid = GridSpec(stft=stft_settings(sample_rate), n_cells=n_cells, duration=duration)
    model = AudioGaussians(grid, flags, reference_position=np.asarray(reference_position, dtype=np.float64))
    with torch.no_grad():
        model.mu[:] = torch.as_tensor(at, dtype=torch.float32)
    return model


def rotations(quats) -> torch.Tensor:
    """[B, 4] wxyz -> [B, 3, 3] float32."""
    return torch.as_tensor(quat_to_matrix(np.asarray(quats, dtype=np.float64)), dtype=torch.float32)


def noise(seconds: float, sample_rate: int = SR, seed: int = 0) -> torch.Tensor:
    """[1, T] white noise reference."""
    g = torch.Generator().manual_seed(seed)
    return 0.1 * torch.randn(1, int(seconds * sample_rate), generator=g)


def lag_of(a: np.ndarray, b: np.ndarray, max_lag: int) -> int:
    """Lag (samples) by which ``b`` trails ``a``: argmax of their cross-correlation."""
    lags = np.arange(-max_lag, max_lag + 1)
    n = len(a)
    scores = [np.dot(a[max(0, -k):n - max(0, k)], b[max(0, k):n - max(0, -k)]) for k in lags]
    return int(lags[int(np.argmax(scores))])
