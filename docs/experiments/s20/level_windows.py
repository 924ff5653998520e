"""Per 0.5 s window along a dev capture's path: the truth's level (dB, mean of the ears' energy),
the distance to the talker, and the level error of a model's whole render, its direct part
alone and its room alone against the truth's whole:
    level_windows.py CAPTURE MODEL PATH_NAME"""
import sys
from pathlib import Path

import numpy as np

import audiogs_core.model.split_field as sf
import audiogs_core.renderer as rnd
from audiogs_core.io.audio import read_wav
from audiogs_core.io.capture import load_capture
from audiogs_core.io.listener_path import load_path
from audiogs_core.metrics.prepare import prepare
from audiogs_core.renderer import load_model, render_path

capdir, mdir, name = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
cap = load_capture(capdir)
path = load_path(capdir / "paths" / f"{name}.json")
target, sr = read_wav(capdir / "paths" / f"{name}.wav")
loaded = load_model(mdir)
orig = sf.split_parts
WIN = 8000  # 0.5 s at the metrics' 16 kHz


def only(kind):
    def parts(model, frames):
        p = orig(model, frames)
        return sf.SplitParts(p.magnitude * (kind != "room"), p.phase, p.room * (kind != "direct"))
    return parts


def levels(x):  # [2, T] -> [W] dB
    w = x.shape[1] // WIN
    return 10 * np.log10((x[:, : w * WIN].reshape(2, w, WIN) ** 2).mean(-1).mean(0) + 1e-20)


src = np.asarray(cap.sources[0].position)
t_mid = (np.arange(10_000) + 0.5) * 0.5
truth, rows = None, {}
for kind in ("all", "direct", "room"):
    sf.split_parts = rnd.split_parts = only(kind)
    loaded.forget_span()
    a, b = prepare(render_path(loaded, path), target, sr)
    truth = levels(b) if truth is None else truth
    rows[kind] = levels(a) - truth
times = np.asarray(path.times) - path.times[0]
dist = [np.linalg.norm(np.asarray(path.positions)[np.searchsorted(times, t).clip(0, len(times) - 1)] - src)
        for t in t_mid[: len(truth)]]
print("window  dist  truth   all  direct  room")
for i in range(len(truth)):
    print(f"{t_mid[i]:5.2f} {dist[i]:5.2f} {truth[i]:6.1f} {rows['all'][i]:+5.1f} {rows['direct'][i]:+6.1f} {rows['room'][i]:+5.1f}")
print(f"mean |all| {np.abs(rows['all']).mean():.2f}  trend(all) std {np.std(rows['all']):.2f}")
