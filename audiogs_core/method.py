"""The one interface of every method that predicts what a listener hears.

AudioGS (``renderer.ModelMethod``), the non-learned baselines and the
implicit field all answer two questions the same way, so the benchmark,
``audiogs eval`` and the demo treat them alike:

* ``predict(position [3], rotation [4] wxyz) -> [2, T]``: a listener standing
  still over the whole recording;
* ``predict_path(path) -> [2, n]``: a listener moving along ``path`` over its
  span (first to last frame time). A method that cannot move hears a path as
  the crossfade of standing listeners at the simulator's pose knots
  (``dsp.pose_crossfade``): nearest_view so becomes a recording switched with
  short fades, idw_mix weights that follow the listener.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable

import numpy as np

from audiogs_core.dsp.pose_crossfade import crossfade_static, path_span, pose_knots
from audiogs_core.errors import AudioGSError
from audiogs_core.io.listener_path import ListenerPath, check_path_within


class Method(ABC):
    """A fitted method for one capture: ``name``, its ``sample_rate`` and ``n_samples`` (T)."""

    name: str
    sample_rate: int
    n_samples: int

    @abstractmethod
    def predict(self, position: np.ndarray, rotation: np.ndarray) -> np.ndarray:
        """[2, T] float32: a listener standing at ``position`` [3] turned by ``rotation`` [4]."""

    def predict_path(self, path: ListenerPath) -> np.ndarray:
        """[2, n] float32 over the path's span: standing listeners at the pose knots, crossfaded."""
        check_path_within(path, self.n_samples / self.sample_rate)
        knots = pose_knots(path)
        positions, rotations = path.sample(knots)
        s0, n = path_span(path, self.sample_rate, self.n_samples)
        if n <= 0:
            raise AudioGSError(f"{self.name}: the path covers no sample of the recording")

        def heard_at(k: int, a: int, b: int) -> np.ndarray:
            return self.predict(positions[k], rotations[k])[:, a:b]

        return crossfade_static(heard_at, knots, self.sample_rate, s0, n).astype(np.float32)


PoseFunction = Callable[[np.ndarray, np.ndarray], np.ndarray]


class StandingMethod(Method):
    """A method given as a function of the pose (a baseline's ``predict`` bound to its inputs)."""

    def __init__(self, name: str, sample_rate: int, n_samples: int, predict: PoseFunction) -> None:
        self.name, self.sample_rate, self.n_samples = name, int(sample_rate), int(n_samples)
        self._predict = predict

    def predict(self, position: np.ndarray, rotation: np.ndarray) -> np.ndarray:
        return np.asarray(self._predict(position, rotation), dtype=np.float32)
