"""Per octave band and 0.5 s window along a dev capture's path, the level error (dB, mean of the
ears) of a model's whole render, its direct part alone and its room alone, against the truth's
whole: band_windows.py CAPTURE MODEL PATH_NAME"""
import sys
import numpy as np
from pathlib import Path
from audiogs_core.io.audio import read_wav
from audiogs_core.io.listener_path import load_path
from audiogs_core.metrics.prepare import prepare
from audiogs_core.renderer import load_model, render_path
import audiogs_core.model.split_field as sf
import audiogs_core.renderer as rnd

capdir, mdir, name = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
path = load_path(capdir / "paths" / f"{name}.json"); target, sr = read_wav(capdir / "paths" / f"{name}.wav")
loaded = load_model(mdir)
orig = sf.split_parts
BANDS = (125, 250, 500, 1000, 2000, 4000)


def only(kind):
    def parts(model, frames):
        p = orig(model, frames)
        return sf.SplitParts(p.magnitude * (kind != "room"), p.phase, p.room * (kind != "direct"))
    return parts


def band_levels(x):  # [2, T] at 16 kHz -> [B, W] dB, mean of the ears' energy
    n = 8000
    w = x.shape[1] // n
    spec = np.abs(np.fft.rfft(x[:, : w * n].reshape(2, w, n), axis=-1)) ** 2
    f = np.fft.rfftfreq(n, 1 / 16000)
    return np.array([10 * np.log10(spec[..., (f >= b / 2 ** .5) & (f < b * 2 ** .5)].sum(-1).mean(0) + 1e-20)
                     for b in BANDS])


truth = None
for kind in ("all", "direct", "room"):
    sf.split_parts = rnd.split_parts = only(kind)
    loaded.forget_span()
    p_, g_ = prepare(render_path(loaded, path), target, sr)
    truth = band_levels(g_) if truth is None else truth
    err = band_levels(p_) - truth
    for b, row in zip(BANDS, err):
        print(f"{kind:6s} {b:5d}", " ".join(f"{x:+5.1f}" for x in row))
