"""ENV: the Hilbert-envelope distance (docs/DESIGN.md §7)."""

from __future__ import annotations

import numpy as np


def envelope(x: np.ndarray) -> np.ndarray:
    """|hilbert(x)| along the last axis of ``x`` [C, T], float64."""
    from scipy.signal import hilbert

    return np.abs(hilbert(np.asarray(x, dtype=np.float64), axis=-1))


def env_distance(p: np.ndarray, g: np.ndarray) -> float:
    """ENV of prepared ``p``, ``g`` [C, T]: sum over channels of the RMSE of the envelopes."""
    d = envelope(p) - envelope(g)
    return float(np.sqrt(np.mean(d * d, axis=-1)).sum())
