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
from audiogs_core.dsp.phasor import polar
from audiogs_core.conventions import stft_settings
from audiogs_core.dsp.stft import istft, stft

NAME = "mean_view"


def predict(inputs: BaselineInputs, position: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    """[2, T] float32: per ear, mean |STFT| over all train views with the nearest view's phase."""
    pos, _ = check_pose(position, rotation)
    inputs.require_views(NAME)
    return mean_magnitude_with_phase(inputs.train_audio, nearest_index(inputs.train_positions, pos),
                                     inputs.sample_rate)


def mean_magnitude_with_phase(audio: np.ndarray, phase_index: int, sample_rate: int) -> np.ndarray:
    """[V, 2, T] -> [2, T] float32: per ear, mean |STFT| of the V recordings with recording phase_index's phase."""
    settings = stft_settings(sample_rate)
    # float64 so that averaging many views loses nothing before the inverse STFT.
    specs = stft(torch.from_numpy(np.asarray(audio, dtype=np.float64)), settings)  # [V, 2, F, N] complex128
    magnitude = specs.abs().mean(dim=0)  # [2, F, N]
    out = istft(polar(magnitude, torch.angle(specs[phase_index])), settings, audio.shape[-1])
    return out.numpy().astype(np.float32)
