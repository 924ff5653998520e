"""Rooms of the simulator: built-in ``shoebox`` and ``lshape``, or any OBJ mesh.

A :class:`RoomSpec` is the geometry (planar polygons, outward normals, world
frame, Z up), one material name per polygon, the source position and the ring
radius of split A. Materials come from pyroomacoustics' database and are
resampled to one 7-band bank (125 Hz to 8 kHz) because the database mixes 6-
and 7-band entries, which pyroomacoustics refuses in one room.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from audiogs_core.errors import AudioGSError
from audiogs_core.io.obj_mesh import ObjMesh, read_obj, write_obj
from audiogs_core.sim import geometry

LISTENER_HEIGHT = 1.6  # m above the floor
WALL_CLEARANCE = 0.5  # m, every listener and the source keep this distance to walls
BANK_CENTERS = [125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0]
SCATTERING = 0.5

# Built-in room names, as accepted by ``--room``.
BUILTIN_ROOMS = ("shoebox", "lshape")


@dataclass
class RoomSpec:
    """A room ready for simulation.

    polygons: list of [n_i, 3] planar walls, counter-clockwise seen from outside.
    materials: one pyroomacoustics material name per polygon.
    source: [3] source position; ring_radius: radius of the ring layout (m).
    """

    name: str
    polygons: list[np.ndarray]
    materials: list[str]
    source: np.ndarray
    ring_radius: float
    floor_z: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def listener_z(self) -> float:
        return self.floor_z + LISTENER_HEIGHT

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        pts = np.concatenate(self.polygons, axis=0)
        return pts.min(axis=0), pts.max(axis=0)


# --------------------------------------------------------------------------- materials

def _materials_table() -> dict[str, list[float]]:
    """Every absorption entry of pyroomacoustics' database, resampled to the bank."""
    import pyroomacoustics as pra

    path = Path(pra.__file__).parent / "data" / "materials.json"
    data = json.loads(path.read_text())
    centers = data["center_freqs"]
    table: dict[str, list[float]] = {}
    for group in data["absorption"].values():
        for name, entry in group.items():
            coeffs = list(entry["coeffs"])
            freqs = entry.get("center_freqs") or centers[: len(coeffs)]
            table[name] = _to_bank(freqs, coeffs)
    return table


def _to_bank(freqs: list[float], coeffs: list[float]) -> list[float]:
    """Interpolate coefficients on log-frequency onto BANK_CENTERS (flat beyond the ends)."""
    lf = np.log2(np.asarray(freqs, dtype=float))
    out = np.interp(np.log2(BANK_CENTERS), lf, np.asarray(coeffs, dtype=float))
    return [float(v) for v in np.clip(out, 0.0, 1.0)]


def material_names() -> list[str]:
    """Names accepted by ``--material``."""
    return sorted(_materials_table())


def material_absorption(name: str) -> list[float]:
    """Energy absorption of material ``name`` on the 7-band bank (125 Hz .. 8 kHz)."""
    table = _materials_table()
    if name not in table:
        close = [n for n in sorted(table) if name.lower() in n.lower()][:8]
        hint = f" (similar: {', '.join(close)})" if close else ""
        raise AudioGSError(f"unknown material {name!r} for --material{hint}; "
                           f"names come from pyroomacoustics' materials database")
    return table[name]


# --------------------------------------------------------------------------- built-in rooms

def _extrude(corners: Sequence[tuple[float, float]], height: float) -> list[np.ndarray]:
    """Floor plan (counter-clockwise) -> walls, floor, ceiling with outward normals."""
    c = np.asarray(corners, dtype=float)
    n = len(c)
    walls = []
    for i in range(n):
        a, b = c[i], c[(i + 1) % n]
        walls.append(np.array([[a[0], a[1], 0.0], [b[0], b[1], 0.0],
                               [b[0], b[1], height], [a[0], a[1], height]]))
    floor = np.array([[x, y, 0.0] for x, y in c[::-1]])  # clockwise from above = normal down
    ceiling = np.array([[x, y, height] for x, y in c])
    return walls + [floor, ceiling]


def shoebox(material: str | None = None) -> RoomSpec:
    """6 x 5 x 3 m: plasterboard E/W, brickwork N, glass S, carpet floor, plasterboard ceiling."""
    polys = _extrude([(0, 0), (6, 0), (6, 5), (0, 5)], 3.0)
    # walls in order: south (y=0), east (x=6), north (y=5), west (x=0), floor, ceiling
    mats = ["glass_window", "plasterboard", "brickwork", "plasterboard", "carpet_cotton",
            "plasterboard"]
    if material:
        mats = [material] * len(polys)
    return RoomSpec("shoebox", polys, mats, np.array([3.0, 2.5, LISTENER_HEIGHT]), 1.8)


def lshape(material: str | None = None) -> RoomSpec:
    """8 x 6 x 3 m L: the upper-left wing is out of sight of the source at (6.5, 1.5)."""
    corners = [(0, 0), (8, 0), (8, 3), (4, 3), (4, 6), (0, 6)]
    polys = _extrude(corners, 3.0)
    mats = ["plasterboard"] * len(corners) + ["carpet_cotton", "plasterboard"]
    if material:
        mats = [material] * len(polys)
    return RoomSpec("lshape", polys, mats, np.array([6.5, 1.5, LISTENER_HEIGHT]), 1.0)


# --------------------------------------------------------------------------- OBJ rooms

def read_room_polygons(path: str | os.PathLike) -> list[np.ndarray]:
    """Faces of an OBJ room (``io.obj_mesh``) as planar polygons [n, 3], normals outward.

    Non-planar faces are split into triangles; faces are turned so that their
    normals point out of the room.
    """
    mesh = read_obj(path)
    if not mesh.faces:
        raise AudioGSError(f"room mesh {path} has no faces")
    polys: list[np.ndarray] = []
    for poly in mesh.polygons():
        if geometry.polygon_area(poly) < 1e-9:
            continue
        if geometry.is_planar(poly):
            polys.append(poly)
        else:
            polys.extend(poly[[0, i, i + 1]] for i in range(1, len(poly) - 1))
    volume = geometry.mesh_volume(polys)
    if abs(volume) < 1e-6:
        raise AudioGSError(f"room mesh {path} encloses no volume (it must be a closed room)")
    if volume < 0:
        polys = [poly[::-1].copy() for poly in polys]
    return polys


def write_room_obj(path: str | os.PathLike, polygons: list[np.ndarray], name: str = "room") -> None:
    """Write a room's polygons as an OBJ (``io.obj_mesh``), atomically."""
    write_obj(path, [ObjMesh.from_polygons(polygons, name)])


def _default_obj_material(poly: np.ndarray) -> str:
    nz = geometry.polygon_normal(poly)[2]
    if nz < -0.9:
        return "carpet_cotton"
    return "plasterboard"


def obj_room(path: str | os.PathLike, material: str | None = None) -> RoomSpec:
    """A room from an OBJ mesh; the source goes where it is farthest from the walls."""
    polys = read_room_polygons(path)
    lo = np.concatenate(polys).min(axis=0)
    hi = np.concatenate(polys).max(axis=0)
    z = lo[2] + LISTENER_HEIGHT
    if hi[2] - z < WALL_CLEARANCE:
        raise AudioGSError(f"room mesh {path} is lower than {LISTENER_HEIGHT + WALL_CLEARANCE} m: "
                           "no room for a listener at 1.6 m")
    # Horizontal clearance: the floor and ceiling do not limit the ring.
    walls = [poly for poly in polys if abs(geometry.polygon_normal(poly)[2]) < 0.9]
    centre = 0.5 * (lo + hi)
    best, best_key, best_d = None, (-1.0, 0.0), -1.0
    for x in np.arange(lo[0] + WALL_CLEARANCE, hi[0] - WALL_CLEARANCE + 1e-9, 0.25):
        for y in np.arange(lo[1] + WALL_CLEARANCE, hi[1] - WALL_CLEARANCE + 1e-9, 0.25):
            pt = np.array([x, y, z])
            if not geometry.is_inside(pt, polys):
                continue
            d = geometry.distance_to_walls(pt, walls)
            # farthest from the walls; among ties the one nearest the centre
            key = (round(d, 6), -float(np.linalg.norm(pt[:2] - centre[:2])))
            if key > best_key:
                best, best_key, best_d = pt, key, d
    if best is None or best_d < WALL_CLEARANCE + 0.3:
        raise AudioGSError(f"room mesh {path} is too small: no source position 0.8 m from the walls")
    mats = [material or _default_obj_material(poly) for poly in polys]
    ring = min(1.8, best_d - WALL_CLEARANCE)
    return RoomSpec(Path(path).stem, polys, mats, best, float(ring), floor_z=float(lo[2]))


def load_room(room: str, material: str | None = None) -> RoomSpec:
    """``shoebox``, ``lshape`` or a path to an OBJ mesh."""
    if material is not None:
        material_absorption(material)  # fail early with the list of names
    if room == "shoebox":
        return shoebox(material)
    if room == "lshape":
        return lshape(material)
    if room.lower().endswith(".obj") or Path(room).exists():
        return obj_room(room, material)
    raise AudioGSError(f"unknown room {room!r}: use shoebox, lshape or a path to an OBJ mesh")


# --------------------------------------------------------------------------- pyroomacoustics

def sabine_rt60(spec: RoomSpec) -> float:
    """Sabine RT60 (s) averaged over the bank's bands, without air absorption."""
    volume = geometry.mesh_volume(spec.polygons)
    absorb = np.zeros(len(BANK_CENTERS))
    for poly, mat in zip(spec.polygons, spec.materials):
        absorb += geometry.polygon_area(poly) * np.asarray(material_absorption(mat))
    rt = 0.161 * volume / np.maximum(absorb, 1e-6)
    return float(np.mean(rt[1:6]))  # 250 Hz .. 4 kHz, where speech energy is


def build_pra_room(spec: RoomSpec, sample_rate: int, time_thres: float, n_rays: int = 10000):
    """A pyroomacoustics Room: image sources of order 3 + ray tracing, air absorption."""
    import pyroomacoustics as pra
    from pyroomacoustics.acoustics import AntoniOctaveFilterBank
    from pyroomacoustics.parameters import constants

    bands = AntoniOctaveFilterBank(
        fs=sample_rate,
        n_fft=constants.get("octave_bands_n_fft"),
        base_frequency=constants.get("octave_bands_base_freq"),
    )
    walls = []
    for i, (poly, name) in enumerate(zip(spec.polygons, spec.materials)):
        mat = pra.Material(
            energy_absorption={"coeffs": material_absorption(name), "center_freqs": BANK_CENTERS},
            scattering={"coeffs": [SCATTERING] * len(BANK_CENTERS), "center_freqs": BANK_CENTERS},
        )
        mat.resample(bands)
        walls.append(pra.wall_factory(np.ascontiguousarray(poly.T), mat.absorption_coeffs,
                                      mat.scattering_coeffs, f"wall_{i}"))
    room = pra.Room(walls, fs=sample_rate, max_order=3, air_absorption=True,
                    ray_tracing=True, use_rand_ism=False)
    room.set_ray_tracing(n_rays=n_rays, receiver_radius=0.5, energy_thres=1e-7,
                         time_thres=time_thres, hist_bin_size=0.004)
    return room
