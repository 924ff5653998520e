"""Model folders (DESIGN.md §5): ``model.json``, ``gaussians.safetensors``,
``reference.wav``.

The schema module of ``audiogs.model``: the only code that builds, reads or
writes model.json, and the one list of the tensors a model folder holds
(the model and the trainer take their names from here). Reading needs only
numpy and safetensors (never torch, never scipy, never pickle): this is what
the Blender add-on uses to show the Gaussians.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from audiogs_core import __version__
from audiogs_core.errors import AudioGSError
from audiogs_core.io.atomic import atomic_path, atomic_write_json, json_default
from audiogs_core.io.audio import read_wav, write_wav
from audiogs_core.io.json_checks import JsonChecker, read_json
from audiogs_core.io.obj_mesh import ObjMesh, read_obj, write_obj

MODEL_FORMAT = "audiogs.model"
MODEL_VERSION = 8  # 2: the split field (flag split_field: model.json "direct", SPLIT_SHAPES, room.obj);
# 3: a binaural reference's dereverberation (flag dereverb_reference, tensor room_tau), tensor ild_scale;
# 4: a close mic's recorded room (flag recorded_room, room.wav named by model.json "room_audio");
# 5: a binaural reference's recorded room (flag binaural_recorded_room, room.wav as in 4);
# 6: the talker's first reflections (flag early_reflections);
# 7: a binaural reference's direct part falling as direct sound and first reflections do (flag early_energy);
# 8: a binaural reference's own room adding to its direct part as powers (flag room_power_sum),
#    its direct part keeping each ear's magnitude (flag ear_magnitudes)
MODEL_JSON = "model.json"
GAUSSIANS_FILE = "gaussians.safetensors"
REFERENCE_WAV = "reference.wav"

# Tensor shapes in terms of K (time cells) and F (bins). The learnable
# parameters of DESIGN.md §4, in the order they are saved:
PARAMETER_SHAPES: dict[str, tuple[str, ...]] = {
    "mu": ("K", "F", "3"),
    "q": ("K", "F", "4"),
    "sh_mono": ("K", "F", "16"),
    "sh_diff": ("K", "F", "16"),
    "decay": ("K", "F"),  # broadcast when one alpha is shared (flag per_gaussian_decay off)
    "itd_scale": ("F",),
    "gain_db": ("F",),
}
# Every model folder holds these: the parameters and the display energy (dB).
TENSOR_SHAPES: dict[str, tuple[str, ...]] = {**PARAMETER_SHAPES, "energy": ("K", "F")}
# The reverberant tail's parameters, present when flag reverb_tail is on.
TAIL_SHAPES: dict[str, tuple[str, ...]] = {
    "tail_db": ("F",),
    "tail_log_tau": ("F",),
}
# The split field's measured constants, present when flag split_field is on.
SPLIT_SHAPES: dict[str, tuple[str, ...]] = {
    "diffuse_coherence": ("F",),
    "ild_scale": ("F",),  # absent from version-2 folders (1: the head model's level difference)
    "room_tau": ("F",),
}
ROOM_MESH = "room.obj"  # the room a split-field model's direct sound goes round (optional)
ROOM_WAV = "room.wav"  # the views' recorded room, [2, T] like the reference (flag recorded_room)

# model.json keys every reader may rely on (the trainer writes more).
REQUIRED_META_KEYS = ("format", "version", "sample_rate", "stft", "K", "F", "duration",
                      "head_radius", "speed_of_sound", "reference_position", "flags",
                      "core_version")


@dataclass
class ModelFolder:
    """A trained model: ``meta`` (model.json) and its ``tensors`` (float32 numpy)."""

    folder: Path
    meta: dict
    tensors: dict[str, np.ndarray]

    @property
    def K(self) -> int:  # noqa: N802 - the design's name
        return int(self.meta["K"])

    @property
    def F(self) -> int:  # noqa: N802 - the design's name
        return int(self.meta["F"])

    @property
    def sample_rate(self) -> int:
        return int(self.meta["sample_rate"])

    @property
    def duration(self) -> float:
        return float(self.meta["duration"])

    @property
    def reference_wav(self) -> Path:
        return Path(self.folder) / REFERENCE_WAV

    def room_polygons(self) -> list[np.ndarray] | None:
        """The faces of the room the model was trained in (model.json ``room_mesh``), or None."""
        name = self.meta.get("room_mesh")
        if not name:
            return None
        path = Path(self.folder) / str(name)
        if Path(str(name)).is_absolute() or ".." in Path(str(name)).parts:
            raise AudioGSError(f"{Path(self.folder) / MODEL_JSON}: room_mesh {name!r} must name a file in the folder")
        return read_obj(path).polygons()

    def cell_times(self) -> np.ndarray:
        """Time t_k = k * D / (K - 1) of each time cell, [K] float64 seconds."""
        return np.arange(self.K, dtype=np.float64) * self.duration / (self.K - 1)

    def read_reference(self) -> tuple[np.ndarray, int]:
        """The reference recording as float32 [C, T] and its sample rate."""
        return read_wav(self.reference_wav)

    def read_room_audio(self) -> np.ndarray | None:
        """The recorded room (model.json ``room_audio``) as float32 [2, T], or None when the model
        has none; it must match the reference's rate and length."""
        name = self.meta.get("room_audio")
        if not name:
            return None
        json_file = Path(self.folder) / MODEL_JSON
        if Path(str(name)).is_absolute() or ".." in Path(str(name)).parts:
            raise AudioGSError(f"{json_file}: room_audio {name!r} must name a file in the folder")
        room, sr = read_wav(Path(self.folder) / str(name))
        reference, ref_sr = self.read_reference()
        if sr != ref_sr or room.shape != (2, reference.shape[1]):
            raise AudioGSError(f"{Path(self.folder) / str(name)}: expected 2 channels of {reference.shape[1]} "
                               f"samples at {ref_sr} Hz like the reference, got {room.shape[0]} of "
                               f"{room.shape[1]} at {sr} Hz; retrain the model")
        return room


def shape_of(name: str, K: int, F: int) -> tuple[int, ...]:  # noqa: N803
    """Required shape of tensor ``name`` for a grid of K x F cells."""
    sizes = {"K": K, "F": F}
    dims = {**TENSOR_SHAPES, **TAIL_SHAPES, **SPLIT_SHAPES}[name]
    return tuple(sizes[d] if d in sizes else int(d) for d in dims)


def check_meta(meta: Any, json_file: str | os.PathLike) -> dict:
    """Validate the keys of model.json every reader relies on; return ``meta``."""
    chk = JsonChecker(json_file)
    if not isinstance(meta, dict):
        raise AudioGSError(f"{chk.file}: must hold a JSON object")
    chk.header(meta, MODEL_FORMAT, MODEL_VERSION)
    for key in REQUIRED_META_KEYS:
        chk.get(meta, key, "")
    sr = chk.integer(meta["sample_rate"], "sample_rate")
    if sr <= 0:
        raise chk.error("sample_rate", f"must be positive, got {sr}")
    stft = chk.object(meta["stft"], "stft")
    for key in ("n_fft", "hop", "win"):
        v = chk.integer(chk.get(stft, key, "stft"), f"stft.{key}")
        if v <= 0:
            raise chk.error(f"stft.{key}", f"must be positive, got {v}")
    k = chk.integer(meta["K"], "K")
    if k < 2:
        raise chk.error("K", f"must be at least 2, got {k}")
    f = chk.integer(meta["F"], "F")
    if f != int(stft["n_fft"]) // 2 + 1:
        raise chk.error("F", f"must be stft.n_fft // 2 + 1 = {int(stft['n_fft']) // 2 + 1}, got {f}")
    chk.positive(meta["duration"], "duration")
    chk.positive(meta["head_radius"], "head_radius")
    chk.positive(meta["speed_of_sound"], "speed_of_sound")
    chk.vector(meta["reference_position"], "reference_position", 3)
    chk.object(meta["flags"], "flags")
    if not isinstance(meta["core_version"], str):
        raise chk.error("core_version", "must be a string")
    return meta


def model_json(*, sample_rate: int, stft: Mapping[str, int], n_cells: int, n_freq: int,
               duration: float, head_radius: float, speed_of_sound: float,
               reference_position: Sequence[float] | np.ndarray, reference_position_known: bool,
               reference_rotation: Sequence[float] | np.ndarray | None, reference_channels: int,
               flags: Mapping[str, Any], training: Mapping[str, Any],
               direct: Mapping[str, Any] | None = None) -> dict:
    """The model.json dict of a trained model (format ``audiogs.model``, this version).

    ``stft``: {n_fft, hop, win}; ``n_cells`` K and ``n_freq`` F of the grid;
    ``reference_position`` [3] is the one used for r_ref (the mean train-view
    position when the capture gives none: ``reference_position_known`` says
    which); ``reference_rotation`` [4] wxyz or None; ``flags``: ModelFlags as
    a dict; ``training``: settings, views and the training log; ``direct``: the split
    field's geometry (``source_position`` [3], ``direct_distance``, ``reference_source_distance``),
    only for a model with flag split_field.
    """
    out = {
        "format": MODEL_FORMAT,
        "version": MODEL_VERSION,
        "sample_rate": int(sample_rate),
        "stft": {k: int(stft[k]) for k in ("n_fft", "hop", "win")},
        "K": int(n_cells),
        "F": int(n_freq),
        "duration": float(duration),
        "head_radius": float(head_radius),
        "speed_of_sound": float(speed_of_sound),
        "reference_position": [float(x) for x in reference_position],
        "reference_position_known": bool(reference_position_known),
        "reference_rotation": None if reference_rotation is None else [float(x) for x in reference_rotation],
        "reference_channels": int(reference_channels),
        "flags": dict(flags),
        "training": dict(training),
        "core_version": __version__,
    }
    if direct is not None:
        out["direct"] = dict(direct)
    return out


def read_model_json(folder: str | os.PathLike) -> dict:
    """The validated model.json of a model folder (no tensors are read)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise AudioGSError(f"model folder not found: {folder}")
    json_path = folder / MODEL_JSON
    if not json_path.is_file():
        raise AudioGSError(f"no {MODEL_JSON} in model folder {folder}")
    return check_meta(read_json(json_path), json_path)


def check_tensors(tensors: dict, K: int, F: int, file: str | os.PathLike) -> None:  # noqa: N803
    """Every required tensor present, and every known one float32, of its shape and finite."""
    for name in TENSOR_SHAPES:
        if name not in tensors:
            raise AudioGSError(f"{file}: missing tensor '{name}'")
    for name in [*TENSOR_SHAPES, *(n for n in (*TAIL_SHAPES, *SPLIT_SHAPES) if n in tensors)]:
        t = tensors[name]
        want = shape_of(name, K, F)
        if tuple(t.shape) != want:
            raise AudioGSError(
                f"{file}: tensor '{name}' has shape {list(t.shape)}, expected {list(want)} "
                f"(K={K}, F={F} from {MODEL_JSON})"
            )
        if t.dtype != np.float32:
            raise AudioGSError(f"{file}: tensor '{name}' must be float32, got {t.dtype}")
        if not np.all(np.isfinite(t)):
            raise AudioGSError(f"{file}: tensor '{name}' contains non-finite values")


def read_model_folder(folder: str | os.PathLike) -> ModelFolder:
    """Read and validate a model folder (model.json + gaussians.safetensors)."""
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    folder = Path(folder)
    meta = read_model_json(folder)
    st_path = folder / GAUSSIANS_FILE
    if not st_path.is_file():
        raise AudioGSError(f"no {GAUSSIANS_FILE} in model folder {folder}")
    try:
        loaded = load_file(str(st_path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise AudioGSError(f"cannot read {st_path}: {exc}") from exc
    # Copy out of the memory map so the file can be replaced later (Windows).
    tensors = {k: np.array(v) for k, v in loaded.items()}
    check_tensors(tensors, int(meta["K"]), int(meta["F"]), st_path)
    return ModelFolder(folder=folder, meta=meta, tensors=tensors)


def write_model_folder(folder: str | os.PathLike, meta: dict, tensors: dict,
                       reference_audio: np.ndarray, sample_rate: int,
                       room_polygons: Sequence[np.ndarray] | None = None,
                       room_audio: np.ndarray | None = None) -> ModelFolder:
    """Write a model folder atomically, file by file; model.json comes last.

    ``meta`` gets ``format`` and ``version`` if absent and must pass the same
    checks as on reading; ``tensors`` (numpy, converted to float32) must hold
    every tensor of TENSOR_SHAPES (and may hold those of TAIL_SHAPES); ``reference_audio`` is [C, T] (or [T]) at
    ``sample_rate`` (the model's rate); ``room_polygons`` (faces [n, 3]) are written as
    ``room.obj`` and named in model.json (``room_mesh``); ``room_audio`` [2, T] (the views'
    recorded room) as ``room.wav`` (``room_audio``). An existing folder is overwritten.
    """
    from safetensors.numpy import save_file

    folder = Path(folder)
    meta = {"format": MODEL_FORMAT, "version": MODEL_VERSION, **meta}
    if room_polygons is not None:
        meta["room_mesh"] = ROOM_MESH
    if room_audio is not None:
        meta["room_audio"] = ROOM_WAV
    try:
        meta = json.loads(json.dumps(meta, allow_nan=False, default=json_default))
    except (TypeError, ValueError) as exc:
        raise AudioGSError(f"model metadata for {folder / MODEL_JSON} is not valid JSON: {exc}") from exc
    check_meta(meta, folder / MODEL_JSON)
    if int(sample_rate) != int(meta["sample_rate"]):
        raise AudioGSError(
            f"reference audio for {folder} is at {sample_rate} Hz but model.json's sample_rate "
            f"is {meta['sample_rate']} Hz"
        )
    ref_len = np.asarray(reference_audio).shape[-1]
    if room_audio is not None and np.asarray(room_audio).shape != (2, ref_len):
        raise AudioGSError(f"the recorded room for {folder} must be [2, {ref_len}] like the reference, "
                           f"got {list(np.asarray(room_audio).shape)}")
    arrays = {k: np.ascontiguousarray(np.asarray(v), dtype=np.float32) for k, v in tensors.items()}
    check_tensors(arrays, int(meta["K"]), int(meta["F"]), folder / GAUSSIANS_FILE)

    folder.mkdir(parents=True, exist_ok=True)
    # model.json last: a new folder that has a model.json has all its files.
    with atomic_path(folder / GAUSSIANS_FILE) as tmp:
        save_file(arrays, str(tmp), metadata={"format": MODEL_FORMAT})
    write_wav(folder / REFERENCE_WAV, reference_audio, int(sample_rate))
    if room_audio is not None:
        write_wav(folder / ROOM_WAV, room_audio, int(sample_rate))
    if room_polygons is not None:
        write_obj(folder / ROOM_MESH, [ObjMesh.from_polygons(room_polygons)])
    atomic_write_json(folder / MODEL_JSON, meta)
    return ModelFolder(folder=folder, meta=meta, tensors=arrays)
