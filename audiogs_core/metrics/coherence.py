"""ICE: the interaural coherence error (docs/DESIGN.md, "Metrics").

A reverberant room reaches the two ears decorrelated; a renderer that rotates
one dry phase per cell does not. Per octave band (centres 250 Hz to 4 kHz) and
0.5 s window, the interaural coherence is the maximum of the normalised
cross-correlation of the band-passed ears within +-1 ms; ICE is the mean
absolute difference of prediction and target over bands and windows
(windows where the target's band is more than 40 dB below its loudest
window in that band are left out: no coherence to speak of).
"""

from __future__ import annotations

import numpy as np

BANDS_HZ = (250.0, 500.0, 1000.0, 2000.0, 4000.0)
WINDOW_S = 0.5
MAX_LAG_S = 1e-3
SILENCE_DB = -40.0
_ORDER = 4


def band_filter(centre_hz: float, sample_rate: int) -> np.ndarray:
    """Second-order sections of an octave band-pass (Butterworth, edges centre/sqrt 2, centre*sqrt 2)."""
    from scipy.signal import butter

    hi = min(centre_hz * np.sqrt(2.0), 0.499 * sample_rate)
    return butter(_ORDER, [centre_hz / np.sqrt(2.0), hi], btype="bandpass", fs=sample_rate, output="sos")


def coherence(left: np.ndarray, right: np.ndarray, sample_rate: int, max_lag_s: float = MAX_LAG_S) -> float:
    """Max over |lag| <= ``max_lag_s`` of sum l(t) r(t + lag) / sqrt(sum l^2 sum r^2); NaN for silence."""
    el, er = float(np.dot(left, left)), float(np.dot(right, right))
    if el <= 0 or er <= 0:
        return float("nan")
    n = 1
    while n < 2 * len(left):
        n *= 2
    cc = np.fft.irfft(np.conj(np.fft.rfft(left, n)) * np.fft.rfft(right, n), n)
    k = int(np.ceil(max_lag_s * sample_rate))
    lags = np.concatenate([cc[: k + 1], cc[-k:]]) if k > 0 else cc[:1]
    return float(np.max(lags) / np.sqrt(el * er))


def band_coherences(x: np.ndarray, sample_rate: int, window_s: float = WINDOW_S) -> tuple[np.ndarray, np.ndarray]:
    """Coherence [B, W] and band energy in dB [B, W] of ``x`` [2, T] per octave band and window."""
    from scipy.signal import sosfiltfilt

    a = np.asarray(x, dtype=np.float64)
    size = int(round(window_s * sample_rate))
    count = max(1, a.shape[1] // size)
    size = min(size, a.shape[1])
    ic = np.full((len(BANDS_HZ), count), np.nan)
    energy = np.full((len(BANDS_HZ), count), -np.inf)
    for b, centre in enumerate(BANDS_HZ):
        if centre / np.sqrt(2.0) >= 0.5 * sample_rate:
            continue
        band = sosfiltfilt(band_filter(centre, sample_rate), a, axis=1)
        for w in range(count):
            seg = band[:, w * size:(w + 1) * size]
            e = float(np.sum(seg ** 2))
            energy[b, w] = 10.0 * np.log10(e) if e > 0 else -np.inf
            ic[b, w] = coherence(seg[0], seg[1], sample_rate)
    return ic, energy


def ice(p: np.ndarray, g: np.ndarray, sample_rate: int) -> float:
    """ICE of prepared ``p``, ``g`` [2, T]: mean |IC(p) - IC(g)| over bands and windows; NaN when
    the target has no audible band."""
    ic_p, _ = band_coherences(p, sample_rate)
    ic_g, energy = band_coherences(g, sample_rate)
    audible = energy >= np.max(energy, axis=1, keepdims=True) + SILENCE_DB
    use = audible & np.isfinite(ic_p) & np.isfinite(ic_g)
    if not use.any():
        return float("nan")
    return float(np.mean(np.abs(ic_p[use] - ic_g[use])))
