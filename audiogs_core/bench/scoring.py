"""Scores of one prediction, with the costly metrics on a fixed subset of windows.

Every metric goes through :func:`audiogs_core.metrics.evaluate` over all
windows, except the costly ones (the CDPAM network: DPAM and DPAM_ears, about
4 s of CPU per second of audio each), which the benchmark scores on the
first ``n`` windows of each length only (a fixed subset, chosen before any
result is seen); the prepared signals are the same as evaluate's, so scoring
them over all windows would give evaluate's value. A path is also scored by
its tracking curves (``metrics.tracking``).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from audiogs_core.conventions import BENCH_SAMPLE_RATE
from audiogs_core.metrics.evaluate import evaluate
from audiogs_core.metrics.prepare import prepare
from audiogs_core.metrics.registry import COSTLY, WINDOW_METRICS, MetricFn
from audiogs_core.metrics.tracking import TrackCurves, track, tracking_errors
from audiogs_core.metrics.windows import mean_finite, window_seconds, window_slices


def score(pred: np.ndarray, target: np.ndarray, sample_rate: int, metrics: Iterable[str],
          windows: Iterable[str] = ("3s", "1s"), costly_windows: int | None = None,
          costly_lengths: Iterable[str] = ("3s", "1s"),
          costly_fns: dict[str, MetricFn] | None = None) -> dict[str, dict[str, float]]:
    """``{"3s": {...}, "1s": {...}}`` of ``pred`` [2, T] against ``target`` [2, T' >= T].

    Costly metrics (when in ``metrics``) are scored only when
    ``costly_windows`` is given, on the first ``costly_windows`` windows of each
    length in ``costly_lengths``; elsewhere they are absent, never 0.
    ``costly_fns`` replaces their implementations by name (tests).
    """
    names = list(metrics)
    wins = list(windows)
    out = evaluate(pred, target, sample_rate, metrics=[m for m in names if m not in COSTLY], windows=wins)
    wanted = [m for m in names if m in COSTLY]
    if not wanted or not costly_windows:
        return out
    p, g = prepare(pred, target, sample_rate)
    for w in wins:
        if w not in costly_lengths:
            continue
        slices = window_slices(p.shape[1], BENCH_SAMPLE_RATE, window_seconds(w))[: int(costly_windows)]
        for m in wanted:
            fn = (costly_fns or {}).get(m) or WINDOW_METRICS[m].fn
            assert fn is not None
            value = mean_finite([fn(p[:, s], g[:, s]) for s in slices])
            if value is not None:
                out[w][m] = value
    return out


def score_path(pred: np.ndarray, target: np.ndarray, sample_rate: int, metrics: Iterable[str],
               windows: Iterable[str] = ("3s", "1s"), costly_windows: int | None = None,
               costly_lengths: Iterable[str] = ("3s", "1s"),
               ) -> tuple[dict[str, dict[str, float]], TrackCurves, TrackCurves]:
    """A listener path's scores: :func:`score` plus ``"track"``: LEVEL, ILD, ITD, TREND.

    Returns the scores and the tracking curves of the prediction and of the target (for plots).
    """
    out = score(pred, target, sample_rate, metrics, windows, costly_windows, costly_lengths)
    p, g = prepare(pred, target, sample_rate)
    curves, target_curves = track(p, BENCH_SAMPLE_RATE), track(g, BENCH_SAMPLE_RATE)
    out["track"] = tracking_errors(curves, target_curves)
    return out, curves, target_curves
