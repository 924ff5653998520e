"""Every metric, registered once: its name, what it measures, its unit and its cost.

Window metrics (``WINDOW_METRICS``) score a prepared prediction/target pair
(16 kHz, high-passed, ``metrics.prepare``) on one window; ``evaluate`` averages
them over the 3 s and 1 s windows. Path metrics (``PATH_METRICS``) score the
tracking curves of a whole listener path (``metrics.tracking``). Costly
metrics (the CDPAM network) are scored by the benchmark on a fixed subset of
windows only. Implementations are imported when a metric is computed, so the
registry itself is cheap to import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from audiogs_core.conventions import BENCH_SAMPLE_RATE
from audiogs_core.errors import AudioGSError

MetricFn = Callable[[np.ndarray, np.ndarray], float]


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str  # "" for unitless
    about: str
    fn: MetricFn | None = None  # window metrics: prepared p, g [2, n] -> value (lower is better)
    costly: bool = False


def _mag(p: np.ndarray, g: np.ndarray) -> float:
    from audiogs_core.metrics.spectral import mag_distance

    return mag_distance(p, g, BENCH_SAMPLE_RATE)


def _env(p: np.ndarray, g: np.ndarray) -> float:
    from audiogs_core.metrics.envelope import env_distance

    return env_distance(p, g)


def _lre(p: np.ndarray, g: np.ndarray) -> float:
    from audiogs_core.metrics.level import lre

    return lre(p, g)


def _rte(p: np.ndarray, g: np.ndarray) -> float:
    from audiogs_core.metrics.rt60 import estimate_rt60

    # one batch of four channels: both ears of p, then both of g
    rt = estimate_rt60(np.concatenate([p, g]), BENCH_SAMPLE_RATE)
    return float(np.mean(np.abs(rt[:2] - rt[2:])))


def _dpam(p: np.ndarray, g: np.ndarray) -> float:
    from audiogs_core.metrics.dpam import dpam

    return dpam(p, g, BENCH_SAMPLE_RATE)


def _dpam_ears(p: np.ndarray, g: np.ndarray) -> float:
    from audiogs_core.metrics.dpam import dpam_ears

    return dpam_ears(p, g, BENCH_SAMPLE_RATE)


def _itde(p: np.ndarray, g: np.ndarray) -> float:
    from audiogs_core.metrics.itd import robust_itde

    return robust_itde(p, g, BENCH_SAMPLE_RATE)


def _itde_gcc(p: np.ndarray, g: np.ndarray) -> float:
    from audiogs_core.metrics.itd import itde

    return itde(p, g, BENCH_SAMPLE_RATE)


def _ice(p: np.ndarray, g: np.ndarray) -> float:
    from audiogs_core.metrics.coherence import ice

    return ice(p, g, BENCH_SAMPLE_RATE)


WINDOW_METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("MAG", "", "mean |STFT magnitude| difference, summed over the ears", _mag),
    Metric("ENV", "", "RMSE of the Hilbert envelopes, summed over the ears", _env),
    Metric("LRE", "dB", "error of the left/right energy ratio", _lre),
    Metric("RTE", "s", "error of the blind RT60 estimate, mean over the ears", _rte),
    Metric("DPAM", "", "CDPAM distance of the mono downmixes", _dpam, costly=True),
    Metric("DPAM_ears", "", "CDPAM distance per ear, mean of the two", _dpam_ears, costly=True),
    Metric("ITDE", "ms", "error of the robust ITD (the direct sound's lag)", _itde),
    Metric("ITDE_gcc", "ms", "error of the plain GCC-PHAT ITD (the ITDE of earlier runs)", _itde_gcc),
    Metric("ICE", "", "interaural coherence error per octave band, 250 Hz to 4 kHz", _ice),
)}
PATH_METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("LEVEL", "dB", "level error per ear along the path (0.5 s windows)"),
    Metric("ILD", "dB", "interaural level difference error along the path"),
    Metric("ITD", "ms", "robust ITD error along the path"),
    Metric("TREND", "dB", "error of the level change from the first second to the loudest window"),
)}
ALL_METRICS: tuple[str, ...] = tuple(WINDOW_METRICS)
COSTLY: frozenset[str] = frozenset(n for n, m in WINDOW_METRICS.items() if m.costly)


def metric(name: str) -> Metric:
    """The registered metric ``name`` (window or path); an unknown name is an AudioGSError."""
    found = WINDOW_METRICS.get(name) or PATH_METRICS.get(name)
    if found is None:
        raise AudioGSError(f"unknown metric {name!r}; known: {', '.join([*WINDOW_METRICS, *PATH_METRICS])}")
    return found


def unit_suffix(name: str) -> str:
    """' (dB)' style suffix for table headers; '' for unitless metrics."""
    unit = metric(name).unit
    return f" ({unit})" if unit else ""


def parse_metric_list(spec: str | None) -> list[str]:
    """Window metric names from 'MAG,ENV,...' (case-insensitive); None: all of them."""
    if spec is None:
        return list(ALL_METRICS)
    by_upper = {n.upper(): n for n in WINDOW_METRICS}
    names = [m.strip() for m in spec.split(",") if m.strip()]
    unknown = [m for m in names if m.upper() not in by_upper]
    if unknown or not names:
        raise AudioGSError(f"metrics: unknown {unknown or spec!r}; known: {','.join(ALL_METRICS)}")
    return [by_upper[m.upper()] for m in names]
