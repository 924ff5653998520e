"""Train a small model and render it; save everything for a before/after comparison."""
import sys, time, torch, numpy as np
from dataclasses import replace
out = sys.argv[1]; preset = sys.argv[2] if len(sys.argv) > 2 else "tuned"
from audiogs_core.train.data import TrainingData
from audiogs_core.train.presets import get_preset
from audiogs_core.train.trainer import train_model
from audiogs_core.renderer import LoadedModel, render_path, render_static
from audiogs_core.geometry import look_at_quat
from audiogs_core.io.listener_path import ListenerPath
sr = 16000; seconds = 9.5; nv = 5
rng = np.random.default_rng(1); n = int(seconds * sr)
t = np.arange(n) / sr
ref = (0.1 * rng.standard_normal((1, n)) * (1 + np.sin(2 * np.pi * 1.3 * t))).astype(np.float32)
pos = np.array([[3 + 1.8 * np.cos(a), 2.5 + 1.8 * np.sin(a), 1.6] for a in np.linspace(0, 2 * np.pi, nv, endpoint=False)])
src = np.array([3.3, 2.5, 1.6])
views = []
for p in pos:
    d = np.linalg.norm(p - src); lag = int(d / 343 * sr)
    l = np.roll(ref[0], lag) / d; r = np.roll(ref[0], lag + int(3 * (p[0] - 3))) / d * 0.8
    views.append(np.stack([l, r]) + 0.01 * rng.standard_normal((2, n)))
data = TrainingData(sample_rate=sr, reference=ref, reference_position=src, reference_rotation=None, head_radius=0.09,
    view_names=[f"v{i}" for i in range(nv)], view_positions=pos,
    view_rotations=np.stack([look_at_quat(p, src) for p in pos]), view_audio=np.stack(views).astype(np.float32))
c = get_preset(preset)
t0 = time.perf_counter()
res = train_model(data, replace(c.settings, epochs=4), c.flags, out_dir=out + '_model')
print("train", time.perf_counter() - t0, res.epoch_loss)
from audiogs_core.renderer import load_model
loaded = load_model(out + '_model')
np.save(out + '_path.npy', np.concatenate([np.linspace(0, seconds, 40)[:, None], src + np.zeros((40, 3))], 1))
times = np.linspace(0, seconds, 40)
ppos = src + np.stack([2.0 * np.cos(times / 2), 1.5 * np.sin(times / 2), 0 * times], 1)
prot = np.stack([look_at_quat(p, src + [0, 1, 0]) for p in ppos])
path = ListenerPath(times=times, positions=ppos, rotations=prot)
moving = render_path(loaded, path); static = render_static(loaded, ppos[3], prot[3])
tens = {k: v.numpy() for k, v in res.model.tensors().items()}
np.savez(out, moving=moving, static=static, loss=np.array(res.epoch_loss), **{"t_" + k: v for k, v in tens.items()})
