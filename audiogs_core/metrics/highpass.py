"""The 150 Hz high-pass of the published protocol (docs/DESIGN.md §2).

A 5th-order Butterworth band-pass from 150 Hz to sr/2 - 1 Hz, applied
forwards and backwards (``scipy.signal.sosfiltfilt``) so that it adds no
phase shift: ITDs and onsets are unchanged. The trainer filters its inputs
with it and the metrics filter prediction and target with it.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from audiogs_core.conventions import HIGHPASS_HZ
from audiogs_core.errors import AudioGSError

ORDER = 5


@lru_cache(maxsize=16)
def _sos(sample_rate: int) -> np.ndarray:
    """Second-order sections [5, 6] of the band-pass at ``sample_rate``."""
    from scipy.signal import butter

    high = sample_rate / 2.0 - 1.0
    if high <= HIGHPASS_HZ:
        raise AudioGSError(
            f"sample rate {sample_rate} Hz is too low for the {HIGHPASS_HZ:g} Hz high-pass")
    return butter(ORDER, [HIGHPASS_HZ, high], btype="bandpass", fs=sample_rate, output="sos")


def highpass(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """High-pass ``x`` ([C, T] or [T]) at 150 Hz, zero-phase, along the last axis.

    Returns an array of the same shape; float32 input stays float32, anything
    else comes back as float64 (the filter itself always runs in float64).
    Signals shorter than scipy's default edge padding are padded less rather
    than refused, so even a few samples can be filtered.
    """
    from scipy.signal import sosfiltfilt

    a = np.asarray(x)
    if a.ndim not in (1, 2):
        raise AudioGSError(f"highpass expects a [C, T] or [T] signal, got shape {a.shape}")
    if int(sample_rate) <= 0:
        raise AudioGSError(f"sample rate must be positive, got {sample_rate}")
    out_dtype = np.float32 if a.dtype == np.float32 else np.float64
    n = a.shape[-1]
    if n == 0:
        return a.astype(out_dtype, copy=True)
    sos = _sos(int(sample_rate))
    # scipy's default padlen for sosfiltfilt; it refuses signals not longer than it.
    default_pad = 3 * (2 * len(sos) + 1 - min(int((sos[:, 2] == 0).sum()),
                                              int((sos[:, 5] == 0).sum())))
    y = sosfiltfilt(sos, a.astype(np.float64), axis=-1, padlen=min(default_pad, n - 1))
    return np.ascontiguousarray(y, dtype=out_dtype)
