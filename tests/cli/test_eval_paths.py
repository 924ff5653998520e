"""`audiogs simulate --paths` and `audiogs eval --paths` as a user runs them."""

import json

import numpy as np
import pytest

from audiogs_core.cli import main
from audiogs_core.geometry import yaw_to_quat
from audiogs_core.io.listener_path import ListenerPath, write_path


@pytest.fixture(scope="module")
def capture_and_model(tmp_path_factory):
    root = tmp_path_factory.mktemp("evalpaths")
    q = [yaw_to_quat(0.0)] * 2  # facing +x, towards the talker at (3, 2.5)
    write_path(root / "approach.json", ListenerPath(np.array([0.2, 1.8]), np.array([[1.2, 2.4, 1.6], [2.2, 2.4, 1.6]]),
                                                    np.stack(q)))
    cap = root / "cap"
    assert main(["simulate", str(cap), "--room", "shoebox", "--seconds", "2", "--paths", str(root / "approach.json"),
                 "--progress", "none"]) == 0
    model = root / "model"
    assert main(["train", str(cap), "--out", str(model), "--epochs", "1", "--progress", "none",
                 "--device", "cpu"]) == 0
    return cap, model


def test_simulate_writes_the_path_and_its_ground_truth(capture_and_model):
    cap, _ = capture_and_model
    entry = json.loads((cap / "capture.json").read_text())["paths"]
    assert [p["name"] for p in entry] == ["approach"]
    assert (cap / "paths" / "approach.json").is_file() and (cap / "paths" / "approach.wav").is_file()


def test_eval_scores_paths_with_tracking_for_every_method(capture_and_model, tmp_path, capsys):
    cap, model = capture_and_model
    out = tmp_path / "scores.json"
    assert main(["eval", str(model), str(cap), "--paths", "--views", "none", "--baselines",
                 "--metrics", "MAG,ITDE", "--json", str(out), "--device", "cpu", "--progress", "none"]) == 0
    printed = capsys.readouterr().out
    assert "1 path(s): approach" in printed and "LEVEL track" in printed
    results = json.loads(out.read_text())
    assert set(results["paths"]) == {"approach"}
    methods = set(results["path_methods"])
    assert {"audiogs", "nearest_view", "idw_mix", "mean_view", "input", "dsp", "implicit_field"} == methods
    for m, scores in results["paths"]["approach"].items():
        assert set(scores["track"]) >= {"LEVEL", "ILD", "TREND"}, m
        assert set(scores["1s"]) == {"MAG", "ITDE"}, m  # 1.6 s of path: one 1 s window, no 3 s window
        assert scores["3s"] == {}


def test_eval_paths_on_a_capture_without_paths_is_an_error(freefield_capture, capture_and_model, capsys):
    _, model = capture_and_model
    assert main(["eval", str(model), str(freefield_capture), "--paths", "--progress", "none"]) != 0
    assert "lists no listener paths" in capsys.readouterr().err
