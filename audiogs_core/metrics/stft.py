"""The metrics' STFT: the project's settings at 16 kHz, in float64.

n_fft 512, hop 160, a 400-sample periodic Hamming window zero-padded and
centred in the frame, ``center=True`` with zero padding (design page,
section 2). float64 keeps the metrics exact enough to compare against
independent numpy formulas.
"""

from __future__ import annotations

import numpy as np
import torch

from audiogs_core.conventions import stft_settings


def magnitude(x: np.ndarray, sample_rate: int) -> torch.Tensor:
    """Linear STFT magnitudes of ``x`` [C, T] as a float64 tensor [C, F, frames]."""
    s = stft_settings(int(sample_rate))
    t = torch.as_tensor(np.ascontiguousarray(x, dtype=np.float64))
    window = torch.hamming_window(s.win, periodic=True, dtype=torch.float64)
    spec = torch.stft(t, s.n_fft, s.hop, s.win, window, center=True, pad_mode="constant",
                      return_complex=True)
    return spec.abs()
