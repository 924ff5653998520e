"""How a binaural reference's direct part falls with distance: the direct sound and its first
reflections together (flag ``early_energy``).

A binaural reference split by ``model/dereverb.py`` keeps in its direct part everything that
arrives within ``LATE_SECONDS`` (20 ms) of the talker's sound: the direct sound and the first
reflections. Only the direct sound follows 1/r. Beyond the critical distance (under a metre in
the rooms measured) most of that part is reflections, whose energy hardly changes over the room;
scaling all of it by 1/r made a dolly towards the talker rise several dB too fast (too quiet far
away, too loud close by).

Barron and Lee's revised theory (1988) gives both terms, relative to the direct sound at 1 m:
the direct energy 1/r^2, and the reflected energy arriving in the first D seconds after it,

    q(r) = (16 pi / (0.161 V / T)) exp(-13.8 r / (c T)) (1 - exp(-13.8 D / T))
         = 312 (T / V) exp(-2 r / (c tau)) (1 - exp(-2 D / tau)),

(Sabine's reverberant level 16 pi r^2 / A over the direct sound, A = 0.161 V / T, started when
the direct sound arrives; tau = T / (3 ln 10) the room's amplitude decay). At the train views'
distance r0, where ``gain_db`` learns the level, the part's share of direct sound is
s0 = r0^-2 / (r0^-2 + q(r0)); at a listener's distance r its energy relative to r0's is

    s0 (r0 / r)^(2 alpha) + (1 - s0) q(r) / q(r0),

alpha the distance exponent (1, or learned with flag ``attenuation``). Needs the room's volume
(from its mesh) and decay; without a mesh the part falls as 1/r.
"""

from __future__ import annotations

import math

import torch

from audiogs_core.model.dereverb import LATE_SECONDS, splits_reference
from audiogs_core.model.gaussians import AudioGaussians

SABINE = 0.161  # s/m: Sabine's T = 0.161 V / A


def uses_early_energy(model: AudioGaussians) -> bool:
    """Whether this model's direct part follows ``early_energy_level``: flag ``early_energy`` on a
    split field whose binaural reference is split (``dereverb.splits_reference``)."""
    return bool(model.flags.split_field and model.flags.early_energy and splits_reference(model))


def reflected_energy(distance: torch.Tensor, volume: float, tau: torch.Tensor, speed_of_sound: float,
                     window_s: float = LATE_SECONDS) -> torch.Tensor:
    """[..., F] q(r): the reflected energy in the first ``window_s`` after the direct sound, over
    the direct sound's energy at 1 m, at distances [...] m in a room of ``volume`` m^3 with
    amplitude decay ``tau`` [F] s (Barron and Lee's revised theory; the module note)."""
    tau = tau.clamp(1e-3, 5.0).to(distance)
    t60 = 3.0 * math.log(10.0) * tau
    level = 16.0 * math.pi * t60 / (SABINE * volume)
    return level * torch.exp(-2.0 * distance.unsqueeze(-1) / (speed_of_sound * tau)) * (1.0 - torch.exp(-2.0 * window_s / tau))


def early_energy_level(distance: torch.Tensor, reference_distance: torch.Tensor, volume: float,
                       tau: torch.Tensor, speed_of_sound: float, exponent: torch.Tensor | float = 1.0
                       ) -> torch.Tensor:
    """[..., F] amplitude of the direct part (direct sound and first reflections) at distances
    [...] m relative to its level at ``reference_distance`` (r0, a scalar tensor)."""
    r0 = reference_distance.to(distance)
    tau = tau.clamp(1e-3, 5.0).to(distance)
    q0 = reflected_energy(r0.reshape(1), volume, tau, speed_of_sound)[0]  # [F]
    share = 1.0 / (1.0 + r0 ** 2 * q0)  # s0: the direct sound's share at r0
    direct = (r0 / distance).unsqueeze(-1) ** (2.0 * exponent)
    # q(r) / q(r0): only the decay run over the extra distance differs
    reflected = torch.exp(-2.0 * (distance - r0).unsqueeze(-1) / (speed_of_sound * tau))
    return torch.sqrt(share * direct + (1.0 - share) * reflected)
