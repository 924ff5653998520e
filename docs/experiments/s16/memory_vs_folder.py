"""The bench renders the trained model in memory; the product from its folder. Same sound?"""
import sys, dataclasses, numpy as np, torch
from dataclasses import replace
from pathlib import Path
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.io.listener_path import load_path
from audiogs_core.io.audio import read_wav
from audiogs_core.train.data import training_data_from_capture
from audiogs_core.train.presets import get_preset
from audiogs_core.train.trainer import train_model
from audiogs_core.renderer import load_model, render_path, LoadedModel
from audiogs_core.metrics.prepare import prepare
from audiogs_core.metrics.tracking import track

capdir, out = Path(sys.argv[1]), Path(sys.argv[2])
cap = load_capture(capdir); audio = load_capture_audio(cap)
cap = dataclasses.replace(cap, views=[dataclasses.replace(v, split="train" if v.name.startswith("ring") else "test")
                                      for v in cap.views])
data = training_data_from_capture(cap, audio)
p = get_preset("physical")
res = train_model(data, replace(p.settings, epochs=int(sys.argv[3])), p.flags, out_dir=out)
mem = LoadedModel(model=res.model, reference=data.reference, meta=res.meta, room=res.room)
disk = load_model(out)
path = load_path(capdir / "paths" / "dolly_in.json")
target, sr = read_wav(capdir / "paths" / "dolly_in.wav")
for name, lm in (("memory", mem), ("folder", disk), ("folder-no-occl", dataclasses.replace(disk, occlusion=None))):
    pred = render_path(lm, path)
    p_, g_ = prepare(pred, target, sr)
    err = (track(p_, 16000).level - track(g_, 16000).level).mean(axis=0)
    print(f"{name:15s}", " ".join(f"{x:+5.1f}" for x in err))
a = {k: v.detach() for k, v in res.model.tensors().items()}
b = {k: v.detach() for k, v in disk.model.tensors().items()}
for k in a:
    if not torch.equal(a[k].cpu(), b[k].cpu()):
        print("tensor differs", k, float((a[k].cpu() - b[k].cpu()).abs().max()))
for k in ("source_position", "direct_distance", "reference_source_distance"):
    print(k, getattr(res.model, k), getattr(disk.model, k))
