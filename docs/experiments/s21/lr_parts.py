"""The ears' level ratio (LRE's, dB, whole recording) of a binaural reference's model on split A's
held-out view, whole and part by part, with flags changed (issue 9, sweep 17):
    lr_parts.py CAPTURE FOLD OUT_MODEL '{"room_power_sum": true}'
Trains `physical` with the flags on the benchmark's fold (bench.fold.load_fold) unless OUT_MODEL
holds a model; prints L/R (dB) of the truth, the reference, the render, its direct part alone
(room muted), its room alone (direct part muted), and the model's ild_scale and gain_db."""
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np
import torch

import audiogs_core.model.split_field as split_field
from audiogs_core.bench.fold import load_fold
from audiogs_core.bench.protocol import BenchConfig, Unit
from audiogs_core.metrics.level import lr_ratio_db
from audiogs_core.renderer import load_model, render_static
from audiogs_core.train.presets import get_preset
from audiogs_core.train.trainer import train_model

capdir, fold_i, out = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
flags = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
fold = load_fold(BenchConfig(), Unit("A", capdir.name, "view", fold_i, "audiogs"), capdir)
if not (out / "model.json").exists():
    p = get_preset("physical")
    train_model(fold.training, p.settings, dataclasses.replace(p.flags, **flags), out_dir=out)
loaded = load_model(out)
target = next(t for t in fold.targets if "heldout" in t.view.subsets)
render = lambda: render_static(loaded, target.position, target.rotation)  # noqa: E731
rows = {"truth": target.audio, "reference": fold.training.reference, "render": render()}


import audiogs_core.renderer as renderer  # noqa: E402  (both read by name where they are used)
keep = split_field.direct_spec
split_field.direct_spec = lambda *a, **k: 0.0 * keep(*a, **k)
loaded.forget_span()
rows["room alone"] = render()
split_field.direct_spec = keep
parts = renderer.split_parts
renderer.split_parts = lambda m, f: dataclasses.replace(parts(m, f), room=0.0 * parts(m, f).room)
loaded.forget_span()
rows["direct alone"] = render()
renderer.split_parts = parts
for name, x in rows.items():
    print(f"{name:36s} L/R {lr_ratio_db(x):+.2f} dB  level {10 * np.log10(np.mean(np.asarray(x, float) ** 2)):.1f} dB")
m = loaded.model
print("ild_scale", np.round(m.ild_scale.numpy()[::32], 2).tolist())
print("gain_db", np.round(m.gain_db.detach().numpy()[::32], 1).tolist())
print("coherence", np.round(m.diffuse_coherence.detach().numpy()[::32], 2).tolist())
