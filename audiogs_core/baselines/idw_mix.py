"""Baseline ``idw_mix``: the train recordings mixed with inverse-square-distance weights.

docs/DESIGN.md, "Baselines": what a user could do by hand with the recordings
alone. Weights w_v = 1 / max(d_v, 0.1 m)^2, normalised to sum 1, d_v the
distance from the listener to train view v; orientation is ignored. Along a
path the weights follow the listener (``audiogs_core.method``).
"""

from __future__ import annotations

import numpy as np

from audiogs_core.baselines.inputs import BaselineInputs, check_pose

NAME = "idw_mix"
MIN_DISTANCE = 0.1  # m: a listener on top of a view takes (almost) only that view


def weights(train_positions: np.ndarray, position: np.ndarray) -> np.ndarray:
    """[V] weights, summing to 1, of the train positions [V, 3] for a listener at ``position`` [3]."""
    d = np.maximum(np.linalg.norm(np.asarray(train_positions) - np.asarray(position)[None, :], axis=1),
                   MIN_DISTANCE)
    w = 1.0 / d ** 2
    return w / w.sum()


def predict(inputs: BaselineInputs, position: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    """[2, T] float32: sum over train views of w_v x recording_v."""
    pos, _ = check_pose(position, rotation)
    inputs.require_views(NAME)
    w = weights(inputs.train_positions, pos)
    return np.tensordot(w, inputs.train_audio.astype(np.float64), axes=1).astype(np.float32)
