"""Baseline ``implicit_field``: an audio-only NeRF-style MLP (docs/DESIGN.md §8).

The implicit representation AudioGS claims to beat. Where AudioGS stores one
Gaussian per time-frequency cell, this baseline asks one MLP, at every cell,
for the same two outputs: a mask logit ``s`` and a side term ``D``. Its input
is the positional encoding (sin/cos at octave frequencies) of the listener
position, the head's forward and right vectors (its orientation), the
frequency and the time. Everything downstream is shared with AudioGS
(docs/DESIGN.md §4): mask ``m = 2 sigmoid(s)``, per-frequency gain ``G_f`` from
a learnable ``gain_db`` initialised as the trainer does, magnitudes
``|Y_L| = ReLU(G_f |X| m (1 + D))`` and ``|Y_R| = ReLU(G_f |X| m (1 - D))``, the
reference phase, the AudioGS time grid (K cells, linear interpolation to the
STFT frames), the same loss and the same optimizer steps (epochs x windows).

The first layer of an MLP over concatenated encodings is a sum of one
projection per input, so it is computed per pose, per time cell and per
frequency and broadcast to [B, K, F, H]; only the deeper layers run per cell.
That is the same function as the plain MLP, at a cost the benchmark can afford.

Deterministic on the CPU for a seed.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn

from audiogs_core.baselines.inputs import BaselineInputs, check_pose
from audiogs_core.method import Method
from audiogs_core.dsp.phasor import polar
from audiogs_core.conventions import StftSettings, stft_settings, time_cells
from audiogs_core.dsp.stft import istft, stft
from audiogs_core.errors import AudioGSError
from audiogs_core.geometry import quat_to_matrix
from audiogs_core.metrics.highpass import highpass
from audiogs_core.model.render import grid_cell_weights
from audiogs_core.train.data import initial_gain_db, make_windows
from audiogs_core.train.loss import TargetFeatures, binaural_loss
from audiogs_core.train.settings import TrainSettings
from audiogs_core.train.trainer import start_epoch

NAME = "implicit_field"
PREDICT_CHUNK_CELLS = 256  # time cells evaluated at once when predicting: bounds memory


@dataclass(frozen=True)
class FieldSettings:
    """Size of the MLP and of its positional encodings (octaves per input)."""

    hidden: int = 64  # width H
    layers: int = 3  # hidden layers, the fused input layer included
    pe_position: int = 6
    pe_direction: int = 4
    pe_time: int = 10
    pe_frequency: int = 8
    lr: float = 5e-4  # the MLP's weights; gain_db uses TrainSettings.lr_gain
    position_scale: float = 5.0  # m: positions are encoded as (p - mean train position) / scale

    def to_dict(self) -> dict:
        return asdict(self)


def encode(x: torch.Tensor, octaves: int) -> torch.Tensor:
    """Positional encoding [..., D] -> [..., D (1 + 2 octaves)]: x, sin(2^k pi x), cos(2^k pi x)."""
    scales = (2.0 ** torch.arange(octaves, dtype=x.dtype, device=x.device)) * math.pi  # [L]
    arg = x.unsqueeze(-1) * scales  # [..., D, L]
    enc = torch.cat([torch.sin(arg), torch.cos(arg)], dim=-1).flatten(-2)
    return torch.cat([x, enc], dim=-1)


def pose_features(positions: torch.Tensor, rotations: torch.Tensor, centre: torch.Tensor,
                  scale: float) -> torch.Tensor:
    """[B, 9]: normalised position, forward (head -Z) and right (head +X) in the world.

    positions [B, 3], rotations [B, 3, 3] head-to-world.
    """
    forward = -rotations[:, :, 2]
    right = rotations[:, :, 0]
    return torch.cat([(positions - centre) / scale, forward, right], dim=-1)


class ImplicitField(nn.Module):
    """The MLP (pose, time, frequency) -> (mask logit, side term), plus gain_db [F]."""

    def __init__(self, settings: FieldSettings, n_freq: int, duration: float, n_cells: int,
                 centre: np.ndarray, gain_db: np.ndarray) -> None:
        super().__init__()
        if settings.hidden < 1 or settings.layers < 1:
            raise AudioGSError(f"implicit field needs hidden >= 1 and layers >= 1, got {settings}")
        self.settings = settings
        self.n_freq = int(n_freq)
        self.duration = float(duration)
        self.n_cells = int(n_cells)
        h = settings.hidden
        self.pose_in = nn.Linear(3 * (1 + 2 * settings.pe_position) + 6 * (1 + 2 * settings.pe_direction), h)
        self.time_in = nn.Linear(1 + 2 * settings.pe_time, h, bias=False)
        self.freq_in = nn.Linear(1 + 2 * settings.pe_frequency, h, bias=False)
        self.hidden = nn.ModuleList([nn.Linear(h, h) for _ in range(settings.layers - 1)])
        self.out = nn.Linear(h, 2)
        # Start where AudioGS starts: mask exactly 1, side term 0.
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)
        self.gain_db = nn.Parameter(torch.as_tensor(np.asarray(gain_db), dtype=torch.float32).clone())
        self.centre: torch.Tensor
        self.register_buffer("centre", torch.as_tensor(np.asarray(centre), dtype=torch.float32))

    @property
    def cell_spacing(self) -> float:
        return self.duration / (self.n_cells - 1)

    def mlp_parameters(self) -> list[nn.Parameter]:
        return [p for n, p in self.named_parameters() if n != "gain_db"]

    def cell_gains(self, positions: torch.Tensor, rotations: torch.Tensor,
                   cells: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Ear gains (|Y| / (G_f |X|)) at time cells ``cells`` [Kw] for B poses.

        positions [B, 3], rotations [B, 3, 3] -> (gain_l, gain_r), each [B, Kw, F].
        """
        s = self.settings
        dev = self.gain_db.device
        feats = pose_features(positions, rotations, self.centre, s.position_scale)  # [B, 9]
        pose = encode(feats[:, :3], s.pe_position)
        dirs = encode(feats[:, 3:], s.pe_direction)
        t = cells.to(dev, torch.float32) * (self.cell_spacing / self.duration) * 2.0 - 1.0  # [Kw] in [-1, 1]
        f = torch.linspace(-1.0, 1.0, self.n_freq, device=dev)  # [F]
        a = self.pose_in(torch.cat([pose, dirs], dim=-1))  # [B, H]
        b = self.time_in(encode(t[:, None], s.pe_time))  # [Kw, H]
        c = self.freq_in(encode(f[:, None], s.pe_frequency))  # [F, H]
        x = torch.relu(a[:, None, None, :] + b[None, :, None, :] + c[None, None, :, :])  # [B, Kw, F, H]
        for layer in self.hidden:
            x = torch.relu(layer(x))
        y = self.out(x)  # [B, Kw, F, 2]
        mask = 2.0 * torch.sigmoid(y[..., 0])
        side = y[..., 1]
        return torch.relu(mask * (1.0 + side)), torch.relu(mask * (1.0 - side))

    def render(self, ref_spec: torch.Tensor, times: torch.Tensor, positions: torch.Tensor,
               rotations: torch.Tensor) -> torch.Tensor:
        """Binaural STFT [B, 2, F, N] for B static listeners.

        ref_spec [C, F, N] (C = 1 or 2), times [N] (s, frame centres on the timeline).
        """
        k0, w = grid_cell_weights(times, self.cell_spacing, self.n_cells)
        k0, w = k0.to(ref_spec.device), w.to(ref_spec.device)
        lo, hi = int(k0.min()), int(k0.max()) + 1
        cells = torch.arange(lo, hi + 1, device=ref_spec.device)
        gain_l, gain_r = self.cell_gains(positions, rotations, cells)  # [B, Kw, F]

        def at_frames(g: torch.Tensor) -> torch.Tensor:  # [B, Kw, F] -> [B, F, N]
            g0, g1 = g[:, k0 - lo], g[:, k0 + 1 - lo]  # [B, N, F]
            return (g0 + w[None, :, None] * (g1 - g0)).transpose(1, 2)

        level = torch.pow(10.0, self.gain_db / 20.0)[:, None] * ref_spec.abs().mean(dim=0)  # [F, N]
        phase_l, phase_r = torch.angle(ref_spec[0]), torch.angle(ref_spec[-1])
        left = polar(level * at_frames(gain_l), phase_l.expand(positions.shape[0], -1, -1))
        right = polar(level * at_frames(gain_r), phase_r.expand(positions.shape[0], -1, -1))
        return torch.stack([left, right], dim=1)


@dataclass
class FittedField:
    """A trained implicit field and the unfiltered reference it renders from."""

    model: ImplicitField
    reference: np.ndarray  # [C, T] float32
    sample_rate: int
    settings: TrainSettings
    field_settings: FieldSettings
    epoch_loss: list[float] = field(default_factory=list)
    seconds: float = 0.0
    steps: int = 0

    @property
    def stft(self) -> StftSettings:
        return stft_settings(self.sample_rate)


def fit(inputs: BaselineInputs, settings: TrainSettings = TrainSettings(),
        field_settings: FieldSettings = FieldSettings(), device: str = "cpu",
        progress=None) -> FittedField:
    """Train the implicit field on the train views of ``inputs``.

    Same inputs (150 Hz high-passed reference and views), windows, loss,
    schedule (lr decay, gradient clip) and number of optimizer steps as the
    AudioGS trainer for ``settings``. ``progress.update(step, total, loss=..)``
    is called after every step when given.
    """
    inputs.require_views(NAME)
    t0 = time.monotonic()
    dev = torch.device(device)
    sr = inputs.sample_rate
    cfg = stft_settings(sr)
    window_len = int(round(settings.window_s * sr))
    if window_len < cfg.n_fft:
        raise AudioGSError(f"window_s {settings.window_s} is too short for the STFT at {sr} Hz")
    torch.manual_seed(settings.seed)

    reference = highpass(inputs.reference.astype(np.float32), sr)
    views = np.stack([highpass(v, sr) for v in inputs.train_audio.astype(np.float32)])
    windows = make_windows(reference, views, window_len, cfg)
    targets = [TargetFeatures(w.target.to(dev), cfg, settings.loss_terms) for w in windows]
    duration = inputs.n_samples / sr
    model = ImplicitField(field_settings, cfg.n_freq, duration, time_cells(duration),
                          inputs.train_positions.mean(axis=0), initial_gain_db(reference, views, cfg)).to(dev)
    groups = [{"params": model.mlp_parameters(), "lr": field_settings.lr, "base_lr": field_settings.lr},
              {"params": [model.gain_db], "lr": settings.lr_gain, "base_lr": settings.lr_gain}]
    optimizer = torch.optim.Adam(groups)
    positions = torch.as_tensor(inputs.train_positions, dtype=torch.float32, device=dev)
    rotations = torch.as_tensor(quat_to_matrix(inputs.train_rotations), dtype=torch.float32, device=dev)

    total = settings.epochs * len(windows)
    epoch_loss: list[float] = []
    step = 0
    for epoch in range(settings.epochs):
        order = start_epoch(optimizer, settings, epoch, len(windows))  # the trainer's lr and order
        running = 0.0
        for i in order:
            w = windows[i]
            ref_spec = w.ref_spec.to(dev)
            times = (w.start + torch.arange(ref_spec.shape[-1], dtype=torch.float64) * cfg.hop) / sr
            pred = istft(model.render(ref_spec, times, positions, rotations), cfg, window_len)
            loss = binaural_loss(pred, targets[i], cfg, settings.side_weight, settings.phase_weight,
                                 settings.loss_norm)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(list(model.parameters()), settings.grad_clip)
            if torch.isfinite(loss) and torch.isfinite(norm):
                optimizer.step()
                running += float(loss.detach())
            step += 1
            if progress is not None:
                progress.update(step, total, epoch=epoch + 1, loss=float(loss.detach()))
        epoch_loss.append(running / len(windows))
    model.eval()
    return FittedField(model=model, reference=inputs.reference.astype(np.float32), sample_rate=sr,
                       settings=settings, field_settings=field_settings, epoch_loss=epoch_loss,
                       seconds=time.monotonic() - t0, steps=total)


@torch.no_grad()
def predict(fitted: FittedField, position: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    """[2, T] float32: the field rendered for a listener standing still over the recording."""
    pos, rot = check_pose(position, rotation)
    model = fitted.model
    dev = model.gain_db.device
    cfg = fitted.stft
    ref_spec = stft(torch.from_numpy(fitted.reference).to(dev), cfg)  # [C, F, N]
    n_frames = ref_spec.shape[-1]
    times = torch.arange(n_frames, dtype=torch.float64) * cfg.hop / fitted.sample_rate
    positions = torch.as_tensor(pos, dtype=torch.float32, device=dev)[None]
    rotations = torch.as_tensor(quat_to_matrix(rot), dtype=torch.float32, device=dev)[None]
    k0, _ = grid_cell_weights(times, model.cell_spacing, model.n_cells)
    out = torch.empty(2, cfg.n_freq, n_frames, dtype=torch.complex64, device=dev)
    # Chunks of frames that span at most PREDICT_CHUNK_CELLS cells.
    start = 0
    while start < n_frames:
        limit = int(k0[start]) + PREDICT_CHUNK_CELLS - 1
        stop = start + int((k0[start:] < limit).sum())
        stop = max(stop, start + 1)
        out[:, :, start:stop] = model.render(ref_spec[:, :, start:stop], times[start:stop], positions, rotations)[0]
        start = stop
    return istft(out, cfg, fitted.reference.shape[1]).cpu().numpy().astype(np.float32)


class FieldMethod(Method):
    """A fitted implicit field behind the one method interface (``audiogs_core.method``)."""

    name = NAME

    def __init__(self, fitted: FittedField, n_samples: int) -> None:
        self.fitted = fitted
        self.sample_rate = fitted.sample_rate
        self.n_samples = int(n_samples)

    def predict(self, position: np.ndarray, rotation: np.ndarray) -> np.ndarray:
        return predict(self.fitted, position, rotation)
