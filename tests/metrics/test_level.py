import numpy as np
import pytest
from _metrics_reference import np_lre

from audiogs_core.metrics.level import lr_ratio_db, lre


def test_hand_computed():
    p = np.array([[1.0, 1.0], [1.0, 0.0]])  # E_L = 2, E_R = 1
    g = np.array([[0.5, 0.5], [0.5, 0.5]])  # balanced
    expected = 10 * np.log10((2 + 1e-5) / (1 + 1e-5))
    assert lr_ratio_db(g) == 0.0
    assert lre(p, g) == pytest.approx(expected, rel=1e-12)
    assert lre(p, g) == pytest.approx(3.0103, abs=1e-4)


def test_matches_independent_formula():
    rng = np.random.default_rng(5)
    p = rng.standard_normal((2, 1000)) * np.array([[1.0], [0.3]])
    g = rng.standard_normal((2, 1000))
    assert lre(p, g) == pytest.approx(np_lre(p, g), rel=1e-5)


def test_symmetric_under_swapping_ears_and_zero_for_identical():
    rng = np.random.default_rng(6)
    p = rng.standard_normal((2, 1000)) * np.array([[2.0], [0.5]])
    g = rng.standard_normal((2, 1000)) * np.array([[0.7], [1.0]])
    assert lre(p[::-1], g[::-1]) == pytest.approx(lre(p, g), rel=1e-12)
    assert lre(p, p) == 0.0
    assert lre(np.zeros((2, 10)), np.zeros((2, 10))) == 0.0  # the 1e-5 keeps silence finite
