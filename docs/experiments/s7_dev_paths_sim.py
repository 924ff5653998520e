"""Development captures with listener paths (rooms and seed shared with no benchmark scene)."""
import sys, time
from audiogs_core.sim.rooms import load_room
from audiogs_core.sim.path_layouts import benchmark_paths
from audiogs_core.sim.simulate import simulate_capture

ROOMS = {"devbox": ("dolly_in", "walk_by", "pan_in_place"),
         "devell": ("dolly_in", "walk_by", "round_corner")}
for room, names in ROOMS.items():
    obj = f"/work/main/docs/experiments/dev_rooms/{room}.obj"
    spec = load_room(obj)
    paths = {k: v for k, v in benchmark_paths(spec, 6.0).items() if k in names}
    t = time.time()
    simulate_capture(f"/work/devpaths/{room}_s103", room=obj, seconds=6.0, hrtf="kemar", seed=103,
                     n_rays=3000, paths=paths, force=True)
    print(room, sorted(paths), f"{time.time()-t:.0f} s", flush=True)
