"""Per train view of a development ring: the onset-gated ITD of the view and of what is left when the
close mic's same-frame transfer is taken out, and how much of the view's onset energy is left."""
import sys, numpy as np, torch
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.conventions import stft_settings
from audiogs_core.train import recorded_room as rr
from audiogs_core.dsp.stft import istft, stft
from audiogs_core.metrics.itd import robust_itd, onset_cells
cap = load_capture(sys.argv[1]); audio = load_capture_audio(cap); sr = audio.sample_rate
st = stft_settings(sr); c = 343.0
src = np.array(cap.sources[0].position); refpos = np.array(cap.reference.pose.position)
rd = np.linalg.norm(refpos - src)
names = [v.name for v in cap.views if v.name.startswith("ring")]
pos = {v.name: np.array(v.pose.position) for v in cap.views}
X = stft(torch.from_numpy(audio.reference[:1].astype(np.float32)), st)[0]
T = audio.num_samples
rooms = []
def onset_share(a, b):
    s, keep, n = onset_cells(a, sr)
    s2 = onset_cells(b, sr)[0]
    pa = (np.abs(s) ** 2).sum(0)[keep].sum(); pb = (np.abs(s2) ** 2).sum(0)[keep].sum()
    return 10 * np.log10(pb / pa)
for nm in names:
    d = np.linalg.norm(pos[nm] - src)
    Y = next(rr.aligned_views(audio.views[nm][None], np.array([d]), rd, st, c))
    R = rr.without_direct(Y, X)
    rooms.append(R)
    y = istft(Y, st, T).numpy(); r = istft(R, st, T).numpy()
    print(f"{nm} d {d:4.2f} itd view {robust_itd(y, sr)*1e3:+.3f} resid {robust_itd(r, sr)*1e3:+.3f}  resid energy {10*np.log10((r**2).sum()/(y**2).sum()):+.1f} dB  at view onsets {onset_share(y, r):+.1f} dB")
room = rr.summed(rooms, st, T)
print("summed room itd", robust_itd(room, sr) * 1e3)
