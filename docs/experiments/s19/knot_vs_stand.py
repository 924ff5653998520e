import sys
import numpy as np
from audiogs_core.conventions import HEAD_RADIUS, SPEED_OF_SOUND
from audiogs_core.sim import hrtf, rooms, simulate, paths
from audiogs_core.sim.layouts import ViewSpec
from audiogs_core.sim.path_layouts import benchmark_paths
room = sys.argv[1]
spec = rooms.load_room(room)
plan = paths.plan_path("dolly_in", benchmark_paths(spec, 6.0)["dolly_in"], spec, 6.0)
k5 = 5
heads = plan.heads + [ViewSpec("stand", plan.heads[k5].position, plan.heads[k5].yaw, "path")]
groups = [0] * len(plan.heads) + [1]
fs = 16000
bank = hrtf.load_hrtf("kemar", fs, HEAD_RADIUS)
rt = max(1.5 * rooms.sabine_rt60(spec), 0.3)
src = np.asarray(spec.source, float)
_, L, R = simulate.ear_rirs(spec, heads, bank, fs, 103, rt, n_rays=10000, tail_groups=groups)
d0 = int(np.linalg.norm(heads[k5].position - src) / SPEED_OF_SOUND * fs)
for name, h in (("knot5", L[k5]), ("stand", L[-1]), ("knot0", L[0]), ("last", L[len(plan.heads) - 1])):
    parts = [(0, d0 + 200), (d0 + 200, int(0.08 * fs)), (int(0.08 * fs), len(h))]
    print(name, len(h), [round(10 * np.log10(np.sum(h[a:b] ** 2) + 1e-20), 2) for a, b in parts])
np.savez("/work/exp19/kvs.npz", k5=L[k5], stand=L[-1])
