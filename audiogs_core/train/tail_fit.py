"""Start the reverberant tail (flag reverb_tail) where the train views put it.

The tail adds ``b^2 sum_{m>=1} rho^(2m) |X(n-m)|^2`` to the reference energy
(``AudioGaussians.reference_terms``).  Learned from the linear-magnitude loss
its time constant drifts long: loud cells dominate that loss, while the decay
between words, which is what makes a room sound like itself, lies 20 to 40 dB
lower.  So, like ``gain_db`` is started from the level ratio of views to
reference, the tail is started from a fit of the views' mean energy
spectrogram in the log domain, per octave band: a grid over the decay time
(RT60 = 3 ln(10) tau) and the tail level, the overall level taken as the
median log ratio (what an L1 fit in the log domain picks).  Everything here is
computed from the reference and the train views only.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy.signal import lfilter

from audiogs_core.conventions import StftSettings
from audiogs_core.dsp.stft import bin_frequencies, stft

OCTAVE_CENTRES = (125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0)  # Hz
RT60_GRID = np.arange(0.15, 2.51, 0.05)  # s
LEVEL_GRID_DB = np.arange(-30.0, 30.1, 2.0)  # tail level b^2 in dB
LOG_FLOOR = 1e-4  # relative to the band's mean view energy: 40 dB below it


def tail_energy(energy: np.ndarray, rho2: float) -> np.ndarray:
    """sum_{m>=1} rho2^m energy[..., n-m]  ([..., N] -> [..., N]), a one-pole filter."""
    return lfilter([0.0, rho2], [1.0, -rho2], energy, axis=-1)


def fit_band(ref_energy: np.ndarray, view_energy: np.ndarray, hop_s: float) -> tuple[float, float]:
    """(RT60 s, tail level dB) best matching log(view) by log(c (ref + b^2 tail)) in L1.

    ref_energy, view_energy: [N] band energies per frame.
    """
    floor = LOG_FLOOR * float(view_energy.mean()) + 1e-30
    target = np.log(view_energy + floor)
    best = (math.inf, float(RT60_GRID[0]), float(LEVEL_GRID_DB[0]))
    for rt60 in RT60_GRID:
        rho2 = math.exp(-2.0 * hop_s / (rt60 / (3.0 * math.log(10.0))))
        tail = tail_energy(ref_energy, rho2)
        for level_db in LEVEL_GRID_DB:
            model = ref_energy + 10.0 ** (level_db / 10.0) * tail
            shift = np.median(target - np.log(model + 1e-30))
            cost = float(np.mean(np.abs(np.log(math.exp(shift) * model + floor) - target)))
            if cost < best[0]:
                best = (cost, float(rt60), float(level_db))
    return best[1], best[2]


def _reference_energy(reference: np.ndarray, settings: StftSettings) -> torch.Tensor:
    """[F, N] energy of the reference as the model sees it: (mean over channels of |X|)^2."""
    return stft(torch.from_numpy(reference.astype(np.float32)), settings).abs().mean(dim=0) ** 2


def _mean_view(views: np.ndarray, settings: StftSettings, power: bool) -> torch.Tensor:
    """[F, N] mean over views and ears of |V|^2 (power) or |V|, one view at a time (memory)."""
    total = None
    for v in views:
        mag = stft(torch.from_numpy(v.astype(np.float32)), settings).abs()  # [2, F, N]
        part = (mag**2 if power else mag).sum(dim=0)
        total = part if total is None else total + part
    assert total is not None
    return total / (2 * len(views))


def initial_tail(reference: np.ndarray, views: np.ndarray, settings: StftSettings) -> tuple[np.ndarray, np.ndarray]:
    """(tail_db [F], tail_log_tau [F]) fitted per octave band and spread over its bins.

    reference [C, T], views [V, 2, T] (high-passed, as the trainer sees them).
    """
    ref = _reference_energy(reference, settings).double().numpy()  # [F, N]
    view = _mean_view(views, settings, power=True).double().numpy()
    freqs = bin_frequencies(settings).numpy()
    centres = np.array([c for c in OCTAVE_CENTRES if c < settings.sample_rate / 2])
    # Each bin belongs to the octave band nearest in log frequency.
    band = np.abs(np.log2(np.maximum(freqs, 1.0)[:, None] / centres[None, :])).argmin(axis=1)
    hop_s = settings.hop / settings.sample_rate
    tail_db = np.zeros(len(freqs))
    log_tau = np.zeros(len(freqs))
    for b in range(len(centres)):
        bins = band == b
        rt60, level_db = fit_band(ref[bins].sum(axis=0), view[bins].sum(axis=0), hop_s)
        tail_db[bins] = level_db
        log_tau[bins] = math.log(rt60 / (3.0 * math.log(10.0)))
    return tail_db.astype(np.float32), log_tau.astype(np.float32)


def start_tail(model, reference: np.ndarray, views: np.ndarray, settings: StftSettings) -> None:
    """Set ``model``'s tail to the fit and restart ``gain_db`` from the tailed reference.

    The tail raises the reference energy (by up to the fitted level), so the
    per-frequency gain, started from the ratio of view to reference
    magnitude, is recomputed against the reference with its tail.
    """
    tail_db, log_tau = initial_tail(reference, views, settings)
    device = model.tail_db.device
    with torch.no_grad():
        model.tail_db.copy_(torch.from_numpy(tail_db).to(device))
        model.tail_log_tau.copy_(torch.from_numpy(log_tau).to(device))
        ref_spec = stft(torch.from_numpy(reference.astype(np.float32)), settings).to(device)
        ref_mag = model.reference_magnitude(ref_spec).mean(dim=0)  # [F]
        view_mag = _mean_view(views, settings, power=False).mean(dim=1).to(device)  # [F]
        ratio = (view_mag + 1e-8) / (ref_mag + 1e-8)
        model.gain_db.copy_((20.0 * torch.log10(ratio)).clamp(-60.0, 60.0))
