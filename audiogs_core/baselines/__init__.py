"""Non-learned baselines of the benchmark (design page, section 8).

Each baseline module exposes ``NAME`` and
``predict(inputs: BaselineInputs, position [3], rotation [4] wxyz) -> [2, T]``;
:mod:`audiogs_core.baselines.registry` maps names to predictors.
"""

from audiogs_core.baselines.inputs import BaselineInputs, check_pose
from audiogs_core.baselines.registry import (
    BASELINES,
    NEEDS_SOURCES,
    Predictor,
    baseline_names,
    get_baseline,
)

__all__ = [
    "BASELINES",
    "NEEDS_SOURCES",
    "BaselineInputs",
    "Predictor",
    "baseline_names",
    "check_pose",
    "get_baseline",
]
