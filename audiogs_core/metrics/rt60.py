"""The blind RT60 estimator behind RTE (docs/DESIGN.md §7).

A small CNN reads log1p|STFT| (the project's 16 kHz STFT) of one channel,
normalised to unit RMS so the estimate does not depend on level, pools its
feature maps over time (mean and standard deviation, so any length of at
least a few frames works) and regresses the RT60 in seconds. It was trained
once on simulated rooms by ``scripts/train_rt60.py``; the weights live in
``audiogs_core/data/rt60_estimator.safetensors`` and load without pickle.
Estimates are comparable within the project, not with published RTE.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import torch
from torch import nn

from audiogs_core.conventions import BENCH_SAMPLE_RATE, stft_settings
from audiogs_core.dsp.stft import stft
from audiogs_core.errors import AudioGSError

WEIGHTS_PATH = Path(__file__).resolve().parent.parent / "data" / "rt60_estimator.safetensors"


def features(x: torch.Tensor) -> torch.Tensor:
    """log1p|STFT| of ``x`` [B, T] at 16 kHz after unit-RMS normalisation -> [B, 257, frames]."""
    s = stft_settings(BENCH_SAMPLE_RATE)
    x = x.to(torch.float32)
    rms = x.pow(2).mean(dim=-1, keepdim=True).sqrt()
    x = x / (rms + 1e-8)
    return torch.log1p(stft(x, s).abs())


class RT60Net(nn.Module):
    """Four stride-2 3x3 convolutions, mean+std pooling over time, a 2-layer head.

    Input [B, 257, frames] (frequency must be 257: the flattened head sees
    every frequency band), output [B] RT60 in seconds.
    """

    def __init__(self, channels: tuple[int, ...] = (16, 32, 32, 32), hidden: int = 64,
                 n_freq: int = 257) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c_in, f = 1, n_freq
        for c in channels:
            layers += [nn.Conv2d(c_in, c, 3, stride=2, padding=1), nn.ReLU()]
            c_in, f = c, (f + 1) // 2
        self.convs = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(2 * c_in * f, hidden), nn.ReLU(),
                                  nn.Linear(hidden, 1))
        self.config = {"channels": list(channels), "hidden": hidden, "n_freq": n_freq}

    def forward(self, feat: torch.Tensor) -> torch.Tensor:
        h = self.convs(feat[:, None])  # [B, C, F', T']
        pooled = torch.cat([h.mean(dim=-1), h.std(dim=-1, unbiased=False)], dim=1)
        return self.head(pooled.flatten(1))[:, 0]


_lock = threading.Lock()
_cached: dict[str, RT60Net] = {}


def load_estimator(path: str | Path = WEIGHTS_PATH) -> RT60Net:
    """The trained estimator from ``path`` (safetensors, architecture in its metadata); cached."""
    from safetensors import safe_open

    key = str(Path(path).resolve())
    with _lock:
        if key in _cached:
            return _cached[key]
        if not Path(path).is_file():
            raise AudioGSError(f"RT60 estimator weights not found: {path}")
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            state = {k: f.get_tensor(k) for k in f.keys()}
        if "config" not in meta:
            raise AudioGSError(f"RT60 estimator file {path} has no 'config' metadata")
        cfg = json.loads(meta["config"])
        net = RT60Net(tuple(cfg["channels"]), int(cfg["hidden"]), int(cfg["n_freq"]))
        net.load_state_dict(state)
        net.eval()
        _cached[key] = net
        return net


def estimate_rt60(x: np.ndarray, sample_rate: int = BENCH_SAMPLE_RATE) -> np.ndarray:
    """Blind RT60 in seconds of each channel of ``x`` ([C, T] or [T]) -> [C] (or [1]).

    Other rates are resampled to 16 kHz first. The metrics pass signals
    already high-passed at 150 Hz, which is what the estimator was trained on.
    """
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = a[None]
    if a.ndim != 2 or a.shape[1] == 0:
        raise AudioGSError(f"RT60 estimation needs a [C, T] signal, got shape {a.shape}")
    if int(sample_rate) != BENCH_SAMPLE_RATE:
        from audiogs_core.io.audio import resample

        a = resample(a, int(sample_rate), BENCH_SAMPLE_RATE, dtype=np.float64)
    net = load_estimator()
    with torch.no_grad():
        out = net(features(torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))))
    return out.double().numpy()
