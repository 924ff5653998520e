"""Each path's track errors for model folders on a dev capture: path_table.py CAPTURE MODEL..."""
import sys
from pathlib import Path
from audiogs_core.io.audio import read_wav
from audiogs_core.io.capture import load_capture
from audiogs_core.io.listener_path import load_path
from audiogs_core.metrics.prepare import prepare
from audiogs_core.metrics.tracking import track, tracking_errors
from audiogs_core.renderer import load_model, render_path

capdir = Path(sys.argv[1]); cap = load_capture(capdir)
for mdir in sys.argv[2:]:
    loaded = load_model(mdir)
    for p in cap.paths:
        target, sr = read_wav(capdir / p.audio)
        a, b = prepare(render_path(loaded, load_path(capdir / p.path)), target, sr)
        e = tracking_errors(track(a, 16000), track(b, 16000))
        print(f"{Path(mdir).name:10s} {p.name:14s}", " ".join(f"{k} {e.get(k, float('nan')):.3f}" for k in ("LEVEL", "ILD", "ITD", "TREND")))
