"""Baseline ``mean_view``: mean train-view magnitude, nearest view's phase.

Design page, section 8. Late reverberation varies randomly from place to
place, so its expected magnitude (the mean over views) is a strong predictor
under MAG; the phase cannot be averaged, so it is borrowed from the nearest view.
"""

from __future__ import annotations

import numpy as np
import torch

from audiogs_core.baselines.inputs import BaselineInputs, check_pose
from audiogs_core.baselines.nearest_view import nearest_index
from audiogs_core.conventions import stft_settings

NAME = "mean_view"


def _window(sample_rate: int) -> tuple[torch.Tensor, int, int, int]:
    s = stft_settings(sample_rate)
    # Periodic Hamming of length win; torch zero-pads it to n_fft, centred.
    window = torch.hamming_window(s.win, periodic=True, dtype=torch.float64)
    return window, s.n_fft, s.hop, s.win


def stft(signals: np.ndarray, sample_rate: int) -> torch.Tensor:
    """Project STFT of ``signals`` [..., T] -> complex128 [..., F, N]."""
    window, n_fft, hop, win = _window(sample_rate)
    x = torch.from_numpy(np.ascontiguousarray(signals, dtype=np.float64))
    lead = x.shape[:-1]
    spec = torch.stft(
        x.reshape(-1, x.shape[-1]), n_fft=n_fft, hop_length=hop, win_length=win,
        window=window, center=True, pad_mode="constant", return_complex=True,
    )
    return spec.reshape(*lead, *spec.shape[-2:])


def istft(spec: torch.Tensor, sample_rate: int, length: int) -> np.ndarray:
    """Inverse of :func:`stft`: complex [..., F, N] -> float32 [..., length]."""
    window, n_fft, hop, win = _window(sample_rate)
    lead = spec.shape[:-2]
    y = torch.istft(
        spec.reshape(-1, *spec.shape[-2:]), n_fft=n_fft, hop_length=hop, win_length=win,
        window=window, center=True, length=length,
    )
    return y.reshape(*lead, length).numpy().astype(np.float32)


def predict(inputs: BaselineInputs, position: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    """[2, T] float32: per ear, mean |STFT| over all train views with the nearest view's phase."""
    pos, _ = check_pose(position, rotation)
    inputs.require_views(NAME)
    specs = stft(inputs.train_audio, inputs.sample_rate)  # [V, 2, F, N]
    magnitude = specs.abs().mean(dim=0)  # [2, F, N]
    phase = torch.angle(specs[nearest_index(inputs.train_positions, pos)])
    return istft(torch.polar(magnitude, phase), inputs.sample_rate, inputs.n_samples)
