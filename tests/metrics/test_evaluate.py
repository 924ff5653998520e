import numpy as np
import pytest

from audiogs_core.errors import AudioGSError
from audiogs_core.metrics import ALL_METRICS, evaluate

SR = 16000


def _signal(seconds: float, seed: int = 11) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    bursts = (np.arange(n) // 2000) % 3 == 0  # gated noise, so RT60 has decays to read
    return rng.standard_normal((2, n)) * bursts * np.array([[0.1], [0.06]])


def test_identical_inputs_give_zero_for_every_metric_but_dpam():
    x = _signal(3.2)
    fast = tuple(m for m in ALL_METRICS if m != "DPAM")
    res = evaluate(x, x, SR, metrics=fast)
    assert set(res) == {"3s", "1s"}
    for w in ("3s", "1s"):
        assert res[w] == {m: 0.0 for m in fast}, w


def test_dpam_through_evaluate_is_zero_for_identical():
    x = _signal(1.0)
    assert evaluate(x, x, SR, metrics=("DPAM",), windows=("1s",)) == {"1s": {"DPAM": 0.0}}


def test_differences_are_positive_and_short_signals_have_no_metrics():
    x = _signal(2.0)
    y = np.roll(x[::-1], 300, axis=1) * 1.5
    res = evaluate(y, x, SR, metrics=("MAG", "ENV", "LRE", "RTE", "ITDE"))
    assert res["3s"] == {}
    assert all(v > 0 for v in res["1s"].values()) and len(res["1s"]) == 5
    assert evaluate(x[:, :8000], x, SR) == {"3s": {}, "1s": {}}


def test_other_rate_and_bad_input():
    x48 = np.random.default_rng(12).standard_normal((2, 48000))
    res = evaluate(x48, x48 * 0.5, 48000, metrics=("MAG", "LRE"), windows=("1s",))
    assert res["1s"]["MAG"] > 0 and res["1s"]["LRE"] == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(AudioGSError, match="non-finite"):
        evaluate(np.full((2, SR), np.nan), x48[:, :SR], SR)
    with pytest.raises(AudioGSError, match="shape"):
        evaluate(np.zeros((1, SR)), np.zeros((1, SR)), SR)


def test_accepts_torch_tensors():
    import torch

    x = _signal(1.0)
    p = torch.tensor(x, requires_grad=True)
    res = evaluate(p, torch.from_numpy(x), SR, metrics=("MAG",), windows=("1s",))
    assert res == {"1s": {"MAG": 0.0}}


def test_mean_scores_averages_each_entry_over_the_items_that_have_it():
    from audiogs_core.metrics.evaluate import mean_scores

    items = [{"3s": {"MAG": 1.0, "DPAM": 0.5}, "1s": {"MAG": 2.0}}, {"3s": {"MAG": 3.0}, "1s": {"MAG": 4.0}}]
    assert mean_scores(items) == {"3s": {"MAG": 2.0, "DPAM": 0.5}, "1s": {"MAG": 3.0}}
    assert mean_scores([{"3s": {}}]) == {} and mean_scores([]) == {}
