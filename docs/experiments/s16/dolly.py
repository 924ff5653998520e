"""Train on a development ring (close mic, its 8 ring views as split C does) and render a path:
per 0.5 s window the level error of the whole render, of the direct part alone and of the room alone,
and each one's onset-gated ITD against the truth's (sweep 13)."""
import sys, json, numpy as np, torch
from dataclasses import replace
from pathlib import Path
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.io.listener_path import load_path
from audiogs_core.io.audio import read_wav
from audiogs_core.train.data import training_data_from_capture
from audiogs_core.train.presets import get_preset
from audiogs_core.train.trainer import train_model
from audiogs_core.renderer import load_model, render_path
from audiogs_core.metrics.tracking import track
import audiogs_core.model.split_field as sf
import audiogs_core.renderer as rnd
from audiogs_core.metrics.prepare import prepare

capdir, out, path_name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
overrides = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
cap = load_capture(capdir); audio = load_capture_audio(cap)
import dataclasses
cap = dataclasses.replace(cap, views=[dataclasses.replace(v, split="train" if v.name.startswith("ring") else "test")
                                      for v in cap.views])
data = training_data_from_capture(cap, audio)
print("train views", data.view_names)
if not (out / "model.json").exists():
    p = get_preset("physical")
    train_model(data, replace(p.settings, **overrides), p.flags, out_dir=out)
loaded = load_model(out)
path = load_path(capdir / "paths" / f"{path_name}.json")
target, sr = read_wav(capdir / "paths" / f"{path_name}.wav")
orig = sf.split_parts
def only(kind):
    def f(model, frames):
        p = orig(model, frames)
        return sf.SplitParts(p.magnitude * (kind == "direct"), p.phase, p.room * (kind == "room"))
    return f
for kind in ("all", "direct", "room"):
    sf.split_parts = rnd.split_parts = orig if kind == "all" else only(kind)
    loaded.forget_span()
    pred = render_path(loaded, path)
    p_, g_ = prepare(pred, target, sr)
    pc, tt = track(p_, 16000), track(g_, 16000)
    err = (pc.level - tt.level).mean(axis=0)
    print(f"{kind:6s}", " ".join(f"{x:+5.1f}" for x in err))
    print(f"{kind:6s} itd", " ".join(f"{x:+6.3f}" for x in pc.itd))
    if kind == "all":
        print("pred L", " ".join(f"{x:6.1f}" for x in pc.level[0]))
        print("tgt  L", " ".join(f"{x:6.1f}" for x in tt.level[0]))
        print("tgt    itd", " ".join(f"{x:+6.3f}" for x in tt.itd))
