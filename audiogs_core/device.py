"""Which torch device a command runs on: ``auto``, ``cpu`` or ``cuda``."""

from __future__ import annotations

import torch

from audiogs_core.errors import AudioGSError

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def resolve_device(name: str) -> torch.device:
    """``auto``: CUDA when torch sees a device, else the CPU; ``cuda`` without one is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise AudioGSError("--device cuda was asked for, but torch sees no CUDA device")
    if name not in DEVICE_CHOICES:
        raise AudioGSError(f"unknown device {name!r} (auto, cpu or cuda)")
    return torch.device(name)
