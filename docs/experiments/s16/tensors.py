import sys, numpy as np, torch
from dataclasses import replace
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.train.data import training_data_from_capture
from audiogs_core.train.presets import get_preset
from audiogs_core.train.trainer import train_model
cap = load_capture(sys.argv[1]); audio = load_capture_audio(cap)
data = training_data_from_capture(cap, audio)
p = get_preset("physical")
res = train_model(data, replace(p.settings, epochs=3), p.flags)
np.savez(sys.argv[2], **{k: v.detach().numpy() for k, v in res.model.tensors().items()})
