import numpy as np
import pytest

from audiogs_core.errors import AudioGSError
from audiogs_core.metrics import evaluate
from audiogs_core.metrics.registry import (
    ALL_METRICS, COSTLY, PATH_METRICS, WINDOW_METRICS, metric, parse_metric_list, unit_suffix,
)


def test_every_metric_is_registered_once_with_its_unit():
    assert set(ALL_METRICS) >= {"MAG", "ENV", "LRE", "RTE", "DPAM", "ITDE", "ITDE_gcc", "ICE", "DPAM_ears"}
    assert set(PATH_METRICS) == {"LEVEL", "ILD", "ITD", "TREND"}
    assert not set(WINDOW_METRICS) & set(PATH_METRICS)
    assert all(m.fn is not None for m in WINDOW_METRICS.values())
    assert COSTLY == {"DPAM", "DPAM_ears"}
    assert unit_suffix("ITDE") == " (ms)" and unit_suffix("MAG") == ""
    with pytest.raises(AudioGSError, match="unknown metric"):
        metric("PESQ")


def test_metric_lists_are_parsed_case_insensitively():
    assert parse_metric_list("mag, itde_gcc") == ["MAG", "ITDE_gcc"]
    assert parse_metric_list(None) == list(ALL_METRICS)
    with pytest.raises(AudioGSError, match="unknown"):
        parse_metric_list("MAG,NOPE")


def test_evaluate_scores_the_new_metrics_and_keeps_gcc_itde():
    rng = np.random.default_rng(0)
    g = rng.standard_normal((2, 16000)) * 0.1
    out = evaluate(g + 0.01 * rng.standard_normal(g.shape), g, 16000, metrics=["ITDE", "ITDE_gcc", "ICE"],
                   windows=["1s"])
    assert set(out["1s"]) == {"ITDE", "ITDE_gcc", "ICE"}
