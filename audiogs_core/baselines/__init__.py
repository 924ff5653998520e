"""Baselines of the benchmark (docs/DESIGN.md, "Baselines"), behind one interface.

Each non-learned baseline module exposes ``NAME`` and
``predict(inputs: BaselineInputs, position [3], rotation [4] wxyz) -> [2, T]``;
:mod:`audiogs_core.baselines.registry` builds any baseline, learned or not,
as a :class:`~audiogs_core.method.Method` (``predict`` for a
standing listener, ``predict_path`` for a moving one).
"""

from audiogs_core.baselines.inputs import BaselineInputs, check_pose
from audiogs_core.method import Method, StandingMethod
from audiogs_core.baselines.registry import (
    IMPLICIT_FIELD,
    LEARNED,
    NEEDS_SOURCES,
    NON_LEARNED,
    FitOptions,
    baseline_names,
    build_baseline,
)

__all__ = [
    "IMPLICIT_FIELD",
    "LEARNED",
    "NEEDS_SOURCES",
    "NON_LEARNED",
    "BaselineInputs",
    "FitOptions",
    "Method",
    "StandingMethod",
    "baseline_names",
    "build_baseline",
    "check_pose",
]
