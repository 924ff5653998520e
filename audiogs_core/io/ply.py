"""The Audio Gaussians as a PLY point cloud (binary little-endian).

One vertex per Gaussian (k, f), k-major, with float properties x, y, z (mu),
energy (dB), decay, time (t_k = k * D / (K - 1) s) and frequency (the STFT bin
index f). numpy only: the Blender add-on and ``audiogs export-ply`` use it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from audiogs_core.errors import AudioGSError
from audiogs_core.io.atomic import atomic_write_bytes
from audiogs_core.io.model_folder import ModelFolder

PLY_PROPERTIES = ("x", "y", "z", "energy", "decay", "time", "frequency")

# PLY scalar type names (both spellings) -> little-endian numpy dtypes.
_PLY_TYPES = {
    "char": "i1", "int8": "i1", "uchar": "u1", "uint8": "u1",
    "short": "<i2", "int16": "<i2", "ushort": "<u2", "uint16": "<u2",
    "int": "<i4", "int32": "<i4", "uint": "<u4", "uint32": "<u4",
    "float": "<f4", "float32": "<f4", "double": "<f8", "float64": "<f8",
}


def gaussian_vertices(model: ModelFolder) -> dict[str, np.ndarray]:
    """The PLY columns of ``model``: each a float32 [K * F] array, k-major."""
    K, F = model.K, model.F  # noqa: N806
    mu = model.tensors["mu"].reshape(K * F, 3)
    time = np.repeat(model.cell_times(), F)
    freq = np.tile(np.arange(F, dtype=np.float64), K)
    cols = {
        "x": mu[:, 0], "y": mu[:, 1], "z": mu[:, 2],
        "energy": model.tensors["energy"].reshape(-1),
        "decay": model.tensors["decay"].reshape(-1),
        "time": time, "frequency": freq,
    }
    return {k: np.asarray(v, dtype=np.float32) for k, v in cols.items()}


def write_ply(path: str | os.PathLike, model: ModelFolder) -> None:
    """Write the Gaussians of ``model`` to ``path`` as a binary PLY (atomically)."""
    cols = gaussian_vertices(model)
    n = model.K * model.F
    header = "\n".join(
        ["ply", "format binary_little_endian 1.0",
         f"comment audiogs Gaussians K={model.K} F={model.F} "
         f"duration={model.duration:g} sample_rate={model.sample_rate}",
         f"element vertex {n}"]
        + [f"property float {name}" for name in PLY_PROPERTIES]
        + ["end_header"]
    ) + "\n"
    table = np.empty(n, dtype=[(name, "<f4") for name in PLY_PROPERTIES])
    for name in PLY_PROPERTIES:
        table[name] = cols[name]
    atomic_write_bytes(path, header.encode("ascii") + table.tobytes())


def read_ply(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read the vertex element of a binary little-endian PLY: name -> [N] array.

    Only scalar vertex properties are supported (what ``write_ply`` writes).
    """
    p = Path(path)
    if not p.is_file():
        raise AudioGSError(f"PLY file not found: {p}")
    data = p.read_bytes()
    end = data.find(b"end_header\n")
    if not data.startswith(b"ply\n") or end < 0:
        raise AudioGSError(f"{p} is not a PLY file (no 'ply' magic or 'end_header')")
    body = end + len(b"end_header\n")
    lines = data[:end].decode("ascii", errors="replace").splitlines()[1:]
    fields: list[tuple[str, str]] = []
    count = None
    element = None
    for line in lines:
        words = line.split()
        if not words or words[0] in ("comment", "obj_info"):
            continue
        if words[0] == "format":
            if words[1:2] != ["binary_little_endian"]:
                raise AudioGSError(f"{p}: only binary_little_endian PLY is supported, got {line!r}")
        elif words[0] == "element":
            if element == "vertex":
                break  # later elements are not read; vertex data comes first
            element = words[1]
            if element != "vertex":
                raise AudioGSError(f"{p}: expected the vertex element first, got {line!r}")
            count = int(words[2])
        elif words[0] == "property":
            if len(words) != 3 or words[1] not in _PLY_TYPES:
                raise AudioGSError(f"{p}: unsupported property {line!r}")
            fields.append((words[2], _PLY_TYPES[words[1]]))
    if count is None:
        raise AudioGSError(f"{p}: no vertex element")
    dtype = np.dtype(fields)
    if len(data) - body < count * dtype.itemsize:
        raise AudioGSError(f"{p}: truncated ({count} vertices announced)")
    table = np.frombuffer(data, dtype=dtype, count=count, offset=body)
    return {name: np.array(table[name]) for name, _ in fields}
