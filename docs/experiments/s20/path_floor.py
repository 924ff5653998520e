"""The floor of split C's tracking errors set by the truth's own randomness: the development
capture's paths simulated again 1 micrometre aside (sim/tails.py keys a late tail by position,
so each path draws another tail; its image sources and rays are the same), scored against the
capture's truth as a method would be. A method that renders one realisation of the room
cannot beat this on average; one that renders the room's expectation can reach about 1/sqrt(2)
of it (in RMS terms). The simulation's settings are the capture's (its bench_capture.json).
    path_floor.py CAPTURE OUT"""
import json
import sys
from pathlib import Path

import numpy as np

from audiogs_core.io.audio import read_wav
from audiogs_core.io.capture import load_capture
from audiogs_core.io.listener_path import ListenerPath
from audiogs_core.metrics.prepare import prepare
from audiogs_core.metrics.tracking import track, tracking_errors
from audiogs_core.sim.path_layouts import benchmark_paths
from audiogs_core.sim.rooms import load_room
from audiogs_core.sim.simulate import simulate_capture

capdir, out = Path(sys.argv[1]), Path(sys.argv[2])
sim = json.loads((capdir / "bench_capture.json").read_text())["simulation"]
names = [p.name for p in load_capture(capdir).paths]
if not (out / "capture.json").exists():
    paths = {n: p for n, p in benchmark_paths(load_room(sim["room"]), sim["seconds"]).items() if n in names}
    aside = {n: ListenerPath(p.times, p.positions + np.array([1e-6, 0.0, 0.0]), p.rotations) for n, p in paths.items()}
    simulate_capture(out, room=sim["room"], seconds=sim["seconds"], sample_rate=16000, layout=sim["layout"],
                     hrtf=sim["hrtf"], seed=sim["seed"], force=True, n_rays=sim["n_rays"], paths=aside)
keys = ("LEVEL", "ILD", "ITD", "TREND")
rows = []
for n in names:
    other, sr = read_wav(out / "paths" / f"{n}.wav")
    truth, _ = read_wav(capdir / "paths" / f"{n}.wav")
    a, b = prepare(other, truth, sr)
    e = tracking_errors(track(a, 16000), track(b, 16000))
    rows.append([e.get(k, np.nan) for k in keys])
    print(f"{n:14s}", " ".join(f"{k} {v:.3f}" for k, v in zip(keys, rows[-1])))
print(f"{'mean':14s}", " ".join(f"{k} {v:.3f}" for k, v in zip(keys, np.nanmean(rows, 0))))
