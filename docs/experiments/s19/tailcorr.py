"""Late-tail coherence between neighbouring knots of one tail group (ear_rirs), current simulator."""
import sys, time
import numpy as np
from audiogs_core.sim import rooms, hrtf, simulate
from audiogs_core.sim.layouts import ViewSpec
from audiogs_core.conventions import HEAD_RADIUS
spec = rooms.shoebox()
src = np.asarray(spec.source, float); z = spec.listener_z
fs = 16000
bank = hrtf.load_hrtf(sys.argv[1] if len(sys.argv) > 1 else "kemar", fs, HEAD_RADIUS)
steps = [0.0, 0.02, 0.07, 0.2]
views = [ViewSpec(f"k{i}", np.array([src[0] - 2.5 + d, src[1] + 0.3, z]), 0.0, "path") for i, d in enumerate(steps)]
rt = max(1.5 * rooms.sabine_rt60(spec), 0.3)
t = time.time()
_, L, R = simulate.ear_rirs(spec, views, bank, fs, 103, rt, n_rays=10000, tail_groups=[0] * len(views))
print("sim s", round(time.time() - t, 1))
start = int(0.08 * fs)
for i in range(1, len(views)):
    for ear, H in (("L", L), ("R", R)):
        d = (np.linalg.norm(views[i].position - src) - np.linalg.norm(views[0].position - src)) / 343.0 * fs
        hb = np.fft.irfft(np.fft.rfft(H[i], 2 * len(H[i])) * np.exp(2j * np.pi * np.fft.rfftfreq(2 * len(H[i])) * d))[:len(H[i])]
        a, b = H[0][start:], hb[start:]
        n = min(len(a), len(b)); a, b = a[:n], b[:n]
        rho = np.dot(a, b) / np.sqrt(np.dot(a, a) * np.dot(b, b))
        mid = 0.25 * np.sum((a + b) ** 2) / (0.5 * (np.sum(a * a) + np.sum(b * b)))
        print(f"knot0 vs +{steps[i]*100:.0f} cm {ear}: rho {rho:.3f}, midpoint crossfade {10*np.log10(mid):+.2f} dB")
