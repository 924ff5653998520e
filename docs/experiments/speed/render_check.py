"""Render a saved model folder with the current code and compare with the saved renders."""
import sys, numpy as np
exec(open("/work/exp/compare.py").read().split("c = get_preset")[0].replace("out = sys.argv[1]", "out = sys.argv[1]"))
from audiogs_core.renderer import load_model
loaded = load_model(out + "_model")
times = np.linspace(0, seconds, 40)
ppos = src + np.stack([2.0 * np.cos(times / 2), 1.5 * np.sin(times / 2), 0 * times], 1)
prot = np.stack([look_at_quat(p, src + [0, 1, 0]) for p in ppos])
path = ListenerPath(times=times, positions=ppos, rotations=prot)
import time
t0 = time.perf_counter(); moving = render_path(loaded, path); t1 = time.perf_counter(); static = render_static(loaded, ppos[3], prot[3]); t2 = time.perf_counter()
b = np.load(out + ".npz")
for name, x in (("moving", moving), ("static", static)):
    ref = b[name]
    print(name, "max abs diff", float(np.abs(x - ref).max()), "peak", float(np.abs(ref).max()), "rel", float(np.abs(x - ref).max() / np.abs(ref).max()))
print("times", t1 - t0, t2 - t1)
