"""A binaural reference's own room taken out before the split field poses it (model/dereverb.py)."""

import math
from dataclasses import replace

import torch
from _handmade import handmade_model

from audiogs_core.dsp.stft import stft
import pytest

from audiogs_core.model.dereverb import GAIN_FLOOR, keeps_recorded_room, split_late, split_reference
from audiogs_core.model.flags import ModelFlags

SR = 16000
FLAGS = ModelFlags(sh_degree=0, reverb_tail=True, split_field=True, mask_range=8.0, dereverb_reference=True)
TAU = 0.1  # s: the room's amplitude decay


def _reverberant_burst() -> torch.Tensor:
    """([1, T], [2, T]) a 0.2 s noise burst at 0.5 s and its room (decaying noise, independent per
    ear, twice the burst's energy)."""
    g = torch.Generator().manual_seed(3)
    t = torch.arange(2 * SR) / SR
    dry = torch.randn(2 * SR, generator=g) * ((t >= 0.5) & (t < 0.7))
    room = torch.randn(2, SR, generator=g) * torch.exp(-torch.arange(SR) / SR / TAU) * 0.05
    n = 4 * SR
    wet = torch.fft.irfft(torch.fft.rfft(dry, n) * torch.fft.rfft(room, n), n)[:, : 2 * SR]
    return dry[None], wet


def _model(binaural: bool, flags: ModelFlags = FLAGS):
    model = handmade_model(at=[0, 0, 0], flags=flags, duration=2.0)
    model.reference_binaural = binaural
    with torch.no_grad():
        model.room_tau.fill_(TAU)
    return model


def _frame_energy(frames: torch.Tensor, start_s: float, stop_s: float) -> float:
    a, b = int(start_s * 100), int(stop_s * 100)  # 10 ms hops
    return float((frames[..., a:b].abs() ** 2).sum())


def test_a_binaural_reference_loses_its_room_after_the_sound_and_keeps_the_sound():
    dry, wet = _reverberant_burst()
    frames = stft(dry + wet, _model(True).grid.stft)  # [2, F, N]
    out, own = split_reference(_model(True), frames)
    # During the burst the room carries twice the dry energy; late subtraction (which counts the
    # dry sound 20 ms earlier as room too) leaves the dry sound and part of the room's first 20 ms.
    during = _frame_energy(out, 0.55, 0.68) / _frame_energy(stft(dry, _model(True).grid.stft), 0.55, 0.68)
    after = _frame_energy(out, 0.75, 1.0) / _frame_energy(frames, 0.75, 1.0)
    assert 1.0 < during < 2.3
    assert _frame_energy(frames, 0.55, 0.68) > 2.5 * _frame_energy(stft(dry, _model(True).grid.stft), 0.55, 0.68)
    assert after < 0.2  # its reverberation, alone after it, is cut towards the floor
    assert after >= GAIN_FLOOR ** 2 * 0.99
    # one gain per cell for both ears: the interaural phase is untouched
    keep = frames.abs() > 0
    assert torch.allclose(torch.angle(out[keep]), torch.angle(frames[keep]), atol=1e-5)


def test_a_close_mic_and_a_model_without_the_flag_keep_their_reference():
    frames = stft(sum(_reverberant_burst()), _model(True).grid.stft)
    for model, x in ((_model(False), frames[:1]), (_model(True, replace(FLAGS, dereverb_reference=False)), frames)):
        direct, own = split_reference(model, x)
        assert own is None and torch.equal(direct, x)


def test_a_close_mic_with_a_recorded_room_gives_its_channel_as_direct_and_the_room_after_it():
    frames = stft(torch.cat(_reverberant_burst()), _model(True).grid.stft)  # [3, F, N]: mic, room L, R
    model = _model(False, replace(FLAGS, recorded_room=True))
    assert keeps_recorded_room(model)
    direct, room = split_reference(model, frames)
    assert torch.equal(direct, frames[:1]) and torch.equal(room, frames[1:])
    # a binaural reference keeps its own room unless flag binaural_recorded_room says otherwise
    assert not keeps_recorded_room(_model(True, replace(FLAGS, recorded_room=True)))
    with pytest.raises(ValueError, match="renders from 3 channels"):
        split_reference(model, frames[:2])


def test_a_binaural_reference_with_the_views_room_gives_its_direct_part_and_the_room_after_it():
    dry, wet = _reverberant_burst()
    reference = stft(dry + wet, _model(True).grid.stft)  # [2, F, N]
    room = stft(0.5 * wet.flip(-1), _model(True).grid.stft)  # the views' room: anything [2, F, N]
    flags = replace(FLAGS, recorded_room=True, binaural_recorded_room=True)
    model = _model(True, flags)
    assert keeps_recorded_room(model)
    direct, own = split_reference(model, torch.cat([reference, room]))
    assert torch.equal(direct, split_late(model, reference)[0]) and torch.equal(own, room)
    assert torch.equal(direct, split_reference(_model(True), reference)[0])  # the same direct part as without
    with pytest.raises(ValueError, match="renders from 4 channels"):
        split_reference(model, reference)
    # the flag needs the reference split (and the recorded room's flag); a close mic ignores it
    assert not keeps_recorded_room(_model(True, replace(flags, dereverb_reference=False)))
    assert not keeps_recorded_room(_model(True, replace(flags, recorded_room=False)))
    assert replace(flags, recorded_room=False).effective().binaural_recorded_room is False
    assert keeps_recorded_room(_model(False, flags))
