"""Helpers of scripts/oracle_floor.py (the full run simulates rooms: minutes, not a unit test).

Its mean-magnitude predictor is the mean_view baseline's, tested with it."""

import importlib.util
from pathlib import Path

import numpy as np

from audiogs_core.sim.layouts import ViewSpec

_PATH = Path(__file__).resolve().parents[2] / "scripts" / "oracle_floor.py"
_spec = importlib.util.spec_from_file_location("oracle_floor", _PATH)
oracle_floor = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(oracle_floor)


def test_neighbours_keep_the_views_orientation_and_height_within_the_radius():
    view = ViewSpec("ring0", np.array([2.0, 1.0, 1.6]), 0.7, "test")
    group = oracle_floor._neighbours(view, 50, 0.3, np.random.default_rng(0))
    assert len(group) == 50 and len({v.name for v in group}) == 50
    offsets = np.array([v.position - view.position for v in group])
    assert np.all(np.linalg.norm(offsets, axis=1) <= 0.3 + 1e-12)
    assert np.allclose(offsets[:, 2], 0.0) and all(v.yaw == view.yaw for v in group)
    assert np.linalg.norm(offsets, axis=1).max() > 0.2  # spread over the disc, not bunched at its centre
