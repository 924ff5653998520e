"""How loud the truth's first-order reflections are at a dev capture's ring views, against what
the model poses (r_v / d_i and Eyring's loss from the views' decay): per octave band, each
reaching reflection's window (+-1 ms round its image's arrival) of the close mic's measured
impulse response to the view over the direct sound's window.  reflection_level.py CAPTURE"""
import sys
import numpy as np
from audiogs_core.conventions import stft_settings
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.model.occlusion import RoomOcclusion
from audiogs_core.model.reflections import first_order, reflection_loss_db
from audiogs_core.train.data import training_data_from_capture
from audiogs_core.train.recorded_room import views_decay_tau

cap = load_capture(sys.argv[1]); audio = load_capture_audio(cap); data = training_data_from_capture(cap, audio)
sr = audio.sample_rate; c = 343.0
src = np.array(cap.sources[0].position); ref = np.array(cap.reference.pose.position)
r_ref = np.linalg.norm(ref - src)
room = RoomOcclusion(data.room_polygons)
x = audio.reference[0].astype(np.float64); T = len(x); N = 1 << (2 * T).bit_length()
X = np.fft.rfft(x, N); P = np.abs(X) ** 2
bands = [125, 250, 500, 1000, 2000, 4000]
ring = [v for v in cap.views if v.name.startswith("ring")]
views = np.stack([audio.views[v.name] for v in ring])
tau = views_decay_tau(views, stft_settings(sr))
freqs = np.fft.rfftfreq(stft_settings(sr).n_fft, 1 / sr)
loss = reflection_loss_db(room, tau, c)
band_loss = [float(np.mean(loss[(freqs >= b / 2 ** .5) & (freqs < b * 2 ** .5)])) for b in bands]
print("posed loss per band (dB)", " ".join(f"{l:.2f}" for l in band_loss), " V", room.volume, "S", room.area)
half = int(0.001 * sr)
rows = []
for v, y in zip(ring, views):
    pos = np.array(v.pose.position); r_v = np.linalg.norm(pos - src)
    H = np.fft.rfft(y.astype(np.float64), N) * np.conj(X)[None] / (P + 1e-3 * P.mean())
    h = np.fft.irfft(H, N)

    def window_bands(lag_s):
        at = int(round(lag_s * sr))
        w = h[:, np.arange(at - half, at + half + 1) % N]
        spec = np.abs(np.fft.rfft(w, 4096, axis=-1)) ** 2
        f = np.fft.rfftfreq(4096, 1 / sr)
        return np.array([spec[:, (f >= b / 2 ** .5) & (f < b * 2 ** .5)].sum() for b in bands])

    direct = window_bands((r_v - r_ref) / c)
    found = first_order(room, src, pos[None])
    for i in np.flatnonzero(found.reaches[0]):
        d = found.length[0, i]
        got = 10 * np.log10(window_bands((d - r_ref) / c) / direct)
        posed = 20 * np.log10(r_v / d) - np.array(band_loss)
        rows.append(got - posed)
        print(v.name, f"image {i} d {d:.2f} r {r_v:.2f} lag {1e3 * (d - r_v) / c:.1f} ms  truth-posed dB",
              " ".join(f"{e:+5.1f}" for e in got - posed))
print("mean truth - posed per band", " ".join(f"{e:+5.1f}" for e in np.mean(rows, axis=0)), bands)
