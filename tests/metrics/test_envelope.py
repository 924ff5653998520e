import numpy as np
import pytest
from _metrics_reference import np_env

from audiogs_core.metrics.envelope import env_distance, envelope


def test_hand_computed_impulse():
    # Analytic signal of [1, 0, 0, 0]: spectrum [1, 2, 1, 0] -> |x_a| = [1, .5, 0, .5].
    x = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    np.testing.assert_allclose(envelope(x)[0], [1.0, 0.5, 0.0, 0.5], atol=1e-12)
    assert env_distance(x, np.zeros_like(x)) == pytest.approx(np.sqrt(0.375), rel=1e-12)


def test_matches_independent_formula_and_is_zero_for_identical():
    rng = np.random.default_rng(4)
    p, g = rng.standard_normal((2, 2, 3000))
    assert env_distance(p, g) == pytest.approx(np_env(p, g), rel=1e-5)
    assert env_distance(p, p) == 0.0
