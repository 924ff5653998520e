"""Independent float64 numpy formulas of the metrics, for the tests only.

Written from the docs/DESIGN.md §7, without calling the package's
STFT or metric code, so that a shared mistake cannot hide.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, hilbert, sosfiltfilt


def np_highpass(x: np.ndarray, sr: int = 16000) -> np.ndarray:
    sos = butter(5, [150.0, sr / 2 - 1.0], btype="bandpass", fs=sr, output="sos")
    return sosfiltfilt(sos, np.asarray(x, dtype=np.float64), axis=-1)


def np_stft_mag(x: np.ndarray) -> np.ndarray:
    """|STFT| of one channel [T]: n_fft 512, hop 160, 400-sample periodic Hamming
    centred in the frame, centre=True with zero padding -> [257, frames]."""
    n_fft, hop, win = 512, 160, 400
    n = np.arange(win)
    w = np.zeros(n_fft)
    left = (n_fft - win) // 2
    w[left:left + win] = 0.54 - 0.46 * np.cos(2 * np.pi * n / win)
    xp = np.concatenate([np.zeros(n_fft // 2), x, np.zeros(n_fft // 2)])
    frames = 1 + len(x) // hop
    out = np.empty((n_fft // 2 + 1, frames))
    for m in range(frames):
        out[:, m] = np.abs(np.fft.rfft(xp[m * hop:m * hop + n_fft] * w))
    return out


def np_mag(p: np.ndarray, g: np.ndarray) -> float:
    return float(sum(np.mean(np.abs(np_stft_mag(p[c]) - np_stft_mag(g[c]))) for c in range(2)))


def np_env(p: np.ndarray, g: np.ndarray) -> float:
    return float(sum(np.sqrt(np.mean((np.abs(hilbert(p[c])) - np.abs(hilbert(g[c]))) ** 2))
                     for c in range(2)))


def np_lre(p: np.ndarray, g: np.ndarray) -> float:
    def ratio(x: np.ndarray) -> float:
        el, er = np.sum(x[0] ** 2), np.sum(x[1] ** 2)
        return 10 * np.log10((el + 1e-5) / (er + 1e-5))

    return float(abs(ratio(p) - ratio(g)))
