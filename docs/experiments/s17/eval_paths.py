"""Track errors of model folders on a dev capture's paths: python eval_paths.py CAPTURE MODEL..."""
import sys, numpy as np
from pathlib import Path
from audiogs_core.io.capture import load_capture
from audiogs_core.io.listener_path import load_path
from audiogs_core.io.audio import read_wav
from audiogs_core.renderer import load_model, render_path
from audiogs_core.metrics.tracking import track, tracking_errors
from audiogs_core.metrics.prepare import prepare
capdir = Path(sys.argv[1]); cap = load_capture(capdir)
for mdir in sys.argv[2:]:
    loaded = load_model(mdir); rows = {}
    for p in cap.paths:
        path = load_path(capdir / p.path); target, sr = read_wav(capdir / p.audio)
        pred = render_path(loaded, path)
        a, b = prepare(pred, target, sr)
        rows[p.name] = tracking_errors(track(a, 16000), track(b, 16000))
    keys = ["LEVEL", "ILD", "ITD", "TREND"]
    mean = {k: np.mean([r[k] for r in rows.values() if k in r]) for k in keys}
    print(f"{Path(mdir).name:22s}", " ".join(f"{k} {mean[k]:.3f}" for k in keys), "| ITD per path", " ".join(f"{r.get('ITD', float('nan')):.3f}" for r in rows.values()))
