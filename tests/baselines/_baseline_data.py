"""Small synthetic captures for the baseline tests (1 s at 16 kHz).

A plain helper module (not a conftest): tests import it by its unique name."""

from __future__ import annotations

import numpy as np
import pytest

from audiogs_core.baselines.inputs import BaselineInputs

SR = 16000
T = SR  # 1 s
# Level head facing world +Y: the right ear (+X head) points to world +X.
FACING_Y = np.array([0.7071068, 0.7071068, 0.0, 0.0])


def make_inputs(reference: np.ndarray, train_audio: np.ndarray, train_positions: np.ndarray,
                sources=(), reference_position=None) -> BaselineInputs:
    views = len(train_positions)
    return BaselineInputs(
        sample_rate=SR,
        reference=reference,
        reference_position=reference_position,
        train_positions=np.asarray(train_positions, dtype=float),
        train_rotations=np.tile(FACING_Y, (views, 1)),
        train_audio=train_audio,
        sources=np.asarray(sources, dtype=float).reshape(-1, 3),
    )


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
