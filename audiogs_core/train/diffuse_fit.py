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

import math
from typing import Callable

import numpy as np
import torch

from audiogs_core.conventions import StftSettings
from audiogs_core.dsp.stft import band_of_bins, bin_frequencies, stft
from audiogs_core.geometry import quat_to_matrix
from audiogs_core.metrics.coherence import BANDS_HZ, SILENCE_DB, band_coherences
from audiogs_core.model.dereverb import keeps_recorded_room, split_reference, splits_reference
from audiogs_core.model.direct import Route, reflects, routes
from audiogs_core.model.head_model import SphereHead
from audiogs_core.model.occlusion import RoomOcclusion
from audiogs_core.model.reflections import first_order
from audiogs_core.train.recorded_room import late_room, recorded_room, transfer_power, views_decay_tau
from audiogs_core.train.room_decay import blind_decay_tau
from audiogs_core.train.tail_fit import OCTAVE_CENTRES
from audiogs_core.model.gaussians import AudioGaussians
from audiogs_core.errors import AudioGSError
from audiogs_core.train.data import TrainingData, init_centre, knows_source

DIRECT_OFFSETS_DB = (-12.0, -9.0, -6.0, -3.0, 0.0)  # choose_direct_balance's candidates
OFFSET_SMOOTH_BINS = 9  # measured_offset: moving average over frequency (dB)
OFFSET_RANGE_DB = (-30.0, 12.0)  # and its bounds (a silent band's ratio is noise)
ILD_SCALES = (0.0, 0.25, 0.5, 0.75, 1.0)  # choose_ild_scale's
MIN_ROOM_SHARE = 0.05  # balance_direct: the room keeps at least this share of a bin's view energy
COHERENCE_STEPS = 2  # match_coherence: fixed-point steps
DIFFUSE_SHARE = 0.7  # the diffuse field's typical share of a view's energy (the step's gain)
DIFFUSE_DOMINANCE = 4.0  # tail energy over the reference's own: the cell is the room's
MIN_CELLS = 20  # per bin, else the bin takes its neighbours' coherence
SMOOTH_BINS = 5  # moving average over frequency (the estimate is noisy per bin)


def view_routes(model: AudioGaussians, data: TrainingData, view_pos: torch.Tensor) -> Route:
    """The direct sound's routes to the train views [V, 1] at ``view_pos`` [V, 3] (round corners
    when the room is known)."""
    room = data.room_polygons if model.flags.occlusion else None
    return routes(model, None if room is None else RoomOcclusion(room), view_pos[:, None])


def direct_geometry(data: TrainingData) -> tuple[np.ndarray, float, float]:
    """(source [3], r0, the reference's distance to the source) from the training data."""
    if not knows_source(data):
        raise AudioGSError("the split field (preset physical) poses the talker's sound from where the talker "
                           "is, and this capture does not say: add a source to capture.json (or give the "
                           "close-mic reference its position), or train with --preset tuned")
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
    ref_spec = split_reference(model, stft(torch.from_numpy(reference), settings).to(model.tail_db.device))[0]
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
    return np.clip(moving_average(gamma, SMOOTH_BINS), 0.0, 1.0).astype(np.float32)


def moving_average(x: np.ndarray, bins: int) -> np.ndarray:
    """[F] ``x`` [F] averaged over the ``bins`` (odd) bins about each, the end values repeated
    beyond the ends (a per-bin estimate is too noisy to use alone)."""
    kernel = np.ones(bins) / bins
    return np.convolve(np.pad(x, bins // 2, mode="edge"), kernel, mode="valid")


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
    bins = band_of_bins(bin_frequencies(model.grid.stft).numpy(), BANDS_HZ)
    for _ in range(COHERENCE_STEPS):
        gap = target - mean_band_coherence(render_views(), sample_rate)  # [B]
        step = torch.as_tensor(gap[bins] / DIFFUSE_SHARE, dtype=model.diffuse_coherence.dtype)
        model.diffuse_coherence.copy_((model.diffuse_coherence + step.to(model.diffuse_coherence.device))
                                      .clamp(0.0, 1.0))


def views_ear_power(model: AudioGaussians, data: TrainingData, settings: StftSettings) -> torch.Tensor:
    """[F] float64: the power the direct part gives the train views' ears per unit of the
    reference's at r0 (the sphere head's ear gains times (r0 / r)^2, averaged over views and ears),
    its first reflections' included where it poses them (each from its image, with its loss)."""
    freqs = bin_frequencies(settings).float()
    rot = torch.as_tensor(quat_to_matrix(data.view_rotations), dtype=torch.float32)  # [V, 3, 3]
    view_pos = torch.as_tensor(data.view_positions, dtype=torch.float32)
    head = SphereHead(model.grid.head_radius, model.grid.speed_of_sound)

    def power(source: torch.Tensor, loss_db: torch.Tensor | float = 0.0) -> torch.Tensor:  # [V, F]
        rel = source - view_pos
        gain_l, gain_r, _ = head.ears((rot * rel.unsqueeze(-1)).sum(-2), freqs)  # [V, F]
        distance = rel.norm(dim=-1).clamp_min(model.flags.near_distance)  # [V]
        loss = torch.pow(10.0, -torch.as_tensor(loss_db, dtype=torch.float32) / 10.0)
        return (gain_l ** 2 + gain_r ** 2) / 2 * (float(model.direct_distance) / distance[:, None]) ** 2 * loss

    ear_power = power(model.source_position.cpu()[None, :])
    if reflects(model) and model.flags.occlusion and data.room_polygons:
        for reflection in view_routes(model, data, view_pos).reflections:
            assert reflection.loss_db is not None  # a reflection always has its loss
            ear_power = ear_power + power(reflection.source[:, 0].cpu(), reflection.loss_db[:, 0].cpu())
    return ear_power.mean(dim=0).double()


def reference_level(model: AudioGaussians) -> float:
    """G^2 physics gives the direct part: the reference's pressure at its own distance carried
    to r0 by 1/r, (L_ref / r0)^2."""
    # A close mic taken for the talker's position (the capture names no source) is at distance 0,
    # where 1/r says nothing: its level counts as at near_distance, the distance law's bound.
    ref_level_distance = float(model.reference_source_distance)
    if ref_level_distance < 0.5 * model.flags.near_distance:
        ref_level_distance = model.flags.near_distance
    return (ref_level_distance / float(model.direct_distance)) ** 2


@torch.no_grad()
def balance_direct(model: AudioGaussians, data: TrainingData, reference: np.ndarray, views: np.ndarray,
                   settings: StftSettings, offset_db: float | np.ndarray = 0.0) -> None:
    """Start the direct part at the level physics gives it and the room at the rest of the views' energy.

    The tail fit (``tail_fit``) finds the room's decay well but not its level against the direct
    sound: over running speech the reference and its own tail rise and fall together, and the
    log-domain fit prefers a loud tail (on development rooms it put the direct sound 28 dB under
    the room, so that a dolly towards the talker hardly got louder). With a reference of known
    position the direct sound at the views is the reference times L_ref / L (pressure, 1/r) times
    the head's ear gains; ``gain_db`` starts there (plus ``offset_db``: a real close mic and real
    ears are calibrated against each other no better than a few dB) and the tail level b_f
    takes the rest of each bin's view energy: b_f^2 = (E_view / G^2 - E_direct - E_own) / E_tail,
    from the tail fit's level (which it replaces; call again with another offset to start over).
    A binaural reference (``model/dereverb.py``) is split into its direct sound and its own room
    (E_own), which the split field keeps; ear and reference are then calibrated alike (no offset).
    The views' recorded room (``train/recorded_room.py``; a close mic's, or a binaural
    reference's in place of its own room) is E_own too, recorded at the views' level (so divided
    by G^2 here, as ``split_field.split_parts`` divides it by G_f).
    """
    if data.reference_position is None:
        return  # no distance to scale by: the tail fit's balance stands
    offset = torch.as_tensor(np.broadcast_to(np.asarray(offset_db, dtype=np.float64), (model.grid.n_freq,)).copy())
    # On the model's device (choose_direct_balance runs after the model moved), summed on the CPU.
    frames = stft(torch.from_numpy(reference), settings).to(model.tail_db.device)
    ref_spec, own = split_reference(model, frames)  # [C, F, N]
    direct = (ref_spec.abs().mean(dim=0) ** 2).mean(dim=1).double().cpu()  # [F]
    own_room = torch.zeros_like(direct) if own is None else (own.abs() ** 2).mean(dim=(0, 2)).double().cpu()
    tail = (model.reference_magnitude(ref_spec).transpose(0, 1) ** 2).mean(dim=1).double().cpu() - direct
    ear_power = views_ear_power(model, data, settings)  # [F]
    view_energy = torch.zeros_like(direct)
    for view in views:
        view_energy += (stft(torch.from_numpy(np.ascontiguousarray(view)), settings).abs() ** 2).mean(dim=(0, 2)).double()
    view_energy /= len(views)
    g2 = reference_level(model) * 10.0 ** (offset / 10.0)
    if keeps_recorded_room(model):
        own_room = own_room / g2  # recorded at the views' level (split_field.split_parts)
    room = view_energy / g2 - direct * ear_power - own_room
    level = (room.clamp_min(MIN_ROOM_SHARE * view_energy / g2) / tail.clamp_min(1e-20)).clamp(1e-6, 1e6)
    model.gain_db.copy_((10.0 * torch.log10(g2)).to(model.gain_db))
    model.tail_db.add_(10.0 * torch.log10(level).to(model.tail_db))


def best_per_band(candidates, errors: np.ndarray, freqs_hz: np.ndarray) -> np.ndarray:
    """[F] per octave band (``OCTAVE_CENTRES``), the candidate whose ``errors`` [S, F] (one row per
    candidate) summed over the band's bins are lowest, given to each of its bins."""
    bands = band_of_bins(freqs_hz, OCTAVE_CENTRES)
    best = np.zeros(len(freqs_hz))
    for b in np.unique(bands):
        in_band = bands == b
        best[in_band] = candidates[int(np.argmin(errors[:, in_band].sum(axis=1)))]
    return best


@torch.no_grad()
def choose_direct_balance(model: AudioGaussians, data: TrainingData, reference: np.ndarray, views: np.ndarray,
                          settings: StftSettings, bin_error: Callable[[], np.ndarray],
                          direct_level: str = "search") -> np.ndarray:
    """Start the direct-to-room balance (``balance_direct``) per bin at an offset from physics'
    level; returns the offsets [F].

    ``direct_level`` "search": per octave band, the offset of DIRECT_OFFSETS_DB whose rendered
    train views have the lowest magnitude error there (``bin_error() -> [F]``, the training
    loss's magnitude term per bin). At one listening distance the views cannot tell a louder
    direct sound from a louder room by their level; they can by its shape in time (the room
    lags the talker) and by the ears' level difference on views that face away (the room has
    none). "transfer": the close mic's measured transfer to the views (``measured_offset``).
    """
    n_freq = model.grid.n_freq
    if data.reference_position is None or splits_reference(model):
        # No distance to scale by; or a binaural reference, recorded by ears like the views'
        balance_direct(model, data, reference, views, settings)
        return np.zeros(n_freq)
    if direct_level == "transfer":
        measured = measured_offset(model, data, reference, views, settings)
        balance_direct(model, data, reference, views, settings, measured)
        return measured
    tail_db, gain_db = model.tail_db.clone(), model.gain_db.clone()
    errors = []
    for offset in DIRECT_OFFSETS_DB:
        model.tail_db.copy_(tail_db)
        balance_direct(model, data, reference, views, settings, offset)
        errors.append(np.asarray(bin_error(), dtype=np.float64))
    best = best_per_band(DIRECT_OFFSETS_DB, np.stack(errors), bin_frequencies(settings).numpy())
    model.tail_db.copy_(tail_db)
    model.gain_db.copy_(gain_db)
    balance_direct(model, data, reference, views, settings, best)
    return best


def measured_offset(model: AudioGaussians, data: TrainingData, reference: np.ndarray, views: np.ndarray,
                    settings: StftSettings) -> np.ndarray:
    """[F] dB: how much louder the close mic's talker reaches the train views than physics poses
    it (``reference_level`` and ``views_ear_power``): the measured same-frame transfer's power
    (``recorded_room.transfer_power``, what ``recorded_room`` takes out of the views as the
    talker's) over the posed one, smoothed over OFFSET_SMOOTH_BINS.

    A real close mic and real ears are calibrated against each other no better than a few dB,
    and a measured head is not the sphere (the benchmark's KEMAR is 15-20 dB under it below
    1 kHz, relative to 2 kHz); what the transfer holds beyond the direct sound (reflections
    within a frame of it) comes with it.
    """
    view_pos = torch.as_tensor(data.view_positions, dtype=torch.float32)  # [V, 3]
    distances = view_routes(model, data, view_pos).length[:, 0].double().cpu().numpy()
    measured = transfer_power(views, distances, reference, float(model.reference_source_distance), settings,
                              model.grid.speed_of_sound)
    posed = views_ear_power(model, data, settings).numpy() * reference_level(model)
    ratio_db = 10.0 * np.log10((measured + 1e-30) / (posed + 1e-30))
    return np.clip(moving_average(ratio_db, OFFSET_SMOOTH_BINS), *OFFSET_RANGE_DB)


@torch.no_grad()
def choose_ild_scale(model: AudioGaussians, ild_error: Callable[[], np.ndarray]) -> np.ndarray:
    """Set ``ild_scale`` per octave band to the value of ILD_SCALES whose rendered train views have
    the lowest error of the ears' level difference there (``ild_error() -> [F]``,
    ``band_ild_error``); returns it [F].

    The direct part holds what arrives in the first frames after the talker's sound: the direct
    sound and the first reflections, which come from elsewhere and carry other level differences.
    Its level difference is therefore a share of the head model's; the train views' own level
    differences (one per view and band) say how large.
    """
    errors = []
    for scale in ILD_SCALES:
        model.ild_scale.fill_(scale)
        errors.append(np.asarray(ild_error(), dtype=np.float64))
    best = best_per_band(ILD_SCALES, np.stack(errors), bin_frequencies(model.grid.stft).numpy())
    model.ild_scale.copy_(torch.from_numpy(best).to(model.ild_scale))
    return best


def start_split(model: AudioGaussians, data: TrainingData, reference: np.ndarray, views: np.ndarray,
                settings: StftSettings, room_magnitude: str = "sum", room_start_s: float = 0.0,
                room_removal: str = "frame") -> np.ndarray:
    """Set the split field's geometry, a physical direct-to-room balance and the diffuse
    coherence (after the tail is started; ``choose_direct_balance`` then refines the balance).

    Returns what the split field renders from: ``reference`` [C, T], with the views' recorded
    room (``train/recorded_room.py``; a close mic's with ``room_magnitude``, ``room_start_s`` and
    ``room_removal``, TrainSettings) as two more channels when the model keeps one.
    """
    source, r0, ref_distance = direct_geometry(data)
    model.set_direct_geometry(source, r0, ref_distance)
    if keeps_recorded_room(model):
        # the median of the views' blind decays; a binaural reference's own split (its direct
        # part) takes it too, as the views' late sounds are split with it
        model.room_tau.copy_(torch.from_numpy(views_decay_tau(views, settings)).to(model.room_tau))
        # the length of each view's direct route (round a corner when the room hides the talker)
        view_pos = torch.as_tensor(data.view_positions, dtype=torch.float32)  # [V, 3]
        distances = view_routes(model, data, view_pos).length[:, 0].double().cpu().numpy()
        if model.reference_binaural:
            room = late_room(model, views, distances, ref_distance, settings)
        else:
            arrivals = posed_arrivals(model, data, distances) if room_removal == "response" else None
            room = recorded_room(views, distances, reference, ref_distance, settings, model.grid.speed_of_sound,
                                 room_magnitude, room_start_s, arrivals)
        reference = np.concatenate([reference, room]).astype(np.float32)
    elif splits_reference(model):
        model.room_tau.copy_(torch.from_numpy(blind_decay_tau(reference, settings)).to(model.room_tau))
    balance_direct(model, data, reference, views, settings)
    gamma = diffuse_coherence(model, reference, views, settings)
    model.diffuse_coherence.copy_(torch.from_numpy(gamma).to(model.diffuse_coherence.device))
    return reference


def posed_arrivals(model: AudioGaussians, data: TrainingData, distances: np.ndarray) -> list[list[float]]:
    """Per train view, the lags (s after its direct sound, whose routes are ``distances`` [V] m
    long) of the first reflections the split field poses itself (``direct.reflects``); none
    without them or without the room's mesh."""
    if not (reflects(model) and model.flags.occlusion and data.room_polygons):
        return [[] for _ in distances]
    found = first_order(RoomOcclusion(data.room_polygons), model.source_position.double().cpu().numpy(),
                        data.view_positions)
    c = model.grid.speed_of_sound
    return [[float((length - d) / c) for length, hit in zip(lengths, reaches) if hit]
            for lengths, reaches, d in zip(found.length, found.reaches, distances)]


def band_ild_error(pred_energy: np.ndarray, view_energy: np.ndarray, freqs_hz: np.ndarray) -> np.ndarray:
    """[F] error of the ears' level difference per octave band (``OCTAVE_CENTRES``), summed over
    views, shared evenly by the band's bins, from each ear's energy per bin, [V, 2, F], of the
    rendered and the recorded train views (``choose_direct_balance``'s criterion for a binaural
    reference: how much of the views' sound comes from the talker's side is what their level
    difference measures; its level says nothing about it, the room carrying the views' level).
    """
    bands = band_of_bins(freqs_hz, OCTAVE_CENTRES)
    error = np.zeros(len(freqs_hz))
    for b in np.unique(bands):
        in_band = bands == b
        ild = [10.0 * np.log10((e[:, 0, in_band].sum(-1) + 1e-20) / (e[:, 1, in_band].sum(-1) + 1e-20))
               for e in (pred_energy, view_energy)]
        error[in_band] = float(np.abs(ild[0] - ild[1]).sum()) / int(in_band.sum())
    return error
