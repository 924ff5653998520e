"""The split field (flag ``split_field``): the direct part plus the diffuse part, at the views' level.

``direct.py`` poses the talker's sound at each listener pose, ``diffuse.py`` lays the room
over it, decorrelated between the ears (a binaural reference's own room added as powers, flag
``room_power_sum``); all share the learned level G_f = 10^(gain_db/20), but for the views'
recorded room, which keeps their level.
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
    # [2, L, F] complex: a split binaural reference's own room, apart from ``room`` (flag
    # room_power_sum): it adds to the direct part as powers
    own: torch.Tensor | None = None

    def frames(self, a: int, b: int) -> "SplitParts":
        """Frames a .. b - 1."""
        return SplitParts(self.magnitude[a:b], self.phase[:, a:b], self.room[:, a:b],
                          None if self.ears is None else self.ears[:, a:b],
                          None if self.own is None else self.own[:, a:b])


def split_parts(model: AudioGaussians, frames: torch.Tensor) -> SplitParts:
    """The split field's pose-independent parts of the reference's frames [C, F, L].

    The direct frames are the reference's (a binaural reference's without its own room,
    ``model/dereverb.py``); the room is the decorrelated diffuse field driven by them, plus a
    binaural reference's own room or the views' recorded room (the train views' sound less the
    talker's direct sound, or their late sound, ``train/recorded_room.py``):
    a real recording of the room's diffuse field, the same over the room to a first
    approximation, kept as recorded (the synthetic room then adds only what the views carry
    beyond it). With flag ``room_power_sum`` a binaural reference's own room is kept apart
    (``own``), to be added to the posed direct part as powers (``add_as_powers``).
    """
    direct, own_room = split_reference(model, frames)
    room = diffuse_spec(model, direct, frames.shape[-1])  # [2, F, L]
    own = None
    if own_room is not None:
        if keeps_recorded_room(model):
            # Recorded at the views' level already: the level G_f that render_split_spec applies
            # to everything must leave it as it is.
            room = room + own_room / torch.pow(10.0, model.gain_db / 20.0)[:, None]
        elif model.flags.room_power_sum:
            own = own_room.transpose(1, 2)
        else:
            room = room + own_room
    magnitude = direct.abs().mean(dim=0)  # [F, L]
    ears = None
    if model.flags.ear_magnitudes and direct.shape[0] == 2:
        ears = (direct.abs() / magnitude.clamp_min(1e-12)).where(magnitude > 1e-12, 1.0).transpose(1, 2)
    return SplitParts(magnitude.transpose(0, 1), torch.angle(direct).transpose(1, 2), room.transpose(1, 2), ears,
                      own)


POWER_GAIN_MAX = 4.0  # add_as_powers' largest amplitude gain (where the two parts nearly cancel)


def add_as_powers(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """a + b (complex, same shape) scaled in each cell to the power |a|^2 + |b|^2, at most
    POWER_GAIN_MAX times its amplitude: two parts that are shares of one sound, summed as a
    recording's direct sound and room add, on average, as powers.

    A split binaural reference's direct part X g and own room X sqrt(1 - g^2) share X's phase;
    summed as they are they add as amplitudes wherever both reach a listener at once (at the
    reference's distance, where the direct part takes no delay): up to 3 dB too loud in cells
    where the two are near equal, the room's loudness following the talker's syllables, a coloured
    and phasy sound (development benchmark, held-out views: DPAM 0.050, DPAM_ears 0.070; with the
    two added as powers 0.023 and 0.025; BENCHMARKS.md sweep 17). At the reference's own pose this
    gives back X exactly. Turning the room a quarter period instead makes the powers add only where
    the direct part keeps the reference's phase: the head's change of ITD turns one ear's direct
    part towards the room and the other's away from it, a level difference of its own (held-out
    LRE 0.41 -> 2.96 dB).
    """
    total = a + b
    want = a.real ** 2 + a.imag ** 2 + b.real ** 2 + b.imag ** 2
    have = total.real ** 2 + total.imag ** 2
    # smooth at 0 (no 0/0 in the gradient); the floor bounds the gain where the two cancel
    gain = torch.sqrt((want + 1e-20) / (have.maximum(want / POWER_GAIN_MAX ** 2) + 1e-20))
    return total * gain


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
    if parts.own is not None:  # a binaural reference's own room (which never falls with distance),
        # a share of the same sound as the direct part (flag room_power_sum)
        spec = add_as_powers(spec, take_frames(parts.own, idx).transpose(0, 1))
    spec = spec + room
    return (spec * torch.pow(10.0, model.gain_db / 20.0)).transpose(2, 3)
