"""The split field's diffuse part: the room as a decorrelated, exponentially decaying field.

A room's late sound reaches the head from every direction at once, so the two
ears hear it partly decorrelated and with no interaural delay. Rendering it as
the direct sound's phase rotated per cell makes the room interaurally coherent
and phasy; here it is instead the reference driven through a stochastic
convolutive transfer function per ear (Polack's model of the late reverberation
in the STFT domain):

    Y_e(f, n) = sum_{m=2..M} b_f rho_f^m N_e(f, m) X(f, n - m),   rho_f = exp(-hop / tau_f),

with N_L = a N1 + s N2 and N_R = a N1 - s N2 for independent unit complex
Gaussian taps N1, N2 and a^2 + s^2 = 1, a^2 - s^2 = gamma_f: each ear's expected
energy is the tail of ``AudioGaussians.reference_terms`` (b^2 sum rho^(2m) |X|^2)
from lag 2 on (lag 1: ``early_energy``, see DIFFUSE_START),
the interaural coherence is gamma_f (measured on the train views:
``train/diffuse_fit.py``). The taps are a fixed pseudo-random draw, so renders
and training are deterministic.
"""

from __future__ import annotations

import math
from functools import lru_cache

import torch

from audiogs_core.model.gaussians import TAIL_FRAMES, AudioGaussians

DIFFUSE_SEED = 1_968_271  # the taps' draw; any fixed value
# The decorrelated field starts this many frames after the direct sound. An STFT frame's
# content spreads over the synthesis window (25 ms, 2.5 hops) on both sides of its centre,
# so a tap at lag 1 sounds *before* the direct sound's onset, a pre-echo that hides the
# talker's direction from the precedence effect and from onset-gated ITD (measured on
# development paths: the tracked ITD error went from 0.05 to 0.33 ms); the energy of the
# earlier lags joins the direct part, coherent with it (``early_energy``), as early
# reflections fuse with the direct sound. Lag 3 would leave no pre-echo at all but makes
# the room more coherent than the views (ICE 0.30 against 0.19 at lag 2).
DIFFUSE_START = 2


@lru_cache(maxsize=8)
def _unit_taps(n_freq: int, n_taps: int) -> torch.Tensor:
    """[2, F, M] complex64 independent unit-energy Gaussian taps (N1, N2), drawn once."""
    gen = torch.Generator().manual_seed(DIFFUSE_SEED)
    re = torch.randn(2, n_freq, n_taps, generator=gen)
    im = torch.randn(2, n_freq, n_taps, generator=gen)
    return torch.complex(re, im) / math.sqrt(2.0)


def ear_taps(coherence: torch.Tensor, n_taps: int = TAIL_FRAMES) -> torch.Tensor:
    """[2, F, M] complex taps (left, right) of unit energy with interaural coherence ``coherence`` [F]."""
    n1, n2 = _unit_taps(int(coherence.shape[0]), n_taps).to(coherence.device)
    gamma = coherence.clamp(-1.0, 1.0)[:, None]
    a = torch.sqrt((1.0 + gamma) / 2.0)
    s = torch.sqrt((1.0 - gamma).clamp_min(0.0) / 2.0)
    return torch.stack([a * n1 + s * n2, a * n1 - s * n2])


def tail_envelope(model: AudioGaussians, n_taps: int = TAIL_FRAMES) -> torch.Tensor:
    """[F, M] amplitude b_f rho_f^m of lags m = 1..M frames (the tail of ``reference_terms``)."""
    hop_s = model.grid.stft.hop / model.grid.stft.sample_rate
    tau = torch.exp(model.tail_log_tau).clamp(1e-3, 5.0)  # [F], amplitude time constant
    m = torch.arange(1, n_taps + 1, device=tau.device, dtype=tau.dtype)
    return torch.pow(10.0, model.tail_db / 20.0)[:, None] * torch.exp(-hop_s * m[None, :] / tau[:, None])


def mono_drive(frames: torch.Tensor) -> torch.Tensor:
    """[F, P + N] the reference's frames [C, F, P + N] as one channel: mean magnitude, first channel's phase
    (the energy the tail of ``reference_terms`` is driven by)."""
    if frames.shape[0] == 1:
        return frames[0]
    return torch.polar(frames.abs().mean(dim=0), torch.angle(frames[0]))


def diffuse_spec(model: AudioGaussians, frames: torch.Tensor, n_out: int) -> torch.Tensor:
    """[2, F, N] complex diffuse part (before the level G_f) of the last ``n_out`` frames.

    frames: [C, F, P + N] the reference's STFT including the P frames of history before the N
    output frames (``dsp.stft.history_spec``); the coherence is the model's ``diffuse_coherence``.
    """
    x = mono_drive(frames)  # [F, L]
    taps = ear_taps(model.diffuse_coherence) * tail_envelope(model).to(x.real.dtype)  # [2, F, M]
    length = x.shape[-1]
    size = length + taps.shape[-1] + 1
    nfft = 1 << (size - 1).bit_length()
    taps = taps[..., DIFFUSE_START - 1:]  # lags DIFFUSE_START..M
    kernel = torch.cat([torch.zeros_like(taps[..., :DIFFUSE_START]), taps], dim=-1)  # earlier lags: the direct part's
    y = torch.fft.ifft(torch.fft.fft(x, nfft)[None] * torch.fft.fft(kernel, nfft), nfft)[..., :length]
    return y[..., length - n_out:]


def early_energy(model: AudioGaussians, frames: torch.Tensor, n_out: int) -> torch.Tensor:
    """[N, F] the tail's energy at lags 1..DIFFUSE_START-1 (before the level G_f), which the direct
    part carries: sum_m b_f^2 rho_f^(2m) |X(f, n - m)|^2 over the last ``n_out`` frames."""
    env = tail_envelope(model, DIFFUSE_START - 1) ** 2  # [F, E]
    energy = frames.abs().mean(dim=0) ** 2  # [F, P + N]
    length = energy.shape[-1]
    out = torch.zeros_like(energy[:, length - n_out:])
    for m in range(1, DIFFUSE_START):
        out = out + env[:, m - 1:m] * energy[:, length - n_out - m:length - m]
    return out.transpose(0, 1)
