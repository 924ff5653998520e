"""Aligned late-tail coherence between consecutive knots of a dev room's dolly (one tail group):
    knotcorr.py ROOM.obj T_LO T_HI"""
import sys
import numpy as np
from knots import FS, advance, compare, dolly_knots, extra_delay

spec, plan, sel, heads, L, R = dolly_knots(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]))
late = int(0.08 * FS)
for i in range(1, len(heads)):
    d = extra_delay(spec, heads[i - 1], heads[i])
    row = []
    for H in (L, R):
        a, b = H[i - 1][late:], advance(H[i], d)[late:]
        n = min(len(a), len(b))
        row += [compare(a, b)[0], 10 * np.log10((b[:n] @ b[:n]) / (a[:n] @ a[:n]))]
    print(f"knot {sel[i]} t {plan.knots[sel[i]]:.3f} pos {np.round(heads[i].position, 3)} yaw {np.degrees(heads[i].yaw):.1f} "
          f"len {len(L[i])} rhoL {row[0]:.3f} dE {row[1]:+.2f} rhoR {row[2]:.3f} dE {row[3]:+.2f}")
