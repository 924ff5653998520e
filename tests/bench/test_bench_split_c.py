"""Split C end to end: a ring capture with paths, every method that can follow a path, tracking."""

import json

import numpy as np
import pytest

from audiogs_core.bench import plan_units, quick_config, run_bench, shrink
from audiogs_core.bench.protocol import PATH_BASELINES
from audiogs_core.bench.parts import part_path
from audiogs_core.sim.path_layouts import PATH_NAMES

TINY_C = shrink(quick_config(), name="test-c", seconds=3.0, epochs=1, n_rays=300, hrtf="sphere", splits=("C",), ablations=(),
                paths=("dolly_in", "walk_by"),
                dpam_folds=(), dpam_paths=(), metrics=("MAG", "LRE", "ITDE", "ICE"))


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench_c")
    return out, run_bench(TINY_C, out, jobs=1, command="test")


def test_quick_runs_split_c():
    assert "C" in quick_config().splits


def test_every_path_method_is_scored_with_tracking(bench):
    out, results = bench
    assert set(results["groups"]) == {"C/shoebox/close", "C/shoebox/view"}
    for name, g in results["groups"].items():
        assert g["main_subset"] == "path"
        main = g["subsets"]["path"]
        assert set(main["methods"]) == {"audiogs", *PATH_BASELINES}, name
        for m, scores in main["methods"].items():
            assert set(scores["track"]) >= {"LEVEL", "ILD", "TREND"}, (name, m)
            assert all(np.isfinite(v) for v in scores["track"].values())
            assert set(scores["3s"]) == {"MAG", "LRE", "ITDE", "ICE"}
        # one subset per path besides the whole
        assert set(g["subsets"]) == {"path", "dolly_in", "walk_by"}
    assert results["groups"]["C/shoebox/view"]["reference_views"] == {"0": "ring0"}
    assert "C/close/path" in results["headline"]
    assert "TREND" in results["headline"]["C/close/path"]["audiogs_vs_best"]["track"]


def test_paths_are_never_trained_on_and_the_ring_trains(bench):
    out, _ = bench
    for unit in plan_units(TINY_C):
        part = json.loads(part_path(out, unit).read_text())
        assert part["train_views"] == [f"ring{i}" for i in range(8)]
        assert set(part["views"]) <= set(PATH_NAMES)
        for v in part["views"].values():
            assert len(v["curves"]["level_left"]) == len(v["target_curves"]["level_left"]) == 6  # 3 s / 0.5 s


def test_report_has_tracking_tables_and_plots(bench):
    out, results = bench
    md = (out / "results.md").read_text()
    assert "## Split C · shoebox · ref=close" in md and "tracking along the path" in md
    for file in results["figures"]["tracking"].values():
        assert (out / file).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "audio" / "C-shoebox-close" / "target__dolly_in.wav").is_file()
    assert (out / "audio" / "C-shoebox-close" / "idw_mix__walk_by.wav").is_file()


def test_audiogs_is_scored_as_its_model_folder_renders_it(bench, tmp_path):
    # The benchmark renders the model it just trained; a user renders the model folder. Both go
    # round the room's walls (the shoebox: no corner, so no diffraction loss anywhere) and sound alike.
    from audiogs_core.bench.captures import capture_dir
    from audiogs_core.bench.fold import load_fold
    from audiogs_core.bench.methods import fit_audiogs, model_flags, train_settings
    from audiogs_core.renderer import load_model, render_path
    from audiogs_core.train.trainer import train_model

    out, _ = bench
    unit = next(u for u in plan_units(TINY_C) if u.method == "audiogs" and u.reference == "close")
    fold = load_fold(TINY_C, unit, capture_dir(out, "shoebox", "ring"))
    method, _, _ = fit_audiogs(fold, TINY_C)
    assert method.loaded.occlusion is not None and method.loaded.occlusion.edges.shape[0] == 0
    train_model(fold.training, train_settings(TINY_C), model_flags(TINY_C), out_dir=tmp_path / "model")
    loaded = load_model(tmp_path / "model")
    target = next(t for t in fold.targets if t.path is not None)
    assert np.allclose(method.predict_path(target.path), render_path(loaded, target.path), atol=1e-5)
