"""Listener paths of the benchmark's split C (docs/DESIGN.md, "Split C: paths").

Derived from a room's geometry and source, so the same generators give the
benchmark's paths in its rooms and development paths in development rooms:

* ``dolly_in``: from the far side of the room (the farthest admissible point
  in sight of the talker) to 0.8 m from the talker, facing it, then a 90
  degree pan to the left;
* ``pan_in_place``: a full turn on the ring, between ring views 2 and 3;
* ``walk_by``: a straight walk past the talker at 1.2 m, facing along the
  walk (the admissible line of that distance with the longest run);
* ``orbit_out``: an arc outside the ring, facing the talker;
* ``round_corner`` (rooms with a part out of the talker's sight): a walk
  from the talker's side of the room round the corner to the farthest point
  out of sight, facing along the walk.

Admissible points lie inside the room, at listener height, at least 0.5 m
from every wall (as the views). Each path lasts the recording's length, with
a frame every ``FRAME_S``; the talker's wing is where walks start.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from audiogs_core.errors import AudioGSError
from audiogs_core.geometry import yaw_to_quat
from audiogs_core.io.listener_path import ListenerPath
from audiogs_core.sim import geometry
from audiogs_core.sim.rooms import WALL_CLEARANCE, RoomSpec

FRAME_S = 0.05
DOLLY_END_M = 0.8
DOLLY_MOVE_SHARE = 0.7  # of the duration; the rest is the pan
WALK_BY_M = 1.2
ORBIT_OUT_M = 0.5  # beyond the ring radius
MAX_ORBIT_DEG = 270.0
GRID_M = 0.2  # search grid of the corner walk
CORNER_START_M = 1.5  # the corner walk starts this far (along the walk) from the talker
PATH_NAMES = ("dolly_in", "pan_in_place", "walk_by", "orbit_out", "round_corner")
_TOL = 1e-6


class FloorPlan:
    """Where a listener may stand. The room cut at listener height: wall segments [S, 2, 2] (x, y), for fast
    vectorised inside and clearance tests (the rooms' walls are vertical at that height)."""

    def __init__(self, room: RoomSpec) -> None:
        z = room.listener_z
        segments = []
        for poly in room.polygons:
            p = np.asarray(poly, dtype=float)
            q = np.roll(p, -1, axis=0)
            dz0, dz1 = p[:, 2] - z, q[:, 2] - z
            cross = (dz0 * dz1 < 0) | ((dz0 == 0) & (dz1 != 0))
            hits = [p[i] + (q[i] - p[i]) * (dz0[i] / (dz0[i] - dz1[i])) for i in np.flatnonzero(cross)]
            hits.sort(key=lambda h: (h[0], h[1]))
            segments += [(hits[k][:2], hits[k + 1][:2]) for k in range(0, len(hits) - 1, 2)]
        if not segments:
            raise AudioGSError(f"room {room.name}: no wall crosses the listener height {z} m")
        self.segments = np.array(segments)  # [S, 2, 2]
        lo, hi = room.bounds()
        self.vertical_ok = (z - lo[2] >= WALL_CLEARANCE - _TOL) and (hi[2] - z >= WALL_CLEARANCE - _TOL)

    def admissible(self, points: np.ndarray) -> np.ndarray:
        """[N] bool for points [N, 2 or 3]: inside the plan and 0.5 m from every wall."""
        xy = np.atleast_2d(np.asarray(points, dtype=float))[:, :2]
        a, b = self.segments[None, :, 0], self.segments[None, :, 1]  # [1, S, 2]
        ab = b - a
        t = np.clip(np.sum((xy[:, None] - a) * ab, axis=2) / np.maximum(np.sum(ab * ab, axis=2), 1e-12), 0, 1)
        dist = np.linalg.norm(xy[:, None] - (a + t[..., None] * ab), axis=2).min(axis=1)
        # even-odd rule with a ray towards +x
        ya, yb = a[..., 1], b[..., 1]
        straddle = (ya > xy[:, None, 1]) != (yb > xy[:, None, 1])
        with np.errstate(divide="ignore", invalid="ignore"):
            x_cross = a[..., 0] + (xy[:, None, 1] - ya) * ab[..., 0] / (yb - ya)
        inside = np.sum(straddle & (x_cross > xy[:, None, 0]), axis=1) % 2 == 1
        return inside & (dist >= WALL_CLEARANCE - _TOL) & self.vertical_ok

    def ok(self, point: np.ndarray) -> bool:
        """One point [3]: admissible or not."""
        return bool(self.admissible(np.asarray(point)[None, :])[0])

    def segment_ok(self, a: np.ndarray, b: np.ndarray, step: float = 0.05) -> bool:
        """Every point of the straight segment a-b (sampled every ``step``) admissible."""
        n = max(2, int(math.ceil(np.linalg.norm(b - a) / step)) + 1)
        s = np.linspace(0.0, 1.0, n)[:, None]
        return bool(self.admissible(a[None, :] + s * (b - a)[None, :]).all())

    def grid(self, room: RoomSpec, step: float) -> np.ndarray:
        """Admissible points [N, 3] of a grid at listener height."""
        lo, hi = room.bounds()
        xs = np.arange(lo[0] + WALL_CLEARANCE, hi[0] - WALL_CLEARANCE + _TOL, step)
        ys = np.arange(lo[1] + WALL_CLEARANCE, hi[1] - WALL_CLEARANCE + _TOL, step)
        pts = np.array([[x, y, room.listener_z] for x in xs for y in ys]).reshape(-1, 3)
        return pts[self.admissible(pts)] if len(pts) else pts


def _yaw_to(p: np.ndarray, target: np.ndarray) -> float:
    d = np.asarray(target, dtype=float) - np.asarray(p, dtype=float)
    return math.atan2(float(d[1]), float(d[0]))


def _frames(seconds: float) -> np.ndarray:
    n = max(2, int(round(seconds / FRAME_S)) + 1)
    return np.linspace(0.0, seconds, n)


def _path(times: np.ndarray, positions: np.ndarray, yaws: np.ndarray) -> ListenerPath:
    return ListenerPath(times, positions, np.stack([yaw_to_quat(float(y)) for y in yaws]))


def _polyline_at(points: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Points [P, 3] at arc-length fractions ``s`` [N] in [0, 1] along a polyline."""
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    d = np.clip(s, 0.0, 1.0) * cum[-1]
    return np.stack([np.interp(d, cum, points[:, k]) for k in range(3)], axis=1)


def _smooth_yaw(yaws: np.ndarray, window: int) -> np.ndarray:
    """Unwrapped yaws smoothed by a centred moving average (edges held)."""
    u = np.unwrap(yaws)
    if window < 2:
        return u
    pad = np.concatenate([np.full(window, u[0]), u, np.full(window, u[-1])])
    kernel = np.ones(2 * window + 1) / (2 * window + 1)
    return np.convolve(pad, kernel, mode="same")[window:-window]


def _heading_yaws(positions: np.ndarray) -> np.ndarray:
    """Yaw along the direction of motion, smoothed over 0.5 s (corners become turns)."""
    d = np.gradient(positions[:, :2], axis=0)
    yaws = np.arctan2(d[:, 1], d[:, 0])
    return _smooth_yaw(yaws, int(round(0.25 / FRAME_S)))


def dolly_in(room: RoomSpec, seconds: float) -> ListenerPath:
    src = np.asarray(room.source, dtype=float)
    plan = FloorPlan(room)
    src_level = np.array([src[0], src[1], room.listener_z])
    candidates = plan.grid(room, GRID_M)
    dists = np.linalg.norm(candidates - src_level[None, :], axis=1)
    found = None
    for i in np.argsort(-dists, kind="stable"):  # farthest first: the first that fits wins
        if dists[i] <= DOLLY_END_M + 1.0:
            break
        p = candidates[i]
        end = src_level - (src_level - p) / dists[i] * DOLLY_END_M
        if geometry.line_of_sight(src, p, room.polygons) and plan.segment_ok(p, end):
            found = (p, end)
            break
    if found is None:
        raise AudioGSError(f"room {room.name}: no straight dolly towards the talker fits")
    start, end = found
    t = _frames(seconds)
    move = np.clip(t / (DOLLY_MOVE_SHARE * seconds), 0.0, 1.0)
    pan = np.clip((t - DOLLY_MOVE_SHARE * seconds) / ((1 - DOLLY_MOVE_SHARE) * seconds), 0.0, 1.0)
    positions = start[None, :] + move[:, None] * (end - start)[None, :]
    facing = _yaw_to(start, src)
    return _path(t, positions, facing + pan * math.pi / 2)


def pan_in_place(room: RoomSpec, seconds: float) -> ListenerPath:
    src = np.asarray(room.source, dtype=float)
    plan = FloorPlan(room)
    for slot in (2.5, 6.5, 1.5, 5.5, 3.5, 7.5):  # between ring views, away from the turned heads (0.5, 4.5)
        theta = 2 * math.pi * slot / 8
        p = np.array([src[0] + room.ring_radius * math.cos(theta), src[1] + room.ring_radius * math.sin(theta),
                      room.listener_z])
        if plan.ok(p):
            t = _frames(seconds)
            yaw0 = _yaw_to(p, src)
            return _path(t, np.repeat(p[None, :], t.size, axis=0), yaw0 + 2 * math.pi * t / seconds)
    raise AudioGSError(f"room {room.name}: no admissible point on the ring for a pan in place")


def walk_by(room: RoomSpec, seconds: float) -> ListenerPath:
    src = np.asarray(room.source, dtype=float)
    plan = FloorPlan(room)
    centre = np.array([src[0], src[1], room.listener_z])
    best = None
    for deg in range(0, 180, 5):
        a = math.radians(deg)
        d = np.array([math.cos(a), math.sin(a), 0.0])
        normal = np.array([-d[1], d[0], 0.0])
        for side in (1.0, -1.0):
            mid = centre + side * WALK_BY_M * normal
            if not plan.ok(mid):
                continue
            ends = []
            for sign in (-1.0, 1.0):
                reach = 0.0
                while plan.ok(mid + sign * (reach + 0.05) * d) and reach < 20:
                    reach += 0.05
                ends.append(mid + sign * reach * d)
            length = float(np.linalg.norm(ends[1] - ends[0]))
            if best is None or length > best[0] + _TOL:
                best = (length, ends[0], ends[1])
    if best is None or best[0] < 1.0:
        raise AudioGSError(f"room {room.name}: no straight walk past the talker at {WALK_BY_M} m fits")
    _, a_end, b_end = best
    t = _frames(seconds)
    positions = a_end[None, :] + (t / seconds)[:, None] * (b_end - a_end)[None, :]
    return _path(t, positions, np.full(t.size, _yaw_to(a_end, b_end)))


def orbit_out(room: RoomSpec, seconds: float) -> ListenerPath:
    """An arc facing the talker, ``ORBIT_OUT_M`` outside the ring (less where the room
    leaves no arc of 90 degrees there, but always outside the ring)."""
    src = np.asarray(room.source, dtype=float)
    for out in np.arange(ORBIT_OUT_M, 0.15, -0.1):
        radius = room.ring_radius + float(out)
        run = _longest_arc(room, src, radius)
        if run[1] - run[0] >= 45:
            break
    else:
        raise AudioGSError(f"room {room.name}: no arc of at least 90 degrees fits outside the ring")
    span = min(run[1] - run[0], int(MAX_ORBIT_DEG / 2.0))
    t = _frames(seconds)
    theta = np.radians(2.0 * (run[0] + (span - 1) * t / seconds))
    positions = np.stack([src[0] + radius * np.cos(theta), src[1] + radius * np.sin(theta),
                          np.full(t.size, room.listener_z)], axis=1)
    return _path(t, positions, theta + math.pi)


def _longest_arc(room: RoomSpec, src: np.ndarray, radius: float) -> tuple[int, int]:
    """(first, end) in 2-degree steps of the longest run of admissible angles in the
    talker's sight on the circle of ``radius`` (end may pass 180: it wraps)."""
    angles = np.radians(np.arange(0.0, 360.0, 2.0))
    pts = np.stack([src[0] + radius * np.cos(angles), src[1] + radius * np.sin(angles),
                    np.full(angles.size, room.listener_z)], axis=1)
    inside = FloorPlan(room).admissible(pts)
    ok = np.array([a and geometry.line_of_sight(src, p, room.polygons) for a, p in zip(inside, pts)])
    if ok.all():
        return 0, angles.size
    start = int(np.argmin(ok))  # an inadmissible angle: runs start after it
    best, cur = (0, 0), None
    for j, i in enumerate(np.roll(np.arange(angles.size), -start)):
        if ok[i]:
            cur = j if cur is None else cur
            if j + 1 - cur > best[1] - best[0]:
                best = (cur, j + 1)
        else:
            cur = None
    return best[0] + start, best[1] + start


def round_corner(room: RoomSpec, seconds: float) -> ListenerPath | None:
    """None when every admissible point is in the talker's sight."""
    src = np.asarray(room.source, dtype=float)
    plan = FloorPlan(room)
    pts = plan.grid(room, GRID_M)
    if pts.shape[0] == 0:
        return None
    hidden = np.array([not geometry.line_of_sight(src, p, room.polygons) for p in pts])
    if not hidden.any():
        return None
    # Breadth-first distances over the 8-connected grid from the point nearest the talker.
    key = {tuple(np.round(p[:2] / GRID_M).astype(int)): i for i, p in enumerate(pts)}
    start = int(np.argmin(np.linalg.norm(pts[:, :2] - src[None, :2], axis=1)))
    dist = np.full(len(pts), np.inf)
    prev = np.full(len(pts), -1)
    dist[start] = 0.0
    queue = deque([start])
    while queue:
        i = queue.popleft()
        gx, gy = np.round(pts[i, :2] / GRID_M).astype(int)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                j = key.get((gx + dx, gy + dy))
                if j is None or (dx == 0 and dy == 0):
                    continue
                step = GRID_M * math.hypot(dx, dy)
                if dist[i] + step < dist[j] - _TOL:
                    dist[j], prev[j] = dist[i] + step, i
                    queue.append(j)
    reachable_hidden = np.flatnonzero(hidden & np.isfinite(dist))
    if reachable_hidden.size == 0:
        return None
    goal = int(reachable_hidden[np.argmax(dist[reachable_hidden])])
    chain = [goal]
    while prev[chain[-1]] >= 0 and dist[chain[-1]] > CORNER_START_M:
        chain.append(int(prev[chain[-1]]))
    chain.reverse()  # from near the talker to the goal
    waypoints = _string_pull(plan, pts[chain])
    t = _frames(seconds)
    positions = _polyline_at(waypoints, t / seconds)
    return _path(t, positions, _heading_yaws(positions))


def _string_pull(plan: FloorPlan, points: np.ndarray) -> np.ndarray:
    """The polyline through ``points`` [P, 3] with every corner that a straight admissible
    segment can skip removed."""
    out = [points[0]]
    i = 0
    while i < len(points) - 1:
        j = len(points) - 1
        while j > i + 1 and not plan.segment_ok(points[i], points[j]):
            j -= 1
        out.append(points[j])
        i = j
    return np.array(out)


def benchmark_paths(room: RoomSpec, seconds: float) -> dict[str, ListenerPath]:
    """The split C paths of ``room``, by name (``round_corner`` only where part of the room is
    out of the talker's sight)."""
    if seconds < 1.0:
        raise AudioGSError(f"paths need at least 1 s of recording, got {seconds:g} s")
    paths = {"dolly_in": dolly_in(room, seconds), "pan_in_place": pan_in_place(room, seconds),
             "walk_by": walk_by(room, seconds), "orbit_out": orbit_out(room, seconds)}
    corner = round_corner(room, seconds)
    if corner is not None:
        paths["round_corner"] = corner
    return paths
