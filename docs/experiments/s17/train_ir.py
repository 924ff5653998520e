"""train_var.py with direct_level "transfer" measured from an impulse response: the close mic to
each view deconvolved over the whole recording, the direct sound's window [peak - 1 ms, peak + 2 ms]."""
import sys, numpy as np
import audiogs_core.train.diffuse_fit as dfit

def ir_direct_power(views, view_distances, reference, reference_distance, settings, speed_of_sound):
    sr = settings.sample_rate
    x = reference[0].astype(np.float64); T = len(x)
    N = 1 << (2 * T).bit_length()
    X = np.fft.rfft(x, N); reg = 1e-3 * np.mean(np.abs(X) ** 2)
    total = np.zeros(settings.n_freq)
    for y, d in zip(views, view_distances):
        H = np.fft.rfft(y.astype(np.float64), N) * np.conj(X)[None] / (np.abs(X) ** 2 + reg)
        h = np.fft.irfft(H, N)
        lag = int(round((float(d) - reference_distance) / speed_of_sound * sr))
        lo, hi = lag - int(0.001 * sr), lag + int(0.004 * sr)
        idx = np.arange(lo, hi) % N
        peak = idx[int(np.argmax(np.abs(h[:, idx]).sum(0)))]
        win = (np.arange(peak - int(0.001 * sr), peak + int(0.002 * sr))) % N
        hd = h[:, win]
        total += (np.abs(np.fft.rfft(hd, settings.n_fft, axis=-1)) ** 2).mean(axis=0)
    return total / len(views)

dfit.transfer_power = ir_direct_power
sys.argv = [sys.argv[0]] + sys.argv[1:]
exec(open(__file__.replace("train_ir.py", "train_var.py")).read())
