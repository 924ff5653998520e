"""The room as the train views recorded it (flag ``recorded_room``; with a binaural reference,
``binaural_recorded_room`` too).

A close mic holds the talker and little of the room, so the split field's room must come from
somewhere. The synthetic room (``model/diffuse.py``) is a model of it: noise shaped by the fitted
decay and mixed to the views' coherence. The views themselves hold the real thing, recorded with
real ears: the reflections, the late sound (much the same over the room), their coherence, their
spectrum's fine structure, their decay between words. What a view holds beyond the room is the
talker's direct sound, and the close mic is its witness: each view is advanced by its extra
travel time over the reference's, (r_v - r_ref) / c, so that its direct sound lies at the close
mic's timing (the renderer delays the room by each listener's own route), and what the close
mic's frame at the same time predicts of each of its frames (per ear and bin, one least-squares
transfer over the whole recording: the direct sound through the head, which is shorter than a
frame) is taken out. The views' rooms are summed: independent diffuse fields add in energy, so
the sum is another realisation of the field with less colour of any one position, and each bin
is scaled to the views' mean room energy. The trainer keeps it as two more reference channels
(``dereverb.keeps_recorded_room``) and the model folder as ``room.wav``.

Measured on development rooms (BENCHMARKS.md, sweep 9) against per-cell gains, which keep each
cell's phase and so leave the direct sound in the room in proportion to the room's share of the
cell; summed over views standing at one distance, those leftovers add coherently (a third of the
room's energy). Lebart's late gain (as a binaural reference is split, ``model/dereverb.py``)
with D = 20 ms and a gain from the direct power the close mic predicts both tracked the level
along paths as well but sounded less like the views (DPAM_ears up to 35% worse); with
D = 50 ms the room lacked the early sound a close mic's direct part cannot carry; with D = 10 ms
the views' own direct sound outweighed the posed talker's direction (ITDE 0.04 -> 0.13-0.54 ms);
one view's room alone, unsummed, carried that view's level difference (LRE 0.55 -> 1.07 dB).

A binaural reference is no witness of the dry talker: it is itself mostly room beyond the
critical distance, and the least-squares transfer from it (or from its direct part) takes out
only a fraction of a view's direct sound (the fit is diluted by the witness's own room), so the
summed views then carry the talker's sound coherently from every direction (development rooms,
sweep 10: the ears' level difference 1.2 -> 1.9 dB, or ITDE 0.05 -> 0.24 ms). There each view's
late sound is split off as the reference's own is (``late_room``: Lebart's gain, what lies 20 ms
after a sound), turned by its own phase so that what the views share cancels, and summed, in
place of the reference's own late sound: one position's.
"""

from __future__ import annotations

import math
from typing import Iterable, Iterator, Sequence

import numpy as np
import torch

from audiogs_core.conventions import StftSettings
from audiogs_core.dsp.stft import istft, stft
from audiogs_core.model.dereverb import split_late
from audiogs_core.model.gaussians import AudioGaussians
from audiogs_core.train.room_decay import blind_decay_tau

RIDGE = 1e-3  # relative to the bin's power: keeps the transfer finite where the close mic is silent
MAX_ROOM_START_S = 0.05  # a room that starts later than this would drop its early reflections
ARRIVAL_HALF_WINDOW_S = 0.0015  # ``without_arrivals``: each arrival's window in the response, +- this


def views_decay_tau(views: np.ndarray, settings: StftSettings) -> np.ndarray:
    """[F] the room's amplitude decay time (s) per bin: the median over ``views`` [V, 2, T] of
    each one's blind estimate."""
    return np.median(np.stack([blind_decay_tau(v, settings) for v in views]), axis=0).astype(np.float32)


def advanced(x: np.ndarray, samples: int) -> np.ndarray:
    """[C, T] ``x`` [C, T] moved ``samples`` earlier (later when negative), zeros filling in."""
    out = np.zeros_like(x)
    n = x.shape[-1]
    if samples >= 0:
        out[:, :n - samples] = x[:, samples:]
    else:
        out[:, -samples:] = x[:, :n + samples]
    return out


def transfer(view: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """[2, F] complex: per ear and bin, the least-squares transfer h = <Y, X> / <X, X> from the
    close mic's frames ``reference`` X [F, N] to the same frames of ``view`` Y [2, F, N] (the
    talker's direct sound through the head, and what arrives within a frame of it)."""
    power = (reference.abs() ** 2).sum(dim=-1)  # [F]
    return (view * reference.conj()[None]).sum(dim=-1) / (power * (1.0 + RIDGE) + 1e-30)[None]


def without_direct(view: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """[2, F, N] ``view`` [2, F, N] less what the close mic's frames ``reference`` [F, N], at the
    same time, predict of it (``transfer``): Y - h X."""
    return view - transfer(view, reference)[:, :, None] * reference[None]


def aligned_views(views: np.ndarray, view_distances: np.ndarray, reference_distance: float,
                  settings: StftSettings, speed_of_sound: float) -> Iterator[torch.Tensor]:
    """Each view's frames [2, F, N], the view [2, T] of ``views`` [V, 2, T] advanced by its extra
    travel time over the reference's, (r_v - r_ref) / c, r_v from ``view_distances`` [V]."""
    for view, shift in zip(views, travel_samples(view_distances, reference_distance, settings, speed_of_sound)):
        yield stft(torch.from_numpy(advanced(np.ascontiguousarray(view, dtype=np.float32), shift)), settings)


def travel_samples(view_distances: np.ndarray, reference_distance: float, settings: StftSettings,
                   speed_of_sound: float) -> list[int]:
    """Each view's extra travel time over the reference's, (r_v - r_ref) / c, in samples."""
    return [int(round((float(d) - reference_distance) / speed_of_sound * settings.sample_rate))
            for d in view_distances]


def transfer_power(views: np.ndarray, view_distances: np.ndarray, reference: np.ndarray,
                   reference_distance: float, settings: StftSettings, speed_of_sound: float) -> np.ndarray:
    """[F] float64: |h|^2 of the close mic's ``transfer`` to the ``views`` [V, 2, T] (aligned as
    ``recorded_room`` aligns them), averaged over views and ears: how loud the talker's sound
    that a close mic [1, T] witnesses arrives at the views, measured rather than posed."""
    ref = stft(torch.from_numpy(np.ascontiguousarray(reference[:1], dtype=np.float32)), settings)[0]  # [F, N]
    views_frames = aligned_views(views, view_distances, reference_distance, settings, speed_of_sound)
    total = np.zeros(settings.n_freq)
    for spec in views_frames:
        total += (transfer(spec, ref).abs() ** 2).mean(dim=0).double().numpy()
    return total / len(views)


def summed(rooms: Iterable[torch.Tensor], settings: StftSettings, length: int, never_up: bool = False,
           mean_magnitude: bool = False) -> np.ndarray:
    """[2, length] float32: the views' ``rooms`` (frames [2, F, N] each) summed, each bin scaled
    to their mean energy; with ``never_up`` only down: where the sum has less energy than one
    room (what the rooms share cancelled by ``late_room``'s turns; the same recording given
    thrice) the bin keeps what is left rather than rounding noise made loud. With
    ``mean_magnitude`` each cell takes the rooms' mean magnitude under the sum's phase."""
    mix: torch.Tensor | None = None
    magnitude: torch.Tensor | None = None
    energy = torch.zeros(settings.n_freq, dtype=torch.float64)
    count = 0
    for room in rooms:
        size = room.abs()
        energy += (size ** 2).mean(dim=(0, 2)).double()
        mix = room if mix is None else mix + room
        if mean_magnitude:
            magnitude = size if magnitude is None else magnitude + size
        count += 1
    assert mix is not None, "a recorded room needs at least one view"
    energy /= count
    if magnitude is not None:
        # One position's fine structure (a diffuse field's cell magnitudes are Rayleigh-random)
        # is heard nowhere else; the mean over positions is what any listener's is near.
        mix = magnitude * torch.exp(1j * torch.angle(mix))
    mixed = (mix.abs() ** 2).mean(dim=(0, 2)).double()
    scale = torch.sqrt(energy / mixed.clamp_min(1e-30))
    if never_up:
        scale = scale.clamp_max(1.0)
    scale = scale.to(mix.real.dtype)
    return istft(mix * scale[None, :, None], settings, length).numpy().astype(np.float32)


def without_arrivals(view: np.ndarray, reference: np.ndarray, lags_s: Iterable[float], sample_rate: int
                     ) -> np.ndarray:
    """[2, T] float32: ``view`` [2, T] less what the close mic ``reference`` [T] predicts of it
    through the windows (+- ``ARRIVAL_HALF_WINDOW_S``) round ``lags_s`` (s after the close mic's
    time; the view aligned so that its direct sound is at 0) of the impulse response from the
    close mic to the view, measured over the whole recording (regularised deconvolution).

    Where the same-frame ``transfer`` takes out all a frame holds round the direct sound, this
    takes out chosen arrivals only: the direct sound and the first reflections that the split
    field poses itself (flag early_reflections), leaving every other reflection in the room.
    """
    n = view.shape[-1]
    size = 1 << (2 * n - 1).bit_length()
    x = np.fft.rfft(np.asarray(reference, dtype=np.float64), size)
    power = np.abs(x) ** 2
    response = np.fft.irfft(np.fft.rfft(np.asarray(view, dtype=np.float64), size) * np.conj(x)
                            / (power + RIDGE * power.mean()), size)  # [2, size], lag k at k mod size
    keep = np.zeros(size)
    half = int(round(ARRIVAL_HALF_WINDOW_S * sample_rate))
    for lag in lags_s:
        at = int(round(float(lag) * sample_rate))
        keep[np.arange(at - half, at + half + 1) % size] = 1.0
    predicted = np.fft.irfft(np.fft.rfft(response * keep, size) * x, size)[:, :n]
    return (view - predicted).astype(np.float32)


def recorded_room(views: np.ndarray, view_distances: np.ndarray, reference: np.ndarray,
                  reference_distance: float, settings: StftSettings, speed_of_sound: float,
                  room_magnitude: str = "sum", start_s: float = 0.0,
                  arrivals: Sequence[Sequence[float]] | None = None) -> np.ndarray:
    """[2, T] float32: the room ``views`` [V, 2, T] recorded, at a close mic's timing, delayed by
    ``start_s``.

    view_distances [V]: each view's distance to the talker (m); reference [1, T]: the close mic,
    reference_distance its distance to the talker; room_magnitude: "sum" (the summed rooms'
    magnitude) or "mean" (the views' mean magnitude per cell, under the sum's phase).

    start_s: the room starts this long after the direct sound. One frame's transfer takes out
    most of a view's direct sound but not all of its onsets (the sound arriving within the frame
    around them, 5 to 10 dB under them on the development rooms), and summed over views
    that leftover is heard with the posed direct sound, from the views' own directions: a
    listener turning from the talker heard the onset's direction pulled towards ahead. Delayed
    past the onset, the leftover is one more early reflection and the direct sound's onset stands
    alone, as it does in a room (BENCHMARKS.md, sweep 13).

    arrivals: per view, the lags (s after its direct sound) of the first reflections the model
    poses itself; given, each view loses its direct sound and those (``without_arrivals``)
    instead of what the close mic's same frame predicts.
    """
    if arrivals is not None:
        rooms = (stft(torch.from_numpy(without_arrivals(advanced(np.ascontiguousarray(view, dtype=np.float32), shift),
                                                        reference[0], [0.0, *lags], settings.sample_rate)), settings)
                 for view, shift, lags in zip(views, travel_samples(view_distances, reference_distance, settings,
                                                                    speed_of_sound), arrivals))
    else:
        ref = stft(torch.from_numpy(np.ascontiguousarray(reference[:1], dtype=np.float32)), settings)[0]  # [F, N]
        views_frames = aligned_views(views, view_distances, reference_distance, settings, speed_of_sound)
        rooms = (without_direct(spec, ref) for spec in views_frames)
    room = summed(rooms, settings, views.shape[-1], mean_magnitude=room_magnitude == "mean")
    return advanced(room, -int(round(start_s * settings.sample_rate)))


def late_room(model: AudioGaussians, views: np.ndarray, view_distances: np.ndarray, reference_distance: float,
              settings: StftSettings) -> np.ndarray:
    """[2, T] float32: the room ``views`` [V, 2, T] recorded, at a binaural reference's timing:
    each view's late sound as ``split_late`` splits the reference's (Lebart's gain with the
    model's ``room_tau``), turned by its own phase 2 pi v / V and summed.

    Without a witness of the talker's dry sound the close mic's prediction cannot be taken out;
    at one view's position its own late sound alone (the reference's) carries that position's
    colour and level difference. A per-cell gain leaves some of the talker in every view (down
    to the gain's floor), and reflections reach views standing at one distance at once: summed
    as they are, what the views share adds coherently and outgrows the room. Turned by phases
    spread evenly round the circle, what is common to all of them cancels, while independent
    diffuse fields keep their energy (a diffuse field shifted in phase is another realisation
    of it)."""
    views_frames = aligned_views(views, view_distances, reference_distance, settings, model.grid.speed_of_sound)
    turns = [complex(math.cos(2 * math.pi * v / len(views)), math.sin(2 * math.pi * v / len(views)))
             for v in range(len(views))]
    return summed((split_late(model, spec)[1] * turn for spec, turn in zip(views_frames, turns)), settings,
                  views.shape[-1], never_up=True)
