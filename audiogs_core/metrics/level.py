"""LRE: the left-right energy ratio error (docs/DESIGN.md §7)."""

from __future__ import annotations

import numpy as np

EPS = 1e-5  # added to each ear's energy, as in the published protocol


def lr_ratio_db(x: np.ndarray) -> float:
    """10 log10((E_L + 1e-5) / (E_R + 1e-5)) of ``x`` [2, T], E = sum of squares."""
    a = np.asarray(x, dtype=np.float64)
    e_left, e_right = float(np.sum(a[0] ** 2)), float(np.sum(a[1] ** 2))
    return 10.0 * np.log10((e_left + EPS) / (e_right + EPS))


def lre(p: np.ndarray, g: np.ndarray) -> float:
    """LRE of prepared ``p``, ``g`` [2, T] in dB: |ratio(p) - ratio(g)|."""
    return abs(lr_ratio_db(p) - lr_ratio_db(g))
