"""MAG: the spectral magnitude distance (docs/DESIGN.md §7)."""

from __future__ import annotations

import numpy as np
import torch

from audiogs_core.conventions import stft_settings
from audiogs_core.dsp.stft import stft


def magnitude(x: np.ndarray, sample_rate: int) -> torch.Tensor:
    """Linear STFT magnitudes of ``x`` [C, T] as a float64 tensor [C, F, frames].

    float64 keeps the metric exact enough to compare against independent
    numpy formulas.
    """
    t = torch.as_tensor(np.ascontiguousarray(x, dtype=np.float64))
    return stft(t, stft_settings(int(sample_rate))).abs()


def mag_distance(p: np.ndarray, g: np.ndarray, sample_rate: int) -> float:
    """MAG of already prepared signals ``p``, ``g`` [C, T] (same length, filtered).

    Sum over channels of the mean over (frequency, frame) of
    | |S_p| - |S_g| | on linear magnitudes.
    """
    diff = (magnitude(p, sample_rate) - magnitude(g, sample_rate)).abs()
    return float(diff.mean(dim=(1, 2)).sum())


def mag(pred: np.ndarray, target: np.ndarray, sample_rate: int) -> float:
    """MAG of ``pred`` against ``target`` ([2, T], [2, T']) on the whole signal.

    Applies the protocol's preparation (16 kHz, target cut to the prediction,
    both high-passed) and no windowing; use ``evaluate`` for the windowed
    numbers of the benchmark.
    """
    from audiogs_core.metrics.prepare import prepare

    p, g = prepare(pred, target, sample_rate)
    return mag_distance(p, g, 16000)
