"""Render binaural audio from a trained model folder.

The one entry point the CLI, the benchmark and the Blender bake use: load a
model folder into an :class:`AudioGaussians`, then render a waveform for a
listener pose per STFT frame, chunked over frames so long recordings stay in
bounded memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from audiogs_core.conventions import stft_settings
from audiogs_core.dsp.stft import history_spec, istft, stft
from audiogs_core.errors import AudioGSError
from audiogs_core.geometry import quat_to_matrix
from audiogs_core.io.listener_path import ListenerPath
from audiogs_core.io.model_folder import read_model_folder
from audiogs_core.method import Method
from audiogs_core.model.flags import ModelFlags
from audiogs_core.model.gaussians import TAIL_FRAMES, AudioGaussians, GridSpec
from audiogs_core.model.direct import routes
from audiogs_core.model.head_model import HeadModel, head_model
from audiogs_core.model.occlusion import RoomOcclusion
from audiogs_core.model.render import render_moving_spec, render_static_spec
from audiogs_core.model.split_field import render_split_spec

CHUNK_FRAMES = 512  # frames rendered at once: bounds memory for long renders
ProgressFn = Callable[[int, int], None]  # (STFT frames done, total)


@dataclass
class LoadedModel:
    """A model ready to render: the Gaussians, the reference [C, T] as given and model.json."""

    model: AudioGaussians
    reference: np.ndarray  # [C, T] float32, as given at training
    meta: dict
    occlusion: RoomOcclusion | None = None  # the room the split field's direct sound goes round
    head: HeadModel | None = None  # the split field's ears (None: the analytic sphere)

    @property
    def sample_rate(self) -> int:
        return self.model.grid.stft.sample_rate

    @property
    def duration(self) -> float:
        return self.reference.shape[1] / self.sample_rate


def model_from_tensors(meta: dict, tensors: dict) -> AudioGaussians:
    """AudioGaussians from model.json and model-folder tensors (numpy or torch)."""
    settings = stft_settings(int(meta["sample_rate"]))
    grid = GridSpec(stft=settings, n_cells=int(meta["K"]), duration=float(meta["duration"]),
                    head_radius=float(meta["head_radius"]), speed_of_sound=float(meta["speed_of_sound"]))
    rot = meta.get("reference_rotation")
    model = AudioGaussians(
        grid, ModelFlags.from_dict(meta.get("flags", {})),
        reference_position=np.asarray(meta["reference_position"], dtype=np.float64),
        reference_rotation=None if rot is None else np.asarray(rot, dtype=np.float64),
        reference_binaural=int(meta.get("reference_channels", 1)) == 2,
    )
    model.load_tensors(tensors)
    direct = meta.get("direct")
    if model.flags.split_field:
        if not isinstance(direct, dict):
            raise AudioGSError("model.json: a split-field model needs its 'direct' geometry; retrain the model")
        model.set_direct_geometry(np.asarray(direct["source_position"], dtype=np.float64),
                                  float(direct["direct_distance"]), float(direct["reference_source_distance"]))
    return model


def model_head(meta: dict, hrtf: str | None = None) -> HeadModel | None:
    """The head model a split-field model renders with: ``hrtf`` (``sphere``, ``kemar`` or a
    ``.sofa`` path), else model.json's ``direct.head_model`` (missing: ``sphere``); None for
    the sphere. Other models have no head model: they take the Gaussians' own ITD."""
    flags = ModelFlags.from_dict(meta.get("flags", {}))
    if not flags.split_field:
        if hrtf not in (None, "sphere"):
            raise AudioGSError(f"hrtf {hrtf!r}: only a model trained with --preset physical (flag split_field) "
                               "renders with an HRTF; this one's Gaussians carry their own ITD and no head model")
        return None
    direct = meta.get("direct")
    named = direct.get("head_model", "sphere") if isinstance(direct, dict) else "sphere"
    kind = str(named) if hrtf is None else hrtf
    if kind == "sphere":
        return None
    return head_model(kind, int(meta["sample_rate"]), float(meta["head_radius"]), float(meta["speed_of_sound"]))


def load_model(folder: str | Path, device: str | torch.device = "cpu", hrtf: str | None = None) -> LoadedModel:
    """Read a model folder onto ``device``, in eval mode, with its reference recording.

    ``hrtf``: the head model of a split-field model (``sphere``, ``kemar`` or a ``.sofa`` path;
    None: the one model.json names), see :func:`model_head`.
    """
    mf = read_model_folder(folder)
    head = model_head(mf.meta, hrtf)
    model = model_from_tensors(mf.meta, mf.tensors).to(device)
    model.eval()
    reference, sr = mf.read_reference()
    if sr != mf.sample_rate:
        raise AudioGSError(f"{mf.reference_wav}: sample rate {sr} Hz, model.json says {mf.sample_rate} Hz")
    polygons = mf.room_polygons() if model.flags.split_field and model.flags.occlusion else None
    return LoadedModel(model=model, reference=reference.astype(np.float32), meta=mf.meta,
                       occlusion=None if polygons is None else RoomOcclusion(polygons), head=head)


def _frame_times(start_s: float, n_frames: int, sample_rate: int, hop: int) -> np.ndarray:
    return start_s + np.arange(n_frames, dtype=np.float64) * hop / sample_rate


@torch.no_grad()
def render_frames(
    loaded: LoadedModel, start_s: float, duration_s: float, pose_at, static: bool = False,
    progress: ProgressFn | None = None,
) -> np.ndarray:
    """Render [2, round(duration*sr)] samples starting at ``start_s``.

    ``pose_at(times [N]) -> (positions [N, 3], rotations [N, 4] wxyz)`` gives
    the listener pose at each STFT frame time; ``static`` promises it is the
    same pose for every frame (evaluated once per cell instead of per frame).
    ``progress(done, total)`` is called after each chunk with the STFT frames
    rendered so far (what a bake's progress bar and time left are read from).
    """
    sr = loaded.sample_rate
    settings = loaded.model.grid.stft
    if duration_s <= 0:
        raise AudioGSError(f"render duration must be positive, got {duration_s:g} s")
    eps = 1.0 / sr
    if start_s < -eps or start_s + duration_s > loaded.duration + eps:
        raise AudioGSError(
            f"render span {start_s:g}..{start_s + duration_s:g} s lies outside the recording (0..{loaded.duration:g} s)")
    s0 = max(0, int(round(start_s * sr)))
    n = min(int(round(duration_s * sr)), loaded.reference.shape[1] - s0)
    device = loaded.model.mu.device
    ref = torch.from_numpy(np.ascontiguousarray(loaded.reference[:, s0:s0 + n])).to(device)
    ref_spec = stft(ref, settings)  # [C, F, N]
    n_frames = ref_spec.shape[-1]
    history = None
    if loaded.model.flags.reverb_tail:
        history = history_spec(loaded.reference, s0, TAIL_FRAMES, settings).to(device)
    times = _frame_times(s0 / sr, n_frames, sr, settings.hop)
    positions, rotations = pose_at(times)
    positions = torch.as_tensor(np.asarray(positions), dtype=torch.float32, device=device)
    rotations = torch.as_tensor(quat_to_matrix(np.asarray(rotations)), dtype=torch.float32, device=device)
    out = torch.empty(2, settings.n_freq, n_frames, dtype=torch.complex64, device=device)
    times_t = torch.from_numpy(times)
    split = loaded.model.flags.split_field
    if split:
        assert history is not None  # split_field needs reverb_tail
        frames = torch.cat([history, ref_spec], dim=-1)
    else:
        ref_mag, itd_weight = loaded.model.reference_terms(ref_spec, history)  # [N, F] each (weight or None)
    for a in range(0, n_frames, CHUNK_FRAMES):
        b = min(a + CHUNK_FRAMES, n_frames)
        if split:
            span = slice(a, a + 1) if static else slice(a, b)
            pos, rot = positions[None, span], rotations[None, span]
            spec = render_split_spec(loaded.model, frames[:, :, a:b + TAIL_FRAMES], TAIL_FRAMES, times_t[a:b],
                                     pos, rot, routes(loaded.model, loaded.occlusion, pos), loaded.head)
        elif static:
            spec = render_static_spec(loaded.model, ref_spec[:, :, a:b], times_t[a:b], positions[a:a + 1],
                                      rotations[a:a + 1], ref_mag[a:b], _rows(itd_weight, a, b))
        else:
            spec = render_moving_spec(loaded.model, ref_spec[:, :, a:b], times_t[a:b], positions[None, a:b],
                                 rotations[None, a:b], ref_mag[a:b], _rows(itd_weight, a, b))
        out[:, :, a:b] = spec[0]
        if progress is not None:
            progress(b, n_frames)
    return istft(out, settings, n).cpu().numpy().astype(np.float32)


def _rows(x: torch.Tensor | None, a: int, b: int) -> torch.Tensor | None:
    return None if x is None else x[a:b]


def render_static(loaded: LoadedModel, position, rotation, start_s: float = 0.0,
                  duration_s: float | None = None, progress: ProgressFn | None = None) -> np.ndarray:
    """A listener standing still; by default over the whole recording."""
    pos = np.asarray(position, dtype=np.float64).reshape(3)
    rot = np.asarray(rotation, dtype=np.float64).reshape(4)
    if duration_s is None:
        duration_s = loaded.duration - start_s
    return render_frames(loaded, start_s, duration_s,
                         lambda t: (np.tile(pos, (len(t), 1)), np.tile(rot, (len(t), 1))), static=True,
                         progress=progress)


def render_path(loaded: LoadedModel, path: ListenerPath, progress: ProgressFn | None = None) -> np.ndarray:
    """From the path's first frame time to its last (one frame: the whole recording)."""
    if len(path) == 1:
        return render_static(loaded, path.positions[0], path.rotations[0], progress=progress)
    return render_frames(loaded, float(path.start), float(path.end - path.start), path.sample,
                         progress=progress)


class ModelMethod(Method):
    """A trained model behind the one method interface (``audiogs_core.method``): standing
    listeners are rendered once per cell, moving ones at every frame's pose."""

    def __init__(self, loaded: LoadedModel, name: str = "audiogs") -> None:
        self.loaded = loaded
        self.name = name
        self.sample_rate = loaded.sample_rate
        self.n_samples = int(loaded.reference.shape[1])

    def predict(self, position: np.ndarray, rotation: np.ndarray) -> np.ndarray:
        return render_static(self.loaded, position, rotation)

    def predict_path(self, path: ListenerPath) -> np.ndarray:
        return render_path(self.loaded, path)
