"""Late-tail coherence between shoebox knots 2, 7 and 20 cm apart in one tail group, read with
their direct sounds lined up: tailcorr.py (the sweep 15 "before" figures are this at commit
ef3e25a, the simulator before the fix)."""
import numpy as np
from audiogs_core.sim import rooms
from audiogs_core.sim.layouts import ViewSpec
from knots import FS, advance, compare, ear_rirs, extra_delay

spec = rooms.shoebox()
src = np.asarray(spec.source, float)
steps = [0.0, 0.02, 0.07, 0.2]
heads = [ViewSpec(f"k{i}", np.array([src[0] - 2.5 + d, src[1] + 0.3, spec.listener_z]), 0.0, "path")
         for i, d in enumerate(steps)]
L, R = ear_rirs(spec, heads, [0] * len(heads))
start = int(0.08 * FS)
for i in range(1, len(heads)):
    for ear, H in (("L", L), ("R", R)):
        rho, mid = compare(H[0][start:], advance(H[i], extra_delay(spec, heads[0], heads[i]))[start:])
        print(f"knot0 vs +{steps[i] * 100:.0f} cm {ear}: rho {rho:.3f}, midpoint crossfade {mid:+.2f} dB")
