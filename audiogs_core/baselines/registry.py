"""The non-learned baselines by name, so the benchmark can loop over them."""

from __future__ import annotations

from typing import Callable

import numpy as np

from audiogs_core.baselines import dsp, input_copy, mean_view, nearest_view
from audiogs_core.baselines.inputs import BaselineInputs
from audiogs_core.errors import AudioGSError

# predict(inputs, position [3], rotation [4] wxyz head->world) -> [2, T] float32
Predictor = Callable[[BaselineInputs, np.ndarray, np.ndarray], np.ndarray]

BASELINES: dict[str, Predictor] = {
    input_copy.NAME: input_copy.predict,
    nearest_view.NAME: nearest_view.predict,
    mean_view.NAME: mean_view.predict,
    dsp.NAME: dsp.predict,
}

# Baselines that raise AudioGSError when the capture has no known source.
NEEDS_SOURCES: frozenset[str] = frozenset({dsp.NAME})


def baseline_names() -> tuple[str, ...]:
    """Names of every baseline, in report order."""
    return tuple(BASELINES)


def get_baseline(name: str) -> Predictor:
    """The predictor registered as ``name``; an unknown name is an AudioGSError."""
    try:
        return BASELINES[name]
    except KeyError:
        raise AudioGSError(
            f"unknown baseline {name!r}; known: {', '.join(BASELINES)}"
        ) from None
