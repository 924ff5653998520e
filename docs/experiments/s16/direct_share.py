"""How much of each ring view the close mic's same-frame transfer explains, against the physical
direct sound (1/r from the close mic, sphere head), per octave band."""
import sys, numpy as np, torch
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.conventions import stft_settings
from audiogs_core.dsp.stft import stft, bin_frequencies, band_of_bins
from audiogs_core.geometry import quat_to_matrix
from audiogs_core.model.head_model import SphereHead
from audiogs_core.train.recorded_room import advanced

cap = load_capture(sys.argv[1]); audio = load_capture_audio(cap)
s = stft_settings(audio.sample_rate)
src = np.asarray(cap.sources[0].position); refpos = np.asarray(cap.reference.pose.position)
r_ref = np.linalg.norm(src - refpos)
X = stft(torch.from_numpy(audio.reference[:1].astype(np.float32)), s)[0]
freqs = bin_frequencies(s).float()
bands = band_of_bins(freqs.numpy(), [125, 250, 500, 1000, 2000, 4000])
head = SphereHead(cap.head_radius, 343.0)
print("view  r   per band: 10log10(E_hX/E_phys)  | 10log10(E_hX/E_view)")
for v in cap.views:
    pos = np.asarray(v.pose.position); r = np.linalg.norm(src - pos)
    shift = int(round((r - r_ref) / 343.0 * audio.sample_rate))
    Y = stft(torch.from_numpy(advanced(audio.views[v.name].astype(np.float32), shift)), s)
    P = (X.abs() ** 2).sum(-1)
    h = (Y * X.conj()[None]).sum(-1) / (P + 1e-30)[None]
    e_hx = (h.abs() ** 2 * P[None]).mean(0)
    e_view = (Y.abs() ** 2).sum(-1).mean(0)
    rot = torch.as_tensor(quat_to_matrix(np.asarray(v.pose.rotation)[None]), dtype=torch.float32)
    rel = torch.as_tensor(src - pos, dtype=torch.float32)[None]
    loc = (rot * rel.unsqueeze(-1)).sum(-2)
    gl, gr, _ = head.ears(loc, freqs)
    e_phys = ((gl[0] ** 2 + gr[0] ** 2) / 2) * (r_ref / r) ** 2 * P
    row1 = []; row2 = []
    for b in range(6):
        m = torch.from_numpy(bands == b)
        row1.append(10 * np.log10(float(e_hx[m].sum() / e_phys[m].sum())))
        row2.append(10 * np.log10(float(e_hx[m].sum() / e_view[m].sum())))
    print(f"{v.name:6s} {r:.2f} " + " ".join(f"{x:5.1f}" for x in row1) + " | " + " ".join(f"{x:5.1f}" for x in row2))
