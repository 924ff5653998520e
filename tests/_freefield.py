"""A small free-field capture for tests: one point source heard by spherical-head ears.

Each ear hears the dry signal delayed by its distance / c (fractional, via the
FFT), attenuated 1/r and shadowed by the head (the far ear is quieter), plus
one floor reflection so the views are not trivially scaled copies.  The
reference is an omni mic 0.3 m from the source along +x.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audiogs_core.geometry import quat_to_matrix, yaw_to_quat
from audiogs_core.io.audio import write_wav
from audiogs_core.io.capture import write_capture

C = 343.0
A = 0.09
SOURCE = np.array([3.0, 2.5, 1.6])


def dry_signal(seconds: float, sr: int, seed: int = 0) -> np.ndarray:
    """Speech-like: noise bursts with a syllable-rate envelope and a few harmonics."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * sr))
    t = np.arange(n) / sr
    env = np.clip(np.sin(2 * np.pi * 3.1 * t + rng.uniform(0, 6)), 0, None) ** 2
    f0 = 140 + 30 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voiced = sum(np.sin(k * phase) / k for k in range(1, 12))
    noise = rng.standard_normal(n)
    x = env * (0.6 * voiced + 0.4 * noise)
    return (0.3 * x / np.max(np.abs(x))).astype(np.float64)


def delay(x: np.ndarray, seconds: float, gain: float, sr: int) -> np.ndarray:
    n = len(x)
    m = 1 << int(np.ceil(np.log2(2 * n)))
    spec = np.fft.rfft(x, m)
    f = np.fft.rfftfreq(m, 1 / sr)
    return gain * np.fft.irfft(spec * np.exp(-2j * np.pi * f * seconds), m)[:n]


def ear_signal(dry: np.ndarray, ear: np.ndarray, right_axis: np.ndarray, side: float, sr: int) -> np.ndarray:
    out = np.zeros_like(dry)
    floor = SOURCE * np.array([1, 1, -1])  # reflections from the floor (z = 0) and a wall (x = 0)
    wall = SOURCE * np.array([-1, 1, 1])
    for src, coef in ((SOURCE, 1.0), (floor, 0.5), (wall, 0.4)):
        d = src - ear
        r = np.linalg.norm(d)
        facing = side * float(np.dot(d / r, right_axis))  # +1: the source is on this ear's side
        shadow = 0.75 + 0.25 * facing
        out += delay(dry, r / C, coef * shadow / r, sr)
    return out


def binaural(dry: np.ndarray, position, rotation, sr: int) -> np.ndarray:
    rot = quat_to_matrix(np.asarray(rotation))
    right = rot @ np.array([1.0, 0.0, 0.0])
    p = np.asarray(position, dtype=np.float64)
    left = ear_signal(dry, p - A * right, right, -1.0, sr)
    rgt = ear_signal(dry, p + A * right, right, +1.0, sr)
    return np.stack([left, rgt]).astype(np.float32)


def make_freefield_capture(folder: Path, seconds: float = 3.0, sr: int = 16000, n_views: int = 6,
                           radius: float = 1.5, seed: int = 0) -> Path:
    """Write a capture with ``n_views`` views around the source (distances 0.6 to 1.4 x
    ``radius``, heads within +-30 deg of facing it); the last one is the test view."""
    folder = Path(folder)
    (folder / "audio").mkdir(parents=True, exist_ok=True)
    dry = dry_signal(seconds, sr, seed)
    ref_pos = SOURCE + np.array([0.3, 0.0, 0.0])
    write_wav(folder / "audio/reference.wav", delay(dry, 0.3 / C, 1 / 0.3, sr)[None].astype(np.float32), sr)
    views = []
    rng = np.random.default_rng(seed + 1)
    for i in range(n_views):
        ang = 2 * np.pi * i / n_views + 0.3
        dist = radius * (0.6 + 0.8 * i / max(n_views - 1, 1))  # views at different distances
        pos = SOURCE + dist * np.array([np.cos(ang), np.sin(ang), 0.0])
        to_source = SOURCE - pos
        rot = yaw_to_quat(np.arctan2(to_source[1], to_source[0]) + rng.uniform(-0.5, 0.5))
        write_wav(folder / f"audio/view{i}.wav", binaural(dry, pos, rot, sr), sr)
        views.append({"name": f"view{i}", "audio": f"audio/view{i}.wav",
                      "pose": {"position": pos.tolist(), "rotation": rot.tolist()},
                      "split": "test" if i == n_views - 1 else "train"})
    write_capture(folder, {
        "format": "audiogs.capture", "version": 1, "sample_rate": sr, "head_radius": A,
        "sources": [{"name": "talker", "position": SOURCE.tolist()}],
        "reference": {"audio": "audio/reference.wav", "pose": {"position": ref_pos.tolist()}},
        "views": views,
    })
    return folder
