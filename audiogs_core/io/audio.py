"""WAV input/output and resampling, channels first ([C, T] float32).

``soundfile`` and ``scipy`` are imported lazily so that modules which only
need paths (capture, model folder) import without them.
"""

from __future__ import annotations

import os
from math import gcd
from pathlib import Path

import numpy as np

from audiogs_core.errors import AudioGSError
from audiogs_core.io.atomic import atomic_path


def read_wav(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Read an audio file as float32 ``[C, T]`` (channels first) and its rate.

    Raises AudioGSError for a missing, unreadable or corrupt file, for a file
    with no samples and for non-finite samples (possible in float WAVs).
    """
    import soundfile as sf

    p = Path(path)
    if not p.is_file():
        raise AudioGSError(f"audio file not found: {p}")
    try:
        data, rate = sf.read(str(p), dtype="float32", always_2d=True)
    except Exception as exc:  # soundfile raises LibsndfileError, RuntimeError, ...
        raise AudioGSError(f"cannot read audio file {p}: {exc}") from exc
    if data.shape[0] == 0:
        raise AudioGSError(f"audio file {p} is empty (0 samples)")
    if not np.all(np.isfinite(data)):
        raise AudioGSError(f"audio file {p} contains non-finite samples (NaN or infinity)")
    return np.ascontiguousarray(data.T), int(rate)


def write_wav(path: str | os.PathLike, audio: np.ndarray, sample_rate: int) -> None:
    """Write ``audio`` ([C, T] or [T]) as a 32-bit float WAV, atomically.

    Float samples are kept as they are (no clipping of values beyond +-1).
    """
    import soundfile as sf

    a = np.asarray(audio, dtype=np.float32)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2:
        raise AudioGSError(f"audio for {path} must be [C, T] or [T], got shape {a.shape}")
    if a.shape[1] == 0:
        raise AudioGSError(f"refusing to write empty audio to {path}")
    if not np.all(np.isfinite(a)):
        raise AudioGSError(f"refusing to write non-finite samples to {path}")
    if int(sample_rate) <= 0:
        raise AudioGSError(f"sample rate for {path} must be positive, got {sample_rate}")
    with atomic_path(path) as tmp:
        sf.write(str(tmp), np.ascontiguousarray(a.T), int(sample_rate),
                 subtype="FLOAT", format="WAV")


def resample(audio: np.ndarray, sr_from: int, sr_to: int, dtype: type = np.float32) -> np.ndarray:
    """Resample ``audio`` [..., T] from ``sr_from`` to ``sr_to`` Hz along the last axis.

    Polyphase filtering (``scipy.signal.resample_poly``) with the ratio reduced
    by the greatest common divisor, computed on and returned as ``dtype``
    (float32 for audio files; the metrics ask for float64); same rank.
    """
    a: np.ndarray = np.asarray(audio, dtype=dtype)
    sr_from, sr_to = int(sr_from), int(sr_to)
    if sr_from <= 0 or sr_to <= 0:
        raise AudioGSError(f"sample rates must be positive, got {sr_from} and {sr_to}")
    if sr_from == sr_to:
        return a.copy()
    from scipy.signal import resample_poly

    g = gcd(sr_from, sr_to)
    out = resample_poly(a, sr_to // g, sr_from // g, axis=-1)
    return np.ascontiguousarray(out, dtype=dtype)
