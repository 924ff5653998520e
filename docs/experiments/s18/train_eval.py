"""Train physical (+ JSON settings and flag overrides) on a dev capture's ring views, as split C
does, then print its track errors on the capture's paths:
    train_eval.py CAPTURE OUT '{"settings": {...}, "flags": {...}}'
("offsets": [...] replaces choose_direct_balance's candidates; an OUT that already holds a model
is only evaluated)."""
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.train.data import training_data_from_capture
from audiogs_core.train.presets import get_preset
from audiogs_core.train.trainer import train_model

capdir, out = Path(sys.argv[1]), Path(sys.argv[2])
overrides = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
if "offsets" in overrides:  # choose_direct_balance's candidates (dB)
    import audiogs_core.train.diffuse_fit as diffuse_fit
    diffuse_fit.DIRECT_OFFSETS_DB = tuple(overrides["offsets"])
if not (out / "model.json").exists():
    cap = load_capture(capdir)
    audio = load_capture_audio(cap)
    ring = [dataclasses.replace(v, split="train" if v.name.startswith("ring") else "test") for v in cap.views]
    data = training_data_from_capture(dataclasses.replace(cap, views=ring), audio)
    p = get_preset("physical")
    train_model(data, dataclasses.replace(p.settings, **overrides.get("settings", {})),
                dataclasses.replace(p.flags, **overrides.get("flags", {})), out_dir=out)
subprocess.run([sys.executable, str(Path(__file__).parents[1] / "s17/eval_paths.py"), str(capdir), str(out)], check=True)
