"""Aggregation over folds and views, and the headline comparison."""

import numpy as np
import pytest

from audiogs_core.bench.aggregate import aggregate, best_of, headline, subset_stats
from audiogs_core.bench.protocol import Unit, shrink, quick_config


def _part(views, train_s=None):
    return {"views": views, "train_s": train_s, "render_s": 0.1, "sample_audio": None, "sample_view": "ring0",
            "reference_view": None}


def _v(subsets, mag, dpam=None, itde=None):
    s = {"3s": {"MAG": mag}, "1s": {"MAG": mag / 2}}
    if itde is not None:
        s["3s"]["ITDE"] = itde
    if dpam is not None:
        s["1s"]["DPAM"] = dpam
    return {"subsets": subsets, "dpam": dpam is not None, "scores": s}


def test_mean_and_sample_std_over_folds():
    parts = {
        (0, "a"): _part({"ring0": _v(["heldout"], 1.0, dpam=0.2), "t1": _v(["turned"], 5.0), "t2": _v(["turned"], 7.0)}),
        (1, "a"): _part({"ring1": _v(["heldout"], 3.0), "t1": _v(["turned"], 9.0), "t2": _v(["turned"], 9.0)}),
    }
    held = subset_stats(parts, ["a"], [0, 1], "heldout")
    assert held["std_over"] == "folds"
    assert held["methods"]["a"]["3s"]["MAG"] == 2.0
    assert held["std"]["a"]["3s"]["MAG"] == pytest.approx(np.std([1.0, 3.0], ddof=1))
    # DPAM only in fold 0: its mean is that fold's, with n 1 and no std (never a 0)
    assert held["methods"]["a"]["1s"]["DPAM"] == 0.2 and held["n"]["a"]["1s"]["DPAM"] == 1
    assert "DPAM" not in held["std"]["a"]["1s"]
    assert set(held["views"]) == {"fold0/ring0", "fold1/ring1"}
    turned = subset_stats(parts, ["a"], [0, 1], "turned")
    # fold means 6 and 9 (the two turned views of each fold averaged first)
    assert turned["methods"]["a"]["3s"]["MAG"] == 7.5
    assert turned["std"]["a"]["3s"]["MAG"] == pytest.approx(np.std([6.0, 9.0], ddof=1))
    assert subset_stats(parts, ["a"], [0, 1], "occluded") is None


def test_one_fold_reports_spread_over_views():
    parts = {(0, "a"): _part({"x": _v(["test"], 1.0), "y": _v(["test", "away"], 2.0), "z": _v(["test"], 6.0)})}
    st = subset_stats(parts, ["a"], [0], "test")
    assert st["std_over"] == "views" and st["methods"]["a"]["3s"]["MAG"] == 3.0
    assert st["std"]["a"]["3s"]["MAG"] == pytest.approx(np.std([1.0, 2.0, 6.0], ddof=1))
    away = subset_stats(parts, ["a"], [0], "away")
    assert away["methods"]["a"]["3s"]["MAG"] == 2.0 and "MAG" not in away["std"]["a"]["3s"]


def test_headline_compares_audiogs_with_the_best_baseline():
    cfg = shrink(quick_config(), methods=("audiogs", "nearest_view", "mean_view", "input"), ablations=(),
                 references=("close",), folds_a=(0, 1))
    parts = {}
    # (MAG held out, MAG turned, ITDE turned)
    mags = {"audiogs": (0.8, 0.3, 0.2), "nearest_view": (1.0, 0.5, 0.5), "mean_view": (0.9, 0.9, 0.4),
            "input": (5.0, 0.1, 0.1)}
    for m, (held, turned, itde) in mags.items():
        for f in (0, 1):
            parts[Unit("A", "shoebox", "close", f, m)] = _part(
                {f"ring{f}": _v(["heldout"], held), "turned_left": _v(["turned"], turned, itde=itde)},
                train_s=1.0 if m == "audiogs" else None)
    grouped = aggregate(cfg, parts)
    g = grouped["A/shoebox/close"]
    assert g["timing"]["audiogs"]["train_s"] == 1.0 and g["timing"]["input"]["train_s"] is None
    h = headline(cfg, grouped)
    main = h["A/close/heldout"]["audiogs_vs_best"]["3s"]["MAG"]
    assert main["best"] == "mean_view" and main["relative"] == pytest.approx(0.8 / 0.9 - 1)
    # on turned heads every metric is compared with every baseline, as the caption says ...
    turned = h["A/close/turned"]
    assert turned["against"] == "baselines"
    assert turned["audiogs_vs_best"]["3s"]["MAG"]["best"] == "input"
    assert turned["audiogs_vs_best"]["3s"]["ITDE"]["ratio"] == pytest.approx(0.2 / 0.1)
    # ... and ITDE also with the view-copying baselines only, the bar's comparison
    itd = turned["itde_vs_view_copying"]["3s"]["ITDE"]
    assert itd["best"] == "mean_view" and itd["ratio"] == pytest.approx(0.2 / 0.4)
    assert set(turned["itde_vs_view_copying"]["3s"]) == {"ITDE"}
    assert "itde_vs_view_copying" not in h["A/close/heldout"]


def test_best_of_ignores_methods_without_the_metric():
    methods = {"a": {"3s": {"MAG": 2.0}}, "b": {"3s": {}}, "c": {"3s": {"MAG": 1.0}}}
    assert best_of(methods, ["a", "b", "c"], "3s", "MAG") == "c"
    assert best_of(methods, ["b"], "3s", "MAG") is None
