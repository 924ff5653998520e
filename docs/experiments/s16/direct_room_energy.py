"""Train the default on a development ring (close mic) and split its rendered energy into the
direct part and the room, at the train views and at nearer listeners facing the talker."""
import sys, json, numpy as np, torch
from dataclasses import replace
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.train.data import training_data_from_capture, make_windows
from audiogs_core.train.presets import get_preset
from audiogs_core.train.trainer import train_model
from audiogs_core.model.split_field import split_parts, render_split_spec, SplitParts
from audiogs_core.model.direct import straight_routes
from audiogs_core.dsp.stft import stft, bin_frequencies, band_of_bins
from audiogs_core.geometry import quat_to_matrix

cap = load_capture(sys.argv[1]); audio = load_capture_audio(cap)
overrides = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
data = training_data_from_capture(cap, audio)
p = get_preset("physical")
res = train_model(data, replace(p.settings, epochs=int(overrides.pop("epochs", 20)), **overrides), p.flags)
m = res.model
print("alpha", 1 + float(torch.tanh(m.decay.detach().mean())))
freqs = bin_frequencies(m.grid.stft).numpy()
bands = band_of_bins(freqs, [125, 250, 500, 1000, 2000, 4000])
s = m.grid.stft
from audiogs_core.metrics.highpass import highpass
ref = highpass(data.reference.astype(np.float32), s.sample_rate)
if res.room is not None:
    ref = np.concatenate([ref, res.room])
frames = stft(torch.from_numpy(ref), s)
n_hist = 8
frames = torch.cat([torch.zeros_like(frames[..., :n_hist]), frames], -1)
n = frames.shape[-1] - n_hist
times = torch.arange(n, dtype=torch.float64) * s.hop / s.sample_rate
src = m.source_position.detach().double().numpy()
with torch.no_grad():
    parts = split_parts(m, frames)
    pd = SplitParts(parts.magnitude, parts.phase, parts.room * 0)
    pr = SplitParts(parts.magnitude * 0, parts.phase, parts.room)
    print("gain_db per band", [round(float(np.mean(m.gain_db.numpy()[bands == b])), 1) for b in range(6)])
    for dist in [1.75, 1.3, 0.8, 0.5]:
        pos = src + np.array([dist, 0, 0])
        # facing the talker (-x): use ring0's rotation (ring0 stands at +x of the talker)
        rot = quat_to_matrix(np.asarray(cap.views[0].pose.rotation)[None])
        P = torch.as_tensor(pos, dtype=torch.float32)[None, None]
        R = torch.as_tensor(rot, dtype=torch.float32)[:, None]
        route = straight_routes(m, P)
        e = []
        for pp in (pd, pr, parts):
            spec = render_split_spec(m, frames, n_hist, times, P, R, route, parts=pp)
            e.append((spec.abs() ** 2).mean(dim=(0, 1, 3)).numpy())
        row = lambda x: " ".join(f"{10*np.log10(x[bands == b].sum() + 1e-30):6.1f}" for b in range(6))
        print(f"r={dist:4.2f} direct {row(e[0])} | room {row(e[1])} | total {row(e[2])}")

from audiogs_core.train.recorded_room import advanced

with torch.no_grad():
    X = stft(torch.from_numpy(highpass(data.reference.astype(np.float32), s.sample_rate)), s)[0]
    Pw = (X.abs() ** 2).sum(-1)
    r_ref = float(m.reference_source_distance)
    for i, name in enumerate(data.view_names[:3]):
        pos = data.view_positions[i]; r = np.linalg.norm(src - pos)
        view = highpass(data.view_audio[i], s.sample_rate)
        Y = stft(torch.from_numpy(advanced(view, int(round((r - r_ref) / 343 * s.sample_rate)))), s)
        h = (Y * X.conj()[None]).sum(-1) / (Pw + 1e-30)[None]
        e_hx = (h.abs() ** 2 * Pw[None]).mean(0) / Y.shape[-1]
        e_view = (Y.abs() ** 2).mean(dim=(0, 2))
        P = torch.as_tensor(pos, dtype=torch.float32)[None, None]
        R = torch.as_tensor(quat_to_matrix(data.view_rotations[i:i+1]), dtype=torch.float32)[:, None]
        route = straight_routes(m, P)
        e = [(render_split_spec(m, frames, n_hist, times, P, R, route, parts=pp).abs() ** 2).mean(dim=(0, 1, 3)).numpy()
             for pp in (pd, pr, parts)]
        row = lambda x: " ".join(f"{10*np.log10(x[bands == b].sum() + 1e-30):6.1f}" for b in range(6))
        print(f"{name} model direct {row(e[0])} | room {row(e[1])} | total {row(e[2])}")
        print(f"{name} view   hX     {row(e_hx.numpy())} | rest {row((e_view - e_hx).numpy())} | view  {row(e_view.numpy())}")
