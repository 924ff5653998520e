"""Rotations and poses in numpy (no torch), in the project's conventions.

Quaternions are ``[w, x, y, z]`` and rotate head-frame vectors into the world.
The head frame is Blender's camera frame: the listener looks along local -Z,
local +Y is up and local +X is the right ear.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def quat_normalize(q: np.ndarray) -> np.ndarray:
    """[..., 4] -> [..., 4] unit quaternions."""
    q = np.asarray(q, dtype=np.float64)
    return q / np.linalg.norm(q, axis=-1, keepdims=True)


def quat_multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product a*b of [..., 4] quaternions (apply b first, then a)."""
    aw, ax, ay, az = np.moveaxis(np.asarray(a, dtype=np.float64), -1, 0)
    bw, bx, by, bz = np.moveaxis(np.asarray(b, dtype=np.float64), -1, 0)
    return np.stack(
        [
            aw * bw - ax * bx - ay * by - az * bz,
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
        ],
        axis=-1,
    )


def quat_to_matrix(q: np.ndarray) -> np.ndarray:
    """[..., 4] wxyz -> [..., 3, 3] rotation matrices (head -> world)."""
    w, x, y, z = np.moveaxis(quat_normalize(q), -1, 0)
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], -1),
            np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], -1),
            np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], -1),
        ],
        axis=-2,
    )


def matrix_to_quat(m: np.ndarray) -> np.ndarray:
    """[3, 3] rotation matrix -> [4] wxyz with w >= 0."""
    m = np.asarray(m, dtype=np.float64)
    tr = np.trace(m)
    if tr > 0:
        s = 2.0 * np.sqrt(tr + 1.0)
        q = [0.25 * s, (m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s]
    elif m[0, 0] > m[1, 1] and m[0, 0] > m[2, 2]:
        s = 2.0 * np.sqrt(1.0 + m[0, 0] - m[1, 1] - m[2, 2])
        q = [(m[2, 1] - m[1, 2]) / s, 0.25 * s, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s]
    elif m[1, 1] > m[2, 2]:
        s = 2.0 * np.sqrt(1.0 + m[1, 1] - m[0, 0] - m[2, 2])
        q = [(m[0, 2] - m[2, 0]) / s, (m[0, 1] + m[1, 0]) / s, 0.25 * s, (m[1, 2] + m[2, 1]) / s]
    else:
        s = 2.0 * np.sqrt(1.0 + m[2, 2] - m[0, 0] - m[1, 1])
        q = [(m[1, 0] - m[0, 1]) / s, (m[0, 2] + m[2, 0]) / s, (m[1, 2] + m[2, 1]) / s, 0.25 * s]
    unit = quat_normalize(np.array(q))
    return unit if unit[0] >= 0 else -unit


def axis_angle_quat(axis: Sequence[float] | np.ndarray, angle: float) -> np.ndarray:
    """[4] wxyz rotating by ``angle`` (rad, right-handed) about ``axis`` [3]."""
    unit = np.asarray(axis, dtype=np.float64)
    unit = unit / np.linalg.norm(unit)
    return np.concatenate([[np.cos(angle / 2)], np.sin(angle / 2) * unit])


def yaw_to_quat(azimuth: float) -> np.ndarray:
    """A level head whose nose points at world ``azimuth`` (rad, CCW from +X).

    q = Rz(azimuth - 90 deg) * Rx(90 deg): Rx(90) turns the camera's -Z view
    axis onto world +Y with +Y up onto +Z, then Rz turns it to the azimuth.
    """
    rx = axis_angle_quat([1.0, 0.0, 0.0], np.pi / 2)
    rz = axis_angle_quat([0.0, 0.0, 1.0], azimuth - np.pi / 2)
    return quat_multiply(rz, rx)


def look_at_quat(position: np.ndarray, target: np.ndarray) -> np.ndarray:
    """A level head at ``position`` facing ``target`` horizontally."""
    d = np.asarray(target, dtype=np.float64) - np.asarray(position, dtype=np.float64)
    return yaw_to_quat(float(np.arctan2(d[1], d[0])))

