"""Aligned late-tail coherence between consecutive knots of a dev room's dolly (one tail group)."""
import sys
import numpy as np
from audiogs_core.conventions import HEAD_RADIUS, SPEED_OF_SOUND
from audiogs_core.sim import hrtf, rooms, simulate, paths
from audiogs_core.sim.path_layouts import benchmark_paths
room = sys.argv[1]; t_lo, t_hi = float(sys.argv[2]), float(sys.argv[3])
spec = rooms.load_room(room)
plan = paths.plan_path("dolly_in", benchmark_paths(spec, 6.0)["dolly_in"], spec, 6.0)
sel = [k for k, t in enumerate(plan.knots) if t_lo <= t <= t_hi]
heads = [plan.heads[k] for k in sel]
fs = 16000
bank = hrtf.load_hrtf("kemar", fs, HEAD_RADIUS)
rt = max(1.5 * rooms.sabine_rt60(spec), 0.3)
src = np.asarray(spec.source, float)
_, L, R = simulate.ear_rirs(spec, heads, bank, fs, 103, rt, n_rays=10000, tail_groups=[0] * len(heads))
late = int(0.08 * fs)
for i in range(1, len(heads)):
    d = (np.linalg.norm(heads[i].position - src) - np.linalg.norm(heads[i - 1].position - src)) / SPEED_OF_SOUND * fs
    row = []
    for H in (L, R):
        h = H[i]; n2 = 2 * len(h)
        hb = np.fft.irfft(np.fft.rfft(h, n2) * np.exp(2j * np.pi * np.fft.rfftfreq(n2) * d), n2)[:len(h)]
        a, b = H[i - 1][late:], hb[late:]
        n = min(len(a), len(b)); a, b = a[:n], b[:n]
        row.append(a @ b / np.sqrt((a @ a) * (b @ b)))
        row.append(10 * np.log10((b @ b) / (a @ a)))
    print(f"knot {sel[i]} t {plan.knots[sel[i]]:.3f} pos {np.round(heads[i].position, 3)} yaw {np.degrees(heads[i].yaw):.1f} "
          f"len {len(L[i])} rhoL {row[0]:.3f} dE {row[1]:+.2f} rhoR {row[2]:.3f} dE {row[3]:+.2f}")
