"""How much does a simulated listener's level depend on its late tail's random draw? Four standing
paths at one pose (the dev capture's dolly end), moved 1-3 micrometres apart so that each draws
its own tail sequence (sim/tails.py keys a tail by position), printed per octave band against the
first, with the dolly's own truth there (one draw shared by all its knots).
    tail_draws.py ROOM.obj OUT"""
import sys
import numpy as np
from audiogs_core.io.audio import read_wav
from audiogs_core.io.listener_path import ListenerPath
from audiogs_core.sim.path_layouts import benchmark_paths
from audiogs_core.sim.rooms import load_room
from audiogs_core.sim.simulate import simulate_capture

room, out = sys.argv[1], sys.argv[2]
dolly = benchmark_paths(load_room(room), 6.0)["dolly_in"]
pos, rot = dolly.sample(np.array([5.75]))
paths = {"dolly_in": dolly}
for k in range(4):
    p = pos + np.array([[k * 1e-6, 0.0, 0.0]])
    paths[f"draw{k}"] = ListenerPath(dolly.times, np.repeat(p, len(dolly.times), 0), np.repeat(rot, len(dolly.times), 0))
simulate_capture(out, room=room, seconds=6.0, sample_rate=16000, layout="ring", hrtf="kemar", seed=103,
                 force=True, n_rays=10000, paths=paths)
sr = 16000
seg = slice(int(4.5 * sr), int(6.0 * sr))  # the dolly stands still here
f = np.fft.rfftfreq(seg.stop - seg.start, 1 / sr)


def bands(name):
    x, _ = read_wav(f"{out}/paths/{name}.wav")
    e = np.abs(np.fft.rfft(x[:, seg].astype(np.float64))) ** 2
    return np.array([10 * np.log10(e[:, (f >= lo) & (f < 2 * lo)].sum()) for lo in (150, 300, 600, 1200, 2400, 4800)]
                    + [10 * np.log10(e[:, f >= 150].sum())])


first = bands("draw0")
for name in ["draw1", "draw2", "draw3", "dolly_in"]:
    print(f"{name:9s} - draw0 (dB; 150, 300, ..., 4800 Hz octaves, all >150 Hz):",
          " ".join(f"{x:+5.2f}" for x in bands(name) - first))
