import numpy as np
import pytest

from audiogs_core.errors import AudioGSError
from audiogs_core.metrics import mag
from audiogs_core.metrics.spectral import mag_distance
from _metrics_reference import np_highpass, np_mag


def test_hand_computed_impulse_one_frame():
    # T = 100 -> one frame centred on sample 0; the window's peak (w[200] = 1)
    # sits on an impulse at sample 0, so |S| = A in every bin.
    p = np.zeros((2, 100))
    p[0, 0] = 0.5
    assert mag_distance(p, np.zeros((2, 100)), 16000) == pytest.approx(0.5, rel=1e-12)


def test_hand_computed_impulse_two_frames():
    # T = 200 -> frames centred on samples 0 and 160; the second sees the
    # impulse at window index 40: 0.54 - 0.46 cos(2 pi 40 / 400).
    p = np.zeros((2, 200))
    p[1, 0] = 2.0
    w40 = 0.54 - 0.46 * np.cos(2 * np.pi * 40 / 400)
    expected = 2.0 * (1.0 + w40) / 2
    assert mag_distance(p, np.zeros((2, 200)), 16000) == pytest.approx(expected, rel=1e-12)


def test_matches_independent_numpy_formula():
    rng = np.random.default_rng(1)
    p = rng.standard_normal((2, 8000)) * 0.1
    g = rng.standard_normal((2, 8500)) * 0.1  # longer target: cut to the prediction
    expected = np_mag(np_highpass(p), np_highpass(g[:, :8000]))
    assert mag(p, g, 16000) == pytest.approx(expected, rel=1e-5)


def test_identical_is_zero_and_level_counts():
    x = np.random.default_rng(2).standard_normal((2, 4000))
    assert mag(x, x, 16000) == 0.0
    assert mag(2 * x, x, 16000) > 0.0  # no level normalisation


def test_other_rates_are_resampled():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4800))
    assert mag(x, x, 48000) == 0.0
    assert mag(x, 0.5 * x, 48000) > 0.0


def test_bad_shapes():
    with pytest.raises(AudioGSError, match="prediction"):
        mag(np.zeros(100), np.zeros((2, 100)), 16000)
    with pytest.raises(AudioGSError, match="fewer"):
        mag(np.zeros((2, 100)), np.zeros((2, 50)), 16000)
