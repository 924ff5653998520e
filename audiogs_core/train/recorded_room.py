"""A close mic's room as the train views recorded it (flag ``recorded_room``).

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
"""

from __future__ import annotations

import numpy as np
import torch

from audiogs_core.conventions import StftSettings
from audiogs_core.dsp.stft import istft, stft
from audiogs_core.train.room_decay import blind_decay_tau

RIDGE = 1e-3  # relative to the bin's power: keeps the transfer finite where the close mic is silent


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


def without_direct(view: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """[2, F, N] ``view`` [2, F, N] less what the close mic's frames ``reference`` [F, N], at the
    same time, predict of it: per ear and bin, the least-squares transfer h = <Y, X> / <X, X>
    (the talker's direct sound through the head, shorter than a frame) taken out, Y - h X."""
    power = (reference.abs() ** 2).sum(dim=-1)  # [F]
    h = (view * reference.conj()[None]).sum(dim=-1) / (power * (1.0 + RIDGE) + 1e-30)[None]  # [2, F]
    return view - h[:, :, None] * reference[None]


def recorded_room(views: np.ndarray, view_distances: np.ndarray, reference: np.ndarray,
                  reference_distance: float, settings: StftSettings, speed_of_sound: float) -> np.ndarray:
    """[2, T] float32: the room ``views`` [V, 2, T] recorded, at the reference's timing.

    view_distances [V]: each view's distance to the talker (m); reference [1, T]: the close mic,
    reference_distance its distance to the talker.
    """
    ref = stft(torch.from_numpy(np.ascontiguousarray(reference[:1], dtype=np.float32)), settings)[0]  # [F, N]
    mix: torch.Tensor | None = None
    energy = torch.zeros(settings.n_freq, dtype=torch.float64)
    for view, distance in zip(views, view_distances):
        shift = int(round((float(distance) - reference_distance) / speed_of_sound * settings.sample_rate))
        spec = stft(torch.from_numpy(advanced(np.ascontiguousarray(view, dtype=np.float32), shift)), settings)
        room = without_direct(spec, ref)  # [2, F, N]
        energy += (room.abs() ** 2).mean(dim=(0, 2)).double()
        mix = room if mix is None else mix + room
    assert mix is not None, "recorded_room needs at least one view"
    energy /= len(views)
    mixed = (mix.abs() ** 2).mean(dim=(0, 2)).double()
    scale = torch.sqrt(energy / mixed.clamp_min(1e-30)).to(mix.real.dtype)
    return istft(mix * scale[None, :, None], settings, views.shape[-1]).numpy().astype(np.float32)
