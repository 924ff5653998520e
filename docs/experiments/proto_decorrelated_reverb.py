# A prototype run of session 2 (2026-11-26), kept as the record of an experiment, not as
# product code: it patches AudioGS rendering at commit 0951992 and runs the tuning script.
# Results: docs/experiments/p1_*.json; discussion: BENCHMARKS.md, sweep 5.
# python docs/experiments/proto_decorrelated_reverb.py CAPTURE --validate ... --preset tuned --variant "decor:flags.diffuse_itd=true"
"""Prototype (not in the code): render the reverberant share of each cell with interaurally
decorrelated phases (the dry reference's phase d_L / d_R frames earlier per ear) and give the
full ITD to the direct share only.  Runs the tuning script with assemble patched."""
import math, sys, importlib.util
import torch
import audiogs_core.model.render as R
from audiogs_core.dsp.stft import bin_frequencies

D_L, D_R = 7, 13
_orig = R.assemble

def assemble(model, ref_spec, resp, w, ref_mag=None, itd_weight=None):
    if itd_weight is None or resp.tau is None:
        return _orig(model, ref_spec, resp, w, ref_mag, itd_weight)
    a = itd_weight  # [N, F] direct amplitude fraction
    level = torch.pow(10.0, model.gain_db / 20.0) * ref_mag
    mag_l = level * R._interp(resp.gain_l, w)
    mag_r = level * R._interp(resp.gain_r, w)
    ref_phase = torch.angle(ref_spec).transpose(1, 2)  # [C, N, F]
    omega = 2.0 * math.pi * bin_frequencies(model.grid.stft).to(mag_l.device, mag_l.dtype)
    tau = R._interp(resp.tau, w)
    delta = R._interp(resp.delta, w)
    pr = ref_phase[-1] + omega * (0.5 * tau - delta)
    pl = ref_phase[0] + omega * (-0.5 * tau - delta)
    rl = torch.roll(ref_phase[0], D_L, dims=0)
    rr = torch.roll(ref_phase[-1], D_R, dims=0)
    b = torch.sqrt((1.0 - a * a).clamp_min(0.0))
    zl = mag_l * (a * torch.exp(1j * pl) + b * torch.exp(1j * rl))
    zr = mag_r * (a * torch.exp(1j * pr) + b * torch.exp(1j * rr))
    return torch.stack([zl, zr], dim=1).transpose(2, 3)

R.assemble = assemble
spec = importlib.util.spec_from_file_location("tune", str(__import__("pathlib").Path(__file__).resolve().parents[2] / "scripts" / "tune_on_train_views.py"))
tune = importlib.util.module_from_spec(spec); spec.loader.exec_module(tune)
sys.exit(tune.main(sys.argv[1:]))
