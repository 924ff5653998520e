"""Tracking metrics along a path, checked on hand-computed curves."""

import numpy as np
import pytest

from audiogs_core.errors import AudioGSError
from audiogs_core.metrics.tracking import TrackCurves, active_windows, track, tracking_errors

SR = 16000
HALF = SR // 2


def _tone(amplitudes_l, amplitudes_r, f=440.0):
    """Binaural tone, 0.5 s per window, with the given amplitude per window and ear."""
    t = np.arange(HALF) / SR
    s = np.sin(2 * np.pi * f * t)
    return np.stack([np.concatenate([a * s for a in amplitudes_l]), np.concatenate([a * s for a in amplitudes_r])])


def _db(a):
    return 10 * np.log10(a * a / 2)  # level of a sine of amplitude a (mean square a^2 / 2)


def test_curves_are_levels_per_window_and_ear():
    c = track(_tone([1.0, 0.5], [0.25, 0.25]), SR)
    np.testing.assert_allclose(c.times, [0.25, 0.75])
    np.testing.assert_allclose(c.level, [[_db(1.0), _db(0.5)], [_db(0.25), _db(0.25)]], atol=1e-3)
    np.testing.assert_allclose(c.ild, [_db(1.0) - _db(0.25), _db(0.5) - _db(0.25)], atol=1e-3)


def _curves(level_l, level_r, itd=None):
    level = np.array([level_l, level_r], dtype=float)
    n = level.shape[1]
    return TrackCurves(np.arange(n) * 0.5 + 0.25, level, level[0] - level[1],
                       np.full(n, np.nan) if itd is None else np.array(itd, dtype=float))


def test_level_ild_and_trend_errors():
    # target: 4 windows, rising 6 dB after the first second; right ear 2 dB below the left
    g = _curves([-30, -30, -24, -24], [-32, -32, -26, -26], itd=[0.2, 0.2, 0.3, np.nan])
    # prediction: 1 dB too loud on the left everywhere, flat (no rise), ITD 0.1 ms off where both have one
    p = _curves([-29, -29, -29, -29], [-32, -32, -32, -32], itd=[0.3, 0.1, np.nan, 0.5])
    e = tracking_errors(p, g)
    # LEVEL: left |1|,|1|,|-5|,|-5|; right 0,0,|-6|,|-6| -> mean of 8 = (1+1+5+5+0+0+6+6)/8
    assert e["LEVEL"] == pytest.approx(24 / 8)
    # ILD: target 2, 2, 2, 2; prediction 3, 3, 3, 3
    assert e["ILD"] == pytest.approx(1.0)
    assert e["ITD"] == pytest.approx(0.1)  # windows 0 and 1 only
    # TREND: target rises 6 dB per ear (loudest window 2 vs the first second), prediction 0
    assert e["TREND"] == pytest.approx(6.0)


def test_windows_far_below_the_loudest_are_left_out():
    g = _curves([-20, -20, -60], [-20, -20, -60])
    assert list(active_windows(g)) == [True, True, False]
    p = _curves([-20, -20, 0], [-20, -20, 0])  # wildly wrong only where the target is 40 dB down
    e = tracking_errors(p, g)
    assert e["LEVEL"] == 0.0 and e["ILD"] == 0.0 and "ITD" not in e


def test_itd_curve_of_a_delayed_noise():
    rng = np.random.default_rng(0)
    n = rng.standard_normal(2 * SR)
    lag = 5  # samples: 0.3125 ms, the right ear leads
    x = np.stack([np.concatenate([np.zeros(lag), n[:-lag]]), n])
    c = track(x, SR)
    np.testing.assert_allclose(c.itd, 1000 * lag / SR, atol=0.02)


def test_curves_of_different_lengths_or_too_short_audio_are_errors():
    with pytest.raises(AudioGSError, match="differ in length"):
        tracking_errors(_curves([0, 0], [0, 0]), _curves([0, 0, 0], [0, 0, 0]))
    with pytest.raises(AudioGSError, match="at least 0.5 s"):
        track(np.zeros((2, 100)), SR)
