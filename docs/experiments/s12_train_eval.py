"""Sweep 8 driver: train a preset variant on a development capture, score its test views and paths.

    python docs/experiments/s12_train_eval.py CAPTURE OUT_MODEL --preset physical \
        [--set key=value,flags.key=value] [--metrics MAG,LRE,ICE,...] [--json OUT.json]

Keys are TrainSettings fields or ModelFlags fields (flags.<name>) changed from the preset. The
capture must be a development one (docs/experiments/s7_dev_paths_sim.py, s12_view_reference.py).
"""
import argparse, json, subprocess, sys
from dataclasses import replace
from pathlib import Path

from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.train.data import training_data_from_capture
from audiogs_core.train.presets import get_preset
from audiogs_core.train.trainer import train_model

p = argparse.ArgumentParser()
p.add_argument("capture"); p.add_argument("out")
p.add_argument("--preset", default="physical"); p.add_argument("--set", default="")
p.add_argument("--metrics", default="MAG,LRE,ITDE,ICE"); p.add_argument("--json", required=True)
p.add_argument("--baselines", action="store_true")
a = p.parse_args()

preset = get_preset(a.preset)
settings, flags = preset.settings, preset.flags
for item in filter(None, a.set.split(",")):
    key, value = item.split("=")
    target = flags if key.startswith("flags.") else settings
    name = key.removeprefix("flags.")
    old = getattr(target, name)
    new = (value.lower() in ("1", "true", "yes")) if isinstance(old, bool) else type(old)(value) if old is not None else float(value)
    if key.startswith("flags."):
        flags = replace(flags, **{name: new})
    else:
        settings = replace(settings, **{name: new})
if not (Path(a.out) / "model.json").exists():
    capture = load_capture(a.capture)
    data = training_data_from_capture(capture, load_capture_audio(capture))
    train_model(data, settings, flags, out_dir=Path(a.out), device="cpu")
cmd = [str(Path(sys.executable).parent / "audiogs"), "eval", a.out, a.capture, "--views", "test", "--paths",
       "--metrics", a.metrics, "--json", a.json, "--progress", "none"] + (["--baselines"] if a.baselines else [])
subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
print(a.json)
