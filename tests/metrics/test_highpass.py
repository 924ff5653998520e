import numpy as np
import pytest

from audiogs_core.errors import AudioGSError
from audiogs_core.metrics import highpass

SR = 16000


def _tone(freq: float, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return np.sin(2 * np.pi * freq * t)


def _gain_db(freq: float) -> float:
    x = _tone(freq)
    y = highpass(x, SR)
    mid = slice(SR // 4, 3 * SR // 4)  # away from the edges
    return 20 * np.log10(np.std(y[mid]) / np.std(x[mid]))


def test_stopband_and_passband():
    assert _gain_db(40.0) < -50.0  # 5th order both ways: about -60 dB at 40 Hz
    assert abs(_gain_db(1000.0)) < 0.01
    assert abs(_gain_db(150.0) - (-6.02)) < 0.1  # zero-phase: -3 dB applied twice


def test_zero_phase_keeps_an_impulse_in_place():
    x = np.zeros((2, 4000))
    x[0, 2000] = 1.0
    x[1, 1500] = 1.0
    y = highpass(x, SR)
    assert np.argmax(np.abs(y[0])) == 2000
    assert np.argmax(np.abs(y[1])) == 1500


def test_shape_dtype_and_short_signals():
    x32 = np.random.default_rng(0).standard_normal((2, 500)).astype(np.float32)
    y32 = highpass(x32, SR)
    assert y32.shape == (2, 500) and y32.dtype == np.float32
    y = highpass(x32.astype(np.float64)[:, :5], SR)
    assert y.shape == (2, 5) and y.dtype == np.float64
    assert highpass(np.zeros((2, 100)), 48000).shape == (2, 100)


def test_bad_input():
    with pytest.raises(AudioGSError, match="shape"):
        highpass(np.zeros((1, 2, 3)), SR)
    with pytest.raises(AudioGSError, match="too low"):
        highpass(np.zeros(10), 200)
