"""Differentiable rendering of Audio Gaussians to a binaural spectrogram.

Implements DESIGN.md §4.  The work splits in two:

* :func:`gaussian_response` evaluates steps 1-5 for Gaussians of chosen time
  cells seen from chosen listener poses, giving per-Gaussian ear gains
  (everything of |Y_L|, |Y_R| except the frame's reference magnitude, which
  factors out of the ReLU because it is non-negative), the signed ITD and the
  propagation delay;
* :func:`assemble` interpolates those between the two cells around each STFT
  frame (step 6: magnitudes and delays, never wrapped phases) and forms the
  complex binaural STFT.

A static listener (training views, a fixed pose) is evaluated once per cell
instead of once per frame and cell, about four times less work at the
published grid density; a moving listener is evaluated at every frame's pose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from audiogs_core.conventions import MIN_DISTANCE
from audiogs_core.dsp.phasor import phase_cos_sin, rotated
from audiogs_core.dsp.stft import bin_frequencies
from audiogs_core.model.gaussians import AudioGaussians
from audiogs_core.model.head_itd import MAX_SINE, itd_coefficients, lateral_sine, signed_itd_of_sine
from audiogs_core.model.rotation import to_head_frame, torch_quat_to_matrix
from audiogs_core.model.sh import C0, n_coeffs, sh_basis


@dataclass
class Response:
    """Per-Gaussian quantities, each [..., F] broadcastable to the broadcast of cells and poses
    (pose-independent gains keep size-1 pose dimensions)."""

    gain_l: torch.Tensor  # ReLU(m g (1 + g D)): |Y_L| / (G_f |X|)
    gain_r: torch.Tensor  # ReLU(m g (1 - g D))
    tau: torch.Tensor | None  # signed ITD, s (positive: right ear leads); None when phase is off
    delta: torch.Tensor | None  # propagation delay relative to the reference, s; None without delay


def cell_weights(model: AudioGaussians, times: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Neighbouring cells of each frame: k0 [N] (long) and the weight w [N] of k0 + 1."""
    return grid_cell_weights(times, model.grid.cell_spacing, model.grid.n_cells)


def grid_cell_weights(times: torch.Tensor, spacing: float, n_cells: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Cells around each frame time [N] on a grid of ``n_cells`` cells ``spacing`` s apart:
    k0 [N] (long) and the weight [N] of cell k0 + 1 (AudioGS and the implicit field share it)."""
    u = times.to(torch.float64) / spacing
    k0 = torch.floor(u).clamp(0, n_cells - 2)
    w = (u - k0).clamp(0.0, 1.0)
    return k0.long(), w.float()


def mono_mask(s_mono: torch.Tensor, mask_range: float) -> torch.Tensor:
    """The mono mask m = R sigmoid(s - ln(R - 1)) of SH values ``s_mono`` (any shape): 1 at s = 0
    for every R = ``mask_range``, 2 sigmoid(s) (published) for R = 2."""
    return mask_range * torch.sigmoid(s_mono - math.log(mask_range - 1.0))


def gaussian_response(
    model: AudioGaussians, cells: torch.Tensor, positions: torch.Tensor, rotations: torch.Tensor
) -> Response:
    """Steps 1-5 for the Gaussians of time cells ``cells`` seen by listeners.

    cells:     [*C] long, time-cell indices.
    positions: [*P, 3] listener positions, rotations [*P, 3, 3] head-to-world;
               *P broadcasts with *C.  Output tensors are [*broadcast(C, P), F].
    """
    flags = model.flags
    grid = model.grid
    mu = model.mu[cells]  # [*C, F, 3]
    degree = flags.sh_degree
    if flags.attenuation or flags.delay:
        r_ref = (mu - model.reference_position).norm(dim=-1).clamp_min(MIN_DISTANCE)  # [*C, F]

    # 1. the Gaussian in the listener's head frame: v = R^T (mu - p).  Without SH directions
    # only its lateral component (on the head's right axis, R's first column) is needed.
    rel = mu - positions.unsqueeze(-2)  # [*, F, 3]
    dist = rel.norm(dim=-1)  # [*, F] (a rotation keeps lengths)
    r = dist.clamp_min(MIN_DISTANCE)
    if degree > 0:
        v = to_head_frame(rel, rotations)  # [*, F, 3]
        lateral = v[..., 0]
        # SH direction: from the Gaussian to the listener, in the Gaussian's frame.
        nc = n_coeffs(degree)
        to_listener = -v / dist.clamp_min(1e-9).unsqueeze(-1)
        rq = torch_quat_to_matrix(model.q[cells])  # [*C, F, 3, 3]
        d = (rq * to_listener.unsqueeze(-1)).sum(-2)  # R(q)^T to_listener
        basis = sh_basis(d, degree)  # [*, F, nc]
        s_mono = (basis * model.sh_coefficients("mono", cells)[..., :nc]).sum(-1)
        s_diff = (basis * model.sh_coefficients("diff", cells)[..., :nc]).sum(-1) if flags.side else None
    else:
        lateral = to_head_frame(rel, rotations[..., :1]).squeeze(-1)  # [*, F]
        s_mono, s_diff = _sh_constants(model, cells)

    # 2-3. mono mask and distance attenuation relative to the reference distance.
    mask = mono_mask(s_mono, flags.mask_range)
    if flags.attenuation:
        decay = model.decay[cells] if flags.per_gaussian_decay else model.decay
        atten = (r_ref / r) ** (1.0 + torch.tanh(decay))
        if flags.max_attenuation is not None:
            # A Gaussian passing centimetres from a new pose must not blow up.
            atten = atten.clamp(max=flags.max_attenuation)
    else:
        atten = None

    # 4. ear gains (the frame's G_f |X| multiplies in later).
    base = mask if atten is None else mask * atten
    side = s_diff if s_diff is None or atten is None else atten * s_diff
    gain_l, gain_r = _ear_gains(base, side)
    if gain_l.dim() < r.dim():
        # Without SH directions or attenuation the gains do not depend on the pose: they stay
        # [1.., *C, F] and broadcast over the listeners (evaluated once, not once per listener).
        lead = (1,) * (r.dim() - gain_l.dim())
        gain_l, gain_r = gain_l.reshape(lead + gain_l.shape), gain_r.reshape(lead + gain_r.shape)

    if not flags.phase:
        return Response(gain_l, gain_r, None, None)

    # 5. geometry-guided phase: signed ITD with the per-frequency residual, and delay.
    freqs = bin_frequencies(grid.stft).to(device=mu.device, dtype=mu.dtype)
    coefficients = itd_coefficients(freqs, grid.head_radius, grid.speed_of_sound)
    sine = (lateral / dist.clamp_min(1e-9)).clamp(-MAX_SINE, MAX_SINE)
    tau = signed_itd_of_sine(sine, coefficients)
    if model.reference_binaural and model.reference_rotation is not None:
        # A binaural reference already carries the ITD of its own pose.
        rot_ref = torch_quat_to_matrix(model.reference_rotation)
        v_ref = to_head_frame(mu - model.reference_position, rot_ref)
        tau = tau - signed_itd_of_sine(lateral_sine(v_ref), coefficients)
    tau = tau * (1.0 + 0.5 * torch.tanh(model.itd_scale))
    delta = (r - r_ref) / grid.speed_of_sound if flags.delay else None
    return Response(gain_l, gain_r, tau, delta)


def _sh_constants(model: AudioGaussians, cells: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Degree-0 SH values (mono [*C, F], side [*C, F] or None without the side term) of ``cells``."""
    s_diff = C0 * model.sh_constant("diff", cells) if model.flags.side else None
    return C0 * model.sh_constant("mono", cells), s_diff


def _ear_gains(base: torch.Tensor, side: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """Step 4: (left, right) gains ReLU(b (1 +- side)) of the mono gain b; b, b without a side term."""
    if side is None:
        return base, base
    return torch.relu(base * (1.0 + side)), torch.relu(base * (1.0 - side))


def pose_free_ear_magnitudes(model: AudioGaussians, times: torch.Tensor, ref_mag: torch.Tensor
                             ) -> torch.Tensor | None:
    """[2, N, F] each ear's whole magnitude G_f |X| gain at frame times [N], for a model whose
    gains do not depend on the pose (SH degree 0, no distance attenuation); None for any other.

    ref_mag [N, F] as :func:`assemble` takes it.  The same values as assemble computes from
    the cells' gains; a renderer keeps them with the reference span, so another camera over
    the span pays only for its ITD.
    """
    flags = model.flags
    if flags.sh_degree > 0 or flags.attenuation:
        return None
    k0, w = cell_weights(model, times)
    cells = torch.stack([k0, k0 + 1], dim=1).to(model.mu.device)  # [N, 2]
    s_mono, s_diff = _sh_constants(model, cells)
    gains = _ear_gains(mono_mask(s_mono, flags.mask_range), s_diff)  # [N, 2, F] each
    return torch.stack(_ear_magnitudes(model, ref_mag, gains, w.to(model.mu.device)))


def _ear_magnitudes(model: AudioGaussians, ref_mag: torch.Tensor, gains: tuple[torch.Tensor, torch.Tensor],
                    w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each ear's magnitude G_f |X| gain [..., N, F] from its cells' gains [..., N, 2, F]."""
    level = torch.pow(10.0, model.gain_db / 20.0) * ref_mag  # G_f |X|
    return level * _interp(gains[0], w), level * _interp(gains[1], w)


def _interp(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """[..., N, 2, F] values at cells (k0, k0+1) -> [..., N, F] at weight w [N]."""
    return x[..., 0, :] + w[:, None] * (x[..., 1, :] - x[..., 0, :])


def assemble(model: AudioGaussians, ref_spec: torch.Tensor, resp: Response, w: torch.Tensor,
             ref_mag: torch.Tensor | None = None, itd_weight: torch.Tensor | None = None,
             ref_phase: torch.Tensor | None = None, ear_mag: torch.Tensor | None = None) -> torch.Tensor:
    """Step 6: interpolate responses [B, N, 2, F] between cells and form [B, 2, F, N] complex.

    ref_mag [N, F]: the reference magnitude to scale and itd_weight [N, F] or
    None the factor on each frame's ITD (flag diffuse_itd), both from
    AudioGaussians.reference_terms; without ref_mag, both come from ref_spec
    (no history), an itd_weight given explicitly still taking precedence.  The phase comes from
    ref_spec, or from ref_phase [2, C, N, F] (its cos and sin, ``dsp.phasor.phase_cos_sin``,
    when a renderer computed them once).  ear_mag [2, N, F]: both ears' magnitudes from
    :func:`pose_free_ear_magnitudes` (then resp's gains are not read).
    """
    if ref_mag is None:
        ref_mag, own_weight = model.reference_terms(ref_spec)  # [N, F] each (weight or None)
        itd_weight = own_weight if itd_weight is None else itd_weight
    if ear_mag is not None:
        mag_l, mag_r = ear_mag[0][None], ear_mag[1][None]  # [1, N, F]
    else:
        mag_l, mag_r = _ear_magnitudes(model, ref_mag, (resp.gain_l, resp.gain_r), w)  # [B, N, F]
    if ref_phase is None:
        ref_phase = phase_cos_sin(ref_spec)  # [2, C, N, F]
    ref_l, ref_r = ref_phase[:, 0], ref_phase[:, -1]  # [2, N, F] each
    if resp.tau is None:
        zero = torch.zeros((), device=mag_l.device, dtype=mag_l.dtype)
        turn_r = turn_l = (zero + 1.0, zero)
    else:
        # Each ear's phase turns by theta from the reference's: +-omega tau / 2 - omega delta.
        omega = 2.0 * math.pi * bin_frequencies(model.grid.stft).to(mag_l.device, mag_l.dtype)
        tau = _interp(resp.tau, w)
        if itd_weight is not None:
            tau = tau * itd_weight
        half = omega * (0.5 * tau)
        if resp.delta is None:
            cos_half, sin_half = torch.cos(half), torch.sin(half)
            turn_r, turn_l = (cos_half, sin_half), (cos_half, -sin_half)
        else:
            lag = omega * _interp(resp.delta, w)
            theta_r, theta_l = half - lag, -(half + lag)
            turn_r, turn_l = (torch.cos(theta_r), torch.sin(theta_r)), (torch.cos(theta_l), torch.sin(theta_l))
    parts = (*rotated(mag_l, ref_l, *turn_l), *rotated(mag_r, ref_r, *turn_r))  # re_l, im_l, re_r, im_r
    shape = torch.broadcast_shapes(*(p.shape for p in parts))  # [B, N, F]
    # Written straight into the complex result's real and imaginary parts (one pass, no stack).
    out = torch.empty((shape[0], 2, *shape[1:], 2), device=mag_l.device, dtype=mag_l.dtype)
    for i, part in enumerate(parts):
        out[:, i // 2, ..., i % 2] = part
    return torch.view_as_complex(out).transpose(2, 3)  # [B, 2, F, N]


def render_static_spec(
    model: AudioGaussians, ref_spec: torch.Tensor, times: torch.Tensor,
    positions: torch.Tensor, rotations: torch.Tensor, ref_mag: torch.Tensor | None = None,
    itd_weight: torch.Tensor | None = None, ref_phase: torch.Tensor | None = None,
    ear_mag: torch.Tensor | None = None,
) -> torch.Tensor:
    """B listeners standing still: positions [B, 3], rotations [B, 3, 3].

    ref_spec [C, F, N], times [N], ref_mag and itd_weight [N, F] or None, ref_phase [2, C, N, F]
    or None, ear_mag [2, N, F] or None (see :func:`assemble`) -> [B, 2, F, N] complex.
    """
    k0, w = cell_weights(model, times)
    lo = int(k0.min())
    hi = int(k0.max()) + 1
    cells = torch.arange(lo, hi + 1, device=model.mu.device)  # [Kw]
    resp = gaussian_response(model, cells, positions[:, None, :], rotations[:, None, :, :])  # [B, Kw, F]
    idx = torch.stack([k0 - lo, k0 + 1 - lo], dim=1).to(model.mu.device)  # [N, 2]

    def per_frame(x):
        return None if x is None else x[:, idx]  # [B, N, 2, F]

    # Gains already in ear_mag are not read: not gathered either.
    if ear_mag is None:
        gain_l, gain_r = per_frame(resp.gain_l), per_frame(resp.gain_r)
    else:
        gain_l, gain_r = resp.gain_l, resp.gain_r
    framed = Response(gain_l, gain_r, per_frame(resp.tau), per_frame(resp.delta))
    return assemble(model, ref_spec, framed, w.to(model.mu.device), ref_mag, itd_weight, ref_phase, ear_mag)


def render_moving_spec(
    model: AudioGaussians, ref_spec: torch.Tensor, times: torch.Tensor,
    positions: torch.Tensor, rotations: torch.Tensor, ref_mag: torch.Tensor | None = None,
    itd_weight: torch.Tensor | None = None, ref_phase: torch.Tensor | None = None,
    ear_mag: torch.Tensor | None = None,
) -> torch.Tensor:
    """Listeners with a pose per frame: positions [B, N, 3], rotations [B, N, 3, 3].

    ref_spec [C, F, N], times [N], ref_mag and itd_weight [N, F] or None, ref_phase [2, C, N, F]
    or None, ear_mag [2, N, F] or None (see :func:`assemble`) -> [B, 2, F, N] complex.
    """
    k0, w = cell_weights(model, times)
    cells = torch.stack([k0, k0 + 1], dim=1).to(model.mu.device)  # [N, 2]
    resp = gaussian_response(model, cells, positions[:, :, None, :], rotations[:, :, None, :, :])  # [B, N, 2, F]
    return assemble(model, ref_spec, resp, w.to(model.mu.device), ref_mag, itd_weight, ref_phase, ear_mag)
