"""Which cached capture serves a run (no simulation: capture files are written by hand)."""

import json

from audiogs_core.bench import full_config, shrink
from audiogs_core.bench.captures import MARKER, _marker, is_cached


def _cached_capture(folder, config, paths):
    folder.mkdir(parents=True)
    (folder / "audio").mkdir()
    (folder / "audio" / "reference.wav").write_bytes(b"x")
    obj = {"sample_rate": config.sample_rate, "reference": {"audio": "audio/reference.wav"}, "views": [],
           "simulation": {"room": "shoebox", "layout": "ring", "hrtf": config.hrtf, "seed": config.sim_seed,
                          "seconds": float(config.seconds), "n_rays": config.n_rays},
           "paths": [{"name": p, "path": f"paths/{p}.json", "audio": f"paths/{p}.wav"} for p in paths]}
    (folder / "paths").mkdir()
    for p in paths:
        (folder / "paths" / f"{p}.json").write_text("{}")
        (folder / "paths" / f"{p}.wav").write_bytes(b"x")
    (folder / "capture.json").write_text(json.dumps(obj))
    marker = _marker(config, "shoebox", "ring")
    marker["paths"] = list(paths)
    (folder / MARKER).write_text(json.dumps(marker))


def test_a_ring_capture_with_paths_serves_runs_that_need_fewer_or_none(tmp_path):
    full = full_config()
    _cached_capture(tmp_path / "cap", full, ["dolly_in", "walk_by"])
    assert is_cached(shrink(full, splits=("A",)), tmp_path / "cap", "shoebox", "ring")  # no paths needed
    assert is_cached(shrink(full, paths=("dolly_in",)), tmp_path / "cap", "shoebox", "ring")
    assert not is_cached(full, tmp_path / "cap", "shoebox", "ring")  # needs every path
    assert not is_cached(shrink(full, paths=("dolly_in",), n_rays=100), tmp_path / "cap", "shoebox", "ring")


def test_a_missing_path_file_means_simulating_again(tmp_path):
    full = shrink(full_config(), paths=("dolly_in",))
    _cached_capture(tmp_path / "cap", full, ["dolly_in"])
    (tmp_path / "cap" / "paths" / "dolly_in.wav").unlink()
    assert not is_cached(full, tmp_path / "cap", "shoebox", "ring")
