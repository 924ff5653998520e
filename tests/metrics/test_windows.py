import numpy as np
import pytest
from _metrics_reference import np_env, np_highpass, np_lre, np_mag

from audiogs_core.errors import AudioGSError
from audiogs_core.metrics import evaluate
from audiogs_core.metrics.windows import mean_finite, window_seconds, window_slices

SR = 16000


def test_seven_seconds_give_two_and_seven_windows():
    assert window_slices(7 * SR, SR, 3.0) == [slice(0, 48000), slice(48000, 96000)]
    assert len(window_slices(7 * SR, SR, 1.0)) == 7
    assert window_slices(7 * SR - 1, SR, 1.0)[-1] == slice(5 * SR, 6 * SR)  # tail dropped
    assert window_slices(SR - 1, SR, 1.0) == []


def test_names_and_means():
    assert window_seconds("3s") == 3.0 and window_seconds("0.5s") == 0.5
    for bad in ("3", "xs", "-1s", "0s"):
        with pytest.raises(AudioGSError, match="window length"):
            window_seconds(bad)
    assert mean_finite([1.0, float("nan"), 3.0]) == 2.0
    assert mean_finite([]) is None


def test_evaluate_averages_windows_like_the_independent_formulas():
    rng = np.random.default_rng(8)
    p = rng.standard_normal((2, int(2.5 * SR))) * np.array([[0.1], [0.05]])
    g = rng.standard_normal((2, 3 * SR)) * 0.1
    res = evaluate(p, g, SR, metrics=("MAG", "ENV", "LRE"), windows=("1s", "3s"))
    assert res["3s"] == {}  # 2.5 s: absent, never 0
    hp, hg = np_highpass(p), np_highpass(g[:, : p.shape[1]])
    for name, fn in (("MAG", np_mag), ("ENV", np_env), ("LRE", np_lre)):
        expected = np.mean([fn(hp[:, i * SR:(i + 1) * SR], hg[:, i * SR:(i + 1) * SR])
                            for i in range(2)])
        assert res["1s"][name] == pytest.approx(expected, rel=1e-5), name


def test_unknown_metric():
    with pytest.raises(AudioGSError, match="unknown metric"):
        evaluate(np.zeros((2, SR)), np.zeros((2, SR)), SR, metrics=("SDR",))
