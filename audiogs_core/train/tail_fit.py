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
from audiogs_core.dsp.stft import band_of_bins, bin_frequencies, stft
from audiogs_core.train.data import level_ratio_db

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


def _view_stats(views: np.ndarray, settings: StftSettings) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean over views and ears of |V|^2 [F, N] and of |V| [F, N], one view at a time (memory)."""
    power = magnitude = None
    for v in views:
        mag = stft(torch.from_numpy(v.astype(np.float32)), settings).abs()  # [2, F, N]
        power = (mag**2).sum(dim=0) if power is None else power + (mag**2).sum(dim=0)
        magnitude = mag.sum(dim=0) if magnitude is None else magnitude + mag.sum(dim=0)
    assert power is not None and magnitude is not None
    return power / (2 * len(views)), magnitude / (2 * len(views))


def _fit(ref_energy: np.ndarray, view_power: np.ndarray, settings: StftSettings) -> tuple[np.ndarray, np.ndarray]:
    """(tail_db [F], tail_log_tau [F]) from energies [F, N], fitted per octave band."""
    freqs = bin_frequencies(settings).numpy()
    centres = np.array([c for c in OCTAVE_CENTRES if c < settings.sample_rate / 2])
    band = band_of_bins(freqs, centres)  # each bin's octave band, nearest in log frequency
    hop_s = settings.hop / settings.sample_rate
    tail_db = np.zeros(len(freqs))
    log_tau = np.zeros(len(freqs))
    for b in range(len(centres)):
        bins = band == b
        rt60, level_db = fit_band(ref_energy[bins].sum(axis=0), view_power[bins].sum(axis=0), hop_s)
        tail_db[bins] = level_db
        log_tau[bins] = math.log(rt60 / (3.0 * math.log(10.0)))
    return tail_db.astype(np.float32), log_tau.astype(np.float32)


def _reference_spec(reference: np.ndarray, settings: StftSettings) -> torch.Tensor:
    return stft(torch.from_numpy(reference.astype(np.float32)), settings)  # [C, F, N]


def initial_tail(reference: np.ndarray, views: np.ndarray, settings: StftSettings) -> tuple[np.ndarray, np.ndarray]:
    """(tail_db [F], tail_log_tau [F]) fitted per octave band and spread over its bins.

    reference [C, T], views [V, 2, T] (high-passed, as the trainer sees them).
    The reference's energy is taken as the model sees it: (mean over channels of |X|)^2.
    """
    ref_energy = _reference_spec(reference, settings).abs().mean(dim=0) ** 2
    view_power, _ = _view_stats(views, settings)
    return _fit(ref_energy.double().numpy(), view_power.double().numpy(), settings)


def start_tail(model, reference: np.ndarray, views: np.ndarray, settings: StftSettings) -> None:
    """Set ``model``'s tail to the fit and restart ``gain_db`` from the tailed reference.

    The tail raises the reference energy (by up to the fitted level), so the
    per-frequency gain, started from the ratio of view to reference
    magnitude, is recomputed against the reference with its tail.
    """
    ref_spec = _reference_spec(reference, settings)
    view_power, view_mag = _view_stats(views, settings)
    ref_energy = ref_spec.abs().mean(dim=0) ** 2
    tail_db, log_tau = _fit(ref_energy.double().numpy(), view_power.double().numpy(), settings)
    device = model.tail_db.device
    with torch.no_grad():
        model.tail_db.copy_(torch.from_numpy(tail_db).to(device))
        model.tail_log_tau.copy_(torch.from_numpy(log_tau).to(device))
        ref_mag = model.reference_magnitude(ref_spec.to(device)).mean(dim=0)  # [F]
        model.gain_db.copy_(level_ratio_db(view_mag.mean(dim=1).to(device), ref_mag))
