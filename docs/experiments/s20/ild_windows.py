"""Per 0.5 s window along a dev capture's path: the truth's ILD (dB, the tracking metric's), the
model's error in it, and per octave band the ILD error (dB) of the model's whole render:
    ild_windows.py CAPTURE MODEL PATH_NAME"""
import sys
from pathlib import Path

import numpy as np

from audiogs_core.io.audio import read_wav
from audiogs_core.io.listener_path import load_path
from audiogs_core.metrics.prepare import prepare
from audiogs_core.metrics.tracking import track
from audiogs_core.renderer import load_model, render_path

capdir, mdir, name = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
path = load_path(capdir / "paths" / f"{name}.json")
target, sr = read_wav(capdir / "paths" / f"{name}.wav")
a, b = prepare(render_path(load_model(mdir), path), target, sr)
BANDS = (125, 250, 500, 1000, 2000, 4000)
N = 8000


def band_ild(x):  # [2, T] -> [B, W]
    w = x.shape[1] // N
    spec = np.abs(np.fft.rfft(x[:, : w * N].reshape(2, w, N), axis=-1)) ** 2
    f = np.fft.rfftfreq(N, 1 / 16000)
    e = np.array([spec[..., (f >= c / 2 ** .5) & (f < c * 2 ** .5)].sum(-1) for c in BANDS])  # [B, 2, W]
    return 10 * np.log10(e[:, 0] + 1e-20) - 10 * np.log10(e[:, 1] + 1e-20)


pt, tt = track(a, 16000), track(b, 16000)
bands = band_ild(a) - band_ild(b)
print("time  ILD_true  err  |", " ".join(f"{c:>5d}" for c in BANDS))
for w in range(len(tt.ild)):
    print(f"{tt.times[w]:4.2f} {tt.ild[w]:+6.2f} {pt.ild[w] - tt.ild[w]:+5.2f} |", " ".join(f"{x:+5.1f}" for x in bands[:, w]))
print(f"mean |err| {np.abs(pt.ild - tt.ild).mean():.2f}; per band mean |err|", " ".join(f"{x:.2f}" for x in np.abs(bands).mean(1)))
