"""Render binaural audio from a trained model folder.

The one entry point the CLI, the benchmark and the Blender bake use: load a
model folder into an :class:`AudioGaussians`, then render a waveform for a
listener pose per STFT frame, chunked over frames so long recordings stay in
bounded memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from audiogs_core.conventions import stft_settings
from audiogs_core.dsp.phasor import phase_cos_sin
from audiogs_core.dsp.stft import OverlapAdd, history_spec, stft
from audiogs_core.errors import AudioGSError
from audiogs_core.geometry import quat_to_matrix
from audiogs_core.io.listener_path import ListenerPath
from audiogs_core.io.model_folder import read_model_folder
from audiogs_core.method import Method
from audiogs_core.model.flags import ModelFlags
from audiogs_core.model.gaussians import TAIL_FRAMES, AudioGaussians, GridSpec
from audiogs_core.model.dereverb import keeps_recorded_room
from audiogs_core.model.direct import routes
from audiogs_core.model.head_model import HeadModel, head_model
from audiogs_core.model.occlusion import RoomOcclusion
from audiogs_core.model.render import pose_free_ear_magnitudes, render_moving_spec, render_static_spec
from audiogs_core.model.split_field import SplitParts, render_split_spec, split_parts

CHUNK_FRAMES = 512  # frames rendered at once: bounds memory for long renders
ProgressFn = Callable[[int, int], None]  # (STFT frames done, total)


@dataclass
class ReferenceSpan:
    """What a render needs of the reference over one span, whatever the listener does: its STFT
    and, per model kind, the masked magnitude and ITD weight, phase or history frames."""

    spec: torch.Tensor  # [C, F, N]
    frames: torch.Tensor | None = None  # split field: [C, F, TAIL_FRAMES + N], history first
    split: SplitParts | None = None  # split field: the pose-independent parts of its frames
    magnitude: torch.Tensor | None = None  # [N, F] (AudioGaussians.reference_terms)
    itd_weight: torch.Tensor | None = None  # [N, F] or None
    phase: torch.Tensor | None = None  # [2, C, N, F]: cos and sin of its phase
    ear_magnitude: torch.Tensor | None = None  # [2, N, F] when the gains do not depend on the pose


@dataclass
class LoadedModel:
    """A model ready to render: the Gaussians, the reference [C, T] as given and model.json.

    The last span's :class:`ReferenceSpan` is kept: a bake renders many cameras over the same
    span of one model, and none of it depends on the camera (a render after the model's
    tensors change must call ``forget_span``).
    """

    model: AudioGaussians
    reference: np.ndarray  # [C, T] float32, as given at training
    meta: dict
    room: np.ndarray | None = None  # [2, T] the views' recorded room (flag recorded_room)
    occlusion: RoomOcclusion | None = None  # the room the split field's direct sound goes round
    head: HeadModel | None = None  # the split field's ears (None: the analytic sphere)
    _span: tuple[tuple[int, int], ReferenceSpan] | None = field(default=None, repr=False, init=False, compare=False)

    def __post_init__(self) -> None:
        if keeps_recorded_room(self.model) != (self.room is not None):
            raise AudioGSError("a LoadedModel's room is the views' recorded room of a model that keeps one "
                               "(flag recorded_room: TrainResult.room, or load_model's from room.wav), and only that"
                               + ("" if self.room is not None else ": this model needs it"))
        if self.room is not None and self.room.shape != (2, self.reference.shape[1]):
            raise AudioGSError(f"the recorded room must be [2, {self.reference.shape[1]}] like the reference, "
                               f"got {list(self.room.shape)}")

    def forget_span(self) -> None:
        """Drop the kept reference span (after changing the model or the reference in place)."""
        self._span = None

    def reference_span(self, s0: int, n: int) -> ReferenceSpan:
        """The pose-independent terms of samples s0 .. s0 + n (computed once, then kept)."""
        if self._span is not None and self._span[0] == (s0, n):
            return self._span[1]
        model = self.model
        settings = model.grid.stft
        device = model.mu.device
        # The split field reads a recorded room with the reference, as its last two channels.
        lo = max(0, s0 - TAIL_FRAMES * settings.hop)  # what the span and its history read
        source = self.reference[:, lo:s0 + n]
        if self.room is not None:
            source = np.concatenate([source, self.room[:, lo:s0 + n]])
        ref = torch.from_numpy(np.ascontiguousarray(source[:, s0 - lo:])).to(device)
        span = ReferenceSpan(spec=stft(ref, settings))  # [C, F, N]
        history = None
        if model.flags.reverb_tail:
            history = history_spec(source, s0 - lo, TAIL_FRAMES, settings).to(device)
        if model.flags.split_field:
            assert history is not None  # split_field needs reverb_tail
            span.frames = torch.cat([history, span.spec], dim=-1)
            span.split = split_parts(model, span.frames)
        else:
            span.magnitude, span.itd_weight = model.reference_terms(span.spec, history)  # [N, F] each
            span.phase = phase_cos_sin(span.spec)  # [2, C, N, F]
            times = torch.from_numpy(_frame_times(s0 / settings.sample_rate, span.spec.shape[-1],
                                                  settings.sample_rate, settings.hop))
            span.ear_magnitude = pose_free_ear_magnitudes(model, times, span.magnitude)
        self._span = ((s0, n), span)
        return span

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


def ready_to_render(model: AudioGaussians, reference: np.ndarray, meta: dict, room: np.ndarray | None = None,
                    room_polygons: list[np.ndarray] | None = None, hrtf: str | None = None) -> LoadedModel:
    """A model ready to render as its model folder loads (``load_model``): in eval mode, with the
    room its direct sound goes round (a split field's with flag occlusion, from ``room_polygons``)
    and the head model.json names (or ``hrtf``, see :func:`model_head`).

    The one way to render a model that was just trained (``TrainResult``: ``model``, ``meta``,
    ``room``; the training data's ``reference`` and ``room_polygons``) as a user will hear it:
    the benchmark scores it so. A model rendered without the room it was trained with sends
    its direct sound through walls, and in a convex room too loud by the loss trained against.
    """
    model.eval()
    polygons = room_polygons if model.flags.split_field and model.flags.occlusion else None
    return LoadedModel(model=model, reference=np.asarray(reference, dtype=np.float32), meta=meta, room=room,
                       occlusion=None if polygons is None else RoomOcclusion(polygons), head=model_head(meta, hrtf))


def load_model(folder: str | Path, device: str | torch.device = "cpu", hrtf: str | None = None) -> LoadedModel:
    """Read a model folder onto ``device``, in eval mode, with its reference recording.

    ``hrtf``: the head model of a split-field model (``sphere``, ``kemar`` or a ``.sofa`` path;
    None: the one model.json names), see :func:`model_head`.
    """
    mf = read_model_folder(folder)
    model = model_from_tensors(mf.meta, mf.tensors).to(device)
    reference, sr = mf.read_reference()
    if sr != mf.sample_rate:
        raise AudioGSError(f"{mf.reference_wav}: sample rate {sr} Hz, model.json says {mf.sample_rate} Hz")
    polygons = mf.room_polygons() if model.flags.split_field and model.flags.occlusion else None
    room = mf.read_room_audio() if keeps_recorded_room(model) else None
    if keeps_recorded_room(model) and room is None:
        raise AudioGSError(f"{mf.folder}: the model keeps a recorded room (flags recorded_room, "
                           "binaural_recorded_room) but model.json names no room_audio file; retrain the model")
    return ready_to_render(model, reference, mf.meta, room, polygons, hrtf)


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
    ref = loaded.reference_span(s0, n)
    n_frames = ref.spec.shape[-1]
    times = _frame_times(s0 / sr, n_frames, sr, settings.hop)
    positions, rotations = pose_at(times)
    positions = torch.as_tensor(np.asarray(positions), dtype=torch.float32, device=device)
    rotations = torch.as_tensor(quat_to_matrix(np.asarray(rotations)), dtype=torch.float32, device=device)
    # Each chunk goes into the inverse STFT as it is made (small temporaries, no whole spectrogram).
    out = OverlapAdd(settings, n_frames, n, 2, device, torch.float32)
    times_t = torch.from_numpy(times)
    for a in range(0, n_frames, CHUNK_FRAMES):
        b = min(a + CHUNK_FRAMES, n_frames)
        if ref.frames is not None:
            assert ref.split is not None
            span = slice(a, a + 1) if static else slice(a, b)
            pos, rot = positions[None, span], rotations[None, span]
            spec = render_split_spec(loaded.model, ref.frames[:, :, a:b + TAIL_FRAMES], TAIL_FRAMES, times_t[a:b],
                                     pos, rot, routes(loaded.model, loaded.occlusion, pos), loaded.head,
                                     ref.split.frames(a, b + TAIL_FRAMES))
        else:
            assert ref.magnitude is not None and ref.phase is not None
            ear_mag = None if ref.ear_magnitude is None else ref.ear_magnitude[:, a:b]
            terms = (ref.magnitude[a:b], _rows(ref.itd_weight, a, b), ref.phase[:, :, a:b], ear_mag)
            if static:
                spec = render_static_spec(loaded.model, ref.spec[:, :, a:b], times_t[a:b], positions[a:a + 1],
                                          rotations[a:a + 1], *terms)
            else:
                spec = render_moving_spec(loaded.model, ref.spec[:, :, a:b], times_t[a:b], positions[None, a:b],
                                          rotations[None, a:b], *terms)
        out.add(spec[0].transpose(1, 2), a)  # frame-major [2, M, F]
        if progress is not None:
            progress(b, n_frames)
    return out.result().cpu().numpy().astype(np.float32)


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
