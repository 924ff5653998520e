import numpy as np
import pytest

from audiogs_core.metrics import evaluate
from audiogs_core.metrics.itd import gcc_phat_lag, itd, itde

SR = 16000


def _binaural(delay_left_s: float, delay_right_s: float, seconds: float = 2.0,
              seed: int = 7) -> np.ndarray:
    """Noise with a (fractional) delay per ear, applied in the frequency domain."""
    n = int(seconds * SR)
    x = np.random.default_rng(seed).standard_normal(n) * 0.1
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(n, 1 / SR)
    ears = [np.fft.irfft(spec * np.exp(-2j * np.pi * f * d), n)
            for d in (delay_left_s, delay_right_s)]
    return np.stack(ears)


def test_sign_and_value_of_a_fractional_delay():
    right_late = _binaural(0.0, 0.3e-3)  # the left ear leads
    left_late = _binaural(0.3e-3, 0.0)  # the right ear leads: positive
    assert itd(right_late, SR) == pytest.approx(-0.3e-3, abs=0.01e-3)
    assert itd(left_late, SR) == pytest.approx(0.3e-3, abs=0.01e-3)
    assert gcc_phat_lag(left_late[0], left_late[1], SR) == pytest.approx(0.3e-3, abs=0.01e-3)


def test_resolves_a_tenth_of_a_millisecond():
    a, b = _binaural(0.0, 0.0), _binaural(0.1e-3, 0.0)
    assert itde(b, a, SR) == pytest.approx(0.1, abs=0.01)


def test_itde_through_evaluate():
    p = _binaural(0.0, 0.3e-3)
    g = _binaural(0.0, 0.0)
    res = evaluate(p, g, SR, metrics=("ITDE",))
    assert res["1s"]["ITDE"] == pytest.approx(0.3, abs=0.02)
    assert "3s" in res and res["3s"] == {}  # 2 s: no full 3 s window
    assert evaluate(g, g, SR, metrics=("ITDE",))["1s"]["ITDE"] == 0.0


def test_silent_subwindows_are_skipped_and_silence_is_zero():
    x = _binaural(0.2e-3, 0.0, seconds=2.0)
    x[:, : SR // 2] = 0.0  # first sub-window silent
    # the last two: 50 dB down with another ITD; counted, they would win the median
    x[:, SR:] = 10 ** (-50 / 20) * _binaural(0.0, 0.8e-3, seconds=2.0, seed=9)[:, SR:]
    assert itd(x, SR) == pytest.approx(0.2e-3, abs=0.01e-3)
    assert itd(np.zeros((2, SR)), SR) == 0.0


def test_lag_is_limited_to_one_millisecond():
    far = _binaural(0.0, 2.5e-3)
    assert abs(itd(far, SR)) <= 1e-3
