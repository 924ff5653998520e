"""Baseline ``nearest_view``: the closest train view's recording (docs/DESIGN.md §8)."""

from __future__ import annotations

import numpy as np

from audiogs_core.baselines.inputs import BaselineInputs, check_pose

NAME = "nearest_view"


def nearest_index(train_positions: np.ndarray, position: np.ndarray) -> int:
    """Index of the train position [V, 3] closest (Euclidean) to ``position`` [3].

    Ties go to the lowest index, so the choice is deterministic.
    """
    distances = np.linalg.norm(np.asarray(train_positions) - np.asarray(position)[None, :], axis=1)
    return int(np.argmin(distances))


def predict(inputs: BaselineInputs, position: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    """[2, T] float32: the recording of the train view nearest to ``position``.

    Orientation is ignored on purpose: the baseline copies, it does not turn.
    """
    pos, _ = check_pose(position, rotation)
    inputs.require_views(NAME)
    return inputs.train_audio[nearest_index(inputs.train_positions, pos)].astype(np.float32)
