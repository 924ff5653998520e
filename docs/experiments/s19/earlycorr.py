"""Where does the dolly's crossfade lose energy? Per part of the RIR (direct, early <80 ms, late), aligned by direct delay."""
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
def align(h, d):
    n2 = 2 * len(h)
    return np.fft.irfft(np.fft.rfft(h, n2) * np.exp(2j * np.pi * np.fft.rfftfreq(n2) * d), n2)[:len(h)]
for i in range(1, len(heads)):
    d0 = np.linalg.norm(heads[i - 1].position - src) / SPEED_OF_SOUND
    d = (np.linalg.norm(heads[i].position - src) / SPEED_OF_SOUND - d0) * fs
    out = []
    for H in (L,):
        a = H[i - 1]; b = align(H[i], d)
        n = min(len(a), len(b)); a, b = a[:n], b[:n]
        t_dir = int(d0 * fs) + 40  # the fractional delay filter's half length
        for name, sl in (("direct", slice(0, t_dir + 32)), ("early", slice(t_dir + 32, int(0.08 * fs))), ("late", slice(int(0.08 * fs), n))):
            x, y = a[sl], b[sl]
            rho = x @ y / np.sqrt((x @ x) * (y @ y))
            mid = 0.25 * np.sum((x + y) ** 2) / (0.5 * (x @ x + y @ y))
            out.append(f"{name} E {10*np.log10(x @ x):.1f} rho {rho:.2f} mid {10*np.log10(mid):+.2f}")
    print(f"knot {sel[i]} t {plan.knots[sel[i]]:.2f}: " + " | ".join(out))
