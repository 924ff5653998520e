"""The split field (flag split_field): head model, decorrelated diffuse part, posed direct part."""

import math

import numpy as np
import pytest
import torch
from _handmade import handmade_model, rotations

from audiogs_core.dsp.stft import bin_frequencies, stft
from audiogs_core.geometry import yaw_to_quat
from audiogs_core.model.diffuse import diffuse_spec, ear_responses, falls_with_distance, room_distance_gain
from audiogs_core.model.direct import Route, direct_spec, straight_routes
from audiogs_core.model.flags import ModelFlags
from audiogs_core.model.head_model import SphereHead, shadow_magnitude

SPLIT = ModelFlags(sh_degree=0, reverb_tail=True, split_field=True, mask_range=8.0)
FREQS = torch.tensor([0.0, 500.0, 4000.0, 8000.0])


def test_shadow_is_flat_at_low_frequencies_plus_6_db_facing_and_minus_20_behind():
    cos_beta = torch.tensor([1.0, math.cos(math.radians(150.0))])
    mag = shadow_magnitude(cos_beta, torch.tensor([0.0, 1e6]), 0.09, 343.0)
    assert torch.allclose(mag[:, 0], torch.ones(2))
    assert math.isclose(float(mag[0, 1]), 2.0, rel_tol=1e-3)  # alpha = 2 facing the source
    assert math.isclose(float(mag[1, 1]), 0.1, rel_tol=1e-3)  # alpha_min in the shadow


def test_sphere_head_level_and_itd_follow_the_side_of_the_source():
    head = SphereHead(0.09, 343.0)
    gl, gr, tau = head.ears(torch.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, -2.0]]), FREQS)  # right; ahead
    # the right ear faces it; the left, opposite, is shadowed (alpha(180 deg) = 0.28: the bright spot)
    assert float(gr[0, 3]) > 1.5 and float(gl[0, 3]) < 0.35
    assert float(tau[0, 3]) > 0.6e-3  # the right ear leads (Woodworth: a/c (pi/2 + 1) = 0.67 ms)
    assert torch.allclose(gl[1], gr[1]) and torch.allclose(tau[1], torch.zeros(4), atol=1e-9)


def test_ear_responses_start_late_decay_at_the_tails_rate_and_have_the_asked_coherence():
    model = _split_model()  # tail: -3 dB, tau 0.1 s; coherence 0.3
    h = ear_responses(model).detach()  # [2, T]
    onset = int(0.008 * 16000)
    assert float(h[:, :onset].abs().max()) == 0.0  # nothing before the onset: no pre-echo
    # energy per 50 ms from 0.1 s on falls by 2 * 0.05 / tau nepers = 4.34 dB
    seg = h[:, 1600:1600 + 20 * 800].reshape(2, 20, 800).pow(2).sum(-1).mean(0)
    slope_db = float(np.polyfit(np.arange(20), 10 * np.log10(seg.numpy()), 1)[0])
    assert abs(slope_db + 10 * np.log10(math.e) * 2 * 0.05 / 0.1) < 0.5
    spec = torch.stft(h, 512, 160, 400, torch.hamming_window(400, periodic=True), return_complex=True)
    coh = (spec[0] * spec[1].conj()).real.sum() / torch.sqrt((spec[0].abs() ** 2).sum() * (spec[1].abs() ** 2).sum())
    assert abs(float(coh) - 0.3) < 0.05


def _split_model(**geometry):
    model = handmade_model(at=[0, 0, 0], flags=SPLIT, duration=2.0)
    with torch.no_grad():
        model.tail_db.fill_(-3.0)
        model.tail_log_tau.fill_(math.log(0.1))
        model.diffuse_coherence.fill_(0.3)
    model.set_direct_geometry(np.zeros(3), geometry.get("r0", 1.0), geometry.get("ref_distance", 1.0))
    return model


def _noise_frames(f=257, n=400, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.complex(torch.randn(1, f, n, generator=g), torch.randn(1, f, n, generator=g))


def test_diffuse_part_has_the_tails_energy_and_coherence_and_follows_the_reference():
    model = _split_model()
    # a recording's STFT (a consistent one: random frames are not the STFT of any signal)
    frames = stft(torch.randn(1, 399 * 160, generator=torch.Generator().manual_seed(0)), model.grid.stft)
    with torch.no_grad():
        out = diffuse_spec(model, frames, 200)  # [2, F, 200]
    tail_energy = model.reference_magnitude(frames).detach()[-200:] ** 2 - frames[0, :, -200:].abs().T ** 2
    for ear in out:
        ratio = float((ear.abs() ** 2).mean() / tail_energy.mean())
        assert abs(ratio - 1.0) < 0.1
    coh = (out[0] * out[1].conj()).real.mean() / torch.sqrt((out[0].abs() ** 2).mean() * (out[1].abs() ** 2).mean())
    assert abs(float(coh) - 0.3) < 0.1
    click = torch.zeros(1, 59 * 160 + 1)
    click[0, 30 * 160] = 1.0  # at frame 30's centre
    with torch.no_grad():
        y = diffuse_spec(model, stft(click, model.grid.stft), 60)
    # nothing in the frames whose window ends before the room starts (8 ms after the click)
    assert float(y[..., :30].abs().max()) < 1e-3 * float(y[..., 32].abs().mean())
    assert float(y[..., 33:40].abs().pow(2).mean()) > float(y[..., 45:52].abs().pow(2).mean())


def _direct(model, frames, n_hist, pos, yaw_deg=90.0, route=None):
    p = torch.tensor([[pos]], dtype=torch.float32)  # [1, 1, 3]
    rot = rotations([yaw_to_quat(math.radians(yaw_deg))])[:, None]  # [1, 1, 3, 3]
    times = torch.arange(frames.shape[-1] - n_hist, dtype=torch.float64) * 0.01
    mag, phase = frames.abs().mean(dim=0).transpose(0, 1), torch.angle(frames).transpose(1, 2)
    return direct_spec(model, mag, phase, n_hist, times, p, rot, route or straight_routes(model, p))[0].transpose(1, 2)


def test_direct_part_follows_the_distance_law_bounded_near_the_head():
    model = _split_model(r0=1.0, ref_distance=0.0)  # the listener faces the source along +y
    frames = _noise_frames(n=60)
    near = _direct(model, frames, 0, [0.0, -1.0, 0.0])  # 1 m: the delay is 2.9 ms, under half a hop
    far = _direct(model, frames, 0, [0.0, -2.0, 0.0])
    closest = _direct(model, frames, 0, [0.0, -0.05, 0.0])
    bins = slice(1, 20)  # below 600 Hz the head's shadow is flat
    assert torch.allclose(far[:, bins].abs(), 0.5 * near[:, bins].abs(), rtol=0.05)
    assert torch.allclose(closest[:, bins].abs(), near[:, bins].abs() / model.flags.near_distance, rtol=0.05)


def test_direct_part_is_delayed_by_whole_frames_plus_a_phase():
    model = _split_model(r0=1.0, ref_distance=1.0)
    c, hop_s = model.grid.speed_of_sound, 0.01
    frames = _noise_frames(n=80)
    base = _direct(model, frames, 20, [0.0, -1.0, 0.0])
    later = _direct(model, frames, 20, [0.0, -(1.0 + 3 * hop_s * c), 0.0])  # 3 hops farther
    # the same frames three later, a third as loud
    assert torch.allclose(later[:, :, 3:] * (1.0 + 3 * hop_s * c), base[:, :, :-3], atol=1e-4)
    nudged = _direct(model, frames, 20, [0.0, -(1.0 + 0.002 * c), 0.0])  # 2 ms: a phase, no shift
    omega = 2 * math.pi * bin_frequencies(model.grid.stft).float()
    expected = base * torch.polar(torch.ones_like(omega), -omega * 0.002)[None, :, None] / (1.0 + 0.002 * c)
    assert torch.allclose(nudged, expected, atol=1e-4)


def test_turning_the_head_swaps_the_ears():
    model = _split_model()
    frames = _noise_frames(n=30)
    facing_right = _direct(model, frames, 0, [-1.0, 0.0, 0.0], yaw_deg=90.0)  # source on the right ear
    facing_left = _direct(model, frames, 0, [-1.0, 0.0, 0.0], yaw_deg=-90.0)
    assert float(facing_right[1, 100:].abs().mean()) > 3 * float(facing_right[0, 100:].abs().mean())
    assert torch.allclose(facing_right[0].abs(), facing_left[1].abs(), rtol=1e-4, atol=1e-6)


def test_a_diffraction_loss_attenuates_the_direct_part():
    model = _split_model()
    frames = _noise_frames(n=30)
    p = torch.tensor([[[0.0, -1.0, 0.0]]])
    free = straight_routes(model, p)
    shadowed = Route(free.source, free.length, torch.full((1, 1, 257), 20.0))
    a = _direct(model, frames, 0, [0.0, -1.0, 0.0], route=free)
    b = _direct(model, frames, 0, [0.0, -1.0, 0.0], route=shadowed)
    assert torch.allclose(b, a * 0.1, atol=1e-5)


def test_the_ild_scale_shrinks_the_heads_level_difference_in_db_about_the_ears_mean():
    from audiogs_core.model.direct import scaled_level_difference

    head = SphereHead(0.09, 343.0)
    gl, gr, _ = head.ears(torch.tensor([[2.0, 0.0, -1.0]]), FREQS)  # ahead and to the right
    half_l, half_r = scaled_level_difference(gl, gr, torch.full((4,), 0.5))
    ild = 20 * torch.log10(gr / gl)
    assert float(ild[0, 3]) > 6.0
    assert torch.allclose(20 * torch.log10(half_r / half_l), 0.5 * ild, atol=1e-4)
    assert torch.allclose(half_l * half_r, gl * gr, rtol=1e-5)
    flat_l, flat_r = scaled_level_difference(gl, gr, torch.zeros(4))
    assert torch.allclose(flat_l, flat_r)


def test_a_close_mics_room_falls_with_distance_as_its_decay_runs_on():
    model = _split_model(r0=2.0, ref_distance=0.3)
    flags = ModelFlags(sh_degree=0, reverb_tail=True, split_field=True, mask_range=8.0, room_distance=True)
    model.flags = flags
    with torch.no_grad():
        model.tail_log_tau.fill_(math.log(0.05))
    c = model.grid.speed_of_sound
    gain = room_distance_gain(model, torch.tensor([2.0, 2.0 + 0.05 * c, 1.0]))  # [3, F]
    assert torch.allclose(gain[0], torch.ones_like(gain[0]))  # at the views' distance, as learned
    assert torch.allclose(gain[1], torch.full_like(gain[1], math.exp(-1.0)), rtol=1e-4)
    assert torch.all(gain[2] > 1.0)  # louder nearer the talker
    # at RT60 0.5 s about 0.35 dB a metre: the energy falls as exp(-13.8 r / (c T))
    with torch.no_grad():
        model.tail_log_tau.fill_(math.log(0.5 / (3 * math.log(10))))
    per_metre = 20 * math.log10(float(room_distance_gain(model, torch.tensor([3.0]))[0, 0]))
    assert per_metre == pytest.approx(-0.35, abs=0.02)
    assert falls_with_distance(model)
    model.reference_binaural = True  # its direct part holds its first reflections: the room keeps its level
    assert not falls_with_distance(model)
    model.reference_binaural = False
    model.flags = SPLIT
    assert not falls_with_distance(model)


def test_ear_magnitudes_keep_the_references_ears_and_add_the_heads_change():
    # A binaural reference standing where the listener stands, the talker on its right ear, its
    # right ear recorded 6 dB louder: each ear keeps its own magnitude; turned the other way, the
    # listener's level difference is the recording's plus the head's change between the poses.
    model = _split_model(r0=1.0, ref_distance=1.0)
    model.reference_binaural = True
    model.reference_position = torch.tensor([-1.0, 0.0, 0.0])
    model.reference_rotation = torch.as_tensor(yaw_to_quat(math.radians(90.0)), dtype=torch.float32)
    frames = _noise_frames(n=30).repeat(2, 1, 1) * torch.tensor([1.0, 2.0])[:, None, None]
    mag, phase = frames.abs().mean(dim=0).transpose(0, 1), torch.angle(frames).transpose(1, 2)
    ears = (frames.abs() / frames.abs().mean(dim=0)).transpose(1, 2)  # [2, L, F]
    p = torch.tensor([[[-1.0, 0.0, 0.0]]])
    times = torch.arange(30, dtype=torch.float64) * 0.01

    def render(yaw, with_ears):
        rot = rotations([yaw_to_quat(math.radians(yaw))])[:, None]
        return direct_spec(model, mag, phase, 0, times, p, rot, straight_routes(model, p), None,
                           ears if with_ears else None)[0].transpose(1, 2)  # [2, F, N]

    with torch.no_grad():
        same = render(90.0, True)
        assert torch.allclose(same.abs(), frames.abs(), rtol=1e-4, atol=1e-6)  # the recording, ear by ear
        turned, mean_only = render(-90.0, True), render(-90.0, False)
    gl, gr, _ = SphereHead(model.grid.head_radius, model.grid.speed_of_sound).ears(
        torch.tensor([[2.0, 0.0, 0.0]]), bin_frequencies(model.grid.stft).float())  # at the reference
    bins = slice(1, None)
    assert torch.allclose((turned[1] / turned[0]).abs()[bins], (2.0 * (gl / gr) ** 2)[0, bins, None], rtol=1e-3)
    assert torch.allclose((mean_only[1] / mean_only[0]).abs()[bins], (gl / gr)[0, bins, None], rtol=1e-3)


def test_two_shares_of_one_sound_add_as_powers_and_give_the_sound_back():
    from audiogs_core.model.split_field import POWER_GAIN_MAX, add_as_powers

    x = _noise_frames(n=40)[0]  # [F, N]
    g = torch.rand(x.shape, generator=torch.Generator().manual_seed(1)) * 0.75 + 0.25
    direct, room = x * g, x * torch.sqrt(1 - g * g)
    assert float(((direct + room).abs() / x.abs()).max()) > 1.3  # as amplitudes: up to sqrt 2 too loud
    assert torch.allclose(add_as_powers(direct, room), x, rtol=1e-4, atol=1e-6)  # the sound itself
    # turned against each other (a posed direct part), still the two powers, per cell
    turned = direct * torch.polar(torch.ones_like(g), torch.full_like(g, 2.0))
    out = add_as_powers(turned, room)
    assert torch.allclose(out.abs() ** 2, turned.abs() ** 2 + room.abs() ** 2, rtol=1e-4)
    # where the two cancel the gain stops at its bound instead of making rounding noise loud
    cancel = add_as_powers(direct, -direct * 0.999)
    assert float((cancel.abs() / (0.001 * direct.abs())).max()) <= POWER_GAIN_MAX * 1.0001


def test_a_split_binaural_reference_keeps_its_own_room_apart_to_add_as_powers():
    from dataclasses import replace

    from audiogs_core.model.dereverb import split_reference
    from audiogs_core.model.split_field import split_parts

    model = _split_model()
    model.reference_binaural = True
    model.flags = replace(SPLIT, dereverb_reference=True)
    frames = _noise_frames(n=60).repeat(2, 1, 1)
    with torch.no_grad():
        summed = split_parts(model, frames)
        model.flags = replace(model.flags, room_power_sum=True)
        apart = split_parts(model, frames)
        own = split_reference(model, frames)[1]
    assert summed.own is None and apart.own is not None
    assert torch.allclose(apart.own, own.transpose(1, 2))
    assert torch.allclose(apart.room + apart.own, summed.room, atol=1e-6)  # the room less its own share
