"""A development capture's twin whose reference is one of its ring views (binaural, known pose).

Split A/C's "view" reference setting on development data: the reference is a binaural recording
standing in the room (it carries one head's filtering and the room), trained on like the benchmark's
view folds (the reference view stays a train view).

    python docs/experiments/s12_view_reference.py CAPTURE OUT [--view ring2]
"""
import argparse, json, shutil
from pathlib import Path

p = argparse.ArgumentParser()
p.add_argument("capture"); p.add_argument("out"); p.add_argument("--view", default="ring2")
a = p.parse_args()
src, out = Path(a.capture), Path(a.out)
if out.exists():
    shutil.rmtree(out)
shutil.copytree(src, out, symlinks=False)
cap = json.loads((out / "capture.json").read_text())
view = next(v for v in cap["views"] if v["name"] == a.view)
assert view["split"] == "train", f"{a.view} must be a train view"
cap["reference"] = {"audio": view["audio"], "pose": dict(view["pose"])}
(out / "capture.json").write_text(json.dumps(cap, indent=1))
print(out, "reference", a.view, view["pose"])
