"""Table of sweep 8's results (s12_train_eval.py JSON): static test views and paths, per method.

    python docs/experiments/s12_table.py FILE.json [FILE.json ...]
"""
import json, sys
from pathlib import Path

STATIC = ("MAG", "LRE", "ITDE", "ICE", "DPAM", "DPAM_ears")
TRACK = ("LEVEL", "ILD", "ITD", "TREND")
print(f"{'run':34} {'method':13} " + " ".join(f"{m:>7}" for m in STATIC) + " | " + " ".join(f"{m:>6}" for m in TRACK))
for f in sys.argv[1:]:
    d = json.loads(Path(f).read_text())
    for method, scores in d["methods"].items():
        if method != "audiogs" and f != sys.argv[1]:
            continue  # baselines once
        s = scores["3s"]
        t = d.get("path_methods", {}).get(method, {})
        tr = t.get("track", {})
        ms = t.get("3s", {})
        label = Path(f).stem if method == "audiogs" else ""
        print(f"{label:34} {method:13} " + " ".join(f"{s.get(m, float('nan')):7.3f}" for m in STATIC)
              + " | " + " ".join(f"{tr.get(m, float('nan')):6.2f}" for m in TRACK)
              + f"  paths ICE {ms.get('ICE', float('nan')):.3f} MAG {ms.get('MAG', float('nan')):.3f}")
