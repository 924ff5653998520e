"""Evaluation windows: non-overlapping, from t = 0, the shorter tail dropped.

Window lengths are named like "3s" (AudioGS) and "1s" (ViGAS, AV-Cloud).
"""

from __future__ import annotations

import math

from audiogs_core.errors import AudioGSError


def window_seconds(name: str) -> float:
    """Seconds of a window named "<number>s", e.g. "3s" -> 3.0."""
    try:
        if not name.endswith("s"):
            raise ValueError
        seconds = float(name[:-1])
    except (ValueError, AttributeError):
        raise AudioGSError(f"window length must look like '3s', got {name!r}") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise AudioGSError(f"window length must be positive, got {name!r}")
    return seconds


def window_slices(n_samples: int, sample_rate: int, seconds: float) -> list[slice]:
    """Sample ranges of the full windows of ``seconds`` in a signal of ``n_samples``.

    A signal shorter than one window has none.
    """
    size = int(round(seconds * sample_rate))
    if size <= 0:
        raise AudioGSError(f"window of {seconds} s is empty at {sample_rate} Hz")
    return [slice(i * size, (i + 1) * size) for i in range(n_samples // size)]


def mean_finite(values: list[float]) -> float | None:
    """Mean of the finite values, None when there is none (the metric is then absent)."""
    good = [v for v in values if math.isfinite(v)]
    return sum(good) / len(good) if good else None
