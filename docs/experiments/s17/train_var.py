"""Train physical (+ JSON overrides) on a dev ring's 8 ring views, as split C does: train_var.py CAPTURE OUT [JSON]"""
import sys, json, dataclasses
from dataclasses import replace
from pathlib import Path
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.train.data import training_data_from_capture
from audiogs_core.train.presets import get_preset
from audiogs_core.train.trainer import train_model
capdir, out = Path(sys.argv[1]), Path(sys.argv[2])
overrides = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
cap = load_capture(capdir); audio = load_capture_audio(cap)
cap = dataclasses.replace(cap, views=[dataclasses.replace(v, split="train" if v.name.startswith("ring") else "test") for v in cap.views])
data = training_data_from_capture(cap, audio)
if not (out / "model.json").exists():
    p = get_preset("physical")
    train_model(data, replace(p.settings, **overrides), p.flags, out_dir=out)
