"""At each train (ring) view: the direct sound's energy per octave band measured from the close mic
to the view as an impulse response (regularised deconvolution over the whole recording, the
direct window +-1.5 ms round its peak), against the model's direct part alone rendered there,
both relative to the view's total energy."""
import sys, numpy as np, torch
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.renderer import load_model, render_static
import audiogs_core.model.split_field as sf
import audiogs_core.renderer as rnd
cap = load_capture(sys.argv[1]); audio = load_capture_audio(cap); sr = audio.sample_rate
models = sys.argv[2:]
src = np.array(cap.sources[0].position); refpos = np.array(cap.reference.pose.position)
x = audio.reference[0].astype(np.float64); T = len(x)
N = 1 << (2 * T).bit_length()
X = np.fft.rfft(x, N); f = np.fft.rfftfreq(N, 1 / sr)
bands = [125, 250, 500, 1000, 2000, 4000]
def band_energy(sig_f, fr):
    return np.array([np.sum(np.abs(sig_f[..., (fr >= b / np.sqrt(2)) & (fr < b * np.sqrt(2))]) ** 2) for b in bands])
orig = sf.split_parts
def direct_only(model, frames):
    p = orig(model, frames)
    return sf.SplitParts(p.magnitude, p.phase, p.room * 0)
loaded = [load_model(m) for m in models]
rows = []
for v in cap.views:
    if not v.name.startswith("ring"): continue
    y = audio.views[v.name].astype(np.float64)
    reg = 1e-3 * np.mean(np.abs(X) ** 2)
    H = np.fft.rfft(y, N) * np.conj(X)[None] / (np.abs(X) ** 2 + reg)
    h = np.fft.irfft(H, N)[:, : int(0.6 * sr)]
    delay = (np.linalg.norm(np.array(v.pose.position) - src) - np.linalg.norm(refpos - src)) / 343.0
    peak = int(np.argmax(np.abs(h).sum(0)[: int((delay + 0.005) * sr)]))
    w = np.zeros(h.shape[1]); a, b = max(0, peak - int(0.0015 * sr)), peak + int(0.0015 * sr)
    w[a:b] = 1
    hd = h * w
    # direct energy at the view: the close mic through the direct window
    yd = np.fft.irfft(np.fft.rfft(hd, N) * X[None], N)[:, :T]
    ev = band_energy(np.fft.rfft(y, N), f); ed = band_energy(np.fft.rfft(yd, N), f)
    line = [10 * np.log10(ed / ev)]
    for L in loaded:
        sf.split_parts = rnd.split_parts = direct_only; L.forget_span()
        pd = render_static(L, v.pose.position, v.pose.rotation)
        sf.split_parts = rnd.split_parts = orig; L.forget_span()
        line.append(10 * np.log10(band_energy(np.fft.rfft(pd.astype(np.float64), N), f) / ev))
    rows.append(line)
    print(v.name, f"peak at {peak/sr*1e3:.2f} ms (expected {delay*1e3:.2f})", " | ".join(" ".join(f"{e:+5.1f}" for e in l) for l in line))
m = np.mean(np.array(rows), axis=0)
print("mean", " | ".join(" ".join(f"{e:+5.1f}" for e in l) for l in m), "  (bands", bands, "; measured | each model)")
