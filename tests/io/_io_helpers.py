"""Helpers shared by the I/O tests (small captures in tmp_path)."""

from __future__ import annotations

import numpy as np

SR = 8000



def capture_dict(n_views: int = 2) -> dict:
    return {
        "format": "audiogs.capture",
        "version": 1,
        "sample_rate": SR,
        "head_radius": 0.09,
        "room": {"mesh": "room.obj"},
        "sources": [{"name": "talker", "position": [1.5, 2.5, 1.6]}],
        "reference": {"audio": "audio/reference.wav", "pose": {"position": [1.8, 2.5, 1.6]}},
        "views": [
            {"name": f"cam{i + 1}", "audio": f"audio/cam{i + 1}.wav", "offset": 0.0,
             "pose": {"position": [3.1, 2.4 + i, 1.6], "rotation": [0.5, 0.5, 0.5, 0.5]},
             "split": "train" if i == 0 else "test"}
            for i in range(n_views)
        ],
    }


def noise(channels: int, seconds: float, sr: int = SR, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (0.1 * rng.standard_normal((channels, int(round(seconds * sr))))).astype(np.float32)


