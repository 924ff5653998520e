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




def model_meta(K: int = 3, sr: int = SR, duration: float = 0.5) -> dict:  # noqa: N803
    from audiogs_core import __version__
    from audiogs_core.conventions import stft_settings

    stft = stft_settings(sr)
    return {
        "sample_rate": sr, "stft": stft.to_dict(), "K": K, "F": stft.n_freq,
        "duration": duration, "head_radius": 0.09, "speed_of_sound": 343.0,
        "reference_position": [1.8, 2.5, 1.6], "flags": {"attenuation": True},
        "core_version": __version__, "training": {"epochs": 1},
    }


def random_tensors(meta: dict, seed: int = 0) -> dict:
    from audiogs_core.io.model_folder import TENSOR_SHAPES, shape_of

    rng = np.random.default_rng(seed)
    return {name: rng.standard_normal(shape_of(name, meta["K"], meta["F"])).astype(np.float32)
            for name in TENSOR_SHAPES}
