"""Per 0.5 s window, a baseline's level error along a dev capture's path (ring views as split C):
baseline_windows.py CAPTURE PATH_NAME BASELINE"""
import dataclasses, sys
import numpy as np
from pathlib import Path
from audiogs_core.baselines.inputs import BaselineInputs
from audiogs_core.baselines.registry import build_baseline
from audiogs_core.io.audio import read_wav
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.io.listener_path import load_path
from audiogs_core.metrics.prepare import prepare
from audiogs_core.metrics.tracking import track
from audiogs_core.train.data import training_data_from_capture

capdir, name, method = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
cap = load_capture(capdir); audio = load_capture_audio(cap)
cap = dataclasses.replace(cap, views=[dataclasses.replace(v, split="train" if v.name.startswith("ring") else "test")
                                      for v in cap.views])
m = build_baseline(method, BaselineInputs.from_training(training_data_from_capture(cap, audio)))
path = load_path(capdir / "paths" / f"{name}.json"); target, sr = read_wav(capdir / "paths" / f"{name}.wav")
p_, g_ = prepare(m.predict_path(path), target, sr)
pc, tt = track(p_, 16000), track(g_, 16000)
print(f"{method:10s}", " ".join(f"{x:+5.1f}" for x in (pc.level - tt.level).mean(axis=0)))
