"""Is the path truth's level that of standing listeners? Simulate a dev capture again (same room,
seed, layout, length) with its dolly and three standing paths at the dolly's poses at 0.25, 3.75
and 5.75 s, then print each standing path's level in its own window against the dolly's there.
    standing_truth.py ROOM.obj OUT"""
import sys
import numpy as np
from audiogs_core.io.audio import read_wav
from audiogs_core.io.listener_path import ListenerPath
from audiogs_core.metrics.prepare import prepare
from audiogs_core.metrics.tracking import track
from audiogs_core.sim.path_layouts import benchmark_paths
from audiogs_core.sim.rooms import load_room
from audiogs_core.sim.simulate import simulate_capture

room, out = sys.argv[1], sys.argv[2]
seconds = 6.0
dolly = benchmark_paths(load_room(room), seconds)["dolly_in"]
paths = {"dolly_in": dolly}
for t in (0.25, 3.75, 5.75):
    pos, rot = dolly.sample(np.array([t]))
    paths[f"stand_{int(t * 100)}"] = ListenerPath(dolly.times, np.repeat(pos, len(dolly.times), 0),
                                                   np.repeat(rot, len(dolly.times), 0))
simulate_capture(out, room=room, seconds=seconds, sample_rate=16000, layout="ring", hrtf="kemar", seed=103,
                 force=True, n_rays=10000, paths=paths)
truth, sr = read_wav(f"{out}/paths/dolly_in.wav")
dl = track(prepare(truth, truth, sr)[0], 16000).level.mean(0)
for t in (0.25, 3.75, 5.75):
    x, _ = read_wav(f"{out}/paths/stand_{int(t * 100)}.wav")
    sl = track(prepare(x, x, sr)[0], 16000).level.mean(0)
    w = int(t / 0.5)
    print(f"t {t}: standing {sl[w]:.2f} dB, dolly {dl[w]:.2f} dB, standing - dolly {sl[w] - dl[w]:+.2f}")
