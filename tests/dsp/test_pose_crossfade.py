"""Pose knots along a path and the crossfade of standing listeners."""

import math

import numpy as np
import pytest

from audiogs_core.dsp.pose_crossfade import (
    MAX_MOVE_M, MAX_TURN_DEG, crossfade_static, fractional_read, hat_weights, level_yaw, path_span, pose_knots,
    rotation_angle_deg,
)
from audiogs_core.geometry import yaw_to_quat
from audiogs_core.io.listener_path import ListenerPath

SR = 16000


def _path(times, positions, yaws):
    return ListenerPath(np.array(times, float), np.array(positions, float),
                        np.stack([yaw_to_quat(math.radians(y)) for y in yaws]))


def test_knots_of_a_slow_path_are_a_tenth_of_a_second_apart():
    p = _path([0.0, 2.0], [[0, 0, 1.6], [0.2, 0, 1.6]], [0, 0])  # 10 cm/s
    k = pose_knots(p)
    assert k[0] == 0.0 and k[-1] == 2.0
    assert np.allclose(np.diff(k), 0.1)


def test_knots_refine_where_the_head_moves_or_turns_fast():
    walk = _path([0.0, 1.0], [[0, 0, 1.6], [1.5, 0, 1.6]], [0, 0])  # 1.5 m/s
    k = pose_knots(walk)
    pos = walk.sample(k)[0]
    assert np.max(np.linalg.norm(np.diff(pos, axis=0), axis=1)) <= MAX_MOVE_M + 1e-9
    turn = _path([0.0, 1.0], [[0, 0, 1.6], [0, 0, 1.6]], [0, 170])  # 170 deg/s
    k = pose_knots(turn)
    rots = turn.sample(k)[1]
    assert max(rotation_angle_deg(a, b) for a, b in zip(rots[:-1], rots[1:])) <= MAX_TURN_DEG + 1e-9
    assert len(k) >= 35  # 170 / 5 intervals at least


def test_one_frame_is_one_knot_over_the_whole_recording():
    p = _path([1.0], [[0, 0, 1.6]], [0])
    assert list(pose_knots(p)) == [1.0]
    assert path_span(p, SR, 5 * SR) == (0, 5 * SR)


def test_hat_weights_interpolate_between_knots():
    knots = np.array([0.0, 1.0, 3.0])
    i, w = hat_weights(knots, np.array([0.0, 0.5, 1.0, 2.5, 3.0]))
    assert list(i) == [0, 0, 1, 1, 1]
    assert np.allclose(w, [0.0, 0.5, 0.0, 0.75, 1.0])


def test_crossfade_of_constant_knots_is_the_weighted_sum():
    knots = np.array([0.0, 0.5, 1.0])
    values = [1.0, 3.0, 2.0]  # knot k hears the constant values[k]
    out = crossfade_static(lambda k, a, b: np.full((2, b - a), values[k]), knots, SR, 0, SR)
    t = np.arange(SR) / SR
    expect = np.interp(t, knots, values)
    assert np.allclose(out, expect[None, :], atol=1e-12)


def test_fractional_read_delays_a_band_limited_signal():
    t = np.arange(4000)
    x = np.sin(2 * np.pi * 0.2 * t)[None, :]  # 0.2 of the sample rate (3.2 kHz at 16 kHz)
    pos = np.arange(100, 3900) + 0.37
    y = fractional_read(x, pos)
    assert np.max(np.abs(y[0] - np.sin(2 * np.pi * 0.2 * pos))) < 2e-3


def test_aligned_crossfade_has_no_comb_where_a_plain_one_notches():
    # Each knot hears a tone delayed by its own distance; neighbouring knots differ by
    # half a period, so a plain crossfade cancels halfway between knots.
    f, knots = 2000.0, np.array([0.0, 0.1, 0.2])
    delays = np.array([0.0, 0.25e-3, 0.5e-3])  # half a period of 2 kHz per knot

    def tone(k, a, b):
        t = np.arange(a, b) / SR
        return np.sin(2 * np.pi * f * (t - delays[k]))[None, :]

    n = int(0.2 * SR)
    mid = slice(int(0.045 * SR), int(0.055 * SR))  # around the halfway point of the first interval
    plain = crossfade_static(tone, knots, SR, 0, n)
    aligned = crossfade_static(tone, knots, SR, 0, n, delays=delays)
    assert np.max(np.abs(plain[0, mid])) < 0.1  # the comb notch
    assert np.min(np.max(np.abs(aligned[0, mid].reshape(-1, 8)), axis=1)) > 0.9  # steady amplitude


def test_level_yaw_refuses_a_tilted_head():
    assert level_yaw(yaw_to_quat(math.radians(30))) == pytest.approx(math.radians(30))
    tilt = np.array([math.cos(0.2), 0.0, math.sin(0.2), 0.0])  # a rotation about the world y axis
    assert level_yaw(tilt) is None
