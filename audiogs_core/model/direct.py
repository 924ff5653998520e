"""The split field's direct part: the talker's sound physically posed at each listener pose.

Where physics is known it decides (DESIGN.md §4, "Direct and diffuse"):

* **route**: from the model's one source position straight to the listener, or, behind a
  corner of the room, round the diffracting edge (``model/occlusion.py``) with its loss;
* **distance law**: pressure (r0 / r)^alpha relative to the train views' mean source distance
  r0 (their level is what ``gain_db`` learns), bounded at ``near_distance``; alpha = 1, or with
  flag ``attenuation`` one learned exponent 1 + tanh(mean decay) (the evidence for it is the
  train views' spread of distances);
* **delay**: the route's length minus the reference's own distance to the source, applied
  as a whole number of STFT frames (an exact shift of the reference) plus a phase linear in
  frequency for the rest (at most half a hop); never a per-cell rotation;
* **ears**: a head model (``model/head_model.py``) gives each ear's level and the ITD of the
  route's direction.

Learned: the per-cell mask of the Gaussians (their constant SH term), the level ``gain_db``,
the ITD residual ``itd_scale`` and (flag ``attenuation``) the distance exponent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from audiogs_core.dsp.phasor import polar
from audiogs_core.dsp.stft import bin_frequencies
from audiogs_core.model.diffuse import room_decay_tau
from audiogs_core.model.early_energy import early_energy_level, uses_early_energy
from audiogs_core.model.gaussians import AudioGaussians
from audiogs_core.model.head_model import HeadModel, SphereHead
from audiogs_core.model.occlusion import RoomOcclusion, diffraction_loss_db
from audiogs_core.model.reflections import BLOCKED_DB, first_order, reflection_loss_db
from audiogs_core.model.render import cell_weights, mono_mask
from audiogs_core.model.rotation import torch_quat_to_matrix
from audiogs_core.model.sh import C0


@dataclass
class Route:
    """How the direct sound reaches listeners [B, N] (N frames; N = 1 broadcasts over frames)."""

    source: torch.Tensor  # [B, N, 3] where it seems to come from (the source, or the edge round a corner)
    length: torch.Tensor  # [B, N] path length, m
    loss_db: torch.Tensor | None  # [B, N, F] diffraction (or reflection) loss, dB; None: none anywhere
    # The talker's first-order reflections, each a route of its own from its image source
    # (flag early_reflections, ``model/reflections.py``); empty without them.
    reflections: tuple["Route", ...] = ()
    volume: float | None = None  # m^3: the room's, where its mesh is known (``model/early_energy.py``)


def straight_routes(model: AudioGaussians, positions: torch.Tensor) -> Route:
    """Routes in free field (no room mesh, or occlusion off): positions [B, N, 3]."""
    src = model.source_position.to(positions.dtype).expand_as(positions)
    return Route(src, (src - positions).norm(dim=-1), None)


def routes(model: AudioGaussians, occlusion: RoomOcclusion | None, positions: torch.Tensor) -> Route:
    """Routes to listeners at positions [B, N, 3]: round the room's corners when its ``occlusion``
    is known, else straight; with the first reflections off its faces where the model has them
    (``reflects``)."""
    if occlusion is None:
        return straight_routes(model, positions)
    where = positions.detach().cpu().double().numpy()
    route = room_routes(model, occlusion, where)
    if reflects(model):
        route.reflections = reflection_routes(model, occlusion, where)
    return route


def reflects(model: AudioGaussians) -> bool:
    """Whether the direct part brings the talker's first reflections (flag early_reflections, a
    close mic's split field): a binaural reference's direct part holds its own first 20 ms
    (``model/dereverb.py``), reflections included."""
    return bool(model.flags.split_field and model.flags.early_reflections and not model.reference_binaural)


def reflection_routes(model: AudioGaussians, occlusion: RoomOcclusion, positions: np.ndarray) -> tuple[Route, ...]:
    """One route per face of the room, from the talker's image in it, to listeners at positions
    [B, N, 3] numpy: its length, and a loss of ``reflection_loss_db`` (from the room's decay)
    where the reflection reaches a listener, ``BLOCKED_DB`` where it does not."""
    b, n = positions.shape[:2]
    src = model.source_position.detach().cpu().double().numpy()
    found = first_order(occlusion, src, positions.reshape(-1, 3))
    loss = reflection_loss_db(occlusion, room_decay_tau(model).detach().cpu().double().numpy(),
                              model.grid.speed_of_sound)  # [F]
    dev = model.source_position.device
    out = []
    for i, image in enumerate(found.image):
        blocked = np.where(found.reaches[:, i], 0.0, BLOCKED_DB).reshape(b, n, 1)
        out.append(Route(torch.as_tensor(np.broadcast_to(image, (b, n, 3)).copy(), dtype=torch.float32, device=dev),
                         torch.as_tensor(found.length[:, i].reshape(b, n), dtype=torch.float32, device=dev),
                         torch.as_tensor(loss[None, None, :] + blocked, dtype=torch.float32, device=dev)))
    return tuple(out)


def room_routes(model: AudioGaussians, occlusion: RoomOcclusion, positions: np.ndarray) -> Route:
    """Routes round the room's corners: positions [B, N, 3] numpy."""
    b, n = positions.shape[:2]
    src = model.source_position.detach().cpu().double().numpy()
    route = occlusion.direct_route(src, positions.reshape(-1, 3))
    freqs = bin_frequencies(model.grid.stft).numpy()
    freqs[0] = 0.5 * freqs[1]  # a Fresnel number needs a wavelength: the DC bin is no shadow boundary
    loss = diffraction_loss_db(route.detour, freqs, model.grid.speed_of_sound)
    dev = model.source_position.device
    return Route(torch.as_tensor(route.apparent_source.reshape(b, n, 3), dtype=torch.float32, device=dev),
                 torch.as_tensor(route.length.reshape(b, n), dtype=torch.float32, device=dev),
                 torch.as_tensor(loss.reshape(b, n, -1), dtype=torch.float32, device=dev),
                 volume=occlusion.volume)


def frame_mask(model: AudioGaussians, times: torch.Tensor) -> torch.Tensor:
    """[N, F] the Gaussians' pose-independent mask m = R sigmoid(C0 s - ln(R - 1)) between cells."""
    k0, w = cell_weights(model, times)
    k0 = k0.to(model.mu.device)
    m = mono_mask(C0 * model.sh_mono_dc[torch.stack([k0, k0 + 1], 1)], model.flags.mask_range)  # [N, 2, F]
    w = w.to(m.device)[:, None]
    return m[:, 0] + w * (m[:, 1] - m[:, 0])


def delayed_frames(model: AudioGaussians, route: Route, n_hist: int, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The route's delay relative to the reference as frame indices and a remainder.

    Returns idx [B, N] (long): for each output frame, the frame of the reference (counted from
    the first of the P = ``n_hist`` history frames) it hears, shifted by whole hops (an exact
    delay); and rest [B, N'] (s): the remainder, at most half a hop, which the direct part
    applies as a phase. The room (``diffuse``) arrives with the same whole-hop delay.
    """
    hop_s = model.grid.stft.hop / model.grid.stft.sample_rate
    delay = (route.length - model.reference_source_distance) / model.grid.speed_of_sound  # [B, N']
    shift = torch.round(delay / hop_s).clamp(0, n_hist)
    b = route.length.shape[0]
    idx = (n_hist + torch.arange(n, device=delay.device)).expand(b, n) - shift.long().expand(b, n)
    return idx, delay - shift * hop_s


def _reference_ears(model: AudioGaussians, head: HeadModel, freqs: torch.Tensor
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(left gain [F], right gain [F], ITD [F]) a binaural reference of known pose carries of the
    source (else 1, 1, 0)."""
    if not (model.reference_binaural and model.reference_rotation is not None):
        return torch.ones_like(freqs), torch.ones_like(freqs), torch.zeros_like(freqs)
    rot = torch_quat_to_matrix(model.reference_rotation)
    v = ((model.source_position - model.reference_position).unsqueeze(-1) * rot).sum(-2)  # R^T (s - p)
    return head.ears(v, freqs)


def scaled_level_difference(gain_l: torch.Tensor, gain_r: torch.Tensor, scale: torch.Tensor
                            ) -> tuple[torch.Tensor, torch.Tensor]:
    """Ear gains [..., F] whose level difference (dB) is ``scale`` [F] times theirs, about their
    geometric mean: the head's shadow on what the direct part holds (``ild_scale``)."""
    mean = torch.sqrt(gain_l * gain_r)
    half = torch.sqrt(gain_l / gain_r) ** scale
    return mean * half, mean / half


def distance_level(model: AudioGaussians, route: Route) -> torch.Tensor:
    """[B, N', F] the direct part's amplitude at the route's length relative to the train views'
    mean distance r0: (r0 / L)^alpha, bounded at ``near_distance``; a split binaural reference's
    part (direct sound and first reflections) by ``early_energy_level`` where the room is known."""
    length = route.length.clamp_min(model.flags.near_distance)  # [B, N']
    # A learned exponent where the train views' distances differ (at one distance its gradient
    # is 0 and it stays 1): reflections within the first frame fall slower than 1/r.
    exponent = 1.0 + torch.tanh(model.decay).mean() if model.flags.attenuation else 1.0
    if route.volume is not None and uses_early_energy(model):
        return early_energy_level(length, model.direct_distance, route.volume, model.room_tau,
                                  model.grid.speed_of_sound, exponent)
    return ((model.direct_distance / length) ** exponent).unsqueeze(-1)


def take_frames(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """x [..., L, F] at frame indices idx [B, N] -> [..., B, N, F]; a slice when one listener's
    frames follow each other (a standing listener: the same delay all through), else a gather."""
    if idx.shape[0] == 1 and idx.shape[1] > 0:
        first = int(idx[0, 0])
        if int(idx[0, -1]) - first == idx.shape[1] - 1 and bool((idx[0, 1:] - idx[0, :-1] == 1).all()):
            return x[..., first:first + idx.shape[1], :].unsqueeze(-3)
    return x[..., idx, :]


def direct_spec(model: AudioGaussians, magnitude: torch.Tensor, phase: torch.Tensor, n_hist: int,
                times: torch.Tensor, positions: torch.Tensor, rotations: torch.Tensor, route: Route,
                head: HeadModel | None = None, ears: torch.Tensor | None = None) -> torch.Tensor:
    """[B, 2, N, F] complex direct part (before the level G_f) for listeners at frame poses,
    frame-major.

    magnitude [P + N, F] and phase [C, P + N, F]: the reference's STFT (mean magnitude over its
    channels, each channel's phase) with P = ``n_hist`` frames of history before the N output
    frames at ``times`` [N]; positions [B, N, 3] and head-to-world rotations [B, N, 3, 3]
    (N = 1 broadcasts a standing listener); ``route`` from ``straight_routes`` or ``room_routes``.
    ``ears`` [2, P + N, F] (a binaural reference, flag ``ear_magnitudes``): each ear's magnitude
    over their mean; each ear then keeps the reference's, changed by the head's gain at the
    listener's pose over its gain at the reference's (the same level-difference share at both),
    instead of the mean under the head's gains.
    """
    grid = model.grid
    head = head or SphereHead(grid.head_radius, grid.speed_of_sound)
    n = magnitude.shape[0] - n_hist
    freqs = bin_frequencies(grid.stft).to(device=magnitude.device, dtype=torch.float32)  # [F]
    omega = 2.0 * math.pi * freqs

    rel = route.source - positions  # [B, N', 3]
    v = (rotations * rel.unsqueeze(-1)).sum(-2)  # R^T rel
    gain_l, gain_r, tau = head.ears(v, freqs)  # [B, N', F]
    share = model.ild_scale.to(gain_l)
    gain_l, gain_r = scaled_level_difference(gain_l, gain_r, share)
    ref_l, ref_r, ref_tau = _reference_ears(model, head, freqs)
    scale = 1.0 + 0.5 * torch.tanh(model.itd_scale)
    tau = (tau - ref_tau) * scale
    atten = distance_level(model, route)  # [B, N', F]
    if ears is None:
        atten = atten / (0.5 * (ref_l + ref_r))
    else:  # the head's change from the reference's pose, each ear its own
        ref_l, ref_r = scaled_level_difference(ref_l, ref_r, share)
        gain_l, gain_r = gain_l / ref_l, gain_r / ref_r
    if route.loss_db is not None:
        atten = atten * torch.pow(10.0, -route.loss_db / 20.0)

    idx, rest = delayed_frames(model, route, n_hist, n)
    mag = take_frames(magnitude, idx) * (frame_mask(model, times) * atten)  # [B, N, F]
    ph = take_frames(phase, idx)  # [C, B, N, F]
    lin = omega * rest.unsqueeze(-1)  # [B, N', F]
    half = 0.5 * omega * tau
    if ears is not None:
        ear = take_frames(ears, idx)  # [2, B, N, F]
        gain_l, gain_r = gain_l * ear[0], gain_r * ear[1]
    out_l = polar(mag * gain_l, ph[0] - lin - half)
    out_r = polar(mag * gain_r, ph[-1] - lin + half)
    return torch.stack([out_l, out_r], dim=1)  # [B, 2, N, F]
