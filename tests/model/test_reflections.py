"""First-order reflections as image sources (flag early_reflections)."""

import math
from dataclasses import replace

import numpy as np
import pytest
import torch
from _handmade import handmade_model, rotations

from audiogs_core.dsp.stft import istft, stft
from audiogs_core.geometry import yaw_to_quat
from audiogs_core.model.direct import routes
from audiogs_core.model.flags import ModelFlags
from audiogs_core.model.occlusion import RoomOcclusion
from audiogs_core.model.reflections import first_order, reflection_loss_db
from audiogs_core.model.split_field import SplitParts, render_split_spec
from audiogs_core.sim.rooms import _extrude

C = 343.0
BOX = [(0, 0), (6, 0), (6, 4), (0, 4)]  # 6 x 4 x 3 m
ELL = [(0, 0), (6, 0), (6, 3), (3, 3), (3, 6), (0, 6)]  # inner corner at (3, 3)
REFLECTING = ModelFlags(sh_degree=0, reverb_tail=True, split_field=True, mask_range=8.0, early_reflections=True)


def test_a_shoebox_gives_six_mirror_images_that_reach_everywhere_inside():
    box = RoomOcclusion(_extrude(BOX, 3.0))
    assert box.volume == pytest.approx(72.0) and box.area == pytest.approx(108.0)
    s = np.array([1.0, 1.5, 1.2])
    rng = np.random.default_rng(0)
    ls = rng.uniform([0.2, 0.2, 0.2], [5.8, 3.8, 2.8], size=(40, 3))
    found = first_order(box, s, ls)
    mirrors = {(-1.0, 1.5, 1.2), (11.0, 1.5, 1.2), (1.0, -1.5, 1.2), (1.0, 6.5, 1.2), (1.0, 1.5, -1.2),
               (1.0, 1.5, 4.8)}
    assert {tuple(np.round(i, 9)) for i in found.image} == mirrors
    assert found.reaches.all()
    np.testing.assert_allclose(found.length, np.linalg.norm(found.image[None] - ls[:, None], axis=2))


def test_in_an_l_shaped_hall_a_reflection_whose_path_leaves_the_room_does_not_reach():
    ell = RoomOcclusion(_extrude(ELL, 3.0))
    s = np.array([5.0, 1.5, 1.5])  # in one wing
    listener = np.array([[1.5, 5.0, 1.5]])  # in the other, out of the talker's sight
    found = first_order(ell, s, listener)
    by_image = {tuple(np.round(i, 9)): bool(r) for i, r in zip(found.image, found.reaches[0])}
    # the floor's reflection point (3.25, 3.25, 0) lies outside the floor, in the L's notch
    assert by_image[(5.0, 1.5, -1.5)] is False
    assert by_image[(5.0, 1.5, 4.5)] is False  # the ceiling's likewise
    # off the wall x = 0 at (0, 4.19, 1.5): both legs stay inside the hall
    assert by_image[(-5.0, 1.5, 1.5)] is True


def test_a_reflection_keeps_the_amplitude_of_the_rooms_decay_over_one_mean_free_path():
    box = RoomOcclusion(_extrude(BOX, 3.0))
    t60 = np.array([0.3, 0.6, 1.2])
    loss = reflection_loss_db(box, t60 / (3 * math.log(10)), C)  # amplitude decay time tau = T60 / 6.9
    # Eyring: 1 - alpha = exp(-24 ln10 V / (c S T60)), the energy a face keeps
    keeps = np.exp(-24 * math.log(10) * 72.0 / (C * 108.0 * t60))
    np.testing.assert_allclose(loss, -10 * np.log10(keeps), rtol=1e-9)
    assert 0.5 < loss[1] < 2.0  # a moderately damped room: about 1 dB a reflection


def _model(flags=REFLECTING, binaural=False):
    model = handmade_model(at=[1.0, 1.5, 1.2], flags=flags, duration=2.0)
    model.reference_binaural = binaural
    with torch.no_grad():
        model.room_tau.fill_(0.6 / (3 * math.log(10)))
        model.tail_log_tau.fill_(math.log(0.6 / (3 * math.log(10))))
    model.set_direct_geometry(np.array([1.0, 1.5, 1.2]), 2.0, 0.3)
    return model


def test_only_a_close_mics_split_field_with_the_flag_brings_reflections():
    box = RoomOcclusion(_extrude(BOX, 3.0))
    p = torch.tensor([[[4.0, 2.0, 1.2]]])
    assert len(routes(_model(), box, p).reflections) == 6
    assert routes(_model(), None, p).reflections == ()  # no room mesh: nothing to reflect off
    assert routes(_model(replace(REFLECTING, early_reflections=False)), box, p).reflections == ()
    assert routes(_model(binaural=True), box, p).reflections == ()  # its direct part holds its own
    assert not replace(REFLECTING, occlusion=False).effective().early_reflections


def test_a_click_arrives_then_each_wall_sends_it_back_at_its_image_distance():
    model = _model()
    box = RoomOcclusion(_extrude(BOX, 3.0))
    cfg = model.grid.stft
    sr = cfg.sample_rate
    click = torch.zeros(1, 120 * cfg.hop)
    click[0, 20 * cfg.hop] = 1.0
    frames = stft(click, cfg)  # [1, F, L]
    n_hist = 10
    mag, phase = frames.abs().mean(dim=0).transpose(0, 1), torch.angle(frames).transpose(1, 2)
    parts = SplitParts(mag, phase, torch.zeros(2, frames.shape[-1], frames.shape[1], dtype=torch.complex64))
    listener = torch.tensor([[[4.0, 2.0, 1.2]]])
    turned = rotations([yaw_to_quat(math.radians(90.0))])[:, None]
    times = torch.arange(frames.shape[-1] - n_hist, dtype=torch.float64) * cfg.hop / sr
    with torch.no_grad():
        spec = render_split_spec(model, frames, n_hist, times, listener, turned, routes(model, box, listener),
                                 parts=parts)[0]  # [2, F, N]
    envelope = np.abs(istft(spec, cfg, spec.shape[-1] * cfg.hop).numpy()).sum(0)[(20 - n_hist) * cfg.hop:]

    def peak(length):  # round the arrival (the reference is 0.3 m from the talker), either ear's
        at = round((length - 0.3) / C * sr)
        return float(envelope[at - 8:at + 9].max())

    quiet = float(envelope[round(16e-3 * sr):round(18.5e-3 * sr)].max())  # between two arrivals
    direct, floor = peak(math.dist((4, 2, 1.2), (1, 1.5, 1.2))), peak(math.dist((4, 2, 1.2), (1, 1.5, -1.2)))
    far_wall = peak(math.dist((4, 2, 1.2), (11, 1.5, 1.2)))
    assert min(direct, floor, far_wall) > 20 * quiet  # each where its image says, nothing smeared between
    assert direct > floor > far_wall  # farther, and one reflection's loss each
