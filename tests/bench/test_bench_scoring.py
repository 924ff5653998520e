"""Scores with DPAM on a fixed subset of windows."""

import numpy as np
import pytest

from audiogs_core.bench.scoring import score
from audiogs_core.metrics.evaluate import evaluate

SR = 16000


@pytest.fixture
def pair():
    rng = np.random.default_rng(0)
    g = rng.standard_normal((2, 4 * SR)) * 0.1
    return g + 0.05 * rng.standard_normal(g.shape), g


def test_without_dpam_it_is_evaluate(pair):
    p, g = pair
    got = score(p, g, SR, ["MAG", "LRE", "DPAM"], costly_windows=None)
    assert got == evaluate(p, g, SR, metrics=["MAG", "LRE"])
    assert "DPAM" not in got["3s"] and "DPAM" not in got["1s"]


def test_dpam_on_the_first_windows_only(pair):
    p, g = pair
    seen = []

    def fake_dpam(a, b):  # a stand-in for the slow CDPAM distance: mean |a - b| of the window
        seen.append(a.shape[1])
        return float(np.mean(np.abs(a - b)))

    got = score(p, g, SR, ["MAG", "DPAM"], costly_windows=2, costly_fns={"DPAM": fake_dpam})
    # 4 s: one 3 s window (fewer than asked for) and the first two of four 1 s windows
    assert seen == [3 * SR, SR, SR]
    from audiogs_core.metrics.prepare import prepare
    pp, gg = prepare(p, g, SR)
    assert got["1s"]["DPAM"] == pytest.approx(np.mean([np.mean(np.abs(pp[:, s] - gg[:, s]))
                                                        for s in (slice(0, SR), slice(SR, 2 * SR))]))
    assert got["3s"]["DPAM"] == pytest.approx(np.mean(np.abs(pp[:, :3 * SR] - gg[:, :3 * SR])))
    assert got["3s"]["MAG"] == evaluate(p, g, SR, metrics=["MAG"])["3s"]["MAG"]


def test_dpam_lengths_limit_the_window_lengths(pair):
    p, g = pair
    got = score(p, g, SR, ["DPAM"], costly_windows=1, costly_lengths=("1s",), costly_fns={"DPAM": lambda a, b: 0.5})
    assert got == {"3s": {}, "1s": {"DPAM": 0.5}}
