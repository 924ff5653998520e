"""ITDE: the interaural time difference error, the project's own spatial metric.

Two estimators of the ITD of a binaural signal, both positive when the right
ear leads and both limited to +-1 ms:

* plain GCC-PHAT (``itd``, kept as ``ITDE_gcc``): the median, over the
  non-silent 0.5 s sub-windows, of the lag of the GCC-PHAT peak between the
  ears. The cross-correlation is evaluated on a 16x finer lag grid
  (zero-padded spectrum) and the peak refined by a parabola, so differences
  of well under 0.1 ms are resolved.
* onset-gated GCC-PHAT (``segment_itd``, ``robust_itd``; the robust ITDE):
  the precedence effect's reading of the cues. In a room the direct sound is
  only a small share of a listener's energy (about -9 dB at 1.8 m in the
  benchmark rooms) and the reflections that follow within tens of ms carry
  other lags, so plain GCC-PHAT jumps between the direct lag and theirs from
  one simulator draw to the next. Only at an onset, where a time-frequency
  cell's power rises above everything it held in the last 15 ms, has the
  reverberation not yet caught up; those cells alone (8 ms frames, 2 ms hop),
  each whitened to unit magnitude, are pooled into one GCC-PHAT.
  ``scripts/itd_stability.py`` chose it and its settings by measurement
  (``docs/experiments/itd_stability.json``).

ITDE = |ITD(p) - ITD(g)| in milliseconds.
"""

from __future__ import annotations

import numpy as np

from audiogs_core.conventions import HIGHPASS_HZ

MAX_LAG_S = 1e-3
SUBWINDOW_S = 0.5
SILENCE_DB = -40.0  # a sub-window this far below the loudest one is "silent"
UPSAMPLE = 16

# Onset gate of the robust estimator (chosen on the development rooms, see module doc).
ONSET_FRAME_S = 0.008  # Hann frames: short, so a frame at an onset is mostly direct sound
ONSET_HOP_S = 0.002
ONSET_MEMORY_S = 0.015  # a cell is an onset when it beats the maximum of the last 15 ms ...
ONSET_RISE_DB = 4.5  # ... by this much
ONSET_FLOOR_DB = -60.0  # and lies within this of the segment's loudest cell (not numerical noise)


def peak_lag(cross: np.ndarray, n: int, sample_rate: int, max_lag_s: float, upsample: int) -> float:
    """Lag (s) of the peak within +-``max_lag_s`` of the correlation whose spectrum is ``cross``.

    ``cross`` [n // 2 + 1] is a cross-spectrum on the grid of ``np.fft.rfft(., n)``;
    its inverse is read on a grid of 1 / (sample_rate * upsample) and the
    peak refined by a parabola.
    """
    n_up = n * upsample
    cc = np.fft.irfft(cross, n_up)  # circular lags on a grid of 1 / (sr * upsample)
    max_k = int(np.ceil(max_lag_s * sample_rate * upsample))
    lags = np.arange(-max_k, max_k + 1)
    values = cc[lags % n_up]
    i = int(np.argmax(values))
    offset = 0.0
    if 0 < i < len(values) - 1:  # parabolic refinement around the grid peak
        a, b, c = values[i - 1], values[i], values[i + 1]
        denom = a - 2 * b + c
        if denom < 0:
            offset = 0.5 * (a - c) / denom
    lag = (lags[i] + offset) / (sample_rate * upsample)
    return float(np.clip(lag, -max_lag_s, max_lag_s))


def gcc_phat_lag(left: np.ndarray, right: np.ndarray, sample_rate: int,
                 max_lag_s: float = MAX_LAG_S, upsample: int = UPSAMPLE) -> float:
    """Lag in seconds of the GCC-PHAT peak within +-``max_lag_s``; positive: right leads.

    ``left``, ``right`` [T]. With l(t) = r(t - tau) (the right ear hears it
    first) the correlation sum_t l(t + k) r(t) peaks at k = tau > 0. Bins
    below the 150 Hz high-pass are left out: there PHAT would whiten the
    filter's residue into noise.
    """
    n_sig = len(left)
    n = 1
    while n < 2 * n_sig:
        n *= 2
    cross = np.fft.rfft(left, n) * np.conj(np.fft.rfft(right, n))
    mag = np.abs(cross)
    if not np.any(mag > 0):
        return 0.0
    cross = cross / (mag + 1e-12 * mag.max())
    freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
    cross[freqs < HIGHPASS_HZ] = 0.0
    return peak_lag(cross, n, sample_rate, max_lag_s, upsample)


def _subwindows(x: np.ndarray, sample_rate: int) -> list[np.ndarray]:
    """The non-silent 0.5 s sub-windows [2, n] of ``x`` [2, T]; [] for silence.

    Non-overlapping from t = 0 (the tail is dropped; a signal shorter than
    one sub-window is used whole); those with energy more than 40 dB below
    the loudest are skipped.
    """
    a = np.asarray(x, dtype=np.float64)
    n = int(round(SUBWINDOW_S * sample_rate))
    count = a.shape[1] // n
    segments = [a[:, i * n:(i + 1) * n] for i in range(count)] if count else [a]
    energy = np.array([float(np.sum(s * s)) for s in segments])
    top = energy.max()
    if top <= 0:
        return []
    return [s for s, e in zip(segments, energy) if e >= top * 10 ** (SILENCE_DB / 10)]


def itd(x: np.ndarray, sample_rate: int) -> float:
    """Plain GCC-PHAT ITD of ``x`` [2, T] in seconds (positive: right ear leads); 0 for silence.

    The median over the non-silent 0.5 s sub-windows (see ``_subwindows``).
    """
    keep = _subwindows(x, sample_rate)
    if not keep:
        return 0.0
    return float(np.median([gcc_phat_lag(s[0], s[1], sample_rate) for s in keep]))


def itde(p: np.ndarray, g: np.ndarray, sample_rate: int) -> float:
    """Plain GCC-PHAT ITDE (``ITDE_gcc``) of prepared ``p``, ``g`` [2, T] in milliseconds."""
    return abs(itd(p, sample_rate) - itd(g, sample_rate)) * 1000.0


def onset_cells(x: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Short-time spectra of ``x`` [2, T] and the onset gate.

    Returns (spectra [2, frames, n // 2 + 1], keep [frames, n // 2 + 1] bool, n).
    A cell (frame, bin) is kept when its power summed over the ears exceeds,
    by ``ONSET_RISE_DB``, the largest power of that bin in the frames of the
    previous ``ONSET_MEMORY_S`` (the first frames, with no such past, are
    never kept) and lies within ``ONSET_FLOOR_DB`` of the loudest cell.
    """
    a = np.asarray(x, dtype=np.float64)
    n = max(8, int(round(ONSET_FRAME_S * sample_rate)))
    hop = max(1, int(round(ONSET_HOP_S * sample_rate)))
    frames = 1 + (a.shape[1] - n) // hop if a.shape[1] >= n else 0
    if frames == 0:
        return np.zeros((2, 0, n // 2 + 1), complex), np.zeros((0, n // 2 + 1), bool), n
    index = np.arange(n)[None, :] + hop * np.arange(frames)[:, None]
    spectra = np.fft.rfft(a[:, index] * np.hanning(n + 1)[:-1], axis=-1)
    power = np.abs(spectra[0]) ** 2 + np.abs(spectra[1]) ** 2  # [frames, bins]
    memory = max(1, int(round(ONSET_MEMORY_S * sample_rate / hop)))
    padded = np.concatenate([np.full((memory, power.shape[1]), np.inf), power], axis=0)
    past = np.max(np.stack([padded[memory - j:memory - j + frames] for j in range(1, memory + 1)]),
                  axis=0)
    top = power.max()
    keep = (power > past * 10 ** (ONSET_RISE_DB / 10)) & (power > top * 10 ** (ONSET_FLOOR_DB / 10))
    keep &= top > 0
    return spectra, keep, n


def segment_itd(x: np.ndarray, sample_rate: int) -> float:
    """Onset-gated GCC-PHAT ITD (s) of one short segment ``x`` [2, n]; nan when no cell passes.

    Positive: the right ear leads (as ``gcc_phat_lag``). The kept cells'
    cross-spectra, each whitened to unit magnitude, are summed per bin and
    the peak of their correlation within +-1 ms is read as in
    ``gcc_phat_lag``. Silence, or a segment shorter than a frame, gives nan.
    """
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != 2:
        raise ValueError(f"segment_itd expects a binaural segment of shape [2, n], got {a.shape}")
    spectra, keep, n = onset_cells(a, sample_rate)
    if not np.any(keep):
        return float("nan")
    cross = spectra[0] * np.conj(spectra[1])
    unit = cross / np.maximum(np.abs(cross), 1e-300)
    pooled = np.sum(np.where(keep, unit, 0.0), axis=0)  # [bins]
    pooled[np.fft.rfftfreq(n, 1.0 / sample_rate) < HIGHPASS_HZ] = 0.0
    if not np.any(np.abs(pooled) > 0):
        return float("nan")
    return peak_lag(pooled, n, sample_rate, MAX_LAG_S, UPSAMPLE)


def robust_itd(x: np.ndarray, sample_rate: int) -> float:
    """Onset-gated ITD of ``x`` [2, T] in seconds: the median of ``segment_itd`` over the
    non-silent 0.5 s sub-windows that give one; nan when none does."""
    values = [segment_itd(s, sample_rate) for s in _subwindows(x, sample_rate)]
    finite = [v for v in values if np.isfinite(v)]
    return float(np.median(finite)) if finite else float("nan")


def robust_itde(p: np.ndarray, g: np.ndarray, sample_rate: int) -> float:
    """Robust ITDE of prepared ``p``, ``g`` [2, T] in milliseconds; nan when either has no cue."""
    return abs(robust_itd(p, sample_rate) - robust_itd(g, sample_rate)) * 1000.0
