"""scripts/tune_on_train_views.py refuses captures that share anything with the benchmark.

The sweeps themselves train for minutes per variant: not a unit test. What is
tested is the guard that keeps selection off benchmark data.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from audiogs_core.errors import AudioGSError
from audiogs_core.io.audio import write_wav
from audiogs_core.io.capture import load_capture, write_capture
from audiogs_core.sim.layouts import ring_layout
from audiogs_core.sim.rooms import lshape, obj_room, shoebox, write_room_obj

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("tune_on_train_views", ROOT / "scripts" / "tune_on_train_views.py")
tune = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tune)

DEVTEE = ROOT / "docs" / "experiments" / "dev_rooms" / "devtee.obj"


def _capture(folder: Path, room, sim_room: str, seed: int = 101, move: dict | None = None):
    """A capture folder laid out like the simulator's: room.obj, ring views, simulation block."""
    folder.mkdir(parents=True)
    write_room_obj(folder / "room.obj", room.polygons, room.name)
    silence = np.zeros((2, 160), dtype=np.float32)
    write_wav(folder / "ref.wav", silence[:1], 16000)
    views = []
    for v in ring_layout(room, seed):
        write_wav(folder / f"{v.name}.wav", silence, 16000)
        pos = (move or {}).get(v.name, v.position)
        views.append({"name": v.name, "audio": f"{v.name}.wav", "split": v.split,
                      "pose": {"position": list(map(float, pos)), "rotation": v.rotation}})
    write_capture(folder, {
        "format": "audiogs.capture", "version": 1, "sample_rate": 16000, "room": {"mesh": "room.obj"},
        "sources": [{"name": "talker", "position": room.source.tolist()}],
        "reference": {"audio": "ref.wav", "pose": {"position": (room.source + [0.3, 0, 0]).tolist()}},
        "views": views, "simulation": {"room": sim_room, "seed": seed},
    })
    return load_capture(folder)


def test_a_development_room_with_its_own_layout_and_seed_passes(tmp_path):
    cap = _capture(tmp_path / "dev", obj_room(DEVTEE), str(DEVTEE))
    assert tune.benchmark_overlap(cap) == []
    tune.refuse_benchmark(cap)


def test_a_benchmark_room_by_name_is_refused_with_its_poses(tmp_path):
    cap = _capture(tmp_path / "cap", shoebox(), "shoebox", seed=101)
    problems = tune.benchmark_overlap(cap)
    assert any("benchmark room 'shoebox'" in p for p in problems)
    assert any("room mesh" in p and "'shoebox'" in p for p in problems)
    # another seed moves no ring position and no turned head: every view is flagged
    flagged = {p.split()[1] for p in problems if p.startswith("view ")}
    assert flagged == {v.name for v in cap.views}
    with pytest.raises(AudioGSError, match="not development data.*benchmark room 'shoebox'"):
        tune.refuse_benchmark(cap)


def test_a_benchmark_mesh_under_another_name_is_refused(tmp_path):
    cap = _capture(tmp_path / "cap", lshape(), "/somewhere/my_room.obj")
    assert any("room mesh" in p and "'lshape'" in p for p in tune.benchmark_overlap(cap))


def test_the_benchmark_seed_is_refused(tmp_path):
    cap = _capture(tmp_path / "cap", obj_room(DEVTEE), str(DEVTEE), seed=0)
    assert [p for p in tune.benchmark_overlap(cap) if "seed" in p]


def test_one_view_where_a_benchmark_view_stands_is_refused(tmp_path):
    turned = next(v for v in ring_layout(shoebox()) if v.name == "turned_left")
    cap = _capture(tmp_path / "cap", obj_room(DEVTEE), str(DEVTEE), move={"ring3": turned.position + 0.01})
    problems = tune.benchmark_overlap(cap)
    assert len(problems) == 1 and problems[0].startswith("view ring3")


def test_the_script_refuses_before_training(tmp_path):
    _capture(tmp_path / "cap", shoebox(), "shoebox", seed=101)
    with pytest.raises(AudioGSError, match="not development data"):
        tune.main([str(tmp_path / "cap"), "--validate", "ring1"])
