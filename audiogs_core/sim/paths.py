"""Ground truth along listener paths (docs/DESIGN.md, "Ground truth along a path").

A moving listener is simulated as standing listeners at pose knots along the
path (``dsp.pose_crossfade.pose_knots``: at most 0.1 s apart, closer where the
head turns more than 5 degrees or moves more than 7 cm), each a binaural
impulse response from the same two simulator passes as the capture's views,
each convolved with the dry signal and crossfaded linearly between
neighbouring knots. The result covers the path's span (first to last frame
time), as the renderer does, and is written as ``paths/NAME.wav`` beside the
path itself (``paths/NAME.json``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audiogs_core.dsp.pose_crossfade import crossfade_static, level_yaw, path_span, pose_knots
from audiogs_core.conventions import SPEED_OF_SOUND
from audiogs_core.errors import AudioGSError
from audiogs_core.io.listener_path import ListenerPath, check_path_within
from audiogs_core.sim import geometry
from audiogs_core.sim.layouts import ViewSpec
from audiogs_core.sim.rooms import RoomSpec

PATHS_DIR = "paths"


@dataclass
class PathPlan:
    """One path to simulate: its name, frames and pose knots (times [M], heads [M])."""

    name: str
    path: ListenerPath
    knots: np.ndarray
    heads: list[ViewSpec]


def check_path_name(name: str) -> str:
    """A path name becomes a file name: letters, digits, '_', '-' and '.' only."""
    ok = name and all(c.isalnum() or c in "_-." for c in name) and not name.startswith(".")
    if not ok:
        raise AudioGSError(f"path name {name!r} must be letters, digits, '_', '-' or '.' "
                           "(it names paths/NAME.json and paths/NAME.wav); rename the file")
    return name


def plan_path(name: str, path: ListenerPath, room: RoomSpec, seconds: float) -> PathPlan:
    """Knots of ``path`` as level heads in ``room``; one clear error for what the simulator cannot do."""
    check_path_name(name)
    check_path_within(path, seconds)
    knots = pose_knots(path)
    positions, rotations = path.sample(knots)
    heads = []
    for k, (pos, rot) in enumerate(zip(positions, rotations)):
        yaw = level_yaw(rot)
        if yaw is None:
            raise AudioGSError(f"path {name}: the head at {knots[k]:.3f} s is tilted; the simulator turns "
                               "heads about the vertical axis only (keep the head's up axis along world +Z)")
        if not geometry.is_inside(pos, room.polygons):
            raise AudioGSError(f"path {name}: the listener at {knots[k]:.3f} s, "
                               f"{np.round(pos, 3).tolist()}, is outside room {room.name}")
        heads.append(ViewSpec(f"{name}#{k}", pos, yaw, "path"))
    return PathPlan(name, path, knots, heads)


def render_ground_truth(plan: PathPlan, signal: np.ndarray, left: list[np.ndarray], right: list[np.ndarray],
                        sample_rate: int, source: np.ndarray, speed_of_sound: float = SPEED_OF_SOUND) -> np.ndarray:
    """[2, n] over the path's span: the dry ``signal`` [T] through each knot's impulse responses
    (``left``, ``right``: one per knot), crossfaded between knots with their direct sounds
    lined up (``crossfade_static``'s ``delays``: the distance from ``source`` [3] to each knot)."""
    from scipy.signal import fftconvolve

    s0, n = path_span(plan.path, sample_rate, signal.shape[0])
    if n <= 0:
        raise AudioGSError(f"path {plan.name} covers no sample of the {signal.shape[0] / sample_rate:.2f} s recording")

    def heard_at(k: int, a: int, b: int) -> np.ndarray:
        # samples a..b of (signal * h): needs the signal from a - len(h) + 1 on;
        # before sample 0 the timeline is silent
        out = np.zeros((2, b - a))
        first = max(a, 0)
        for ear, h in enumerate((left[k], right[k])):
            lo = max(0, first - h.shape[0] + 1)
            full = fftconvolve(signal[lo:b], h)
            out[ear, first - a:] = full[first - lo:b - lo]
        return out

    delays = np.linalg.norm(plan.path.sample(plan.knots)[0] - source[None, :], axis=1) / speed_of_sound
    return crossfade_static(heard_at, plan.knots, sample_rate, s0, n, delays=delays)
