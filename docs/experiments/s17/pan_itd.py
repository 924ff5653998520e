"""Lateral angle and the sphere and KEMAR head models' ITD along a development path: pan_itd.py CAPTURE PATH"""
import json, sys, numpy as np, torch
from audiogs_core.model.head_model import head_model
cap = sys.argv[1]; name = sys.argv[2]
capj = json.load(open(f"{cap}/capture.json")); src = np.array(capj["sources"][0]["position"])
frames = json.load(open(f"{cap}/paths/{name}.json"))["frames"]
def R(q):
    w,x,y,z = q
    return np.array([[1-2*(y*y+z*z),2*(x*y-w*z),2*(x*z+w*y)],[2*(x*y+w*z),1-2*(x*x+z*z),2*(y*z-w*x)],[2*(x*z-w*y),2*(y*z+w*x),1-2*(x*x+y*y)]])
sph = head_model("sphere", 16000, 0.09, 343.0); kem = head_model("kemar", 16000, 0.09, 343.0)
f = torch.linspace(300, 6000, 60)
for fr in frames[::5]:
    v = R(fr["rotation"]).T @ (src - np.array(fr["position"]))
    vt = torch.tensor(v, dtype=torch.float32)
    ts = sph.ears(vt, f)[2].mean().item()*1e3; tk = kem.ears(vt, f)[2].mean().item()*1e3
    print(f"{fr['time']:5.2f} lat {np.degrees(np.arcsin(v[0]/np.linalg.norm(v))):6.1f} sphere {ts:+.3f} kemar {tk:+.3f}")
