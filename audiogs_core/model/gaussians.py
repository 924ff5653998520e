"""The learnable Audio Gaussians: one per time-frequency cell of the reference.

Holds the parameters of DESIGN.md §4 and the constants the renderer needs
(grid, STFT, head, reference pose).  Rendering math is in ``render.py``; the
tensor names and shapes of a model folder are ``io.model_folder``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import math

import numpy as np
import torch
from torch import nn

from audiogs_core.conventions import HEAD_RADIUS, SPEED_OF_SOUND, StftSettings
from audiogs_core.io.model_folder import PARAMETER_SHAPES, SPLIT_SHAPES, TAIL_SHAPES
from audiogs_core.model.flags import ModelFlags

ROOM_TAU_DEFAULT = 0.5 / (3.0 * math.log(10.0))  # s: RT60 0.5 s
TAIL_FRAMES = 150  # history (STFT frames) the tail looks back over
TAIL_INIT_DB = -20.0
TAIL_INIT_TAU = 0.08  # s, amplitude time constant: RT60 = 6.9 tau, about 0.55 s


@dataclass(frozen=True)
class GridSpec:
    """The time-frequency grid and the physical constants of one model."""

    stft: StftSettings
    n_cells: int  # K
    duration: float  # D, seconds
    head_radius: float = HEAD_RADIUS
    speed_of_sound: float = SPEED_OF_SOUND

    @property
    def n_freq(self) -> int:  # F
        return self.stft.n_freq

    @property
    def cell_spacing(self) -> float:
        return self.duration / (self.n_cells - 1)


class AudioGaussians(nn.Module):
    """K x F Audio Gaussians.

    Parameters: mu [K,F,3], q [K,F,4], the SH coefficients sh_mono and
    sh_diff [K,F,16] (each held as its constant term ``*_dc`` [K,F] and the
    rest ``*_rest`` [K,F,15], so the constant term can have its own learning
    rate), decay [K,F] (a single [1] value when per_gaussian_decay is off),
    itd_scale [F], gain_db [F]; with flag reverb_tail also tail_db and
    tail_log_tau [F].  Buffers: reference_position [3], reference_rotation
    [4] wxyz or None.
    """

    reference_position: torch.Tensor  # buffers, declared for the type checker
    reference_rotation: torch.Tensor | None
    source_position: torch.Tensor
    direct_distance: torch.Tensor
    reference_source_distance: torch.Tensor
    diffuse_coherence: torch.Tensor
    ild_scale: torch.Tensor
    room_tau: torch.Tensor

    def __init__(
        self,
        grid: GridSpec,
        flags: ModelFlags,
        reference_position: np.ndarray,
        reference_rotation: np.ndarray | None = None,
        reference_binaural: bool = False,
    ) -> None:
        super().__init__()
        k, f = grid.n_cells, grid.n_freq
        self.grid = grid
        self.flags = flags
        self.reference_binaural = reference_binaural
        self.mu = nn.Parameter(torch.zeros(k, f, 3))
        q = torch.zeros(k, f, 4)
        q[..., 0] = 1.0
        self.q = nn.Parameter(q)
        self.sh_mono_dc = nn.Parameter(torch.zeros(k, f))
        self.sh_mono_rest = nn.Parameter(torch.zeros(k, f, 15))
        self.sh_diff_dc = nn.Parameter(torch.zeros(k, f))
        self.sh_diff_rest = nn.Parameter(torch.zeros(k, f, 15))
        self.decay = nn.Parameter(torch.zeros(k, f) if flags.per_gaussian_decay else torch.zeros(1))
        self.itd_scale = nn.Parameter(torch.zeros(f))
        self.gain_db = nn.Parameter(torch.zeros(f))
        self.tail_db = nn.Parameter(torch.full((f,), TAIL_INIT_DB))
        self.tail_log_tau = nn.Parameter(torch.full((f,), math.log(TAIL_INIT_TAU)))
        self.register_buffer("reference_position", torch.as_tensor(reference_position, dtype=torch.float32))
        rot = None if reference_rotation is None else torch.as_tensor(reference_rotation, dtype=torch.float32)
        self.register_buffer("reference_rotation", rot)
        # The split field's constants (flag split_field; set from the training data by
        # ``set_direct_geometry`` and the diffuse fit, stored in model.json and the tensors).
        self.register_buffer("source_position", torch.as_tensor(reference_position, dtype=torch.float32).clone())
        self.register_buffer("direct_distance", torch.tensor(1.0))  # r0: the train views' mean source distance
        self.register_buffer("reference_source_distance", torch.tensor(0.0))  # the reference's own, for delays
        self.register_buffer("diffuse_coherence", torch.zeros(f))  # [F] interaural coherence of the room
        # [F] in [0, 1]: the share of the head model's level difference the direct part keeps
        # (it holds the first reflections too; chosen on the train views by ``train/diffuse_fit``)
        self.register_buffer("ild_scale", torch.ones(f))
        # [F] s: the room's amplitude decay time, read blind (``train/room_decay.py``) from a
        # binaural reference (for its dereverberation) or, with a recorded room, from the train
        # views (for their late sounds' split, and the room's fall with distance,
        # ``diffuse.room_distance_gain``)
        self.register_buffer("room_tau", torch.full((f,), ROOM_TAU_DEFAULT))

    # ------------------------------------------------------------------ init
    def initialize(
        self, centre: np.ndarray, gain_db: np.ndarray, generator: torch.Generator, spread: float = 2.5
    ) -> None:
        """The published initialisation (DESIGN.md §4).

        mu = centre (published: the mean train-view position) + N(0, spread^2)
        per axis (published spread 2.5 m); SH DC 0, higher orders N(0, 0.1^2);
        q = normalize(identity + N(0, 0.01^2)); decay 0; itd_scale 0; gain_db
        from the level ratio of views to reference.
        """
        k, f = self.grid.n_cells, self.grid.n_freq
        centre_t = torch.as_tensor(np.asarray(centre, dtype=np.float64), dtype=torch.float32)
        with torch.no_grad():
            self.mu.copy_(centre_t + spread * torch.randn(k, f, 3, generator=generator))
            for dc, rest in ((self.sh_mono_dc, self.sh_mono_rest), (self.sh_diff_dc, self.sh_diff_rest)):
                full = 0.1 * torch.randn(k, f, 16, generator=generator)
                dc.zero_()
                rest.copy_(full[..., 1:])
            q = torch.zeros(k, f, 4)
            q[..., 0] = 1.0
            q = q + 0.01 * torch.randn(k, f, 4, generator=generator)
            self.q.copy_(q / q.norm(dim=-1, keepdim=True))
            self.decay.zero_()
            self.itd_scale.zero_()
            self.gain_db.copy_(torch.as_tensor(gain_db, dtype=torch.float32))

    @torch.no_grad()
    def set_direct_geometry(self, source: np.ndarray, direct_distance: float,
                            reference_source_distance: float) -> None:
        """The split field's source position [3], r0 and the reference's distance to the source (m)."""
        self.source_position.copy_(torch.as_tensor(np.asarray(source, dtype=np.float64), dtype=torch.float32))
        self.direct_distance.fill_(float(direct_distance))
        self.reference_source_distance.fill_(float(reference_source_distance))

    def direct_geometry(self) -> dict:
        """The split field's constants as stored in model.json (``direct``); training uses the
        spherical head, the default a render may override (``audiogs render --hrtf``)."""
        return {"source_position": [float(x) for x in self.source_position.tolist()],
                "direct_distance": float(self.direct_distance), "reference_source_distance":
                float(self.reference_source_distance), "head_model": "sphere"}

    # ------------------------------------------------------------ access
    def sh_coefficients(self, kind: str, cells: torch.Tensor) -> torch.Tensor:
        """[*C, F, 16] SH coefficients ("mono" or "diff") of the Gaussians of ``cells``."""
        dc, rest = (self.sh_mono_dc, self.sh_mono_rest) if kind == "mono" else (self.sh_diff_dc, self.sh_diff_rest)
        return torch.cat([dc[cells].unsqueeze(-1), rest[cells]], dim=-1)

    def sh_constant(self, kind: str, cells: torch.Tensor) -> torch.Tensor:
        """[*C, F] constant SH coefficient only (what degree 0 needs)."""
        return (self.sh_mono_dc if kind == "mono" else self.sh_diff_dc)[cells]

    def reference_magnitude(self, ref_spec: torch.Tensor, history: torch.Tensor | None = None) -> torch.Tensor:
        """[N, F] reference magnitude the masks scale (mean over channels).

        ref_spec [C, F, N]; history [C, F, P]: the P frames before them, which
        the reverberant tail (flag reverb_tail) needs.  With the tail, the
        energy becomes |X(n)|^2 + b^2 sum_{m>=1} rho^(2m) |X(n-m)|^2 per bin,
        b = 10^(tail_db/20), rho = exp(-hop / tau): an exponentially decaying
        room response driven by the reference itself.
        """
        return self.reference_terms(ref_spec, history)[0]

    def reference_terms(self, ref_spec: torch.Tensor, history: torch.Tensor | None = None
                        ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(magnitude [N, F], ITD weight [N, F] or None) of the reference frames.

        The weight is the direct amplitude fraction |X| / sqrt(|X|^2 + tail)
        of each cell (flag diffuse_itd), None when every cell keeps its full
        ITD: the resultant of a direct phasor and diffuse reverberation of
        random phase keeps, on average, that fraction of the direct phase.
        """
        mag = ref_spec.abs().mean(dim=0)  # [F, N]
        if not self.flags.reverb_tail:
            return mag.transpose(0, 1), None
        n = mag.shape[1]
        if history is not None and history.shape[-1] > 0:
            mag = torch.cat([history.abs().mean(dim=0), mag], dim=1)
        energy = mag * mag  # [F, P + N]
        hop_s = self.grid.stft.hop / self.grid.stft.sample_rate
        tau = torch.exp(self.tail_log_tau).clamp(1e-3, 5.0)  # [F]
        m = torch.arange(1, TAIL_FRAMES + 1, device=mag.device, dtype=mag.dtype)
        kernel = torch.exp(-2.0 * hop_s * m[None, :] / tau[:, None])  # [F, M] rho^(2m)
        size = energy.shape[1] + TAIL_FRAMES + 1
        nfft = 1 << (size - 1).bit_length()
        kern = torch.cat([torch.zeros_like(kernel[:, :1]), kernel], dim=1)  # lag 0 excluded
        tail = torch.fft.irfft(torch.fft.rfft(energy, nfft) * torch.fft.rfft(kern, nfft), nfft)[:, : energy.shape[1]]
        level = torch.pow(10.0, self.tail_db / 10.0)[:, None]  # b^2
        total = energy + level * tail.clamp_min(0.0)
        magnitude = torch.sqrt(total[:, -n:] + 1e-12).transpose(0, 1)
        if not self.flags.diffuse_itd:
            return magnitude, None
        # |X| / sqrt(total), not sqrt(|X|^2 / total): the square root's
        # derivative is infinite where |X| = 0 (zero-padded frames).
        fraction = mag[:, -n:] / torch.sqrt(total[:, -n:] + 1e-12)
        return magnitude, fraction.transpose(0, 1)

    # ------------------------------------------------------------- upkeep
    @torch.no_grad()
    def repair_(self, stepped: Sequence[torch.Tensor] | None = None) -> None:
        """Replace non-finite values and renormalise quaternions after a step.

        ``stepped``: the parameters the step changed (None: all); the others cannot have
        become non-finite, and scanning the K x F x 15 SH terms that a degree-0 model never
        uses took a third of a training step.
        """
        params = list(self.parameters()) if stepped is None else stepped
        for p in params:
            # One reduction finds the rare bad tensor (a non-finite value makes the sum non-finite).
            if not torch.isfinite(p.sum()):
                p[~torch.isfinite(p)] = 0.0
        if not any(p is self.q for p in params):
            return
        q = self.q
        norm = q.norm(dim=-1, keepdim=True)
        degenerate = norm.squeeze(-1) < 1e-8
        q[degenerate] = torch.tensor([1.0, 0.0, 0.0, 0.0], device=q.device, dtype=q.dtype)
        q.div_(q.norm(dim=-1, keepdim=True))

    # --------------------------------------------------------------- export
    def tensors(self) -> dict[str, torch.Tensor]:
        """The model-folder tensors (decay broadcast to [K, F])."""
        out = {name: getattr(self, name).detach().float().cpu().contiguous()
               for name in PARAMETER_SHAPES if not name.startswith("sh_")}
        for kind in ("mono", "diff"):
            dc, rest = getattr(self, f"sh_{kind}_dc"), getattr(self, f"sh_{kind}_rest")
            out[f"sh_{kind}"] = torch.cat([dc.unsqueeze(-1), rest], -1).detach().float().cpu().contiguous()
        if self.flags.reverb_tail:
            for name in TAIL_SHAPES:
                out[name] = getattr(self, name).detach().float().cpu().contiguous()
        if self.flags.split_field:
            for name in SPLIT_SHAPES:
                out[name] = getattr(self, name).detach().float().cpu().contiguous()
        if out["decay"].shape != (self.grid.n_cells, self.grid.n_freq):
            out["decay"] = out["decay"].expand(self.grid.n_cells, self.grid.n_freq).contiguous()
        return out

    @torch.no_grad()
    def load_tensors(self, tensors: dict[str, np.ndarray | torch.Tensor]) -> None:
        """Set the parameters from model-folder tensors (``tensors()``'s names and shapes)."""
        for name in PARAMETER_SHAPES:
            value = torch.as_tensor(np.asarray(tensors[name]), dtype=torch.float32)
            if name.startswith("sh_"):
                if value.shape != (self.grid.n_cells, self.grid.n_freq, 16):
                    raise ValueError(f"tensor {name} has shape {tuple(value.shape)}, expected "
                                     f"{(self.grid.n_cells, self.grid.n_freq, 16)}")
                getattr(self, f"{name}_dc").copy_(value[..., 0])
                getattr(self, f"{name}_rest").copy_(value[..., 1:])
                continue
            param = getattr(self, name)
            if name == "decay" and param.shape == (1,):
                value = value.reshape(-1)[:1]  # a tied alpha is stored broadcast
            if value.shape != param.shape:
                raise ValueError(f"tensor {name} has shape {tuple(value.shape)}, expected {tuple(param.shape)}")
            param.copy_(value)
        for name in (*TAIL_SHAPES, *SPLIT_SHAPES):
            if name in tensors:
                getattr(self, name).copy_(torch.as_tensor(np.asarray(tensors[name]), dtype=torch.float32))
