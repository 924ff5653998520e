"""Level error (model minus truth, dB, mean of the ears, 0.5 s tracking windows) along each path of a
development capture, with the distance to the talker: where a model is too loud or too quiet.

    python docs/experiments/s12_level_by_distance.py MODEL CAPTURE
"""
import sys, numpy as np, torch
from audiogs_core.renderer import load_model, render_path
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.io.listener_path import load_path
from audiogs_core.metrics.tracking import track, active_windows
from audiogs_core.io.audio import read_wav
cap = load_capture(sys.argv[2]); lm = load_model(sys.argv[1])
src = np.array(cap.sources[0].position)
for p in cap.paths:
    path = load_path(p.path)
    pred = render_path(lm, path)
    gt, sr = read_wav(p.audio)
    n = min(pred.shape[1], gt.shape[1])
    tp, tg = track(pred[:, :n], sr), track(gt[:, :n], sr)
    act = active_windows(tg)
    d = (tp.level.mean(0) - tg.level.mean(0))
    t = np.asarray(tg.times)
    pos = np.array([path.sample(np.array([x]))[0][0] for x in t])
    dist = np.linalg.norm(pos - src, axis=1)
    print(p.name, " ".join(f"{r:.1f}m:{x:+.1f}" for r, x, a in zip(dist, d, act) if a)[:400])
