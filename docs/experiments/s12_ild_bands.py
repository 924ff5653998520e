"""Per-octave-band ILD (L/R energy, dB) of a model's renders against the ground truth, with the
model's direct part alone, on a development capture's views.

    python docs/experiments/s12_ild_bands.py MODEL CAPTURE VIEW[,VIEW...]
"""
import sys
import numpy as np
import torch
from scipy.signal import butter, sosfiltfilt

from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.renderer import load_model, render_static

BANDS = (125, 250, 500, 1000, 2000, 4000)


def band_ild(x, sr):
    out = []
    for fc in BANDS:
        sos = butter(4, [fc / np.sqrt(2), min(fc * np.sqrt(2), 0.49 * sr)], btype="band", fs=sr, output="sos")
        y = sosfiltfilt(sos, x, axis=-1)
        out.append(10 * np.log10((y[0] ** 2).sum() / (y[1] ** 2).sum()))
    sos = butter(2, 100, btype="high", fs=sr, output="sos")
    y = sosfiltfilt(sos, x, axis=-1)
    out.append(10 * np.log10((y[0] ** 2).sum() / (y[1] ** 2).sum()))
    return np.array(out)


model_dir, cap_dir, views = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
cap = load_capture(cap_dir)
audio = load_capture_audio(cap)
loaded = load_model(model_dir)
sr = loaded.sample_rate
print("view        " + " ".join(f"{b:>6}" for b in BANDS) + "  broad")
for name in views:
    v = cap.view(name)
    gt = audio.views[name]
    pred = render_static(loaded, v.pose.position, v.pose.rotation)
    n = min(gt.shape[1], pred.shape[1])
    rows = {"truth": band_ild(gt[:, :n], sr), "model": band_ild(pred[:, :n], sr)}
    if loaded.model.flags.split_field:
        saved = loaded.model.tail_db.detach().clone()
        with torch.no_grad():
            loaded.model.tail_db.fill_(-200.0)
        direct = render_static(loaded, v.pose.position, v.pose.rotation)
        with torch.no_grad():
            loaded.model.tail_db.copy_(saved)
        rows["direct"] = band_ild(direct[:, :n], sr)
        e_d = (direct[:, :n] ** 2).sum(); e_all = (pred[:, :n] ** 2).sum()
        rows["direct"] = rows["direct"]
        print(f"{name}: direct share of the render's energy {e_d / e_all:.2f}")
    for k, r in rows.items():
        print(f"{name[:5]:>5} {k:>6} " + " ".join(f"{x:6.1f}" for x in r))
