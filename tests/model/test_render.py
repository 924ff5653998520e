"""Rendering physics on hand-built models: head frame, attenuation, ITD, delay."""

import math

import numpy as np
import pytest
import torch
from _handmade import SR, handmade_model, lag_of, noise, rotations

from audiogs_core.dsp.stft import istft, stft
from audiogs_core.geometry import yaw_to_quat
from audiogs_core.model.flags import ModelFlags
from audiogs_core.model.render import (
    gaussian_response, pose_free_ear_magnitudes, render_moving_spec, render_static_spec,
)
from audiogs_core.model.sh import C1

FACING_Y = yaw_to_quat(math.pi / 2)  # nose along +Y, right ear on +X
FACING_MINUS_Y = yaw_to_quat(-math.pi / 2)  # turned 180 degrees: right ear on -X


def _render(model, ref, positions, quats):
    s = model.grid.stft
    spec = stft(ref, s)
    times = torch.arange(spec.shape[-1], dtype=torch.float64) * s.hop / SR
    with torch.no_grad():
        out = render_static_spec(model, spec, times, torch.as_tensor(positions, dtype=torch.float32), rotations(quats))
    return istft(out, s, ref.shape[-1]).numpy()  # [B, 2, T]


def _rms(x):
    return float(np.sqrt(np.mean(x**2)))


def test_side_term_follows_the_head_frame():
    # Gaussians 2 m to the right (+X) of a listener facing +Y. With q = identity,
    # the SH direction is from the Gaussian to the listener in head axes: -X.
    # sh_diff degree-1 x-coefficient -1 gives D = -C1 there: the right ear louder.
    model = handmade_model(at=[2.0, 0.0, 0.0], reference_position=[2.0, 1.0, 0.0],
                           flags=ModelFlags(phase=False, attenuation=False))
    with torch.no_grad():
        model.sh_diff_rest[..., 2] = -1.0  # coefficient 3: the degree-1 x term
    y = _render(model, noise(1.0), [[0, 0, 0], [0, 0, 0]], [FACING_Y, FACING_MINUS_Y])
    ratio_facing = _rms(y[0, 1]) / _rms(y[0, 0])
    assert ratio_facing == pytest.approx((1 + C1) / (1 - C1), rel=1e-3)
    ratio_turned = _rms(y[1, 1]) / _rms(y[1, 0])
    assert ratio_turned == pytest.approx((1 - C1) / (1 + C1), rel=1e-3)


@pytest.mark.parametrize("distance,expected", [(1.0, 1.0), (2.0, 0.5), (0.05, 10.0)])
def test_attenuation_is_relative_to_the_reference_distance(distance, expected):
    # Reference 1 m from the Gaussians; decay 0 gives alpha = 1; distances clamp at 0.1 m.
    model = handmade_model(at=[0.0, 0.0, 0.0], reference_position=[1.0, 0.0, 0.0])
    resp = gaussian_response(model, torch.tensor([0]), torch.tensor([[0.0, distance, 0.0]]),
                             rotations([FACING_Y]))
    assert torch.allclose(resp.gain_l, torch.full_like(resp.gain_l, expected), rtol=1e-5)
    assert torch.allclose(resp.gain_r, resp.gain_l)


def test_itd_size_at_90_degrees_above_1500_hz():
    model = handmade_model(at=[5.0, 0.0, 0.0], reference_position=[5.0, 1.0, 0.0])
    resp = gaussian_response(model, torch.tensor([0]), torch.zeros(1, 3), rotations([FACING_Y]))
    freqs = np.arange(257) * SR / 512
    high = torch.as_tensor(freqs > 1500)
    expected = 0.09 / 343.0 * (math.pi / 2 + 1.0)  # 0.6746 ms
    assert expected == pytest.approx(0.6746e-3, rel=1e-3)
    assert torch.allclose(resp.tau[0][high].double(), torch.full((int(high.sum()),), expected, dtype=torch.float64),
                          rtol=1e-2)
    low = torch.as_tensor(freqs < 500)
    assert torch.allclose(resp.tau[0][low].double(), torch.full((int(low.sum()),), 3 * 0.09 / 343, dtype=torch.float64),
                          rtol=1e-2)


def test_itd_sign_by_cross_correlation():
    # Gaussians to the right: the right ear leads, so the left ear trails by about 0.67 ms.
    model = handmade_model(at=[3.0, 0.0, 0.0], reference_position=[3.0, 1.0, 0.0],
                           flags=ModelFlags(attenuation=False, delay=False))
    y = _render(model, noise(1.0), [[0, 0, 0], [0, 0, 0]], [FACING_Y, FACING_MINUS_Y])
    lag = lag_of(y[0, 1], y[0, 0], 30)
    assert 7 <= lag <= 13, lag  # 0.44..0.81 ms at 16 kHz
    assert lag_of(y[1, 1], y[1, 0], 30) == -lag  # turned around: the left ear leads


def test_propagation_delay_of_a_listener_3_43_m_farther():
    # Reference 1 m from the Gaussians, listener 4.43 m: 10 ms = 160 samples later.
    model = handmade_model(at=[0.0, 0.0, 0.0], reference_position=[0.0, 1.0, 0.0],
                           flags=ModelFlags(attenuation=False))
    ref = noise(1.0)
    y = _render(model, ref, [[0.0, 4.43, 0.0]], [yaw_to_quat(-math.pi / 2)])  # facing the Gaussians
    mid = 0.5 * (y[0, 0] + y[0, 1])
    assert abs(lag_of(ref[0].numpy(), mid, 200) - 160) <= 1


def test_moving_listener_matches_static_for_a_constant_pose():
    model = handmade_model(at=[1.0, 2.0, 0.5], reference_position=[0.0, 0.0, 0.0])
    with torch.no_grad():
        for p in (model.sh_mono_dc, model.sh_mono_rest, model.sh_diff_dc, model.sh_diff_rest):
            p.normal_(0, 0.3)
    s = model.grid.stft
    spec = stft(noise(1.0), s)
    n = spec.shape[-1]
    times = torch.arange(n, dtype=torch.float64) * s.hop / SR
    pos = torch.tensor([[0.5, -1.0, 0.0]])
    rot = rotations([yaw_to_quat(0.3)])
    with torch.no_grad():
        a = render_static_spec(model, spec, times, pos, rot)
        b = render_moving_spec(model, spec, times, pos[:, None].expand(1, n, 3), rot[:, None].expand(1, n, 3, 3))
    assert torch.allclose(a, b, atol=1e-5)


def test_magnitudes_interpolate_between_cells():
    # Two cells: the first silent (mask 0 via a very negative DC), the second
    # at full level; halfway between them the magnitude is half.
    model = handmade_model(at=[0.0, 1.0, 0.0], reference_position=[0.0, 0.0, 0.0], n_cells=2, duration=1.0,
                           flags=ModelFlags(phase=False))  # listener at the reference: g = 1
    with torch.no_grad():
        model.sh_mono_dc[0] = -200.0
    s = model.grid.stft
    spec = stft(noise(1.0), s)
    times = torch.tensor([0.0, 0.5, 1.0], dtype=torch.float64)
    with torch.no_grad():
        out = render_static_spec(model, spec[:, :, [0, 50, 100]], times, torch.zeros(1, 3), rotations([FACING_Y]))
    ref_mag = spec[0][:, [0, 50, 100]].abs()
    assert torch.allclose(out[0, 0].abs(), ref_mag * torch.tensor([0.0, 0.5, 1.0]), atol=1e-6)


def test_delays_interpolate_between_cells_not_phases():
    # Two cells with different propagation delays (several ms apart). Halfway
    # between them the phase shift must be omega times the mean delay at every
    # bin, which wraps many times at high frequencies: interpolating wrapped
    # phases instead would land elsewhere.
    model = handmade_model(at=[0.0, 0.0, 0.0], reference_position=[0.0, 1.0, 0.0], n_cells=2, duration=1.0,
                           flags=ModelFlags(attenuation=False))
    with torch.no_grad():
        model.mu[1] = torch.tensor([0.0, -1.715, 0.0])  # the listener at the origin is 1.715 m from it
        model.mu[0] = torch.tensor([0.0, 1.0, 0.0])
    resp = gaussian_response(model, torch.tensor([[0, 1]]), torch.zeros(1, 1, 3), rotations([FACING_Y])[:, None])
    delta = resp.delta[0]  # [2, F]
    half = 0.5 * (delta[0] + delta[1])
    s = model.grid.stft
    spec = stft(noise(1.0), s)
    with torch.no_grad():
        out = render_static_spec(model, spec[:, :, [50]], torch.tensor([0.5], dtype=torch.float64),
                            torch.zeros(1, 3), rotations([FACING_Y]))
    omega = 2 * math.pi * torch.arange(257, dtype=torch.float64) * SR / 512
    tau = resp.tau[0].mean(0).double()  # both cells straight ahead or behind: tau = 0
    assert torch.allclose(tau, torch.zeros_like(tau), atol=1e-9)
    expected = torch.angle(spec[0, :, 50]).double() - omega * half.double()
    got = torch.angle(out[0, 0, :, 0]).double()
    wrapped = torch.remainder(got - expected + math.pi, 2 * math.pi) - math.pi
    assert torch.max(torch.abs(wrapped)) < 1e-3


def test_itd_weight_scales_each_frames_itd():
    # Gaussians to the right of a listener facing +Y: full ITD with weight 1, none with weight 0.
    model = handmade_model(at=[3.0, 0.0, 0.0], reference_position=[3.0, 1.0, 0.0],
                           flags=ModelFlags(attenuation=False, delay=False))
    ref = noise(1.0)
    s = model.grid.stft
    spec = stft(ref, s)
    n = spec.shape[-1]
    times = torch.arange(n, dtype=torch.float64) * s.hop / SR
    pos, rot = torch.zeros(1, 3), rotations([FACING_Y])
    with torch.no_grad():
        full = render_static_spec(model, spec, times, pos, rot, itd_weight=torch.ones(n, 257))
        none = render_static_spec(model, spec, times, pos, rot, itd_weight=torch.zeros(n, 257))
        plain = render_static_spec(model, spec, times, pos, rot)
    assert torch.allclose(full, plain)
    assert torch.allclose(none[0, 0], none[0, 1])  # both ears get the reference phase
    y = istft(full, s, ref.shape[-1]).numpy()
    assert 7 <= lag_of(y[0, 1], y[0, 0], 30) <= 13


def test_head_frame_is_the_transposed_rotation():
    from audiogs_core.model.rotation import to_head_frame

    g = torch.Generator().manual_seed(0)
    rot = rotations([yaw_to_quat(0.3), yaw_to_quat(-2.0)])  # [2, 3, 3]
    v = torch.randn(2, 6, 3, generator=g)
    expected = torch.einsum("bji,bkj->bki", rot, v)  # R^T v per row
    assert torch.allclose(to_head_frame(v, rot), expected, atol=1e-6)


def test_pose_free_ear_magnitudes_are_what_assemble_computes():
    # SH degree 0 without attenuation: the ears' magnitudes do not depend on the pose, so a
    # renderer may compute them once per span; with either pose term there are none.
    model = handmade_model(at=[1.0, 2.0, 0.5], flags=ModelFlags(sh_degree=0, attenuation=False))
    with torch.no_grad():
        model.sh_mono_dc.normal_(0, 0.5)
        model.sh_diff_dc.normal_(0, 0.3)
        model.gain_db.normal_(0, 2.0)
    s = model.grid.stft
    spec = stft(noise(1.0), s)
    times = torch.arange(spec.shape[-1], dtype=torch.float64) * s.hop / SR
    pos, rot = torch.tensor([[0.5, -1.0, 0.0], [2.0, 1.0, 0.3]]), rotations([yaw_to_quat(0.3), FACING_Y])
    ref_mag, _ = model.reference_terms(spec)
    ears = pose_free_ear_magnitudes(model, times, ref_mag)
    assert ears is not None and ears.shape == (2, spec.shape[-1], spec.shape[1])
    with torch.no_grad():
        plain = render_static_spec(model, spec, times, pos, rot)
        kept = render_static_spec(model, spec, times, pos, rot, ear_mag=ears)
        moving = render_moving_spec(model, spec, times, pos[:, None].expand(2, len(times), 3),
                                    rot[:, None].expand(2, len(times), 3, 3), ear_mag=ears)
    assert torch.allclose(kept, plain, atol=1e-6) and torch.allclose(moving, plain, atol=1e-5)
    assert not torch.allclose(ears[0], ears[1])  # the side term makes the ears differ
    for flags in (ModelFlags(sh_degree=1, attenuation=False), ModelFlags(sh_degree=0, attenuation=True)):
        assert pose_free_ear_magnitudes(handmade_model(at=[1.0, 2.0, 0.5], flags=flags), times, ref_mag) is None
