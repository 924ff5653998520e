"""Tracking along a listener path: level, ILD and ITD curves and their errors.

docs/DESIGN.md, "Metrics": per 0.5 s window and ear, the level in dB (mean
square), the ILD (level left - level right) and the ITD (the robust
estimator of ``metrics.itd``). LEVEL, ILD and ITD are the mean absolute
errors of those curves over the windows within 30 dB of the target's loudest
(ITD over the windows where both signals give a cue); TREND is the error of
the level change from the path's first second to its loudest window (the
target's loudest window, the same window for both signals), averaged over
the ears. A dolly towards the talker gets louder: by how much must be right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audiogs_core.errors import AudioGSError
from audiogs_core.metrics.itd import segment_itd

TRACK_WINDOW_S = 0.5
DYNAMIC_RANGE_DB = 30.0
TREND_FIRST_S = 1.0
TRACK_METRICS = ("LEVEL", "ILD", "ITD", "TREND")
_FLOOR = 1e-12  # mean square of digital silence, so that its level is finite (-120 dB)


@dataclass
class TrackCurves:
    """Per-window curves of one binaural signal: ``times`` [W] (window centres, s),
    ``level`` [2, W] (dB), ``ild`` [W] (dB), ``itd`` [W] (ms; NaN: no cue)."""

    times: np.ndarray
    level: np.ndarray
    ild: np.ndarray
    itd: np.ndarray

    def to_dict(self) -> dict:
        """Plain lists (JSON); NaN becomes None."""
        def clean(a: np.ndarray) -> list:
            return [None if not np.isfinite(v) else round(float(v), 4) for v in np.ravel(a)]
        return {"times": clean(self.times), "level_left": clean(self.level[0]),
                "level_right": clean(self.level[1]), "ild": clean(self.ild), "itd": clean(self.itd)}


def track(x: np.ndarray, sample_rate: int, window_s: float = TRACK_WINDOW_S) -> TrackCurves:
    """Curves of ``x`` [2, T] over non-overlapping windows from t = 0 (a shorter tail dropped)."""
    a = np.asarray(x, dtype=np.float64)
    size = int(round(window_s * sample_rate))
    count = a.shape[1] // size
    if count == 0:
        raise AudioGSError(f"tracking needs at least {window_s:g} s of audio, got {a.shape[1] / sample_rate:.3f} s")
    segs = a[:, : count * size].reshape(2, count, size)  # [2, W, n]
    level = 10.0 * np.log10(np.mean(segs ** 2, axis=2) + _FLOOR)
    itd_ms = np.array([segment_itd(segs[:, w], sample_rate) for w in range(count)]) * 1000.0
    times = (np.arange(count) + 0.5) * window_s
    return TrackCurves(times, level, level[0] - level[1], itd_ms)


def active_windows(target: TrackCurves, dynamic_range_db: float = DYNAMIC_RANGE_DB) -> np.ndarray:
    """[W] bool: the target's windows within ``dynamic_range_db`` of its loudest (mean of the ears in dB)."""
    loud = target.level.mean(axis=0)
    return loud >= loud.max() - dynamic_range_db


def tracking_errors(pred: TrackCurves, target: TrackCurves, window_s: float = TRACK_WINDOW_S) -> dict[str, float]:
    """LEVEL, ILD, ITD and TREND of ``pred`` against ``target`` (curves of equal length).

    ITD is absent when no active window has a cue in both signals (never 0).
    """
    if pred.level.shape != target.level.shape:
        raise AudioGSError(f"tracking curves differ in length: {pred.level.shape[1]} and {target.level.shape[1]} windows")
    on = active_windows(target)
    out = {
        "LEVEL": float(np.mean(np.abs(pred.level[:, on] - target.level[:, on]))),
        "ILD": float(np.mean(np.abs(pred.ild[on] - target.ild[on]))),
    }
    both = on & np.isfinite(pred.itd) & np.isfinite(target.itd)
    if both.any():
        out["ITD"] = float(np.mean(np.abs(pred.itd[both] - target.itd[both])))
    first = max(1, int(round(TREND_FIRST_S / window_s)))
    loudest = int(np.argmax(target.level.mean(axis=0)))

    def rise(c: TrackCurves) -> np.ndarray:  # [2]: dB from the first second to the loudest window
        return c.level[:, loudest] - c.level[:, :first].mean(axis=1)

    out["TREND"] = float(np.mean(np.abs(rise(pred) - rise(target))))
    return out
