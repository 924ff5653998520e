"""Simulated captures of the benchmark, cached under the output folder.

The simulator is seeded, so a capture whose recorded settings match the run's
is reused as it is; anything else is simulated again in place. When the run
has split C, ring captures carry the ground truth along the room's split C
paths (``sim.path_layouts``), simulated in the same passes as the views (whose
recordings do not change with it: each head's late tail has its own seed).
"""

from __future__ import annotations

import json
from pathlib import Path

from audiogs_core.bench.protocol import SIM_CODE, BenchConfig, code_hash
from audiogs_core.io.atomic import atomic_write_json


def capture_dir(out_dir: str | Path, room: str, layout: str) -> Path:
    return Path(out_dir) / "captures" / f"{room}-{layout}"


MARKER = "bench_capture.json"  # what the bench simulated here, with the simulator's code hash


def wanted_simulation(config: BenchConfig, room: str, layout: str) -> dict:
    """The capture.json ``simulation`` entries a cached capture must match."""
    return {"room": config.room_source(room), "layout": layout, "hrtf": config.hrtf, "seed": config.sim_seed,
            "seconds": float(config.seconds), "n_rays": config.n_rays}


def _marker(config: BenchConfig, room: str, layout: str) -> dict:
    return {"simulation": wanted_simulation(config, room, layout), "sample_rate": config.sample_rate,
            "code": code_hash(SIM_CODE), "paths": list(config.paths) if with_paths(config, layout) else []}


def with_paths(config: BenchConfig, layout: str) -> bool:
    """Whether the (room, layout) capture carries split C's paths."""
    return layout == "ring" and "C" in config.splits


def is_cached(config: BenchConfig, folder: Path, room: str, layout: str) -> bool:
    """True when ``folder`` holds a complete capture simulated with this run's settings."""
    path = folder / "capture.json"
    if not path.is_file():
        return False
    try:
        obj = json.loads(path.read_text())
        marker = json.loads((folder / MARKER).read_text())
    except (OSError, json.JSONDecodeError):
        return False
    wanted = _marker(config, room, layout)
    needed_paths = set(wanted.pop("paths"))
    # A capture with more paths than the run scores serves it: the views do not depend on them.
    if not isinstance(marker, dict) or not needed_paths <= set(marker.pop("paths", [])) or marker != wanted:
        return False
    if obj.get("sample_rate") != config.sample_rate:
        return False
    sim = obj.get("simulation", {})
    if any(sim.get(k) != v for k, v in wanted_simulation(config, room, layout).items()):
        return False
    # capture.json is written last (atomically), but check the audio is all there.
    files = [obj.get("reference", {}).get("audio")] + [v.get("audio") for v in obj.get("views", [])]
    files += [f for p in obj.get("paths", []) for f in (p.get("path"), p.get("audio"))]
    return all(isinstance(f, str) and (folder / f).is_file() for f in files)


def ensure_capture(config: BenchConfig, out_dir: str | Path, room: str, layout: str) -> Path:
    """The cached capture folder for (room, layout), simulated first when needed."""
    from audiogs_core.sim.path_layouts import benchmark_paths
    from audiogs_core.sim.rooms import load_room
    from audiogs_core.sim.simulate import simulate_capture

    folder = capture_dir(out_dir, room, layout)
    if is_cached(config, folder, room, layout):
        return folder
    (folder / MARKER).unlink(missing_ok=True)
    paths = None
    if with_paths(config, layout):
        spec = load_room(config.room_source(room))
        paths = {n: p for n, p in benchmark_paths(spec, config.seconds).items() if n in config.paths}
    simulate_capture(folder, room=config.room_source(room), seconds=config.seconds, sample_rate=config.sample_rate,
                     layout=layout, hrtf=config.hrtf, seed=config.sim_seed, force=True, n_rays=config.n_rays,
                     paths=paths)
    atomic_write_json(folder / MARKER, _marker(config, room, layout))
    return folder
