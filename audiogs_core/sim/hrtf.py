"""Head-related impulse responses for the simulator's ears.

A :class:`HrirBank` holds one impulse response per direction and ear. The
directions live in the *acoustic head frame*: +x out of the nose, +y out of the
left ear, +z up (the SOFA/KEMAR convention: azimuth counter-clockwise from the
front). The project's head frame (Blender camera: -Z nose, +X right ear, +Y up)
maps onto it by ``ACOUSTIC_TO_CAMERA``.

The simulator puts both ear microphones at the head centre and lets the HRIRs
carry the whole interaural difference (delay and level), as measured HRIRs do:
KEMAR and SOFA data are used as they are, and the analytic sphere gets
Woodworth's delay plus the Brown-Duda shadow filter for each ear. With both
ears at one point, pyroomacoustics' ray tracer gives both the same energy
histograms and (with the same seed) the same random arrival sequence, so the
reverberant tail of the two ears differs only by the HRIR of each arrival's
direction, the binaural tail of Schroeder's method. ``beta`` below is the angle
between the source direction and an ear's outward axis.

Kinds: ``sphere`` (analytic, no data), ``kemar`` (MIT KEMAR normal pinna from
the ``slab`` wheel's data file, read without importing slab) and any SOFA file
(``SimpleFreeFieldHRIR``) through ``sofar``.
"""

from __future__ import annotations

import bz2
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audiogs_core.conventions import HEAD_RADIUS, SPEED_OF_SOUND
from audiogs_core.errors import AudioGSError
from audiogs_core.io.audio import resample

# Columns: acoustic x (nose), y (left ear), z (up) written in camera-frame coordinates.
ACOUSTIC_TO_CAMERA = np.array([[0.0, -1.0, 0.0],
                               [0.0, 0.0, 1.0],
                               [-1.0, 0.0, 0.0]])

SPHERE_BULK_DELAY = 1.0e-3  # s: keeps the near ear (-a/c) and its fractional delay causal
SPHERE_TAPS_PER_KHZ = 4  # 64 taps at 16 kHz: the shadow filter is short (a/c ~ 0.26 ms)


@dataclass
class HrirBank:
    """HRIRs on a direction grid.

    directions: [N, 3] unit vectors (acoustic head frame) from the head towards the source.
    left, right: [N, L] impulse responses at ``sample_rate``.
    """

    name: str
    directions: np.ndarray
    left: np.ndarray
    right: np.ndarray
    sample_rate: int

    def ear(self, side: str) -> np.ndarray:
        return self.left if side == "left" else self.right

    def lookup(self, direction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest-direction HRIR pair ([L], [L]) for a unit vector [3]."""
        i = int(np.argmax(self.directions @ np.asarray(direction, dtype=float)))
        return self.left[i], self.right[i]


def _ear_cos(directions: np.ndarray, side: str) -> np.ndarray:
    """cos(beta) [N]: beta = angle between each direction and the ear's outward axis."""
    return directions[:, 1] if side == "left" else -directions[:, 1]


# --------------------------------------------------------------------------- sphere

def brown_duda_response(cos_beta: np.ndarray, freqs: np.ndarray, head_radius: float = HEAD_RADIUS,
                        c: float = SPEED_OF_SOUND) -> np.ndarray:
    """Brown-Duda head-shadow filter H [N, F] (complex).

    H = (1 + j alpha w / (2 w0)) / (1 + j w / (2 w0)), w0 = c / a,
    alpha(beta) = (1 + amin/2) + (1 - amin/2) cos(beta / beta_min * pi), amin 0.1, beta_min 150 deg.
    """
    beta = np.arccos(np.clip(cos_beta, -1.0, 1.0))
    amin, bmin = 0.1, np.radians(150.0)
    alpha = (1 + amin / 2) + (1 - amin / 2) * np.cos(beta / bmin * np.pi)
    w0 = c / head_radius
    jw = 1j * 2 * np.pi * freqs[None, :] / (2 * w0)
    return (1 + alpha[:, None] * jw) / (1 + jw)


def woodworth_delay(cos_beta: np.ndarray, head_radius: float = HEAD_RADIUS,
                    c: float = SPEED_OF_SOUND) -> np.ndarray:
    """Arrival time [N] (s) at an ear on a rigid sphere relative to the head centre (plane wave).

    An ear that sees the source: -a/c cos(beta) (the straight path); a
    shadowed ear: a/c (beta - pi/2) (the wave wraps around the sphere). The
    interaural difference for a source on the axis is a/c (pi/2 + 1).
    """
    beta = np.arccos(np.clip(cos_beta, -1.0, 1.0))
    return np.where(beta > np.pi / 2, head_radius / c * (beta - np.pi / 2),
                    -head_radius / c * np.cos(beta))


def ring_grid(step_deg: float = 5.0) -> np.ndarray:
    """Directions [N, 3] on elevation rings every 10 deg, azimuth about every ``step_deg`` / cos(el).

    Every ring holds azimuths 0, 90, 180 and 270 deg, so the grid is symmetric
    left/right and front/back and holds the exact horizontal directions of a
    level head (a Fibonacci grid would give the two ears slightly different
    nearest directions for a frontal source).
    """
    dirs = [np.array([[0.0, 0.0, 1.0]]), np.array([[0.0, 0.0, -1.0]])]
    for el in range(-80, 90, 10):
        n = max(4, 4 * int(round(360.0 / step_deg * np.cos(np.radians(el)) / 4)))
        az = np.arange(n) * 360.0 / n
        dirs.append(_sph_to_cart(az, np.full(n, float(el))))
    return np.concatenate(dirs, axis=0)


def sphere_bank(sample_rate: int, head_radius: float = HEAD_RADIUS) -> HrirBank:
    """Analytic spherical head: Brown-Duda shadow + Woodworth wrap-around delay."""
    dirs = ring_grid()
    taps = max(32, int(SPHERE_TAPS_PER_KHZ * sample_rate / 1000))
    nfft = 8 * taps
    freqs = np.fft.rfftfreq(nfft, d=1.0 / sample_rate)
    window = np.hanning(2 * taps)[taps:]  # fade out the tail of the truncated response
    ears = {}
    for side in ("left", "right"):
        cb = _ear_cos(dirs, side)
        delay = woodworth_delay(cb, head_radius) + SPHERE_BULK_DELAY
        h = brown_duda_response(cb, freqs, head_radius) * np.exp(-1j * 2 * np.pi * freqs[None, :] * delay[:, None])
        ir = np.fft.irfft(h, n=nfft, axis=1)[:, :taps] * window[None, :]
        ears[side] = ir.astype(np.float64)
    return HrirBank("sphere", dirs, ears["left"], ears["right"], int(sample_rate))


# --------------------------------------------------------------------------- measured

def _measured_bank(name: str, directions: np.ndarray, left: np.ndarray, right: np.ndarray,
                   fs_in: float, sample_rate: int) -> HrirBank:
    """Measured HRIRs [N, L] resampled to ``sample_rate``; directions normalised."""
    dirs = directions / np.linalg.norm(directions, axis=1, keepdims=True)
    fs_i = int(round(fs_in))
    if abs(fs_in - fs_i) > 1e-6 or fs_i <= 0:
        raise AudioGSError(f"HRIR set {name}: sample rate {fs_in} is not a positive whole number")
    out = {side: resample(irs, fs_i, sample_rate, dtype=np.float64)  # [N, L'] along each IR
           for side, irs in (("left", left), ("right", right))}
    return HrirBank(name, dirs, out["left"], out["right"], int(sample_rate))


def _sph_to_cart(az_deg: np.ndarray, el_deg: np.ndarray) -> np.ndarray:
    az, el = np.radians(az_deg), np.radians(el_deg)
    return np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], axis=1)


class _SlabStub:
    """Stands in for slab's HRTF and Filter classes while unpickling: keeps their attributes."""

    def __setstate__(self, state):
        self.__dict__.update(state if isinstance(state, dict) else {"state": state})


class _KemarUnpickler(pickle.Unpickler):
    # Only the classes this data file holds; anything else is refused.
    _ALLOWED = {("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "_reconstruct"),
                ("numpy._core.multiarray", "_reconstruct")}

    def find_class(self, module, name):
        if module in ("slab.hrtf", "slab.filter") and name in ("HRTF", "Filter"):
            return _SlabStub
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unexpected class {module}.{name} in the KEMAR data file")


def kemar_data_path() -> Path:
    """Path of ``mit_kemar_normal_pinna.bz2`` inside the installed slab package (not imported)."""
    import importlib.util

    spec = importlib.util.find_spec("slab")
    if spec is None or not spec.submodule_search_locations:
        raise AudioGSError("hrtf 'kemar' needs the slab 1.8.2 wheel installed "
                           "(pip install --no-deps slab==1.8.2)")
    for base in spec.submodule_search_locations:
        p = Path(base) / "data" / "mit_kemar_normal_pinna.bz2"
        if p.is_file():
            return p
    raise AudioGSError("the installed slab package has no data/mit_kemar_normal_pinna.bz2")


def kemar_bank(sample_rate: int) -> HrirBank:
    """MIT KEMAR (normal pinna, 710 directions, 44.1 kHz) from slab's data file."""
    path = kemar_data_path()
    with bz2.open(path, "rb") as f:
        obj = _KemarUnpickler(f).load()
    sources = np.asarray(obj.sources, dtype=float)  # [N, 3]: azimuth deg (ccw), elevation deg, r
    irs = np.stack([np.asarray(filt.data, dtype=float) for filt in obj.data])  # [N, L, 2]
    dirs = _sph_to_cart(sources[:, 0], sources[:, 1])
    return _measured_bank("kemar", dirs, irs[:, :, 0], irs[:, :, 1], float(obj.samplerate),
                          sample_rate)


def sofa_bank(path: str | os.PathLike, sample_rate: int) -> HrirBank:
    """HRIRs from a SOFA file (SimpleFreeFieldHRIR: Data.IR [M, 2, N], receiver 0 = left)."""
    import sofar

    p = Path(path)
    if not p.is_file():
        raise AudioGSError(f"SOFA file not found: {p}")
    try:
        sofa = sofar.read_sofa(str(p), verify=False, verbose=False)
        ir = np.asarray(sofa.Data_IR, dtype=float)
        fs = float(np.asarray(sofa.Data_SamplingRate).ravel()[0])
        pos = np.asarray(sofa.SourcePosition, dtype=float)
        pos_type = str(sofa.SourcePosition_Type).lower()
    except Exception as exc:  # sofar raises many kinds of errors for foreign files
        raise AudioGSError(f"cannot read SOFA file {p}: {exc}") from exc
    if ir.ndim != 3 or ir.shape[1] != 2:
        raise AudioGSError(f"SOFA file {p}: Data.IR must be [M, 2, N], got shape {ir.shape}")
    if pos.shape != (ir.shape[0], 3):
        raise AudioGSError(f"SOFA file {p}: SourcePosition must be [{ir.shape[0]}, 3], got {pos.shape}")
    dirs = _sph_to_cart(pos[:, 0], pos[:, 1]) if pos_type.startswith("spherical") else pos
    return _measured_bank(p.stem, dirs, ir[:, 0, :], ir[:, 1, :], fs, sample_rate)


def load_hrtf(kind: str, sample_rate: int, head_radius: float = HEAD_RADIUS) -> HrirBank:
    """``sphere``, ``kemar`` or a path to a ``.sofa`` file (``head_radius``: sphere only)."""
    if kind == "sphere":
        return sphere_bank(sample_rate, head_radius)
    if kind == "kemar":
        return kemar_bank(sample_rate)
    if kind.lower().endswith(".sofa") or Path(kind).exists():
        return sofa_bank(kind, sample_rate)
    raise AudioGSError(f"unknown hrtf {kind!r}: use sphere, kemar or a path to a .sofa file")
