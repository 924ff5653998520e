"""MAG: the spectral magnitude distance (design page, section 7)."""

from __future__ import annotations

import numpy as np

from audiogs_core.metrics.stft import magnitude


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
