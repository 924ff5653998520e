"""`audiogs eval` and `audiogs bench` as a user runs them."""

import json

import numpy as np
import pytest

from audiogs_core import bench as bench_pkg
from audiogs_core.cli import main
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.metrics.evaluate import evaluate
from audiogs_core.renderer import load_model, render_static


@pytest.fixture(scope="module")
def model(freefield_capture, tmp_path_factory):
    out = tmp_path_factory.mktemp("eval") / "model"
    assert main(["train", str(freefield_capture), "--out", str(out), "--epochs", "1", "--progress", "none",
                 "--device", "cpu"]) == 0
    return out


def test_eval_with_baselines_prints_a_table_and_writes_section7_json(freefield_capture, model, tmp_path, capsys):
    out = tmp_path / "scores.json"
    assert main(["eval", str(model), str(freefield_capture), "--baselines", "--metrics", "MAG,LRE,ITDE",
                 "--json", str(out), "--device", "cpu", "--progress", "none"]) == 0
    printed = capsys.readouterr().out
    assert "view5" in printed and "MAG 3s" in printed and "implicit_field" in printed
    results = json.loads(out.read_text())
    methods = {"audiogs", "input", "nearest_view", "idw_mix", "mean_view", "dsp", "implicit_field"}
    assert set(results["methods"]) == methods
    assert set(results["views"]) == {"view5"} and set(results["views"]["view5"]) == methods
    assert set(results["methods"]["audiogs"]) == {"3s", "1s"}
    assert set(results["methods"]["audiogs"]["3s"]) == {"MAG", "LRE", "ITDE"}  # DPAM not asked: absent
    # The model's score is the metric of its rendering, nothing else.
    capture = load_capture(freefield_capture)
    target = load_capture_audio(capture).views["view5"]
    v = capture.view("view5")
    pred = render_static(load_model(model), v.pose.position, v.pose.rotation)
    expected = evaluate(pred, target, 16000, metrics=["MAG", "LRE", "ITDE"])
    assert results["methods"]["audiogs"]["3s"]["MAG"] == pytest.approx(expected["3s"]["MAG"], rel=1e-6)
    # nearest_view copies a train recording: worse than nothing would be a bug, 0 would be a leak
    assert 0 < results["methods"]["nearest_view"]["3s"]["MAG"] < results["methods"]["input"]["3s"]["MAG"]


def test_eval_named_views_without_baselines(freefield_capture, model, capsys):
    assert main(["eval", str(model), str(freefield_capture), "--views", "view0,view5", "--metrics", "MAG",
                 "--progress", "none", "--device", "cpu"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2 view(s): view0, view5")
    assert [line.split()[0] for line in lines[2:]] == ["audiogs"]


@pytest.mark.parametrize("extra, message", [
    (["--views", "nowhere"], "no view named 'nowhere'"),
    (["--metrics", "MAG,SNR"], "SNR"),
])
def test_eval_errors_are_one_line(freefield_capture, model, capsys, extra, message):
    assert main(["eval", str(model), str(freefield_capture), "--progress", "none", *extra]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "Traceback" not in err[0]


def test_bench_command_runs_the_chosen_setting(tmp_path, capsys, monkeypatch):
    # --quick takes minutes; the command is driven with a smaller setting of the same shape.
    tiny = bench_pkg.shrink(bench_pkg.quick_config(), name="cli-test", seconds=3.0, epochs=1, n_rays=300,
                            folds_a=(0, 1), references=("close",), methods=("audiogs", "nearest_view", "mean_view"),
                            ablations=(), ablation_folds=(), dpam_folds=(), metrics=("MAG", "ITDE"))
    monkeypatch.setattr(bench_pkg, "quick_config", lambda: tiny)
    out = tmp_path / "b"
    assert main(["bench", "--quick", "--out", str(out), "--jobs", "1", "--methods", "mean_view",
                 "--progress", "jsonl"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert events[-1]["event"] == "done" and events[-2]["step"] == events[-2]["total"]
    results = json.loads((out / "results.json").read_text())
    assert results["protocol"]["settings"]["name"] == "cli-test"
    assert results["protocol"]["settings"]["methods"] == ["audiogs", "mean_view"]  # --methods; audiogs kept
    assert results["environment"]["command"] == f"audiogs bench --quick --out {out} --jobs 1 --methods mean_view"
    assert (out / "results.md").is_file()


def test_bench_on_a_room_of_ones_own(tmp_path, capsys, monkeypatch):
    # A development room (or a user's hall) as an OBJ mesh, with a simulator seed of its own.
    from audiogs_core.sim.rooms import shoebox, write_room_obj

    tiny = bench_pkg.shrink(bench_pkg.quick_config(), name="cli-test", seconds=3.0, epochs=1, n_rays=300,
                            splits=("A",), folds_a=(0,), ablations=(), ablation_folds=(),
                            dpam_folds=(), metrics=("MAG",))
    monkeypatch.setattr(bench_pkg, "quick_config", lambda: tiny)
    mesh = tmp_path / "meshes" / "hall.obj"
    mesh.parent.mkdir()
    write_room_obj(mesh, shoebox().polygons)
    out = tmp_path / "b"
    assert main(["bench", "--quick", "--out", str(out), "--jobs", "1", "--methods", "mean_view", "--rooms",
                 str(mesh), "--sim-seed", "7", "--references", "close", "--progress", "none"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["protocol"]["settings"]["rooms"] == ["hall"]
    assert results["protocol"]["settings"]["sim_seed"] == 7
    assert list(results["groups"]) == ["A/hall/close"]
    sim = json.loads((out / "captures" / "hall-ring" / "capture.json").read_text())["simulation"]
    assert sim["room"] == str(mesh) and sim["seed"] == 7
    assert results["protocol"]["settings"]["references"] == ["close"]
    assert f"--rooms {mesh} --sim-seed 7 --references close" in results["environment"]["command"]
    assert main(["bench", "--quick", "--out", str(out), "--rooms", str(tmp_path / "none.obj")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "none.obj" in err[0] and "not found" in err[0]


def test_bench_bad_override_is_one_line(tmp_path, capsys):
    assert main(["bench", "--quick", "--out", str(tmp_path / "b"), "--seconds", "1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--seconds" in err[0]
    assert not (tmp_path / "b").exists()
    assert main(["bench", "--quick", "--out", str(tmp_path / "b"), "--methods", "nearest_view,oracle"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "oracle" in err[0] and "Traceback" not in err[0]
