"""Every baseline by name, built behind the one ``Method`` interface.

``build_baseline(name, inputs, ...)`` gives a fitted :class:`Method` for one
capture: the non-learned baselines bind their ``predict(inputs, position,
rotation)`` to the inputs; the implicit field is trained first (with the
given training settings: the same optimizer steps as AudioGS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from audiogs_core.baselines import dsp, idw_mix, input_copy, mean_view, nearest_view
from audiogs_core.baselines.inputs import BaselineInputs
from audiogs_core.method import Method, StandingMethod
from audiogs_core.errors import AudioGSError

# predict(inputs, position [3], rotation [4] wxyz head->world) -> [2, T] float32
PoseBaseline = Callable[[BaselineInputs, np.ndarray, np.ndarray], np.ndarray]

NON_LEARNED: dict[str, PoseBaseline] = {
    input_copy.NAME: input_copy.predict,
    nearest_view.NAME: nearest_view.predict,
    idw_mix.NAME: idw_mix.predict,
    mean_view.NAME: mean_view.predict,
    dsp.NAME: dsp.predict,
}
IMPLICIT_FIELD = "implicit_field"
LEARNED: frozenset[str] = frozenset({IMPLICIT_FIELD})
# Baselines that need the capture's known source positions.
NEEDS_SOURCES: frozenset[str] = frozenset({dsp.NAME})


def baseline_names() -> tuple[str, ...]:
    """Names of every baseline, in report order (the learned ones last)."""
    return (*NON_LEARNED, IMPLICIT_FIELD)


@dataclass
class FitOptions:
    """How learned baselines are fitted: training settings (a ``TrainSettings``; None: its
    defaults), field settings, device and a progress object (``update(step, total, **kw)``)."""

    settings: Any = None
    field_settings: Any = None
    device: str = "cpu"
    progress: Any = None


def build_baseline(name: str, inputs: BaselineInputs, options: FitOptions | None = None) -> Method:
    """The baseline ``name`` fitted to ``inputs``; an unknown name, or a baseline whose needs the
    capture does not meet (no train view, no known source), is an AudioGSError."""
    if name in NEEDS_SOURCES and inputs.sources.shape[0] == 0:
        raise AudioGSError(f"baseline {name} needs at least one known source position ('sources'), got none")
    if name in NON_LEARNED:
        fn = NON_LEARNED[name]
        return StandingMethod(name, inputs.sample_rate, inputs.n_samples,
                              lambda position, rotation: fn(inputs, position, rotation))
    if name == IMPLICIT_FIELD:
        from audiogs_core.baselines import implicit_field
        from audiogs_core.train.settings import TrainSettings

        opts = options or FitOptions()
        fitted = implicit_field.fit(inputs, opts.settings or TrainSettings(),
                                    opts.field_settings or implicit_field.FieldSettings(),
                                    device=opts.device, progress=opts.progress)
        return implicit_field.FieldMethod(fitted, inputs.n_samples)
    raise AudioGSError(f"unknown baseline {name!r}; known: {', '.join(baseline_names())}")
