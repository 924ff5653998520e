"""Scores of one prediction, with DPAM on a fixed subset of windows.

Every metric but DPAM goes through :func:`audiogs_core.metrics.evaluate` over
all windows. DPAM costs about 4 s of CPU per second of audio, so the benchmark
scores it on the first ``n`` windows of each length only (a fixed subset,
chosen before any result is seen); the prepared signals are the same as
evaluate's, so a DPAM over all windows would give evaluate's value.
"""

from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from audiogs_core.conventions import BENCH_SAMPLE_RATE
from audiogs_core.metrics.evaluate import METRIC_FUNCTIONS, evaluate
from audiogs_core.metrics.prepare import prepare
from audiogs_core.metrics.windows import mean_finite, window_seconds, window_slices

MetricFn = Callable[[np.ndarray, np.ndarray], float]


def score(pred: np.ndarray, target: np.ndarray, sample_rate: int, metrics: Iterable[str],
          windows: Iterable[str] = ("3s", "1s"), dpam_windows: int | None = None,
          dpam_lengths: Iterable[str] = ("3s", "1s"),
          dpam_fn: MetricFn | None = None) -> dict[str, dict[str, float]]:
    """``{"3s": {...}, "1s": {...}}`` of ``pred`` [2, T] against ``target`` [2, T' >= T].

    DPAM (when in ``metrics``) is scored only when ``dpam_windows`` is given,
    on the first ``dpam_windows`` windows of each length in ``dpam_lengths``;
    elsewhere it is absent, never 0. ``dpam_fn`` replaces the DPAM metric
    (tests).
    """
    names = list(metrics)
    wins = list(windows)
    out = evaluate(pred, target, sample_rate, metrics=[m for m in names if m != "DPAM"], windows=wins)
    if "DPAM" not in names or not dpam_windows:
        return out
    fn = dpam_fn or METRIC_FUNCTIONS["DPAM"]
    p, g = prepare(pred, target, sample_rate)
    for w in wins:
        if w not in dpam_lengths:
            continue
        slices = window_slices(p.shape[1], BENCH_SAMPLE_RATE, window_seconds(w))[: int(dpam_windows)]
        value = mean_finite([fn(p[:, s], g[:, s]) for s in slices])
        if value is not None:
            out[w]["DPAM"] = value
    return out
