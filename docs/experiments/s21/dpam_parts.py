"""Where a binaural reference's model loses DPAM on split A's held-out view (issue 9).

Trains `physical` on a development capture's split A fold with the binaural view reference (the
benchmark's fold: bench.fold.load_fold), renders the held-out view whole and with one part
changed at a time, and scores DPAM and DPAM_ears on every 3 s and 1 s window (the benchmark
scores the first of each only) against the truth, beside the reference copied:
    dpam_parts.py CAPTURE FOLD OUT_MODEL [OUT.json]
Run (dpam_devbox_f0.json) with the code of 77410e0, before flag room_power_sum: with it in the
preset the own room already adds as powers, and power_split below changes nothing.
Variants (monkeypatches in this process; the model is trained once):
  full          the model as it renders
  no_synth      without the synthetic decorrelated room (diffuse_spec -> 0)
  no_mask       the Gaussians' per-cell mask at 1 (frame_mask -> 1)
  no_own_room   without the reference's own late sound
  power_split   direct part X g and own room X sqrt(1 - g^2) add as powers, not amplitudes
                (the room's phase turned by 90 degrees, so |d + r|^2 = |X|^2)
  copy          the reference itself (the input baseline)
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch

from audiogs_core.bench.fold import load_fold
from audiogs_core.bench.protocol import BenchConfig, Unit
from audiogs_core.conventions import BENCH_SAMPLE_RATE
from audiogs_core.metrics.prepare import prepare
from audiogs_core.metrics.registry import WINDOW_METRICS
from audiogs_core.metrics.windows import window_seconds, window_slices
from audiogs_core.train.presets import get_preset
from audiogs_core.train.trainer import train_model
import audiogs_core.model.direct as direct
import audiogs_core.model.split_field as split_field
from audiogs_core.renderer import load_model, render_static

capdir, fold_i, out = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
fold = load_fold(BenchConfig(), Unit("A", capdir.name, "view", fold_i, "audiogs"), capdir)
if not (out / "model.json").exists():
    p = get_preset("physical")
    train_model(fold.training, p.settings, p.flags, out_dir=out)
loaded = load_model(out)
target = next(t for t in fold.targets if "heldout" in t.view.subsets)
sr = fold.sample_rate


def scores(pred):
    p, g = prepare(pred, target.audio, sr)
    row = {}
    for w in ("3s", "1s"):
        slices = window_slices(p.shape[1], BENCH_SAMPLE_RATE, window_seconds(w))
        for m in ("DPAM", "DPAM_ears"):
            vals = [WINDOW_METRICS[m].fn(p[:, s], g[:, s]) for s in slices]
            row[f"{m}_{w}"] = float(np.mean(vals))
            row[f"{m}_{w}_first"] = float(vals[0])
    return row


orig = {"diffuse_spec": split_field.diffuse_spec, "frame_mask": direct.frame_mask,
        "split_reference": split_field.split_reference, "split_parts": split_field.split_parts}


def restore():
    split_field.diffuse_spec = orig["diffuse_spec"]
    direct.frame_mask = orig["frame_mask"]
    split_field.split_reference = orig["split_reference"]
    split_field.split_parts = orig["split_parts"]
    loaded.forget_span()


def no_own_room(model, frames):
    d, _ = orig["split_reference"](model, frames)
    return d, None


def power_split(model, frames):
    d, r = orig["split_reference"](model, frames)
    return d, None if r is None else r * 1j



variants = {
    "full": lambda: None,
    "no_synth": lambda: setattr(split_field, "diffuse_spec", lambda m, f, n: torch.zeros(2, f.shape[1], n, dtype=torch.complex64)),
    "no_mask": lambda: setattr(direct, "frame_mask", lambda m, t: torch.ones(len(t), m.grid.stft.n_fft // 2 + 1)),
    "no_own_room": lambda: setattr(split_field, "split_reference", no_own_room),
    "power_split": lambda: setattr(split_field, "split_reference", power_split),
}
rows = {}
for name, patch in variants.items():
    restore()
    patch()
    loaded.forget_span()
    pred = render_static(loaded, target.position, target.rotation)
    rows[name] = scores(pred)
    print(name, json.dumps({k: round(v, 4) for k, v in rows[name].items()}), flush=True)
restore()
rows["copy"] = scores(fold.training.reference)
print("copy", json.dumps({k: round(v, 4) for k, v in rows["copy"].items()}), flush=True)
if len(sys.argv) > 4:
    Path(sys.argv[4]).write_text(json.dumps({"capture": str(capdir), "fold": fold_i, "rows": rows}, indent=1))
