"""Baseline ``input``: the reference copied to both ears (docs/DESIGN.md §8)."""

from __future__ import annotations

import numpy as np

from audiogs_core.baselines.inputs import BaselineInputs, check_pose

NAME = "input"


def predict(inputs: BaselineInputs, position: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    """[2, T] float32: the reference (mean of its channels if binaural) on both ears.

    The pose is validated but otherwise ignored: this baseline knows no geometry.
    """
    check_pose(position, rotation)
    mono = inputs.mono_reference()
    return np.stack([mono, mono]).astype(np.float32)
