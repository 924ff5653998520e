"""The split field (flag ``split_field``): the direct part plus the diffuse part, at the views' level.

``direct.py`` poses the talker's sound at each listener pose, ``diffuse.py`` lays the room
over it, decorrelated between the ears; both share the learned level G_f = 10^(gain_db/20),
but for the views' recorded room, which keeps their level.
Training (static views) and rendering (a pose per frame) call the same function.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from audiogs_core.model.dereverb import keeps_recorded_room, split_reference
from audiogs_core.model.diffuse import diffuse_spec, falls_with_distance, room_distance_gain
from audiogs_core.model.direct import Route, delayed_frames, direct_spec, take_frames
from audiogs_core.model.gaussians import AudioGaussians
from audiogs_core.model.head_model import HeadModel


@dataclass
class SplitParts:
    """What the split field renders from, the same for every listener (a render computes it once
    per span), frame-major: L frames, history first."""

    magnitude: torch.Tensor  # [L, F] the direct frames' magnitude (mean over the reference's channels)
    phase: torch.Tensor  # [C, L, F] their phase
    room: torch.Tensor  # [2, L, F] complex: the room at the reference's timing
    ears: torch.Tensor | None = None  # [2, L, F] each ear's direct magnitude over their mean (flag ear_magnitudes)

    def frames(self, a: int, b: int) -> "SplitParts":
        """Frames a .. b - 1."""
        return SplitParts(self.magnitude[a:b], self.phase[:, a:b], self.room[:, a:b],
                          None if self.ears is None else self.ears[:, a:b])


def split_parts(model: AudioGaussians, frames: torch.Tensor) -> SplitParts:
    """The split field's pose-independent parts of the reference's frames [C, F, L].

    The direct frames are the reference's (a binaural reference's without its own room,
    ``model/dereverb.py``); the room is the decorrelated diffuse field driven by them, plus a
    binaural reference's own room or the views' recorded room (the train views' sound less the
    talker's direct sound, or their late sound, ``train/recorded_room.py``):
    a real recording of the room's diffuse field, the same over the room to a first
    approximation, kept as recorded (the synthetic room then adds only what the views carry
    beyond it).
    """
    direct, own_room = split_reference(model, frames)
    room = diffuse_spec(model, direct, frames.shape[-1])  # [2, F, L]
    if own_room is not None:
        if keeps_recorded_room(model):
            # Recorded at the views' level already: the level G_f that render_split_spec applies
            # to everything must leave it as it is.
            own_room = own_room / torch.pow(10.0, model.gain_db / 20.0)[:, None]
        room = room + own_room
    magnitude = direct.abs().mean(dim=0)  # [F, L]
    ears = None
    if model.flags.ear_magnitudes and direct.shape[0] == 2:
        ears = (direct.abs() / magnitude.clamp_min(1e-12)).where(magnitude > 1e-12, 1.0).transpose(1, 2)
    return SplitParts(magnitude.transpose(0, 1), torch.angle(direct).transpose(1, 2), room.transpose(1, 2), ears)


def render_split_spec(model: AudioGaussians, frames: torch.Tensor, n_hist: int, times: torch.Tensor,
                      positions: torch.Tensor, rotations: torch.Tensor, route: Route,
                      head: HeadModel | None = None, parts: SplitParts | None = None) -> torch.Tensor:
    """[B, 2, F, N] complex binaural STFT of listeners at frame poses (see ``direct_spec``);
    ``parts``: ``split_parts`` of these ``frames`` when already computed."""
    n = frames.shape[-1] - n_hist
    parts = split_parts(model, frames) if parts is None else parts
    spec = direct_spec(model, parts.magnitude, parts.phase, n_hist, times, positions, rotations, route, head,
                       parts.ears)
    for reflection in route.reflections:  # each first reflection posed as the direct sound is
        spec = spec + direct_spec(model, parts.magnitude, parts.phase, n_hist, times, positions, rotations,
                                  reflection, head)
    # The room reaches a listener after the direct sound does: it takes the route's whole-hop
    # delay too (from the onset of the response, 8 ms after the reference, a distant listener's
    # direct sound would otherwise come after the room's: a pre-echo).
    idx, _ = delayed_frames(model, route, n_hist, n)  # [B, N]
    room = take_frames(parts.room, idx).transpose(0, 1)  # [B, 2, N, F]
    if falls_with_distance(model):
        room = room * room_distance_gain(model, route.length).unsqueeze(1)  # [B, 1, N', F]
    spec = spec + room
    return (spec * torch.pow(10.0, model.gain_db / 20.0)).transpose(2, 3)
