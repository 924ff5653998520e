import numpy as np
import pytest

from audiogs_core.metrics import dpam as dpam_module
from audiogs_core.metrics.dpam import dpam, dpam_ears, to_cdpam_input

SR = 16000


def test_preparation_is_mono_22k_16bit():
    x = np.zeros((2, SR))
    x[0] = 0.5
    x[1] = 0.25
    y = to_cdpam_input(x, SR)
    assert y.shape == (1, 22050) and y.dtype == np.float32
    # rounded to whole 16-bit steps; the mean of the ears, 0.375 * 32768 = 12288,
    # away from the resampling edges (the polyphase filter ripples by ~1e-3)
    assert np.all(y == np.round(y))
    np.testing.assert_allclose(y[0, 2000:20000], 12288.0, atol=12.0)


def test_zero_for_identical_and_grows_with_noise():
    rng = np.random.default_rng(10)
    t = np.arange(SR // 2) / SR
    clean = 0.2 * np.sin(2 * np.pi * 440 * t) * np.stack([np.ones_like(t), 0.5 * np.ones_like(t)])
    noise = rng.standard_normal(clean.shape)
    assert dpam(clean, clean, SR) == pytest.approx(0.0, abs=1e-6)
    little = dpam(clean + 0.01 * noise, clean, SR)
    much = dpam(clean + 0.2 * noise, clean, SR)
    assert 0.0 < little < much


def test_dpam_ears_scores_each_ear_without_the_downmix(monkeypatch):
    # A stand-in distance of the mono downmixes: |mean over channels of p - g|.
    monkeypatch.setattr(dpam_module, "dpam", lambda p, g, sr: float(np.mean(np.abs(p.mean(0) - g.mean(0)))))
    t = np.arange(SR // 2) / SR
    a, b = np.sin(2 * np.pi * 300 * t), np.sin(2 * np.pi * 500 * t)
    g = np.stack([a, b])
    swapped = np.stack([b, a])  # the ears swapped: the downmix cannot tell
    assert dpam_module.dpam(swapped, g, SR) == 0.0
    expect = np.mean([np.mean(np.abs(b - a)), np.mean(np.abs(a - b))])
    assert dpam_ears(swapped, g, SR) == pytest.approx(expect)
    assert dpam_ears(g, g, SR) == 0.0


def test_dpam_ears_is_zero_for_identical_signals():
    t = np.arange(SR // 2) / SR
    x = 0.2 * np.stack([np.sin(2 * np.pi * 440 * t), 0.5 * np.sin(2 * np.pi * 660 * t)])
    assert dpam_ears(x, x, SR) == pytest.approx(0.0, abs=1e-6)
