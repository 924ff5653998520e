"""Train `physical` on a dev capture's split C fold with a reference setting, as the benchmark
does (bench.fold.load_fold), with setting and flag overrides:
    view_fold.py CAPTURE OUT [close|view] ['{"settings": {...}, "flags": {...}}']
An OUT that already holds a model is kept. With "binaural_room_falls": true in the JSON, a
binaural reference's room falls with distance too (model/diffuse.room_distance_gain), as a close
mic's does. With "early_scale": k, the early energy's reflected term (model/early_energy.py) is
k times Barron's. Prints each path's track errors (s18/path_table.py)."""
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from audiogs_core.bench.fold import load_fold
from audiogs_core.bench.protocol import BenchConfig, Unit
from audiogs_core.train.presets import get_preset
from audiogs_core.train.trainer import train_model

capdir, out = Path(sys.argv[1]), Path(sys.argv[2])
ref = sys.argv[3] if len(sys.argv) > 3 else "view"
overrides = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
if overrides.get("binaural_room_falls"):
    import audiogs_core.model.split_field as split_field
    split_field.falls_with_distance = lambda model: bool(model.flags.split_field and model.flags.room_distance)
if "early_scale" in overrides:
    import audiogs_core.model.early_energy as early_energy
    barron = early_energy.reflected_energy
    early_energy.reflected_energy = lambda *a, **k: overrides["early_scale"] * barron(*a, **k)
if not (out / "model.json").exists():
    fold = load_fold(BenchConfig(), Unit("C", capdir.name, ref, 0, "audiogs"), capdir)
    p = get_preset("physical")
    train_model(fold.training, dataclasses.replace(p.settings, **overrides.get("settings", {})),
                dataclasses.replace(p.flags, **overrides.get("flags", {})), out_dir=out)
from audiogs_core.io.audio import read_wav
from audiogs_core.io.capture import load_capture
from audiogs_core.io.listener_path import load_path
from audiogs_core.metrics.prepare import prepare
from audiogs_core.metrics.tracking import track, tracking_errors
from audiogs_core.renderer import load_model, render_path

cap, loaded, means = load_capture(capdir), load_model(out), []
for p in cap.paths:  # s18/path_table.py's table, in this process (the patch above holds)
    target, sr = read_wav(capdir / p.audio)
    a, b = prepare(render_path(loaded, load_path(capdir / p.path)), target, sr)
    e = tracking_errors(track(a, 16000), track(b, 16000))
    means.append([e.get(k, float("nan")) for k in ("LEVEL", "ILD", "ITD", "TREND")])
    print(f"{out.name:18s} {p.name:14s}", " ".join(f"{k} {v:.3f}" for k, v in zip(("LEVEL", "ILD", "ITD", "TREND"), means[-1])))
print(f"{out.name:18s} {'mean':14s}", " ".join(f"{k} {v:.3f}" for k, v in zip(("LEVEL", "ILD", "ITD", "TREND"), np.mean(means, 0))))
