"""A split binaural reference's direct part falls as direct sound and first reflections do."""

import math

import pytest
import torch
from _handmade import handmade_model, rotations

from audiogs_core.geometry import yaw_to_quat
from audiogs_core.model.direct import Route, direct_spec
from audiogs_core.model.early_energy import early_energy_level, reflected_energy, uses_early_energy
from audiogs_core.model.flags import ModelFlags

C = 343.0


def _tau(t60: float) -> torch.Tensor:
    return torch.tensor([t60 / (3 * math.log(10))])


def test_reflected_energy_is_sabines_over_the_direct_sound_and_falls_with_the_decay_run():
    # All of it (a long window, at the talker): 16 pi / A over 1 m's direct sound, A = 0.161 V / T
    q = reflected_energy(torch.tensor([0.0]), 100.0, _tau(0.5), C, window_s=100.0)
    assert float(q) == pytest.approx(16 * math.pi * 0.5 / (0.161 * 100.0), rel=1e-5)  # 312 T / V
    # the first 20 ms hold 1 - exp(-13.8 * 0.02 / T) of it; 0.35 dB less a metre further at T = 0.5 s
    q = reflected_energy(torch.tensor([0.0, 1.0]), 100.0, _tau(0.5), C)
    assert float(q[0]) == pytest.approx(312.2 * 0.5 / 100 * (1 - math.exp(-13.8155 * 0.02 / 0.5)), rel=1e-3)
    assert 10 * math.log10(float(q[1] / q[0])) == pytest.approx(-0.35, abs=0.01)


def test_the_part_falls_as_1_over_r_in_a_dry_room_and_slower_in_a_reverberant_one():
    r = torch.tensor([0.5, 1.0, 2.0, 4.0])
    r0 = torch.tensor(2.0)
    dry = early_energy_level(r, r0, 1e7, _tau(0.3), C).squeeze(-1)
    assert torch.allclose(dry, r0 / r, rtol=1e-3)
    live = early_energy_level(r, r0, 90.0, _tau(0.5), C).squeeze(-1)
    assert float(live[2]) == pytest.approx(1.0)
    assert torch.all(live[:2] < r0 / r[:2]) and float(live[3]) > float(r0 / r[3])
    # 90 m^3 at T = 0.5 s: critical distance sqrt(V / (312 T)) = 0.76 m, so the 20 ms part at 2 m
    # is mostly reflections; from 4 m to 0.8 m it rises about 5.8 dB, not 1/r's 14
    rise = 20 * math.log10(float(early_energy_level(torch.tensor([0.8, 4.0]), r0, 90.0, _tau(0.5), C)[0, 0]
                                 / early_energy_level(torch.tensor([4.0]), r0, 90.0, _tau(0.5), C)[0, 0]))
    assert 5.0 < rise < 6.5


def _binaural_model(early_energy: bool):
    flags = ModelFlags(sh_degree=0, reverb_tail=True, split_field=True, mask_range=8.0, dereverb_reference=True,
                       early_energy=early_energy, attenuation=False)
    model = handmade_model(at=[0, 0, 0], flags=flags, duration=2.0)
    model.reference_binaural = True
    model.set_direct_geometry(torch.zeros(3).numpy(), 2.0, 2.0)
    with torch.no_grad():
        model.room_tau.fill_(0.5 / (3 * math.log(10)))
    return model


def _direct_level(model, distance: float, volume: float | None) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    frames = torch.complex(torch.randn(2, 257, 40, generator=g), torch.randn(2, 257, 40, generator=g))
    pos = torch.tensor([[[0.0, -distance, 0.0]]])
    rot = rotations([yaw_to_quat(0.0)])[:, None]
    route = Route(torch.zeros(1, 1, 3), torch.tensor([[distance]]), None, volume=volume)
    mag, phase = frames.abs().mean(0).T, torch.angle(frames).transpose(1, 2)
    times = torch.arange(40, dtype=torch.float64) * 0.01
    with torch.no_grad():
        out = direct_spec(model, mag, phase, 0, times, pos, rot, route)  # [1, 2, N, F]
    return out[0, :, :, 1:20].abs().mean()  # below 600 Hz the head's shadow is flat


def test_a_split_binaural_reference_with_a_room_mesh_follows_the_early_energy_law():
    model = _binaural_model(early_energy=True)
    assert uses_early_energy(model)
    expected = early_energy_level(torch.tensor([0.8]), torch.tensor(2.0), 90.0, model.room_tau, C)[0, 0]
    ratio = _direct_level(model, 0.8, 90.0) / _direct_level(model, 2.0, 90.0)
    assert float(ratio) == pytest.approx(float(expected), rel=0.02)
    # no room mesh: nothing to read the reflections' level from, so 1/r
    assert float(_direct_level(model, 0.8, None) / _direct_level(model, 2.0, None)) == pytest.approx(2.5, rel=0.02)
    # the flag off, or a close mic (all direct sound): 1/r
    flag_off = _binaural_model(early_energy=False)
    close_mic = _binaural_model(early_energy=True)
    close_mic.reference_binaural = False
    for model in (flag_off, close_mic):
        assert not uses_early_energy(model)
        assert float(_direct_level(model, 0.8, 90.0) / _direct_level(model, 2.0, 90.0)) == pytest.approx(2.5, rel=0.02)
