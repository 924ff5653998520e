"""The split field's diffuse part: the room as a decorrelated, exponentially decaying field.

A room's late sound reaches the head from every direction at once, so the two
ears hear it partly decorrelated and with no interaural delay. Rendering it as
the direct sound's phase rotated per cell makes the room interaurally coherent
and phasy; here it is instead a diffuse field with the tail's energy envelope
and random phase per time-frequency cell, as in the diffuse stream of
parametric spatial audio (Pulkki's DirAC) and Polack's stochastic model of late
reverberation:

    Y_e(f, n) = sqrt(E(f, n)) Z_e(f, n),   E(f, n) = sum_{m=1..M} b_f^2 rho_f^(2m) |X(f, n - 1 - m)|^2,

rho_f = exp(-hop / tau_f), the tail of ``AudioGaussians.reference_terms`` one frame later
(see DIFFUSE_START), with Z_L = a Z1 + s Z2 and Z_R = a Z1 - s Z2 for
independent unit complex Gaussians Z1, Z2 per cell and a^2 + s^2 = 1, a^2 - s^2 = gamma_f:
each ear's expected energy is E, the interaural coherence gamma_f (measured on the train
views: ``train/diffuse_fit.py``).

Why per cell and not a fixed random filter per ear (a stochastic convolutive transfer
function, tried first): a filter's taps are one draw for the whole recording, and with the
few taps a short decay leaves per bin, the two ears' filters came out correlated by chance
(interaural coherence 0.2 to 0.4 per octave band at gamma = 0, against 0.06 for independent
noise). Drawn per cell, the chance correlation averages out over a window's cells.
The draws are a counter-based hash of the absolute frame and bin, so renders in chunks,
training windows and whole renders see the same field, deterministically.
"""

from __future__ import annotations

import math

import torch

from audiogs_core.model.gaussians import TAIL_FRAMES, AudioGaussians

DIFFUSE_SEED = 1_968_271  # the taps' draw; any fixed value
# The decorrelated field is the tail delayed by this many frames minus one: an STFT frame's
# content spreads over the synthesis window (25 ms, 2.5 hops) on both sides of its centre,
# so a tail from lag 1 sounds *before* the direct sound's onset, a pre-echo that hides the
# talker's direction from the precedence effect and from onset-gated ITD (measured on
# development paths: the tracked ITD error went from 0.05 to 0.33 ms). Carrying lag 1's
# energy with the direct part instead (coherent, like early reflections fused with it) kept
# the ITD but made the room as coherent between the ears as the direct sound (ICE 0.26, the
# views 0.13): the whole tail starts one frame later, its energy unchanged.
DIFFUSE_START = 2


def _hash_uniform(frames: torch.Tensor, bins: torch.Tensor, stream: int) -> torch.Tensor:
    """Uniform (0, 1) float64 [F, N] from a 32-bit integer hash of (bin, absolute frame, stream)."""
    mask = 0xFFFFFFFF
    x = (frames[None, :] * 0x9E3779B1 + bins[:, None] * 0x85EBCA77 + (DIFFUSE_SEED + stream * 0x27D4EB2F)) & mask
    for mult in (0x2C1B3C6D, 0x297A2D39):
        x = ((x ^ (x >> 15)) * mult) & mask
    x = x ^ (x >> 15)
    return (x.double() + 0.5) / 4294967296.0


def cell_noise(n_freq: int, first_frame: int, n_frames: int, device=None) -> torch.Tensor:
    """[2, F, N] independent unit complex Gaussians (Z1, Z2) of frames first_frame .. + N - 1."""
    frames = torch.arange(first_frame, first_frame + n_frames, dtype=torch.int64)
    bins = torch.arange(n_freq, dtype=torch.int64)
    out = []
    for k in range(2):
        u1, u2 = _hash_uniform(frames, bins, 2 * k), _hash_uniform(frames, bins, 2 * k + 1)
        out.append(torch.polar(torch.sqrt(-torch.log(u1)), 2.0 * math.pi * u2))  # Box-Muller: E|z|^2 = 1
    return torch.stack(out).to(device=device, dtype=torch.complex64)


def ear_noise(coherence: torch.Tensor, first_frame: int, n_frames: int) -> torch.Tensor:
    """[2, F, N] unit-energy complex cells (left, right) with interaural coherence ``coherence`` [F]."""
    z1, z2 = cell_noise(int(coherence.shape[0]), first_frame, n_frames, coherence.device)
    gamma = coherence.clamp(0.0, 1.0)[:, None]  # a head's diffuse field: 1 at low frequencies, towards 0 above
    a = torch.sqrt((1.0 + gamma) / 2.0)
    s = torch.sqrt((1.0 - gamma) / 2.0)
    return torch.stack([a * z1 + s * z2, a * z1 - s * z2])


def tail_envelope(model: AudioGaussians, n_taps: int = TAIL_FRAMES) -> torch.Tensor:
    """[F, M] amplitude b_f rho_f^m of lags m = 1..M frames (the tail of ``reference_terms``)."""
    hop_s = model.grid.stft.hop / model.grid.stft.sample_rate
    tau = torch.exp(model.tail_log_tau).clamp(1e-3, 5.0)  # [F], amplitude time constant
    m = torch.arange(1, n_taps + 1, device=tau.device, dtype=tau.dtype)
    return torch.pow(10.0, model.tail_db / 20.0)[:, None] * torch.exp(-hop_s * m[None, :] / tau[:, None])


def diffuse_spec(model: AudioGaussians, frames: torch.Tensor, n_out: int, first_frame: int) -> torch.Tensor:
    """[2, F, N] complex diffuse part (before the level G_f) of the last ``n_out`` frames.

    frames: [C, F, P + N] the reference's STFT including the P frames of history before the N
    output frames (``dsp.stft.history_spec``); ``first_frame``: the absolute index (on the
    recording's timeline) of the first output frame, which seeds the cells' draws; the
    coherence is the model's ``diffuse_coherence``.
    """
    energy = frames.abs().mean(dim=0) ** 2  # [F, L]
    env = tail_envelope(model).to(energy.dtype) ** 2  # [F, M] lags 1..M
    kernel = torch.cat([torch.zeros_like(env[:, :DIFFUSE_START]), env], dim=1)  # lag m + DIFFUSE_START - 1
    length = energy.shape[-1]
    size = length + kernel.shape[-1]
    nfft = 1 << (size - 1).bit_length()
    tail = torch.fft.irfft(torch.fft.rfft(energy, nfft) * torch.fft.rfft(kernel, nfft), nfft)[:, length - n_out:length]
    amplitude = torch.sqrt(tail.clamp_min(0.0) + 1e-20)  # [F, N]
    return amplitude[None] * ear_noise(model.diffuse_coherence, first_frame, n_out)
