"""The project's STFT / inverse STFT (DESIGN.md §2), in torch.

Periodic Hamming window of ``win`` samples, zero-padded and centred inside an
``n_fft`` frame (what ``torch.stft`` does when win_length < n_fft),
``center=True`` with zero padding.  Frame n is centred at sample n * hop.
"""

from __future__ import annotations

import numpy as np
import torch

from audiogs_core.conventions import StftSettings

_WINDOWS: dict[tuple, torch.Tensor] = {}


def window(settings: StftSettings, device=None, dtype=torch.float32) -> torch.Tensor:
    """[win] periodic Hamming window, cached per device and dtype."""
    key = (settings.win, str(device), dtype)
    if key not in _WINDOWS:
        _WINDOWS[key] = torch.hamming_window(settings.win, periodic=True, device=device, dtype=dtype)
    return _WINDOWS[key]


def stft(x: torch.Tensor, settings: StftSettings) -> torch.Tensor:
    """[..., T] real -> [..., F, N] complex, N = T // hop + 1."""
    shape = x.shape
    flat = x.reshape(-1, shape[-1])
    spec = torch.stft(
        flat,
        n_fft=settings.n_fft,
        hop_length=settings.hop,
        win_length=settings.win,
        window=window(settings, x.device, x.dtype),
        center=True,
        pad_mode="constant",
        return_complex=True,
    )
    return spec.reshape(*shape[:-1], *spec.shape[-2:])


def istft(spec: torch.Tensor, settings: StftSettings, length: int) -> torch.Tensor:
    """[..., F, N] complex -> [..., length] real (inverse of :func:`stft`)."""
    shape = spec.shape
    flat = spec.reshape(-1, *shape[-2:])
    real_dtype = torch.float64 if spec.dtype == torch.complex128 else torch.float32
    out = torch.istft(
        flat,
        n_fft=settings.n_fft,
        hop_length=settings.hop,
        win_length=settings.win,
        window=window(settings, spec.device, real_dtype),
        center=True,
        length=length,
    )
    return out.reshape(*shape[:-2], length)


def n_frames(n_samples: int, settings: StftSettings) -> int:
    """STFT frames of a signal of ``n_samples`` (``center=True``)."""
    return n_samples // settings.hop + 1


def frame_times(n: int, settings: StftSettings, start_s: float = 0.0) -> torch.Tensor:
    """[n] float64 times (s) of frame centres, for a signal starting at start_s."""
    return start_s + torch.arange(n, dtype=torch.float64) * (settings.hop / settings.sample_rate)


def bin_frequencies(settings: StftSettings) -> torch.Tensor:
    """[F] bin centre frequencies in Hz."""
    return torch.arange(settings.n_freq, dtype=torch.float64) * (settings.sample_rate / settings.n_fft)


def history_spec(reference: np.ndarray, start: int, frames: int, settings: StftSettings) -> torch.Tensor:
    """[C, F, frames] STFT frames at start - frames*hop ... start - hop (zeros before t = 0)."""
    span = frames * settings.hop
    seg = np.zeros((reference.shape[0], span), dtype=np.float32)
    lo = max(0, start - span)
    if start > lo:
        seg[:, span - (start - lo):] = reference[:, lo:start]
    return stft(torch.from_numpy(seg), settings)[..., :frames]
