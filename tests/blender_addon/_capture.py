"""Small synthetic captures and model folders for the add-on tests (numpy only).

A free-field point source; each binaural view hears the reference delayed by
its distance and attenuated by 1/r, with the ear facing away a little later
and quieter, so nothing here needs the simulator or torch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SOURCE = (3.0, 2.5, 1.6)
SR = 16000


def look_at_quat(position, target) -> list[float]:
    """Level head at ``position`` whose nose (camera -Z) points at ``target``:
    q = Rz(psi - 90 deg) * Rx(90 deg) (DESIGN.md §2), wxyz."""
    d = np.asarray(target, float) - np.asarray(position, float)
    psi = np.arctan2(d[1], d[0])
    a = (psi - np.pi / 2) / 2
    qz = np.array([np.cos(a), 0, 0, np.sin(a)])
    qx = np.array([np.cos(np.pi / 4), np.sin(np.pi / 4), 0, 0])
    w1, x1, y1, z1 = qz
    w2, x2, y2, z2 = qx
    q = np.array([w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
                  w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
                  w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
                  w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2])
    return [float(c) for c in q / np.linalg.norm(q)]


def _delayed(signal: np.ndarray, seconds: float, sr: int) -> np.ndarray:
    n = int(round(seconds * sr))
    return np.concatenate([np.zeros(n, np.float32), signal[: len(signal) - n]])


def write_room_obj(path: Path, size=(6.0, 5.0, 3.0)) -> None:
    x, y, z = size
    verts = [(0, 0, 0), (x, 0, 0), (x, y, 0), (0, y, 0), (0, 0, z), (x, 0, z), (x, y, z), (0, y, z)]
    faces = [(1, 2, 3, 4), (5, 8, 7, 6), (1, 5, 6, 2), (2, 6, 7, 3), (3, 7, 8, 4), (4, 8, 5, 1)]
    lines = [f"v {a} {b} {c}" for a, b, c in verts] + ["f " + " ".join(map(str, f)) for f in faces]
    path.write_text("\n".join(lines) + "\n")


def make_capture(folder: Path, seconds: float = 2.0, sr: int = SR, n_views: int = 4,
                 radius: float = 1.5, seed: int = 0, room: bool = True) -> Path:
    """Write a capture folder; views on a ring around SOURCE, the last one 'test'."""
    from audiogs_core.io.audio import write_wav
    from audiogs_core.io.capture import write_capture

    rng = np.random.default_rng(seed)
    folder = Path(folder)
    (folder / "audio").mkdir(parents=True, exist_ok=True)
    n = int(seconds * sr)
    t = np.arange(n) / sr
    dry = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t))
           + 0.05 * rng.standard_normal(n)).astype(np.float32)
    ref_pos = [SOURCE[0] + 0.3, SOURCE[1], SOURCE[2]]
    write_wav(folder / "audio" / "reference.wav", dry, sr)
    views = []
    for i in range(n_views):
        ang = 2 * np.pi * i / n_views
        pos = [SOURCE[0] + radius * np.cos(ang), SOURCE[1] + radius * np.sin(ang), SOURCE[2]]
        r = radius
        left = _delayed(dry, r / 343.0, sr) / r
        right = _delayed(dry, r / 343.0 + 0.0002, sr) / r * 0.8
        name = f"cam{i + 1}"
        write_wav(folder / "audio" / f"{name}.wav", np.stack([left, right]), sr)
        views.append({"name": name, "audio": f"audio/{name}.wav", "offset": 0.0,
                      "pose": {"position": [float(c) for c in pos],
                               "rotation": look_at_quat(pos, SOURCE)},
                      "split": "test" if i == n_views - 1 else "train"})
    cap = {"format": "audiogs.capture", "version": 1, "sample_rate": sr, "head_radius": 0.09,
           "sources": [{"name": "talker", "position": list(SOURCE)}],
           "reference": {"audio": "audio/reference.wav", "pose": {"position": ref_pos}},
           "views": views}
    if room:
        write_room_obj(folder / "room.obj")
        cap["room"] = {"mesh": "room.obj"}
    write_capture(folder, cap)
    return folder


def make_model(folder: Path, seconds: float = 2.0, sr: int = SR, at=SOURCE, spread: float = 0.0,
               side: float = 0.0, seed: int = 0, reference: np.ndarray | None = None) -> Path:
    """A hand-built model folder: every Gaussian at ``at`` (+ N(0, spread^2)), energy
    rising with the time cell, optional side term (sh_diff index 3 = -side, so
    that D = C1 * side * x > 0, louder left, when the Gaussian sits left of the
    listener: DESIGN.md §4 direction from the Gaussian to the listener)."""
    from audiogs_core.conventions import (HEAD_RADIUS, SPEED_OF_SOUND, stft_settings,
                                          time_cells)
    from audiogs_core.io.model_folder import write_model_folder

    rng = np.random.default_rng(seed)
    st = stft_settings(sr)
    K, F = time_cells(seconds), st.n_freq
    n = int(round(seconds * sr))
    if reference is None:
        reference = (0.2 * rng.standard_normal(n)).astype(np.float32)
    mu = np.broadcast_to(np.asarray(at, np.float32), (K, F, 3)).copy()
    mu += spread * rng.standard_normal((K, F, 3)).astype(np.float32)
    q = np.zeros((K, F, 4), np.float32)
    q[..., 0] = 1.0
    sh_diff = np.zeros((K, F, 16), np.float32)
    sh_diff[..., 3] = -side
    energy = (np.linspace(-60, 0, K, dtype=np.float32)[:, None]
              - np.linspace(0, 20, F, dtype=np.float32)[None, :])
    tensors = {
        "mu": mu, "q": q, "sh_mono": np.zeros((K, F, 16), np.float32), "sh_diff": sh_diff,
        "decay": np.full((K, F), 0.1, np.float32), "itd_scale": np.zeros(F, np.float32),
        "gain_db": np.zeros(F, np.float32), "energy": energy,
    }
    meta = {"sample_rate": sr, "stft": st.to_dict(), "K": K, "F": F, "duration": n / sr,
            "head_radius": HEAD_RADIUS, "speed_of_sound": SPEED_OF_SOUND,
            "reference_position": [float(at[0]) + 0.3, float(at[1]), float(at[2])],
            "flags": {}, "core_version": _core_version()}
    write_model_folder(folder, meta, tensors, reference, sr)
    return Path(folder)


def _core_version() -> str:
    import audiogs_core

    return audiogs_core.__version__
