"""Prepares a prediction/target pair for the metrics (docs/DESIGN.md §7).

Both go to 16 kHz, the target is cut to the prediction's length and both are
high-passed at 150 Hz. No level normalisation: level errors are part of the
score.
"""

from __future__ import annotations

import numpy as np

from audiogs_core.conventions import BENCH_SAMPLE_RATE
from audiogs_core.errors import AudioGSError
from audiogs_core.io.audio import resample
from audiogs_core.metrics.highpass import highpass


def _as_binaural(x: np.ndarray, name: str) -> np.ndarray:
    if hasattr(x, "detach"):  # a torch tensor
        a = x.detach().cpu().numpy()  # type: ignore[union-attr]
    else:
        a = np.asarray(x)
    if a.ndim != 2 or a.shape[0] != 2:
        raise AudioGSError(f"{name} must be a binaural signal of shape [2, T], got {a.shape}")
    if a.shape[1] == 0:
        raise AudioGSError(f"{name} has no samples")
    if not np.all(np.isfinite(a)):
        raise AudioGSError(f"{name} contains non-finite samples (NaN or infinity)")
    return a.astype(np.float64)


def prepare(pred: np.ndarray, target: np.ndarray,
            sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Return float64 ``(p, g)``, each [2, T16] at 16 kHz, cut and high-passed.

    ``target`` may be longer than ``pred`` (it is cut); a shorter target is an
    error, since the prediction would be scored against missing audio.
    """
    p = _as_binaural(pred, "prediction")
    g = _as_binaural(target, "target")
    if g.shape[1] < p.shape[1]:
        raise AudioGSError(
            f"target has {g.shape[1]} samples, fewer than the prediction's {p.shape[1]}")
    g = g[:, : p.shape[1]]
    sr = int(sample_rate)
    if sr <= 0:
        raise AudioGSError(f"sample rate must be positive, got {sample_rate}")
    if sr != BENCH_SAMPLE_RATE:
        p = resample(p, sr, BENCH_SAMPLE_RATE, dtype=np.float64)
        g = resample(g, sr, BENCH_SAMPLE_RATE, dtype=np.float64)
    return highpass(p, BENCH_SAMPLE_RATE), highpass(g, BENCH_SAMPLE_RATE)
