"""The split field (flag split_field): head model, decorrelated diffuse part, posed direct part."""

import math

import numpy as np
import torch
from _handmade import handmade_model, rotations

from audiogs_core.dsp.stft import bin_frequencies
from audiogs_core.geometry import yaw_to_quat
from audiogs_core.model.diffuse import diffuse_spec, ear_noise
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


def test_ear_noise_has_unit_energy_the_asked_coherence_and_repeats_by_absolute_frame():
    gamma = torch.tensor([0.9, 0.5, 0.0, 0.2]).repeat_interleave(64)
    left, right = ear_noise(gamma, 0, 400)  # [F, N]
    for lo, want in zip(range(0, 256, 64), (0.9, 0.5, 0.0, 0.2)):
        sl, sr = left[lo:lo + 64], right[lo:lo + 64]
        assert abs(float((sl.abs() ** 2).mean()) - 1.0) < 0.03
        coh = (sl * sr.conj()).real.mean() / torch.sqrt((sl.abs() ** 2).mean() * (sr.abs() ** 2).mean())
        assert abs(float(coh) - want) < 0.03
    # the draw belongs to the frame, whatever chunk asks for it
    assert torch.equal(ear_noise(gamma, 100, 50), ear_noise(gamma, 0, 400)[:, :, 100:150])
    assert not torch.allclose(ear_noise(gamma, 0, 50), ear_noise(gamma, 50, 50))


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


def test_diffuse_part_has_the_tails_energy_and_coherence_a_frame_late():
    model = _split_model()
    frames = _noise_frames()
    with torch.no_grad():
        out = diffuse_spec(model, frames, 200, 0)  # [2, F, 200]
    tail_energy = model.reference_magnitude(frames).detach()[-200:] ** 2 - frames[0, :, -200:].abs().T ** 2
    for ear in out:
        ratio = float((ear.abs() ** 2).mean() / tail_energy.mean())
        assert abs(ratio - 1.0) < 0.1
    coh = (out[0] * out[1].conj()).real.mean() / torch.sqrt((out[0].abs() ** 2).mean() * (out[1].abs() ** 2).mean())
    assert abs(float(coh) - 0.3) < 0.1
    impulse = torch.zeros(1, 257, 60, dtype=torch.complex64)
    impulse[0, :, 30] = 1.0
    with torch.no_grad():
        y = diffuse_spec(model, impulse, 60, 0)
    # from lag 2 on (a lag-1 frame would sound before the direct sound: a pre-echo), at the tail's
    # lag-1 level b rho
    assert float(y[..., :32].abs().max()) < 1e-3
    b_rho = 10 ** (-3.0 / 20) * math.exp(-0.01 / 0.1)
    assert abs(float((y[..., 32].abs() ** 2).mean()) - b_rho**2) < 0.1 * b_rho**2


def _direct(model, frames, n_hist, pos, yaw_deg=90.0, route=None):
    p = torch.tensor([[pos]], dtype=torch.float32)  # [1, 1, 3]
    rot = rotations([yaw_to_quat(math.radians(yaw_deg))])[:, None]  # [1, 1, 3, 3]
    times = torch.arange(frames.shape[-1] - n_hist, dtype=torch.float64) * 0.01
    return direct_spec(model, frames, n_hist, times, p, rot, route or straight_routes(model, p))[0]


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
