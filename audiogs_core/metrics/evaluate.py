"""``evaluate``: the window metrics (``metrics.registry``) on windows of a prediction/target pair."""

from __future__ import annotations

from typing import Iterable

import numpy as np

from audiogs_core.conventions import BENCH_SAMPLE_RATE
from audiogs_core.errors import AudioGSError
from audiogs_core.metrics.prepare import prepare
from audiogs_core.metrics.registry import ALL_METRICS, WINDOW_METRICS
from audiogs_core.metrics.windows import mean_finite, window_seconds, window_slices

DEFAULT_WINDOWS = ("3s", "1s")


def evaluate(pred: np.ndarray, target: np.ndarray, sample_rate: int,
             metrics: Iterable[str] = ALL_METRICS,
             windows: Iterable[str] = DEFAULT_WINDOWS) -> dict[str, dict[str, float]]:
    """Metrics of ``pred`` [2, T] against ``target`` [2, T' >= T], averaged over windows.

    Returns ``{"3s": {"MAG": .., ...}, "1s": {...}}`` with one entry per
    requested window length. Signals are prepared once (16 kHz, target cut
    to the prediction, 150 Hz high-pass), then cut into non-overlapping
    windows from t = 0 with the shorter tail dropped. A window length longer
    than the signal has no windows, and its metrics are absent (an empty
    dict), never 0.
    """
    names = list(metrics)
    unknown = [m for m in names if m not in WINDOW_METRICS]
    if unknown:
        raise AudioGSError(f"unknown metric(s) {unknown}; known: {list(ALL_METRICS)}")
    lengths = {w: window_seconds(w) for w in windows}
    p, g = prepare(pred, target, sample_rate)
    out: dict[str, dict[str, float]] = {}
    for w, seconds in lengths.items():
        slices = window_slices(p.shape[1], BENCH_SAMPLE_RATE, seconds)
        scores: dict[str, float] = {}
        for m in names:
            fn = WINDOW_METRICS[m].fn
            assert fn is not None
            value = mean_finite([fn(p[:, s], g[:, s]) for s in slices])
            if value is not None:
                scores[m] = value
        out[w] = scores
    return out


def mean_scores(items: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """Entry-wise mean of two-level scores ({"3s": {"MAG": ..}} or {method: {metric: ..}}).

    Each value is averaged over the items that have it; one absent from every
    item stays absent (never 0).
    """
    collected: dict[str, dict[str, list[float]]] = {}
    for scores in items:
        for outer, inner in scores.items():
            for name, value in inner.items():
                collected.setdefault(outer, {}).setdefault(name, []).append(value)
    return {o: {n: float(np.mean(vs)) for n, vs in inner.items()} for o, inner in collected.items()}
