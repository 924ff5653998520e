"""Listener paths (``path.json``, DESIGN.md §3) and their interpolation.

A path is a list of frames (time on the capture's timeline, position, unit
quaternion wxyz); between frames the position is interpolated linearly and the
rotation by slerp. Pure numpy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audiogs_core.errors import AudioGSError
from audiogs_core.io.atomic import atomic_write_json
from audiogs_core.io.json_checks import QUAT_TOLERANCE, JsonChecker, read_json

PATH_FORMAT = "audiogs.path"
PATH_VERSION = 1
DEFAULT_TIME_TOLERANCE_S = 1e-4  # about one sample at 8-16 kHz


@dataclass
class ListenerPath:
    """Listener frames: ``times`` [N] float64 (strictly increasing),
    ``positions`` [N, 3] float64, ``rotations`` [N, 4] float64 unit wxyz."""

    times: np.ndarray
    positions: np.ndarray
    rotations: np.ndarray
    file: Path | None = None  # where it was read from (for messages)

    def __post_init__(self) -> None:
        self.times = np.asarray(self.times, dtype=np.float64).reshape(-1)
        self.positions = np.asarray(self.positions, dtype=np.float64)
        self.rotations = np.asarray(self.rotations, dtype=np.float64)
        n = self.times.shape[0]
        if self.positions.shape != (n, 3) or self.rotations.shape != (n, 4):
            raise AudioGSError(
                f"listener path: {n} times need positions [{n}, 3] and rotations [{n}, 4], got "
                f"{list(self.positions.shape)} and {list(self.rotations.shape)}"
            )

    def __len__(self) -> int:
        return int(self.times.shape[0])

    @property
    def start(self) -> float:
        return float(self.times[0])

    @property
    def end(self) -> float:
        return float(self.times[-1])

    def sample(self, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pose at each of ``times`` [M]: positions [M, 3] and rotations [M, 4].

        Linear positions, slerp rotations (shortest arc); times outside the
        frames are clamped to the first/last frame; one frame is static.
        """
        t = np.asarray(times, dtype=np.float64).reshape(-1)
        n = len(self)
        if n == 0:
            raise AudioGSError("listener path has no frames")
        if n == 1:
            return (np.repeat(self.positions, t.shape[0], axis=0),
                    np.repeat(self.rotations, t.shape[0], axis=0))
        t = np.clip(t, self.times[0], self.times[-1])
        i = np.clip(np.searchsorted(self.times, t, side="right") - 1, 0, n - 2)
        t0, t1 = self.times[i], self.times[i + 1]
        frac = (t - t0) / (t1 - t0)
        pos = self.positions[i] + frac[:, None] * (self.positions[i + 1] - self.positions[i])
        rot = _slerp_rows(self.rotations[i], self.rotations[i + 1], frac)
        return pos, rot


def slerp(q0: np.ndarray, q1: np.ndarray, t) -> np.ndarray:
    """Spherical interpolation of unit quaternions q0, q1 [4] (wxyz) at ``t``.

    Takes the shortest arc (q and -q are the same rotation). ``t`` scalar
    gives [4]; ``t`` of shape [M] gives [M, 4]. t = 0 gives q0, t = 1 gives q1
    (or -q1 when that is nearer).
    """
    q0 = np.asarray(q0, dtype=np.float64)
    q1 = np.asarray(q1, dtype=np.float64)
    tt = np.asarray(t, dtype=np.float64)
    flat = tt.reshape(-1)
    out = _slerp_rows(np.broadcast_to(q0, (flat.size, 4)), np.broadcast_to(q1, (flat.size, 4)), flat)
    return out[0] if tt.ndim == 0 else out.reshape(tt.shape + (4,))


def _slerp_rows(q0: np.ndarray, q1: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Row-wise slerp: q0, q1 [M, 4], t [M] -> [M, 4] unit quaternions."""
    dot = np.sum(q0 * q1, axis=1)
    q1 = np.where(dot[:, None] < 0, -q1, q1)  # shortest arc
    dot = np.clip(np.abs(dot), 0.0, 1.0)
    theta = np.arccos(dot)
    sin_theta = np.sin(theta)
    # Nearly equal rotations: sin(theta) -> 0, fall back to normalised lerp.
    near = sin_theta < 1e-6
    safe = np.where(near, 1.0, sin_theta)
    w0 = np.where(near, 1.0 - t, np.sin((1.0 - t) * theta) / safe)
    w1 = np.where(near, t, np.sin(t * theta) / safe)
    out = w0[:, None] * q0 + w1[:, None] * q1
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def _check_times(chk_error, times: np.ndarray) -> None:
    for i in range(1, times.shape[0]):
        if not times[i] > times[i - 1]:
            raise chk_error(
                f"frames[{i}].time",
                f"must be greater than frames[{i - 1}].time ({times[i - 1]:g}); "
                f"times must be strictly increasing, got {times[i]:g}",
            )


def load_path(file: str | os.PathLike) -> ListenerPath:
    """Read and validate a ``path.json`` (format audiogs.path)."""
    p = Path(file)
    if not p.is_file():
        raise AudioGSError(f"listener path not found: {p}")
    obj = read_json(p)
    chk = JsonChecker(p)
    if not isinstance(obj, dict):
        raise AudioGSError(f"{p}: must hold a JSON object")
    chk.header(obj, PATH_FORMAT, PATH_VERSION)
    frames = chk.list(chk.get(obj, "frames", ""), "frames")
    if not frames:
        raise chk.error("frames", "must hold at least one frame")
    times, positions, rotations = [], [], []
    for i, f in enumerate(frames):
        key = f"frames[{i}]"
        f = chk.object(f, key)
        times.append(chk.number(chk.get(f, "time", key), f"{key}.time"))
        positions.append(chk.vector(chk.get(f, "position", key), f"{key}.position", 3))
        rotations.append(chk.quaternion(chk.get(f, "rotation", key), f"{key}.rotation"))
    t = np.array(times, dtype=np.float64)
    _check_times(chk.error, t)
    return ListenerPath(times=t, positions=np.stack(positions), rotations=np.stack(rotations),
                        file=p)


def write_path(file: str | os.PathLike, path: ListenerPath) -> None:
    """Write ``path`` as ``path.json`` (atomically), after checking it."""
    chk = JsonChecker(file)
    if len(path) == 0:
        raise chk.error("frames", "must hold at least one frame")
    for name, arr in (("time", path.times), ("position", path.positions),
                      ("rotation", path.rotations)):
        bad = np.flatnonzero(~np.all(np.isfinite(arr.reshape(len(path), -1)), axis=1))
        if bad.size:
            raise chk.error(f"frames[{bad[0]}].{name}", "must be finite")
    _check_times(chk.error, path.times)
    norms = np.linalg.norm(path.rotations, axis=1)
    bad = np.flatnonzero(np.abs(norms - 1.0) > QUAT_TOLERANCE)
    if bad.size:
        raise chk.error(f"frames[{bad[0]}].rotation",
                        f"must be a unit quaternion, got length {norms[bad[0]]:.6g}")
    frames = [
        {"time": float(t), "position": [float(x) for x in pos],
         "rotation": [float(x) for x in rot / np.linalg.norm(rot)]}
        for t, pos, rot in zip(path.times, path.positions, path.rotations)
    ]
    atomic_write_json(file, {"format": PATH_FORMAT, "version": PATH_VERSION, "frames": frames})


def check_path_within(path: ListenerPath, duration_s: float,
                      tolerance_s: float = DEFAULT_TIME_TOLERANCE_S) -> None:
    """Refuse a path with a frame time < 0 or > ``duration_s`` (the recording).

    ``tolerance_s`` absorbs rounding (about a sample).
    """
    where = f"listener path {path.file}" if path.file is not None else "listener path"
    for i, t in enumerate(path.times):
        if t < -tolerance_s or t > duration_s + tolerance_s:
            raise AudioGSError(
                f"{where}: frame {i} at time {t:g} s lies outside the recording, "
                f"which runs from 0 to {duration_s:.3f} s"
            )
