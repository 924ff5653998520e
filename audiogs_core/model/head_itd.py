"""Spherical-head interaural time difference of the model (DESIGN.md §4, step 5).

The renderer's ITD from geometry; the ITD *measured* from audio (ITDE) is
``metrics/itd.py``.

Below 500 Hz the low-frequency limit 3a/c sin(lam), above 1500 Hz Woodworth's
a/c (lam + sin(lam)), linear in frequency in between; with the blend b_f of bin f
both are one formula, odd in the lateral angle lam:

    ITD_f(lam) = a/c (3 - 2 b_f) sin(lam) + a/c b_f lam,

so the signed ITD needs only the sine of the lateral angle, its arcsine and two
coefficients per bin (no sign, sine or per-element blend over cells x frames x bins).
"""

from __future__ import annotations

import torch

LOW_HZ = 500.0  # below: low-frequency (Kuhn) ITD 3a/c sin(lam)
HIGH_HZ = 1500.0  # above: Woodworth ITD a/c (lam + sin(lam))
MAX_SINE = 0.999999  # the arcsine's gradient stays finite at the ear axis


def itd_coefficients(freqs_hz: torch.Tensor, head_radius: float, speed_of_sound: float
                     ) -> tuple[torch.Tensor, torch.Tensor]:
    """(A [F], B [F]) in seconds: ITD_f(lam) = A_f sin(lam) + B_f lam for bins at ``freqs_hz`` [F]."""
    blend = ((freqs_hz - LOW_HZ) / (HIGH_HZ - LOW_HZ)).clamp(0.0, 1.0)
    scale = head_radius / speed_of_sound
    return scale * (3.0 - 2.0 * blend), scale * blend


def signed_itd_of_sine(sine: torch.Tensor, coefficients: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """Signed ITD (s, positive: the right ear leads) [..., F] of sources whose lateral angle has
    sine ``sine`` [..., F] (+1: at the right ear; within +-MAX_SINE), from ``itd_coefficients``."""
    a, b = coefficients
    return a * sine + b * torch.asin(sine)


def lateral_sine(v_head: torch.Tensor) -> torch.Tensor:
    """[...] sine of the lateral angle (clamped to +-MAX_SINE) of head-frame vectors [..., 3]
    (+X = right ear)."""
    dist = v_head.norm(dim=-1).clamp_min(1e-9)
    return (v_head[..., 0] / dist).clamp(-MAX_SINE, MAX_SINE)


def signed_itd(
    v_head: torch.Tensor, freqs_hz: torch.Tensor, head_radius: float, speed_of_sound: float
) -> torch.Tensor:
    """Signed ITD (s, positive: the right ear leads) of sources at head-frame vectors.

    v_head: [..., F, 3] vector from the listener to the source in the head
    frame (+X = right ear); freqs_hz [F].  Returns [..., F].
    """
    coefficients = tuple(c.to(v_head.dtype) for c in itd_coefficients(freqs_hz, head_radius, speed_of_sound))
    return signed_itd_of_sine(lateral_sine(v_head), coefficients)  # type: ignore[arg-type]
