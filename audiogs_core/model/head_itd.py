"""Spherical-head interaural time difference of the model (DESIGN.md §4, step 5).

The renderer's ITD from geometry; the ITD *measured* from audio (ITDE) is
``metrics/itd.py``.
"""

from __future__ import annotations

import torch

LOW_HZ = 500.0  # below: low-frequency (Kuhn) ITD 3a/c sin(lam)
HIGH_HZ = 1500.0  # above: Woodworth ITD a/c (lam + sin(lam))


def itd_magnitude(
    abs_lateral: torch.Tensor, freqs_hz: torch.Tensor, head_radius: float, speed_of_sound: float
) -> torch.Tensor:
    """ITD in seconds for lateral angles |lam| (rad).

    abs_lateral: [..., F] (frequency last), freqs_hz: [F].  Below 500 Hz the
    low-frequency limit 3a/c sin|lam|, above 1500 Hz Woodworth's
    a/c (|lam| + sin|lam|), linear in frequency in between.
    """
    s = torch.sin(abs_lateral)
    low = 3.0 * head_radius / speed_of_sound * s
    high = head_radius / speed_of_sound * (abs_lateral + s)
    blend = ((freqs_hz - LOW_HZ) / (HIGH_HZ - LOW_HZ)).clamp(0.0, 1.0).to(abs_lateral.dtype)
    return low + blend * (high - low)


def signed_itd(
    v_head: torch.Tensor, freqs_hz: torch.Tensor, head_radius: float, speed_of_sound: float
) -> torch.Tensor:
    """Signed ITD (s, positive: the right ear leads) of sources at head-frame vectors.

    v_head: [..., F, 3] vector from the listener to the Gaussian in the head
    frame (+X = right ear).  Returns [..., F].
    """
    dist = v_head.norm(dim=-1).clamp_min(1e-9)
    lateral = torch.asin((v_head[..., 0] / dist).clamp(-0.999999, 0.999999))  # finite asin gradient
    return torch.sign(lateral) * itd_magnitude(lateral.abs(), freqs_hz, head_radius, speed_of_sound)
