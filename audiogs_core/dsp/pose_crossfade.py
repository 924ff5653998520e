"""A moving listener as a crossfade of standing ones.

The room simulator and the baselines that cannot move (a recording, a static
filter) hear a path the same way: at pose *knots* along it, each a listener
standing still, crossfaded with linear (hat) weights between neighbouring
knots. The simulator's ground truth and the moving baselines share this one
schedule, so a baseline is never judged against a finer or coarser
approximation than its own.

Knot spacing (docs/DESIGN.md, "Ground truth along a path"): at most
``MAX_STEP_S`` apart, and closer where the head turns more than
``MAX_TURN_DEG`` or moves more than ``MAX_MOVE_M`` between knots. At 7 cm
the direct path's delay changes by at most 0.2 ms (7 cm / 343 m/s) and the
ITD by at most about 0.05 ms between neighbours; at 5 degrees of turn the ITD
of a source to the side changes by at most about 0.06 ms (spherical head,
a = 9 cm) -- below what a 0.5 s window resolves and far below the ITD errors
the benchmark compares. A crossfade between two such neighbours is what a
real moving head hears to within those bounds.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from audiogs_core.geometry import quat_to_matrix
from audiogs_core.io.listener_path import ListenerPath

MAX_STEP_S = 0.1
MAX_TURN_DEG = 5.0
MAX_MOVE_M = 0.07
_MAX_SPLITS = 12  # bisections of one interval: 0.1 s / 4096, far below a sample's worth of motion


def rotation_angle_deg(r0: np.ndarray, r1: np.ndarray) -> float:
    """Angle in degrees of the rotation between wxyz quaternions ``r0``, ``r1`` [4]."""
    dot = abs(float(np.dot(r0, r1)) / (np.linalg.norm(r0) * np.linalg.norm(r1)))
    return math.degrees(2.0 * math.acos(min(1.0, float(dot))))


def pose_knots(path: ListenerPath, max_step_s: float = MAX_STEP_S, max_turn_deg: float = MAX_TURN_DEG,
               max_move_m: float = MAX_MOVE_M) -> np.ndarray:
    """Knot times [M] from ``path.start`` to ``path.end`` (both included).

    Uniform at most ``max_step_s`` apart, then each interval halved until its
    two poses differ by at most ``max_turn_deg`` and ``max_move_m``. A
    one-frame path (a listener standing still) has one knot.
    """
    if len(path) == 1 or path.end <= path.start:
        return np.array([path.start])
    n = max(1, int(math.ceil((path.end - path.start) / max_step_s - 1e-9)))
    coarse = np.linspace(path.start, path.end, n + 1)
    knots = [float(coarse[0])]
    for a, b in zip(coarse[:-1], coarse[1:]):
        knots.extend(_refine(path, float(a), float(b), max_turn_deg, max_move_m, _MAX_SPLITS))
    return np.array(knots)


def _refine(path: ListenerPath, a: float, b: float, max_turn: float, max_move: float, depth: int) -> list[float]:
    """Knots in (a, b]: b itself, preceded by bisections where the poses differ too much."""
    (pa, pb), (ra, rb) = path.sample(np.array([a, b]))
    if depth == 0 or (np.linalg.norm(pb - pa) <= max_move and rotation_angle_deg(ra, rb) <= max_turn):
        return [b]
    mid = 0.5 * (a + b)
    return (_refine(path, a, mid, max_turn, max_move, depth - 1)
            + _refine(path, mid, b, max_turn, max_move, depth - 1))


def hat_weights(knots: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Linear crossfade weights at sample ``times`` [T] between ``knots`` [M].

    Returns (index [T], weight [T]): sample t takes ``1 - weight`` of knot
    ``index`` and ``weight`` of knot ``index + 1`` (one knot: index 0, weight 0).
    """
    knots = np.asarray(knots, dtype=np.float64)
    t = np.clip(np.asarray(times, dtype=np.float64), knots[0], knots[-1])
    if knots.size == 1:
        return np.zeros(t.shape, dtype=np.int64), np.zeros(t.shape)
    i = np.clip(np.searchsorted(knots, t, side="right") - 1, 0, knots.size - 2)
    return i, (t - knots[i]) / (knots[i + 1] - knots[i])


def path_span(path: ListenerPath, sample_rate: int, n_available: int) -> tuple[int, int]:
    """(first sample, number of samples) a path covers: the renderer's span
    (first to last frame time; one frame: the whole recording)."""
    if len(path) == 1:
        return 0, n_available
    s0 = max(0, int(round(path.start * sample_rate)))
    n = min(int(round((path.end - path.start) * sample_rate)), n_available - s0)
    return s0, n


def crossfade_static(render_at: Callable[[int, int, int], np.ndarray], knots: np.ndarray,
                     sample_rate: int, s0: int, n: int, delays: np.ndarray | None = None) -> np.ndarray:
    """[C, n]: the crossfade of standing listeners over samples s0 .. s0 + n.

    ``render_at(k, a, b) -> [C, b - a]`` is what a listener standing at knot
    ``k`` hears over samples a .. b of the timeline (a may be negative: the
    timeline is silent before 0); it is asked only around the samples where
    knot k's weight is non-zero.

    ``delays`` [M] (seconds, optional): the direct sound's delay at each knot.
    Two neighbouring knots then differ by a delay, and a plain crossfade of a
    signal and its delayed copy is a comb filter (at 7 cm, 0.2 ms: a notch
    at 2.5 kHz halfway between knots). With ``delays``, knot k is read at
    t - (d(t) - d_k), d(t) the delay interpolated like the weights, so that
    the knots' direct sounds (and tails that move with them, ``sim.tails``)
    line up and only their level and spectrum are crossfaded; the changing
    delay becomes a continuous one, as for a real moving listener.
    """
    times = (s0 + np.arange(n)) / sample_rate
    index, weight = hat_weights(knots, times)
    shift = None  # samples to read earlier than t, per output sample, relative to d(t)
    margin = 0
    if delays is not None:
        d = np.asarray(delays, dtype=np.float64)
        d_t = d[index] if d.size == 1 else d[index] + weight * (d[np.minimum(index + 1, d.size - 1)] - d[index])
        shift = d_t * sample_rate
        margin = int(np.ceil(np.max(np.abs(np.diff(d)), initial=0.0) * sample_rate)) + _SINC_HALF + 1
    out: np.ndarray | None = None
    for k in range(len(knots)):
        # knot k weighs (1 - w) on samples with index k and w on samples with index k - 1
        lo = np.flatnonzero(index == k)
        hi = np.flatnonzero((index == k - 1) & (weight > 0))
        rows = np.union1d(lo, hi)
        if rows.size == 0:
            continue
        a, b = int(rows[0]), int(rows[-1]) + 1
        w = np.zeros(b - a)
        sel = index[a:b] == k
        w[sel] = 1.0 - weight[a:b][sel]
        sel = index[a:b] == k - 1
        w[sel] = weight[a:b][sel]
        if shift is None:
            seg = np.asarray(render_at(k, s0 + a, s0 + b), dtype=np.float64)
        else:
            assert delays is not None
            wide = np.asarray(render_at(k, s0 + a - margin, s0 + b + margin), dtype=np.float64)
            lag = shift[a:b] - float(np.asarray(delays)[k]) * sample_rate
            seg = fractional_read(wide, margin + np.arange(b - a) - lag)
        if out is None:
            out = np.zeros((seg.shape[0], n))
        out[:, a:b] += seg * w[None, :]
    assert out is not None
    return out


_SINC_HALF = 8  # taps on each side of the windowed-sinc interpolator


def fractional_read(x: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """[C, P]: ``x`` [C, L] read at fractional sample ``positions`` [P].

    Windowed-sinc interpolation (16 taps, Hann window): flat to about 0.4
    of the sample rate, so a slowly varying delay of a few samples leaves the
    spectrum as it is. Positions must keep 8 samples inside ``x``.
    """
    base = np.floor(positions).astype(np.int64)
    frac = positions - base
    taps = np.arange(-_SINC_HALF + 1, _SINC_HALF + 1)  # [16]
    offsets = taps[None, :] - frac[:, None]  # [P, 16]: distance of each tap from the position
    kernel = np.sinc(offsets) * (0.5 + 0.5 * np.cos(np.pi * offsets / _SINC_HALF))
    kernel /= kernel.sum(axis=1, keepdims=True)
    idx = base[:, None] + taps[None, :]
    if idx.min() < 0 or idx.max() >= x.shape[1]:
        raise ValueError("fractional_read: positions too close to the edge of the signal")
    return np.einsum("cpk,pk->cp", x[:, idx], kernel)


def level_yaw(rotation: np.ndarray, max_tilt_deg: float = 2.0) -> float | None:
    """Nose azimuth (rad, counter-clockwise from +X) of a level head; None when tilted.

    The head looks along its -Z and its +Y is up; a head is level when its up
    axis is within ``max_tilt_deg`` of world +Z.
    """
    r = quat_to_matrix(np.asarray(rotation, dtype=np.float64))
    if r[2, 1] < math.cos(math.radians(max_tilt_deg)):
        return None
    nose = -r[:, 2]
    return math.atan2(float(nose[1]), float(nose[0]))
