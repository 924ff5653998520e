"""From part files to the results of section 7, per group and subset of views.

A fold's score for a subset is the mean over its views in the subset; the
group's score is the mean over folds with the sample standard deviation over
folds (ddof 1). A group with one fold (split B) reports the mean over views
and their standard deviation instead (``std_over: views``). A metric is absent
(never 0) where it was not computed, e.g. DPAM outside its fixed subset.
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from audiogs_core.bench.protocol import (
    BASELINES, MAIN_SUBSET, PATH_BASELINES, VIEW_COPYING, BenchConfig, Unit, folds_of, groups, methods_of,
)
from audiogs_core.metrics.evaluate import mean_scores
from audiogs_core.metrics.registry import PATH_METRICS
from audiogs_core.sim.path_layouts import PATH_NAMES

SUBSET_ORDER = ("heldout", "test", "turned", "away", "occluded", "path", *PATH_NAMES)
TRACK = "track"  # the scores' key of a path's tracking metrics, beside the window lengths
Scores = dict[str, dict[str, float]]  # {"3s": {"MAG": ..}, "1s": {...}}


def _stats(items: list[Scores]) -> tuple[Scores, Scores, dict]:
    """(mean, sample std where n >= 2, n) per window and metric over ``items``."""
    collected: dict[str, dict[str, list[float]]] = {}
    for s in items:
        for w, metrics in s.items():
            for m, v in metrics.items():
                if v is not None and math.isfinite(v):
                    collected.setdefault(w, {}).setdefault(m, []).append(float(v))
    mean = {w: {m: float(np.mean(vs)) for m, vs in ms.items()} for w, ms in collected.items()}
    std = {w: {m: float(np.std(vs, ddof=1)) for m, vs in ms.items() if len(vs) >= 2} for w, ms in collected.items()}
    n = {w: {m: len(vs) for m, vs in ms.items()} for w, ms in collected.items()}
    return mean, std, n


def subset_stats(parts: dict[tuple[int, str], dict], methods: Iterable[str], folds: Iterable[int],
                 subset: str) -> dict | None:
    """Section-7 results of one subset (``methods``, ``views``) plus ``std``, ``n``, ``std_over``.

    parts: {(fold, method): part}. None when no view of any fold is in the subset.
    """
    methods, folds = list(methods), list(folds)
    views: dict[str, dict[str, Scores]] = {}
    per_method: dict[str, list[Scores]] = {}
    per_view: dict[str, list[Scores]] = {}
    for m in methods:
        for f in folds:
            part = parts.get((f, m))
            if part is None:
                continue
            chosen = [(name, v["scores"]) for name, v in part["views"].items() if subset in v["subsets"]]
            if not chosen:
                continue
            for name, s in chosen:
                views.setdefault(f"fold{f}/{name}", {})[m] = s
                per_view.setdefault(m, []).append(s)
            per_method.setdefault(m, []).append(mean_scores([s for _, s in chosen]))
    if not views:
        return None
    n_folds = max(len(v) for v in per_method.values())
    over = "folds" if n_folds >= 2 else "views"
    out: dict = {"methods": {}, "std": {}, "n": {}, "std_over": over, "views": views}
    for m in methods:
        items = per_method.get(m) if over == "folds" else per_view.get(m)
        if not items:
            continue
        out["methods"][m], out["std"][m], out["n"][m] = _stats(items)
    return out


def _timing(parts: dict[tuple[int, str], dict], methods: Iterable[str]) -> dict:
    out = {}
    for m in methods:
        ps = [p for (f, mm), p in parts.items() if mm == m]
        if not ps:
            continue
        train = [p["train_s"] for p in ps if p.get("train_s") is not None]
        out[m] = {"train_s": float(np.mean(train)) if train else None,
                  "render_s": float(np.mean([p["render_s"] for p in ps])), "folds": len(ps)}
    return out


def aggregate(config: BenchConfig, parts: dict[Unit, dict]) -> dict:
    """``{"GROUP": {...}}`` for every group of the run, in report order."""
    out = {}
    for split, room, ref in groups(config):
        mine = {(u.fold, u.method): p for u, p in parts.items()
                if (u.split, u.room, u.reference) == (split, room, ref)}
        folds = folds_of(config, split)
        methods = list(methods_of(config, split))
        subsets = {}
        for s in SUBSET_ORDER:
            st = subset_stats(mine, methods, folds, s)
            if st is not None:
                subsets[s] = st
        group = {"split": split, "room": room, "reference": ref, "folds": list(folds),
                 "main_subset": MAIN_SUBSET[split], "subsets": subsets,
                 "timing": _timing(mine, [*methods, *config.ablations]),
                 "reference_views": {str(f): p.get("reference_view") for (f, m), p in mine.items()
                                     if m == methods[0]}}
        abl = [a for a in config.ablations if any(m == a for (_, m) in mine)]
        if abl:
            afolds = [f for f in config.ablation_folds if f in folds]
            group["ablation"] = {"folds": afolds, "subsets": {
                s: st for s in SUBSET_ORDER
                if (st := subset_stats(mine, ["audiogs", *abl], afolds, s)) is not None}}
        first = folds[0]
        group["sample"] = {"fold": first, "audio": {m: p["sample_audio"] for (f, m), p in mine.items()
                                                    if f == first and p.get("sample_audio")},
                           "view": next((p["sample_view"] for (f, m), p in mine.items() if f == first), None)}
        out[f"{split}/{room}/{ref}"] = group
    return out


def best_of(methods: dict[str, Scores], candidates: Iterable[str], window: str, metric: str) -> str | None:
    """The candidate with the lowest ``metric`` at ``window`` (None if none has it)."""
    scored = [(methods[c][window][metric], c) for c in candidates
              if c in methods and metric in methods[c].get(window, {})]
    return min(scored)[1] if scored else None


def _against(methods: dict[str, Scores], pool: Iterable[str], windows: Iterable[str],
             metrics: Iterable[str]) -> dict:
    """{window: {metric: AudioGS against the best of ``pool``}} (relative: negative = AudioGS better)."""
    compare: dict[str, dict] = {}
    for w in windows:
        for metric in metrics:
            best = best_of(methods, pool, w, metric)
            a = methods.get("audiogs", {}).get(w, {}).get(metric)
            if best is None or a is None:
                continue
            b = methods[best][w][metric]
            compare.setdefault(w, {})[metric] = {
                "best": best, "best_value": b, "audiogs": a,
                "relative": (a - b) / b if b else None, "ratio": a / b if b else None}
    return compare


def headline(config: BenchConfig, grouped: dict) -> dict:
    """Per split and reference setting, the mean over rooms of the main subset and of the
    turned heads, and AudioGS against the best of all baselines per metric
    (``audiogs_vs_best``); on turned heads also its ITDE against the best view-copying
    baseline (``itde_vs_view_copying``), the comparison the benchmark's bar names."""
    out = {}
    keys = sorted({(g["split"], g["reference"]) for g in grouped.values()})
    for split, ref in keys:
        gs = [g for g in grouped.values() if (g["split"], g["reference"]) == (split, ref)]
        for subset in (MAIN_SUBSET[split], "turned"):
            per_room = [g["subsets"][subset]["methods"] for g in gs if subset in g["subsets"]]
            if not per_room:
                continue
            methods: dict[str, Scores] = {}
            for m in methods_of(config, split):
                items = [r[m] for r in per_room if m in r]
                if items:
                    methods[m] = mean_scores(items)
            pool = PATH_BASELINES if split == "C" else BASELINES
            compare = _against(methods, pool, config.windows, config.metrics)
            if split == "C":
                compare.update(_against(methods, pool, [TRACK], PATH_METRICS))
            entry = {"split": split, "reference": ref, "subset": subset,
                     "rooms": [g["room"] for g in gs if subset in g["subsets"]], "methods": methods,
                     "audiogs_vs_best": compare,
                     "against": "baselines that follow a path" if split == "C" else "baselines"}
            if subset == "turned":
                entry["itde_vs_view_copying"] = _against(methods, VIEW_COPYING, config.windows, ["ITDE"])
            out[f"{split}/{ref}/{subset}"] = entry
    return out
