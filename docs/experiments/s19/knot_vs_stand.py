"""A dolly knot's response against a standing listener's at its pose (its own tail group), per
part (direct + 12 ms, to 80 ms, late; left ear, dB): knot_vs_stand.py ROOM.obj"""
import sys
import numpy as np
from audiogs_core.conventions import SPEED_OF_SOUND
from audiogs_core.sim import paths, rooms
from audiogs_core.sim.layouts import ViewSpec
from audiogs_core.sim.path_layouts import benchmark_paths
from knots import FS, ear_rirs

spec = rooms.load_room(sys.argv[1])
plan = paths.plan_path("dolly_in", benchmark_paths(spec, 6.0)["dolly_in"], spec, 6.0)
k5 = 5
heads = plan.heads + [ViewSpec("stand", plan.heads[k5].position, plan.heads[k5].yaw, "path")]
L, R = ear_rirs(spec, heads, [0] * len(plan.heads) + [1])
d0 = int(np.linalg.norm(heads[k5].position - np.asarray(spec.source, float)) / SPEED_OF_SOUND * FS)
for name, h in (("knot5", L[k5]), ("stand", L[-1]), ("knot0", L[0]), ("last", L[len(plan.heads) - 1])):
    parts = [(0, d0 + 200), (d0 + 200, int(0.08 * FS)), (int(0.08 * FS), len(h))]
    print(name, len(h), [round(10 * np.log10(np.sum(h[a:b] ** 2) + 1e-20), 2) for a, b in parts])
