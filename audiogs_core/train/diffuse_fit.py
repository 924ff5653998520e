"""Start the split field (flag split_field): its geometry and the room's interaural coherence.

* The direct part's source is the best-known position of the sound (``init_centre`` "auto":
  the capture's first source, else a close mic, else the views' mean); r0, the distance its
  1/r law is relative to, is the train views' mean distance to it (their level is what
  ``gain_db`` learns); the reference's own distance to it sets the delays.
* The diffuse part's interaural coherence per bin is measured on the train views, in the
  cells the room dominates: where the reference's tail (``reference_terms``) carries at least
  ``DIFFUSE_DOMINANCE`` times the energy of the reference itself. There the views' real
  interaural cross-spectrum over their power is the diffuse field's coherence (a direct
  sound would make it near 1); bins with too few such cells take their neighbours' value.
* After training (``match_coherence``), the coherence is corrected per octave band so that the
  rendered train views, direct part included, have the views' coherence as ICE measures it.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from audiogs_core.conventions import StftSettings
from audiogs_core.dsp.stft import bin_frequencies, stft
from audiogs_core.metrics.coherence import BANDS_HZ, SILENCE_DB, band_coherences
from audiogs_core.model.gaussians import AudioGaussians
from audiogs_core.train.data import TrainingData, init_centre

COHERENCE_STEPS = 2  # match_coherence: fixed-point steps
DIFFUSE_SHARE = 0.7  # the diffuse field's typical share of a view's energy (the step's gain)
DIFFUSE_DOMINANCE = 4.0  # tail energy over the reference's own: the cell is the room's
MIN_CELLS = 20  # per bin, else the bin takes its neighbours' coherence
SMOOTH_BINS = 5  # moving average over frequency (the estimate is noisy per bin)


def direct_geometry(data: TrainingData) -> tuple[np.ndarray, float, float]:
    """(source [3], r0, the reference's distance to the source) from the training data."""
    source = init_centre(data, "auto")
    r0 = float(np.linalg.norm(data.view_positions - source[None, :], axis=1).mean())
    if data.reference_position is None:
        return source, r0, r0
    return source, r0, float(np.linalg.norm(np.asarray(data.reference_position) - source))


@torch.no_grad()
def diffuse_coherence(model: AudioGaussians, reference: np.ndarray, views: np.ndarray,
                      settings: StftSettings) -> np.ndarray:
    """[F] interaural coherence of the room measured on ``views`` [V, 2, T] (high-passed) where the
    tail of ``model`` (already fitted) driven by ``reference`` [C, T] dominates."""
    ref_spec = stft(torch.from_numpy(reference), settings).to(model.tail_db.device)  # [C, F, N]
    direct = ref_spec.abs().mean(dim=0) ** 2  # [F, N]
    total = model.reference_magnitude(ref_spec).transpose(0, 1) ** 2
    room = (total - direct) > DIFFUSE_DOMINANCE * direct
    cross = torch.zeros(direct.shape[0], dtype=torch.float64)
    power_l = torch.zeros_like(cross)
    power_r = torch.zeros_like(cross)
    count = torch.zeros_like(cross)
    for view in views:  # one at a time: memory
        spec = stft(torch.from_numpy(np.ascontiguousarray(view)), settings).to(room.device)  # [2, F, N]
        power = spec.abs() ** 2
        keep = room & (power.sum(0) > 1e-8 * float(power.sum(0).max()))
        cross += ((spec[0] * spec[1].conj()).real * keep).sum(-1).double().cpu()
        power_l += (power[0] * keep).sum(-1).double().cpu()
        power_r += (power[1] * keep).sum(-1).double().cpu()
        count += keep.sum(-1).double().cpu()
    gamma = (cross / torch.sqrt(power_l * power_r).clamp_min(1e-30)).numpy()
    known = count.numpy() >= MIN_CELLS
    if not known.any():
        return np.zeros(len(gamma), dtype=np.float32)
    bins = np.arange(len(gamma))
    gamma = np.interp(bins, bins[known], gamma[known])
    kernel = np.ones(SMOOTH_BINS) / SMOOTH_BINS
    padded = np.pad(gamma, SMOOTH_BINS // 2, mode="edge")
    return np.clip(np.convolve(padded, kernel, mode="valid"), -1.0, 1.0).astype(np.float32)


def band_of_bins(freqs_hz: np.ndarray) -> np.ndarray:
    """[F] index of the ICE octave band (``metrics.coherence.BANDS_HZ``) nearest each bin in log frequency."""
    centres = np.log2(np.asarray(BANDS_HZ))
    return np.argmin(np.abs(np.log2(np.maximum(freqs_hz, 1.0))[:, None] - centres[None, :]), axis=1)


def mean_band_coherence(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """[B] interaural coherence per octave band of [V, 2, T] signals, as ICE measures it (0.5 s
    windows, max over +-1 ms), averaged over the audible windows of every view."""
    sums = np.zeros(len(BANDS_HZ))
    counts = np.zeros(len(BANDS_HZ))
    for view in x:
        ic, energy = band_coherences(view, sample_rate)
        use = (energy >= np.max(energy, axis=1, keepdims=True) + SILENCE_DB) & np.isfinite(ic)
        sums += np.where(use, ic, 0.0).sum(axis=1)
        counts += use.sum(axis=1)
    return sums / np.maximum(counts, 1)


@torch.no_grad()
def match_coherence(model: AudioGaussians, render_views: Callable[[], np.ndarray], views: np.ndarray,
                    sample_rate: int) -> None:
    """Correct ``diffuse_coherence`` per octave band so the rendered train views have the views'
    interaural coherence (TrainSettings.final_level "energy").

    The bin-wise measurement of ``diffuse_coherence`` sees the diffuse field alone; what a listener
    hears also holds the direct part and its early energy, coherent between the ears. A secant-free
    fixed-point step per band, gamma += (IC_views - IC_rendered) / DIFFUSE_SHARE, repeated
    COHERENCE_STEPS times, closes the gap on the train views (``render_views() -> [V, 2, T]``,
    ``views`` [V, 2, T] high-passed).
    """
    target = mean_band_coherence(views, sample_rate)
    bins = band_of_bins(bin_frequencies(model.grid.stft).numpy())
    for _ in range(COHERENCE_STEPS):
        gap = target - mean_band_coherence(render_views(), sample_rate)  # [B]
        step = torch.as_tensor(gap[bins] / DIFFUSE_SHARE, dtype=model.diffuse_coherence.dtype)
        model.diffuse_coherence.copy_((model.diffuse_coherence + step.to(model.diffuse_coherence.device))
                                      .clamp(-1.0, 1.0))


def start_split(model: AudioGaussians, data: TrainingData, reference: np.ndarray, views: np.ndarray,
                settings: StftSettings) -> None:
    """Set the split field's geometry and diffuse coherence (after the tail is started)."""
    source, r0, ref_distance = direct_geometry(data)
    model.set_direct_geometry(source, r0, ref_distance)
    gamma = diffuse_coherence(model, reference, views, settings)
    model.diffuse_coherence.copy_(torch.from_numpy(gamma).to(model.diffuse_coherence.device))
