"""Room meshes as Wavefront OBJ: world frame, metres, Z up (DESIGN.md §2).

The one OBJ reader and writer of the project: the simulator writes and reads
its rooms with it and the Blender add-on exports scene meshes with it.
Blender reads these files back with ``up_axis='Z'``, ``forward_axis='Y'``.
Only ``o``, ``v`` and ``f`` lines matter; others are skipped. Pure numpy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from audiogs_core.errors import AudioGSError
from audiogs_core.io.atomic import atomic_write_text

HEADER = "# AudioGS room mesh: world frame, metres, Z up (import with up_axis='Z', forward_axis='Y')"


@dataclass
class ObjMesh:
    """One mesh: ``vertices`` [V, 3] float64 and ``faces``, each a list of 0-based vertex indices."""

    name: str
    vertices: np.ndarray
    faces: list[list[int]] = field(default_factory=list)

    @classmethod
    def from_polygons(cls, polygons: Sequence[np.ndarray], name: str = "room") -> "ObjMesh":
        """A mesh whose faces are ``polygons`` (each [n, 3]), vertices not shared."""
        verts = [np.asarray(p, dtype=np.float64).reshape(-1, 3) for p in polygons]
        faces, k = [], 0
        for v in verts:
            faces.append(list(range(k, k + len(v))))
            k += len(v)
        vertices = np.concatenate(verts) if verts else np.zeros((0, 3))
        return cls(name, vertices, faces)

    def polygons(self) -> list[np.ndarray]:
        """Each face as its [n, 3] vertex positions."""
        return [self.vertices[f] for f in self.faces]


def write_obj(path: str | os.PathLike, meshes: Sequence[ObjMesh]) -> None:
    """Write ``meshes`` as one OBJ file (one ``o`` block each), atomically."""
    lines = [HEADER]
    base = 1
    for mesh in meshes:
        lines.append(f"o {mesh.name}")
        lines.extend(f"v {x:.6f} {y:.6f} {z:.6f}" for x, y, z in np.asarray(mesh.vertices, dtype=np.float64))
        lines.extend("f " + " ".join(str(base + i) for i in face) for face in mesh.faces)
        base += len(mesh.vertices)
    atomic_write_text(path, "\n".join(lines) + "\n")


def read_obj(path: str | os.PathLike) -> ObjMesh:
    """Every vertex and face of an OBJ file as one mesh named after the file.

    Negative (relative) indices and ``v/vt/vn`` face tokens are understood. A
    missing file, an unparsable line or a face with an invalid index is an
    AudioGSError naming the file (and the line).
    """
    p = Path(path)
    if not p.is_file():
        raise AudioGSError(f"room mesh not found: {p}")
    verts: list[list[float]] = []
    faces: list[list[int]] = []
    for lineno, line in enumerate(p.read_text(errors="replace").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        try:
            if parts[0] == "v":
                verts.append([float(x) for x in parts[1:4]])
                if len(verts[-1]) != 3:
                    raise ValueError("a vertex needs three coordinates")
            elif parts[0] == "f":
                idx = []
                for tok in parts[1:]:
                    i = int(tok.split("/")[0])
                    idx.append(i - 1 if i > 0 else len(verts) + i)
                faces.append(idx)
        except (ValueError, IndexError) as exc:
            raise AudioGSError(f"room mesh {p}: cannot parse line {lineno}: {line.strip()!r}") from exc
    for face in faces:
        if len(face) < 3 or any(i < 0 or i >= len(verts) for i in face):
            raise AudioGSError(f"room mesh {p}: face {[i + 1 for i in face]} is invalid")
    vertices = np.asarray(verts, dtype=np.float64).reshape(-1, 3)
    return ObjMesh(p.stem, vertices, faces)
