"""Where does the dolly's crossfade lose energy? Per part of the left ear's response (direct,
early < 80 ms, late), aligned by the direct delay: earlycorr.py ROOM.obj T_LO T_HI"""
import sys
import numpy as np
from audiogs_core.conventions import SPEED_OF_SOUND
from knots import FS, advance, compare, dolly_knots, extra_delay

spec, plan, sel, heads, L, R = dolly_knots(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]))
src = np.asarray(spec.source, float)
for i in range(1, len(heads)):
    a, b = L[i - 1], advance(L[i], extra_delay(spec, heads[i - 1], heads[i]))
    n = min(len(a), len(b))
    t_dir = int(np.linalg.norm(heads[i - 1].position - src) / SPEED_OF_SOUND * FS) + 40  # + the fractional delay filter's half length
    out = []
    for name, sl in (("direct", slice(0, t_dir + 32)), ("early", slice(t_dir + 32, int(0.08 * FS))),
                     ("late", slice(int(0.08 * FS), n))):
        rho, mid = compare(a[sl], b[sl])
        out.append(f"{name} E {10 * np.log10(a[sl] @ a[sl]):.1f} rho {rho:.2f} mid {mid:+.2f}")
    print(f"knot {sel[i]} t {plan.knots[sel[i]]:.2f}: " + " | ".join(out))
