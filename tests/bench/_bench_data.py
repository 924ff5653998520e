"""Synthetic capture dicts with the simulator's layouts (no audio files needed)."""

from __future__ import annotations

import math

from audiogs_core.io.capture import parse_capture
from audiogs_core.geometry import yaw_to_quat

SOURCE = [3.0, 2.5, 1.6]


def _view(name, x, y, yaw_deg, split, tags):
    return {"name": name, "audio": f"audio/{name}.wav", "split": split, "tags": tags,
            "pose": {"position": [x, y, 1.6], "rotation": yaw_to_quat(math.radians(yaw_deg)).tolist()}}


def ring_capture(folder):
    """8 ring views facing the source (ring0 test) + two turned test views."""
    views = []
    for i in range(8):
        th = 2 * math.pi * i / 8
        views.append(_view(f"ring{i}", 3 + 1.8 * math.cos(th), 2.5 + 1.8 * math.sin(th),
                           math.degrees(th) + 180, "test" if i == 0 else "train", ["ring"]))
    views.append(_view("turned_left", 4.6, 3.2, 0.0, "test", ["turned"]))
    views.append(_view("turned_right", 1.4, 1.8, 0.0, "test", ["turned"]))
    return _capture(folder, views)


def grid_capture(folder):
    """3 train views, 4 test views: one facing away from the source, one occluded."""
    views = [_view(f"train{k:02d}", 1.0 + k, 1.0, 90.0, "train", ["grid"]) for k in range(3)]
    views.append(_view("test00", 1.0, 2.5, 0.0, "test", ["grid"]))  # nose towards the source (+x)
    views.append(_view("test01", 1.0, 3.5, 180.0, "test", ["grid"]))  # nose away from it
    views.append(_view("test02", 5.0, 2.5, 180.0, "test", ["grid", "occluded"]))  # facing it, hidden
    views.append(_view("test03", 5.0, 4.0, 0.0, "test", ["grid"]))  # away
    return _capture(folder, views)


def _capture(folder, views):
    obj = {"format": "audiogs.capture", "version": 1, "sample_rate": 16000,
           "sources": [{"name": "talker", "position": SOURCE}],
           "reference": {"audio": "audio/reference.wav", "pose": {"position": [3.3, 2.5, 1.6]}},
           "views": views}
    return parse_capture(obj, folder / "capture.json", folder)
