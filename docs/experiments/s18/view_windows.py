"""A model's level error (track's per-window level, mean over windows and ears) at each ring view of
a dev capture, rendered standing: view_windows.py CAPTURE MODEL"""
import sys
import numpy as np
from pathlib import Path
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.metrics.prepare import prepare
from audiogs_core.metrics.tracking import track
from audiogs_core.renderer import load_model, render_static

capdir = Path(sys.argv[1]); cap = load_capture(capdir); audio = load_capture_audio(cap)
loaded = load_model(sys.argv[2])
src = np.array(cap.sources[0].position)
for v in cap.views:
    if not v.name.startswith("ring"):
        continue
    pred = render_static(loaded, v.pose.position, v.pose.rotation)
    p_, g_ = prepare(pred, audio.views[v.name], audio.sample_rate)
    pc, tt = track(p_, 16000), track(g_, 16000)
    e = pc.level - tt.level
    print(v.name, "quat", np.round(v.pose.rotation, 3), f"level error L {e[0].mean():+.2f} R {e[1].mean():+.2f}",
          f"energy error {10 * np.log10(np.mean(p_.astype(float) ** 2) / np.mean(g_.astype(float) ** 2)):+.2f}")
