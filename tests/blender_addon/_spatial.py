"""Interaural time and level differences of a binaural signal (numpy)."""

from __future__ import annotations

import numpy as np


def itd_seconds(left: np.ndarray, right: np.ndarray, sr: int, max_lag_s: float = 1e-3,
                band: tuple[float, float] = (150.0, 7000.0)) -> float:
    """Interaural time difference by GCC-PHAT within +-max_lag_s; positive when
    the right ear leads (DESIGN.md §7). Only bins inside ``band`` count:
    PHAT whitens every bin, so the empty band of an upsampled signal would
    otherwise drown the peak."""
    n = 1 << int(np.ceil(np.log2(len(left) + len(right))))
    cross = np.fft.rfft(left, n) * np.conj(np.fft.rfft(right, n))
    freqs = np.fft.rfftfreq(n, 1.0 / sr)
    weight = ((freqs >= band[0]) & (freqs <= band[1])) / (np.abs(cross) + 1e-12)
    cc = np.fft.irfft(cross * weight, n)
    max_lag = int(round(max_lag_s * sr))
    # cc[k] peaks where left(t) = right(t - k): k > 0 means the left ear hears later
    lags = np.concatenate([np.arange(0, max_lag + 1), np.arange(-max_lag, 0)])
    values = np.concatenate([cc[: max_lag + 1], cc[-max_lag:]])
    return float(lags[int(np.argmax(values))] / sr)


def level_balance_db(left: np.ndarray, right: np.ndarray) -> float:
    """10 log10(E_L / E_R): positive when the left ear is louder."""
    return float(10 * np.log10((np.sum(left ** 2) + 1e-12) / (np.sum(right ** 2) + 1e-12)))
