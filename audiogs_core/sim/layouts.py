"""Listener layouts of the benchmark (docs/DESIGN.md §8).

``ring`` (split A): 8 views evenly spaced on a circle around the source, each
facing it with a seeded yaw jitter of +-20 deg, plus two test-only views on the
ring between neighbours with the head turned 90 deg left and right of the
source. ``grid`` (split B): a 0.5 m grid at listener height, 12 train views by
farthest-point sampling from the grid point nearest the room centre and 24
test views drawn from the rest. Views out of the source's sight are tagged
``occluded``.

Poses are level heads: a position [3] and the world azimuth ``yaw`` (radians,
counter-clockwise from +X) the nose points at.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from audiogs_core.errors import AudioGSError
from audiogs_core.geometry import quat_to_matrix, yaw_to_quat
from audiogs_core.sim import geometry
from audiogs_core.sim.rooms import WALL_CLEARANCE, RoomSpec

RING_VIEWS = 8
RING_JITTER_DEG = 20.0
GRID_STEP = 0.5  # m
GRID_SOURCE_CLEARANCE = 0.75  # m
GRID_TRAIN = 12
GRID_TEST = 24
_TOL = 1e-6  # positions exactly at the clearance count as allowed

# Independent random streams per purpose, so changing one layout does not move another.
_STREAM_RING = 1
_STREAM_GRID_YAW = 2
_STREAM_GRID_TEST = 3


@dataclass
class ViewSpec:
    """One binaural listener: name, position [3], nose azimuth (rad), split and tags."""

    name: str
    position: np.ndarray
    yaw: float
    split: str = "train"
    tags: list[str] = field(default_factory=list)

    @property
    def rotation(self) -> list[float]:
        """[w, x, y, z] of the level head (a list, ready for capture.json)."""
        return yaw_to_quat(self.yaw).tolist()


def ear_positions(position: np.ndarray, yaw: float, head_radius: float) -> tuple[np.ndarray, np.ndarray]:
    """World positions ([3], [3]) of the left and right ear: p -+ R (a, 0, 0)."""
    r = quat_to_matrix(yaw_to_quat(yaw))
    axis = r @ np.array([head_radius, 0.0, 0.0])
    p = np.asarray(position, dtype=float)
    return p - axis, p + axis


def _check_position(room: RoomSpec, name: str, pos: np.ndarray) -> None:
    if not geometry.is_inside(pos, room.polygons):
        raise AudioGSError(f"view {name} at {np.round(pos, 3).tolist()} lies outside room {room.name}")
    d = geometry.distance_to_walls(pos, room.polygons)
    if d < WALL_CLEARANCE - _TOL:
        raise AudioGSError(f"view {name} at {np.round(pos, 3).tolist()} is {d:.2f} m from a wall of "
                           f"room {room.name} (at least {WALL_CLEARANCE} m needed)")


def _tag_sight(room: RoomSpec, view: ViewSpec) -> ViewSpec:
    if not geometry.line_of_sight(room.source, view.position, room.polygons):
        view.tags.append("occluded")
    return view


def ring_layout(room: RoomSpec, seed: int = 0) -> list[ViewSpec]:
    """Split A: ring0..ring7 (ring0 is the default held-out view) + turned_left, turned_right."""
    rng = np.random.default_rng([seed, _STREAM_RING])
    src = np.asarray(room.source, dtype=float)
    z = room.listener_z
    r = room.ring_radius
    views = []
    jitter = np.radians(rng.uniform(-RING_JITTER_DEG, RING_JITTER_DEG, size=RING_VIEWS))
    for i in range(RING_VIEWS):
        theta = 2 * math.pi * i / RING_VIEWS
        pos = np.array([src[0] + r * math.cos(theta), src[1] + r * math.sin(theta), z])
        facing = theta + math.pi  # towards the source
        views.append(ViewSpec(f"ring{i}", pos, _wrap(facing + jitter[i]),
                              "test" if i == 0 else "train", ["ring"]))
    # Turned views halfway between neighbours, on opposite sides of the ring.
    for name, i, turn in (("turned_left", 0, 90.0), ("turned_right", RING_VIEWS // 2, -90.0)):
        theta = 2 * math.pi * (i + 0.5) / RING_VIEWS
        pos = np.array([src[0] + r * math.cos(theta), src[1] + r * math.sin(theta), z])
        views.append(ViewSpec(name, pos, _wrap(theta + math.pi + math.radians(turn)),
                              "test", ["turned"]))
    for v in views:
        _check_position(room, v.name, v.position)
    return [_tag_sight(room, v) for v in views]


def grid_points(room: RoomSpec) -> np.ndarray:
    """Admissible grid points [N, 3]: 0.5 m grid at listener height, inside the room,
    at least 0.5 m from the walls and 0.75 m from the source."""
    lo, hi = room.bounds()
    z = room.listener_z
    xs = np.arange(lo[0] + WALL_CLEARANCE, hi[0] - WALL_CLEARANCE + _TOL, GRID_STEP)
    ys = np.arange(lo[1] + WALL_CLEARANCE, hi[1] - WALL_CLEARANCE + _TOL, GRID_STEP)
    src = np.asarray(room.source, dtype=float)
    pts = []
    for x in xs:
        for y in ys:
            p = np.array([round(x, 9), round(y, 9), z])
            if np.linalg.norm(p - src) < GRID_SOURCE_CLEARANCE - _TOL:
                continue
            if not geometry.is_inside(p, room.polygons):
                continue
            if geometry.distance_to_walls(p, room.polygons) < WALL_CLEARANCE - _TOL:
                continue
            pts.append(p)
    return np.array(pts).reshape(-1, 3)


def farthest_point_order(points: np.ndarray, start: int, count: int) -> list[int]:
    """Indices of ``count`` points [N, 3] chosen greedily, each farthest from those chosen.

    Ties go to the lowest index, so the order is deterministic.
    """
    chosen = [start]
    dmin = np.linalg.norm(points - points[start], axis=1)
    while len(chosen) < min(count, len(points)):
        nxt = int(np.argmax(dmin))
        chosen.append(nxt)
        dmin = np.minimum(dmin, np.linalg.norm(points - points[nxt], axis=1))
    return chosen


def grid_layout(room: RoomSpec, seed: int = 0) -> list[ViewSpec]:
    """Split B: 12 train views (farthest-point sampling) and up to 24 test views."""
    pts = grid_points(room)
    if len(pts) < GRID_TRAIN + 1:
        raise AudioGSError(f"room {room.name} has only {len(pts)} grid points; the grid layout "
                           f"needs at least {GRID_TRAIN + 1}")
    yaws = np.random.default_rng([seed, _STREAM_GRID_YAW]).uniform(0.0, 2 * math.pi, size=len(pts))
    centre = pts.mean(axis=0)
    start = int(np.argmin(np.linalg.norm(pts - centre, axis=1)))
    train = farthest_point_order(pts, start, GRID_TRAIN)
    rest = [i for i in range(len(pts)) if i not in set(train)]
    rng = np.random.default_rng([seed, _STREAM_GRID_TEST])
    test = sorted(int(i) for i in rng.choice(rest, size=min(GRID_TEST, len(rest)), replace=False))
    views = [ViewSpec(f"train{k:02d}", pts[i], float(yaws[i]), "train", ["grid"])
             for k, i in enumerate(train)]
    views += [ViewSpec(f"test{k:02d}", pts[i], float(yaws[i]), "test", ["grid"])
              for k, i in enumerate(test)]
    return [_tag_sight(room, v) for v in views]


def make_layout(name: str, room: RoomSpec, seed: int = 0) -> list[ViewSpec]:
    if name == "ring":
        return ring_layout(room, seed)
    if name == "grid":
        return grid_layout(room, seed)
    raise AudioGSError(f"unknown layout {name!r}: use ring or grid")


def _wrap(angle: float) -> float:
    """Angle in (-pi, pi]."""
    a = math.remainder(angle, 2 * math.pi)
    return math.pi if a == -math.pi else a
