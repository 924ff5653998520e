"""The split field's diffuse part: the room as a decorrelated, exponentially decaying field.

A room's late sound reaches the head from every direction at once, so the two
ears hear it partly decorrelated and with no interaural delay. Rendering it as
the direct sound's phase rotated per cell makes the room interaurally coherent
and phasy; here it is a stochastic reverberation (Polack's model, Schroeder's
binaural tail): the reference convolved, in time, with one decaying noise
response per ear,

    h_e(t) = sum_f n_e(f, t) b_f exp(-t / tau_f),   t >= ONSET_S,

white noise shaped per STFT bin by the tail of ``AudioGaussians.reference_terms``
(level ``tail_db``, time constant ``tail_log_tau``), so each ear's expected STFT energy
is that tail's, b_f^2 sum_m rho_f^(2m) |X(f, n - m)|^2. The two ears' noises mix two
independent ones, n_L = a n1 + s n2, n_R = a n1 - s n2 per bin with a^2 + s^2 = 1,
a^2 - s^2 = gamma_f: interaural coherence gamma_f (measured on the train views,
``train/diffuse_fit.py``), no interaural delay.

Why in time and not per STFT cell (both tried on development rooms): a random phase per
cell decorrelates well but is not a room (an STFT frame's random phase is noise, not
reverberation: DPAM 0.13 against 0.09 for the coherent tail on held-out views), and a random
filter in the STFT domain (a tap per bin and frame) has too few taps per bin to decorrelate
(0.2 to 0.4 per octave band at gamma = 0) and, like the per-cell field, sounds before the
direct sound (a frame spreads 12.5 ms both ways: a pre-echo that broke the tracked ITD).
A time-domain response has a new independent sample every sample and starts when it says.
The noises are one fixed draw, so renders and training are deterministic.
"""

from __future__ import annotations

import math
from functools import lru_cache

import torch

from audiogs_core.conventions import StftSettings
from audiogs_core.dsp.phasor import polar
from audiogs_core.dsp.stft import istft, stft

from audiogs_core.model.dereverb import keeps_recorded_room
from audiogs_core.model.gaussians import TAIL_FRAMES, AudioGaussians

DIFFUSE_SEED = 1_968_271  # the noises' draw; any fixed value
ONSET_S = 0.008  # the room starts 8 ms after the reference's sound (after the direct sound at
# the train views' distances; the energy model's tail starts at lag 1, 10 ms)
RAMP_S = 0.004  # and fades in over 4 ms


@lru_cache(maxsize=4)
def _noise_spectra(n_taps: int, cfg: StftSettings) -> torch.Tensor:
    """[2, F, n_taps + 1] STFT of two independent white noises of n_taps hops, variance 1/hop (so
    E|H_m(f)|^2 = env^2), on the CPU: one fixed draw, made once, not per training step."""
    noise = torch.randn(2, n_taps * cfg.hop, generator=torch.Generator().manual_seed(DIFFUSE_SEED))
    return stft(noise / math.sqrt(cfg.hop), cfg)


def ear_responses(model: AudioGaussians, n_taps: int = TAIL_FRAMES) -> torch.Tensor:
    """[2, T] the two ears' room responses h_L, h_R over n_taps hops (T = n_taps * hop)."""
    cfg = model.grid.stft
    n = n_taps * cfg.hop
    spec = _noise_spectra(n_taps, cfg).to(model.tail_db.device)  # [2, F, n_taps + 1]
    gamma = model.diffuse_coherence.clamp(0.0, 1.0)[:, None]
    a, s = torch.sqrt((1.0 + gamma) / 2.0), torch.sqrt((1.0 - gamma) / 2.0)
    mixed = torch.stack([a * spec[0] + s * spec[1], a * spec[0] - s * spec[1]])
    hop_s = cfg.hop / cfg.sample_rate
    tau = torch.exp(model.tail_log_tau).clamp(1e-3, 5.0)
    m = torch.arange(spec.shape[-1], device=tau.device, dtype=tau.dtype)
    env = torch.pow(10.0, model.tail_db / 20.0)[:, None] * torch.exp(-hop_s * m[None, :] / tau[:, None])
    h = istft(mixed * env, cfg, n)  # [2, T]
    t = torch.arange(n, device=h.device, dtype=h.dtype) / cfg.sample_rate
    onset = ((t - ONSET_S) / RAMP_S).clamp(0.0, 1.0)
    return h * (0.5 - 0.5 * torch.cos(math.pi * onset))


def diffuse_spec(model: AudioGaussians, frames: torch.Tensor, n_out: int) -> torch.Tensor:
    """[2, F, N] complex diffuse part (before the level G_f) of the last ``n_out`` frames.

    frames: [C, F, P + N] the reference's STFT including P frames of history before the N
    output frames (``dsp.stft.history_spec``; P at least the response's TAIL_FRAMES, else the
    room misses what came before).
    """
    cfg = model.grid.stft
    length = frames.shape[-1]
    x = istft(mono_drive(frames), cfg, (length - 1) * cfg.hop + 1)  # [T]
    h = ear_responses(model)  # [2, Th]
    size = x.shape[-1] + h.shape[-1]
    nfft = 1 << (size - 1).bit_length()
    y = torch.fft.irfft(torch.fft.rfft(x, nfft)[None] * torch.fft.rfft(h, nfft), nfft)[:, : x.shape[-1]]
    return stft(y, cfg)[..., length - n_out:length]


def mono_drive(frames: torch.Tensor) -> torch.Tensor:
    """[F, L] the reference's frames [C, F, L] as one channel: mean magnitude, first channel's phase
    (the energy the tail of ``reference_terms`` is driven by)."""
    if frames.shape[0] == 1:
        return frames[0]
    return polar(frames.abs().mean(dim=0), torch.angle(frames[0]))


def room_distance_gain(model: AudioGaussians, length: torch.Tensor) -> torch.Tensor:
    """[..., F] the room's amplitude at listeners whose direct sound travels ``length`` [...] m,
    relative to the train views' (at the mean distance r0, where ``gain_db`` and the room's
    level were learned): exp(-(r - r0) / (c tau_f)).

    Barron and Lee's revised theory (1988): the reflected sound a listener hears starts when the
    direct sound arrives, r / c after the talker's, by when the room's decay has already run
    that long; so its energy falls as exp(-13.8 r / (c T)) (their -0.04 r / T in dB terms),
    about 0.35 dB a metre at T = 0.5 s, and rises towards the talker. tau_f: the room's amplitude
    decay, ``room_tau`` where the room is a recording's (the views' recorded room), else the
    synthetic room's ``tail_log_tau``.
    """
    tau = room_decay_tau(model)
    travel = (length - model.direct_distance) / model.grid.speed_of_sound
    return torch.exp(-travel.unsqueeze(-1) / tau.clamp(1e-3, 5.0).to(length))


def room_decay_tau(model: AudioGaussians) -> torch.Tensor:
    """[F] s: the room's amplitude decay time, ``room_tau`` where the room is a recording's (the
    views' recorded room), else the synthetic room's ``tail_log_tau``."""
    return model.room_tau if keeps_recorded_room(model) else torch.exp(model.tail_log_tau)


def falls_with_distance(model: AudioGaussians) -> bool:
    """Whether the room's level follows ``room_distance_gain``: flag ``room_distance`` on a close
    mic's split field. A binaural reference's direct part holds its first 20 ms of reflections
    (``model/dereverb.py``), whose 1/r already makes a far listener's level fall faster than the
    room does (development paths: 1-2 dB too quiet at 3 m); the room's fall would add to that
    (level trend along the paths 1.45 -> 1.75 dB), so there the room keeps its level; with the
    views' recorded room too (sweep 10: the trend 0.82 -> 0.95 dB in one room, 1.26 -> 1.21 in
    the other), and with that part falling as direct sound and reflections do (flag
    early_energy; sweep 16: LEVEL 0.96 -> 1.21 and 1.45 -> 2.02 dB on the development paths)."""
    return bool(model.flags.split_field and model.flags.room_distance and not model.reference_binaural)
