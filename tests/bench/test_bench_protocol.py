"""The benchmark protocol: what the full and quick runs contain, folds, subsets, cache keys."""

from pathlib import Path

import pytest

from _bench_data import grid_capture, ring_capture
from audiogs_core.bench.protocol import (
    PATH_BASELINES,
    PRESET_METHODS,
    ABLATIONS, METHODS, BenchConfig, Unit, facing_away, fold_plan, full_config, plan_units, quick_config, shrink,
)
from audiogs_core.errors import AudioGSError
from audiogs_core.geometry import yaw_to_quat


def test_full_config_runs_the_whole_protocol():
    cfg = full_config()
    assert cfg.rooms == ("shoebox", "lshape") and cfg.splits == ("A", "B", "C")
    assert cfg.folds_a == tuple(range(8)) and cfg.references == ("close", "view")
    assert set(cfg.methods) == set(METHODS) and set(cfg.ablations) == set(ABLATIONS) | set(PRESET_METHODS)
    assert cfg.sample_rate == 16000 and cfg.max_test_views_b is None
    units = plan_units(cfg)
    # split A: 2 rooms x 2 references x 8 folds x 7 methods; the ablations that can differ from
    # the default (physical) preset, 7 of them, and the tuned and published presets: 2 rooms x 1
    # reference x 2 folds x 7; split B: 2 rooms x 1 fold x 7 methods; split C: 2 rooms x 2
    # references x 1 fold x 7 methods (AudioGS, the tuned preset beside it and the 5 baselines
    # that follow a path)
    assert len(units) == 224 + 28 + 14 + 28
    assert {u.method for u in units if u.split == "C"} == {"audiogs", "audiogs_tuned", *PATH_BASELINES}
    tuned = plan_units(shrink(cfg, preset="tuned"))
    # with tuned: the ablations that differ from it (no_phase, mono_only, no_reverb_tail) and the
    # published preset (the tuned one is the run's own): 2 x 2 x 4; C without a preset beside it
    assert {u.method for u in tuned if u.split == "C"} == {"audiogs", *PATH_BASELINES}
    assert len(tuned) == 224 + 16 + 14 + 24
    assert len(set(units)) == len(units)
    abl = [u for u in units if (u.method in ABLATIONS or u.method in PRESET_METHODS) and u.split != "C"]
    assert {u.fold for u in abl} == set(cfg.ablation_folds) and {u.split for u in abl} == {"A"}
    assert {u.reference for u in units if u.split == "B"} == {"close"}


def test_quick_config_is_one_room_two_folds_short():
    cfg = quick_config()
    assert cfg.rooms == ("shoebox",) and len(cfg.folds_a) == 2
    assert cfg.seconds <= 6 and cfg.epochs <= 10
    assert cfg.steps_per_training() == cfg.epochs * 2
    units = plan_units(cfg)
    assert {u.room for u in units} == {"shoebox"} and {u.fold for u in units} <= set(cfg.folds_a)


def test_config_round_trip_and_key():
    cfg = quick_config()
    again = BenchConfig.from_dict(cfg.to_dict())
    assert again == cfg and again.key() == cfg.key()
    assert shrink(cfg, epochs=4).key() != cfg.key()
    assert shrink(cfg, name="other").key() == cfg.key()  # the label changes no result


@pytest.mark.parametrize("change, message", [
    ({"methods": ("audiogs", "oracle")}, "oracle"),
    ({"ablations": ("no_magic",)}, "no_magic"),
    ({"folds_a": (0, 1), "ablation_folds": (4,)}, "ablation folds"),
    ({"rooms": ("cave",)}, "cave"),
    ({"folds_a": (9,)}, "fold 9"),
])
def test_bad_settings_are_refused(change, message):
    with pytest.raises(AudioGSError, match=message):
        shrink(full_config(), **change)


def test_split_a_folds_rotate_the_held_out_view_and_the_reference(tmp_path):
    cap = ring_capture(tmp_path)
    cfg = full_config()
    plan = fold_plan(cfg, Unit("A", "shoebox", "view", 3, "audiogs"), cap)
    assert [t.name for t in plan.test] == ["ring3", "turned_left", "turned_right"]
    assert plan.test[0].subsets == ["heldout"] and plan.test[1].subsets == ["turned"]
    assert "ring3" not in plan.train and len(plan.train) == 7
    # the reference view is the held-out view's neighbour and stays a train target
    assert plan.reference_view == "ring2" and "ring2" in plan.train
    assert fold_plan(cfg, Unit("A", "shoebox", "view", 0, "audiogs"), cap).reference_view == "ring7"
    assert fold_plan(cfg, Unit("A", "shoebox", "close", 0, "audiogs"), cap).reference_view is None
    # DPAM only on the held-out view of the DPAM folds
    assert [t.dpam for t in plan.test] == [False, False, False]
    assert [t.dpam for t in fold_plan(cfg, Unit("A", "shoebox", "close", 4, "x"), cap).test] == [True, False, False]
    # the capture's own split field does not decide the fold
    assert "ring0" in plan.train


def test_split_b_subsets_and_test_view_cap(tmp_path):
    cap = grid_capture(tmp_path)
    cfg = shrink(full_config(), dpam_views_b=1)
    plan = fold_plan(cfg, Unit("B", "lshape", "close", 0, "audiogs"), cap)
    assert plan.train == ["train00", "train01", "train02"]
    subsets = {t.name: t.subsets for t in plan.test}
    assert subsets == {"test00": ["test"], "test01": ["test", "away"], "test02": ["test", "occluded"],
                       "test03": ["test", "away"]}
    assert [t.dpam for t in plan.test] == [True, False, False, False]
    capped = fold_plan(shrink(cfg, max_test_views_b=2), Unit("B", "lshape", "close", 0, "m"), cap)
    assert [t.name for t in capped.test] == ["test00", "test01"]


def test_facing_away():
    src = [3.0, 2.5, 1.6]
    assert not facing_away([1.0, 2.5, 1.6], yaw_to_quat(0.0), src)  # nose along +x, source at +x
    assert facing_away([1.0, 2.5, 1.6], yaw_to_quat(3.1416), src)
    assert not facing_away([1.0, 2.5, 1.6], yaw_to_quat(1.5), src)  # 86 deg off: still the front half


def test_overrides_reach_audiogs_its_ablations_and_the_schedule():
    from audiogs_core.bench.methods import ablation_flags, model_flags, train_settings

    cfg = shrink(quick_config(), preset="tuned", train_overrides={"lr_gain": 1e-3}, flag_overrides={"sh_degree": 2})
    assert train_settings(cfg).lr_gain == 1e-3 and train_settings(cfg).epochs == cfg.epochs
    assert model_flags(cfg).sh_degree == 2
    abl = ablation_flags("mono_only", cfg)
    assert abl.sh_degree == 2 and abl.side is False
    assert ablation_flags("no_sh", cfg).sh_degree == 0
    assert cfg.key() != shrink(quick_config(), preset="tuned").key()
    assert BenchConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(AudioGSError, match="lr_nothing"):
        shrink(cfg, train_overrides={"lr_nothing": 1})
    with pytest.raises(AudioGSError, match="epochs"):
        shrink(cfg, train_overrides={"epochs": 3})


def test_part_key_ignores_which_units_run_but_not_how_they_run():
    base = full_config()
    fewer = shrink(base, folds_a=(0, 2, 4, 6), ablations=("no_phase",), rooms=("shoebox",))
    assert fewer.key() == base.key()
    assert shrink(base, epochs=10).key() != base.key()
    assert shrink(base, dpam_folds=(0,)).key() != base.key()
    assert shrink(base, preset="published").key() != base.key()


def test_a_baseline_that_does_not_train_keeps_its_key_when_only_the_model_changes():
    base = full_config()
    for change in ({"flag_overrides": {"occlusion": False}}, {"train_overrides": {"lr_gain": 0.1}},
                   {"preset": "tuned"}, {"epochs": 10}, {"train_seed": 3}):
        other = shrink(base, **change)
        assert other.key("audiogs") != base.key("audiogs"), change
        assert other.key("nearest_view") == base.key("nearest_view"), change
        assert other.key("mean_view") == base.key("mean_view"), change
    assert shrink(base, epochs=10).key("implicit_field") != base.key("implicit_field")  # it trains
    # What a baseline does see still counts: the simulated room, the scoring.
    assert shrink(base, sim_seed=5).key("dsp") != base.key("dsp")
    assert shrink(base, dpam_folds=(0,)).key("dsp") != base.key("dsp")
    assert base.key() == base.key("audiogs")


def test_the_non_learned_baselines_read_only_the_code_their_key_hashes():
    # A baseline's key hashes BASELINE_CODE only: anything else of the package it imported could
    # change its results while its parts were reused.
    import subprocess, sys

    from audiogs_core.bench.protocol import BASELINE_CODE

    # (the bench's own glue, fold.py and scoring.py, is hashed as a whole: importing it loads the package)
    code = ("import sys, audiogs_core.baselines.registry, audiogs_core.metrics.registry, audiogs_core.metrics.tracking,"
            " audiogs_core.metrics.itd, audiogs_core.metrics.coherence, audiogs_core.metrics.dpam;"
            "print('\\n'.join(m.__file__ for n, m in sys.modules.items() if n.startswith('audiogs_core')))")
    files = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    import audiogs_core
    root = Path(audiogs_core.__file__).parent
    for f in files:
        rel = Path(f).relative_to(root).as_posix()
        assert any(rel == c or rel.startswith(c + "/") for c in BASELINE_CODE), rel


def test_rooms_of_ones_own_by_mesh(tmp_path):
    from audiogs_core.sim.rooms import shoebox, write_room_obj

    mesh = tmp_path / "hall.obj"
    write_room_obj(mesh, shoebox().polygons)
    cfg = shrink(full_config(), rooms=("shoebox", "hall"), room_meshes={"hall": str(mesh)})
    assert cfg.room_source("hall") == str(mesh) and cfg.room_source("shoebox") == "shoebox"
    assert BenchConfig.from_dict(cfg.to_dict()) == cfg
    moved = tmp_path / "other.obj"
    moved.write_bytes(mesh.read_bytes())
    assert shrink(cfg, room_meshes={"hall": str(moved)}).key() != cfg.key()  # another mesh, other results
    with pytest.raises(AudioGSError, match="cave"):
        shrink(cfg, rooms=("cave",))
    with pytest.raises(AudioGSError, match="not found"):
        shrink(cfg, room_meshes={"hall": str(tmp_path / "missing.obj")})
    with pytest.raises(AudioGSError, match="other than"):
        shrink(cfg, room_meshes={"shoebox": str(mesh)})


def test_contradicting_flags_fail_when_the_run_is_configured():
    # The published preset has no tail; asking every AudioGS of the run for
    # the diffuse ITD (which rests on the tail) must fail before anything runs.
    with pytest.raises(AudioGSError, match="diffuse_itd needs reverb_tail"):
        shrink(quick_config(), flag_overrides={"diffuse_itd": True})
    with pytest.raises(AudioGSError, match="diffuse_itd needs reverb_tail"):
        shrink(quick_config(), flag_overrides={"reverb_tail": False, "diffuse_itd": True}, ablations=())
    cfg = shrink(quick_config(), flag_overrides={"diffuse_itd": True}, ablations=("no_reverb_tail", "no_phase"))
    assert cfg.flag_overrides == {"diffuse_itd": True}
