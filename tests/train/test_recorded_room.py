"""The room taken from the train views' sound (train/recorded_room.py): a close mic's, and a
binaural reference's."""

import math

import numpy as np
import pytest
import torch

from audiogs_core.conventions import stft_settings
from audiogs_core.dsp.stft import stft
from audiogs_core.model.flags import ModelFlags
from audiogs_core.model.gaussians import AudioGaussians, GridSpec
from audiogs_core.train.recorded_room import (advanced, late_room, recorded_room, summed, transfer_power,
                                              views_decay_tau, without_arrivals)

SR = 16000
C = 343.0
RT60 = 0.5
TAU = RT60 / (3 * math.log(10))


def _views_in_a_room(distances, seconds: float = 4.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(close mic [1, T], views [V, 2, T], their rooms alone [V, 2, T]): noise bursts (0.3 s on,
    0.5 s off) heard 0.3 m away (the close mic: 1/r, no room) and at ``distances`` (m): the direct
    sound (delayed r / c, 1/r) plus an independent, exponentially decaying room per view and ear,
    about 6 dB above the direct sound at 2 m."""
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * SR)) / SR
    dry = rng.standard_normal(len(t)) * ((t % 0.8) < 0.3)
    n_h = int(1.5 * RT60 * SR)
    n = 1 << (len(t) + n_h + SR).bit_length()

    def heard(h):
        return np.fft.irfft(np.fft.rfft(dry, n) * np.fft.rfft(h, n), n)[..., : len(t)]

    def direct(r):
        h = np.zeros(int(round(r / C * SR)) + 1)
        h[-1] = 1.0 / r
        return heard(h)

    views, rooms = [], []
    for r in distances:
        h = 0.04 * rng.standard_normal((2, n_h)) * np.exp(-np.arange(n_h) / SR / TAU)
        room = heard(np.concatenate([np.zeros((2, int(round(r / C * SR)) + 40)), h], axis=1))  # 2.5 ms after
        rooms.append(room)
        views.append(room + direct(r)[None])
    return direct(0.3)[None].astype(np.float32), np.stack(views).astype(np.float32), np.stack(rooms).astype(np.float32)


def _room(views, distances, reference):
    return recorded_room(views, np.asarray(distances), reference, 0.3, stft_settings(SR), C)


def _energy(x: np.ndarray, a_s: float, b_s: float) -> float:
    return float(np.sum(x[..., int(a_s * SR):int(b_s * SR)].astype(np.float64) ** 2))


def test_advanced_moves_a_signal_earlier_or_later_and_fills_with_zeros():
    x = np.arange(1.0, 7.0)[None]
    assert advanced(x, 2).tolist() == [[3, 4, 5, 6, 0, 0]]
    assert advanced(x, -2).tolist() == [[0, 0, 1, 2, 3, 4]]
    assert advanced(x, 0).tolist() == x.tolist()


def test_the_rooms_decay_is_read_blind_from_the_views():
    _, views, _ = _views_in_a_room([1.5, 2.0, 2.5])
    tau = views_decay_tau(views, stft_settings(SR))
    assert np.all(np.abs(tau[20:] * 3 * math.log(10) / RT60 - 1.0) < 0.3)


def test_the_room_is_the_views_sound_without_the_talkers_direct_sound():
    # (per-cell gains, tried first, left a third of the room's energy coherent with the talker)
    distances = [1.5, 2.0, 2.5]
    mic, views, rooms = _views_in_a_room(distances)
    room = _room(views, distances, mic)
    assert room.shape == (2, views.shape[-1]) and room.dtype == np.float32
    # during the bursts (direct sound and room alike loud) and between them (room alone), the
    # room has about the rooms' energy, not the views'
    for a_s, b_s in ((0.05, 0.28), (0.35, 0.75)):
        got = sum(_energy(room, k + a_s, k + b_s) for k in (0.8, 1.6, 2.4))
        true = sum(_energy(rooms, k + a_s, k + b_s) for k in (0.8, 1.6, 2.4)) / len(distances)
        seen = sum(_energy(views, k + a_s, k + b_s) for k in (0.8, 1.6, 2.4)) / len(distances)
        assert 0.5 * true < got < 1.6 * true, (a_s, got / true, seen / true)
    # (beyond the critical distance, as views stand, the direct sound is a quarter of a view's)
    assert sum(_energy(views, k + 0.05, k + 0.28) for k in (0.8, 1.6, 2.4)) > \
        1.2 * sum(_energy(rooms, k + 0.05, k + 0.28) for k in (0.8, 1.6, 2.4))
    # what is left of the direct sound: little of the room is coherent with the talker
    talker = mic[0].astype(np.float64)
    for ear in room.astype(np.float64):
        assert abs(np.dot(ear, talker)) / np.sqrt(np.dot(ear, ear) * np.dot(talker, talker)) < 0.1
    a, b = room[0].astype(np.float64), room[1].astype(np.float64)  # the ears' rooms are independent
    assert abs(np.dot(a, b)) / np.sqrt(np.dot(a, a) * np.dot(b, b)) < 0.15


def test_a_later_start_delays_the_whole_room_and_leaves_the_talkers_onsets_to_the_direct_sound():
    # room_start_s: what one frame's transfer leaves of the talker's onsets in the views follows
    # the posed direct sound instead of sounding with it
    distances = [1.5, 2.0, 2.5]
    mic, views, _ = _views_in_a_room(distances)
    cfg = stft_settings(SR)
    now = recorded_room(views, np.asarray(distances), mic, 0.3, cfg, C)
    later = recorded_room(views, np.asarray(distances), mic, 0.3, cfg, C, start_s=0.008)
    shift = int(0.008 * SR)
    assert not later[:, :shift].any()
    np.testing.assert_array_equal(later[:, shift:], now[:, :-shift])
    # the bursts start at k 0.8 s (the close mic's timing, 0.9 ms later): in their first 8 ms the
    # room held its own start and the leftover; now only the last burst's decayed room and what
    # the 25 ms frames at the onset spread before it (about -9 dB here)
    onsets_now = sum(_energy(now, k, k + 0.008) for k in (0.8, 1.6, 2.4))
    onsets_later = sum(_energy(later, k, k + 0.008) for k in (0.8, 1.6, 2.4))
    assert onsets_later < 0.25 * onsets_now


def test_the_measured_response_takes_out_the_posed_arrivals_and_keeps_every_other_reflection():
    # room_removal "response": the direct sound and the first reflections the model poses itself
    # leave the view; a reflection it does not pose stays, whole
    rng = np.random.default_rng(3)
    talker = rng.standard_normal(3 * SR).astype(np.float32)

    def delayed(x, ms, gain):
        return gain * advanced(x[None], -int(round(ms * 1e-3 * SR)))[0]

    early, late = delayed(talker, 5.0, 0.3), delayed(talker, 30.0, 0.2)
    view = np.stack([delayed(talker, 0.0, 0.5) + early + late, delayed(talker, 0.2, 0.5) + early + late])
    room = without_arrivals(view, talker, [0.0, 0.005], SR)
    assert room.shape == view.shape and room.dtype == np.float32
    for ear in room:
        assert np.sum((ear - late) ** 2) < 1e-3 * np.sum(late ** 2)  # the 30 ms reflection, alone
    kept = without_arrivals(view, talker, [0.0], SR)  # the direct sound's window only
    assert np.sum((kept[0] - early - late) ** 2) < 1e-3 * np.sum((early + late) ** 2)


def test_each_bin_has_the_views_mean_room_energy_even_when_the_views_are_alike():
    mic, views, _ = _views_in_a_room([2.0])
    one = _room(views, [2.0], mic)
    twice = _room(np.concatenate([views, views]), [2.0, 2.0], mic)
    # the same view twice adds coherently (4x the energy); the room is scaled back to its mean
    assert twice == pytest.approx(one, abs=1e-5)


def test_the_mean_magnitude_room_keeps_the_energy_and_loses_one_positions_fine_structure():
    # room_magnitude "mean": each cell at the views' mean magnitude under the sum's phase. Its
    # level per bin is the views' room energy, as the sum's; its cells scatter less about the bin's
    # level than one diffuse field's (Rayleigh-random) cells do, and it is still no copy of the talker.
    distances = [1.5, 1.8, 2.0, 2.2, 2.5, 2.8, 3.0]
    mic, views, _ = _views_in_a_room(distances)
    cfg = stft_settings(SR)
    rooms = {kind: recorded_room(views, np.asarray(distances), mic, 0.3, cfg, C, kind) for kind in ("sum", "mean")}
    spectra = {k: stft(torch.from_numpy(v), cfg).abs().double() for k, v in rooms.items()}  # [2, F, N]
    level = {k: (s ** 2).mean(dim=(0, 2)) for k, s in spectra.items()}
    band = slice(20, 200)
    ratio = level["mean"][band] / level["sum"][band]
    assert float(ratio.mean()) == pytest.approx(1.0, abs=0.1)

    def scatter(s):  # the spread of the cells' level (dB) over the band's bins, frame by loud frame
        db = 20 * torch.log10(s[:, band] + 1e-9)  # [2, bins, N] (the noise's spectrum is flat)
        level_db = 10 * torch.log10((s[:, band] ** 2).mean(dim=1))  # [2, N]
        loud = level_db > level_db.max() - 30
        return float(db.std(dim=1)[loud].mean())
    assert scatter(spectra["mean"]) < 0.8 * scatter(spectra["sum"])
    talker = mic[0].astype(np.float64)
    for ear in rooms["mean"].astype(np.float64):
        assert abs(np.dot(ear, talker)) / np.sqrt(np.dot(ear, ear) * np.dot(talker, talker)) < 0.1


def test_the_close_mics_transfer_power_is_the_talkers_level_at_the_views():
    # The close mic hears the talker at 0.3 m, the views at 1.5 and 2.5 m (1/r), each under a room
    # 6 dB louder than its direct sound that the close mic does not witness: the measured power is
    # the talker's own, (0.3 / r)^2 averaged over the views, and of the room only what arrives
    # within the same frame (it starts 2.5 ms after the direct sound here).
    distances = [1.5, 2.5]
    mic, views, _ = _views_in_a_room(distances)
    cfg = stft_settings(SR)
    power = transfer_power(views, np.asarray(distances), mic, 0.3, cfg, C)
    assert power.shape == (cfg.n_freq,)
    expected = np.mean([(0.3 / r) ** 2 for r in distances])
    band = slice(10, 240)
    assert 0.0 < 10 * np.log10(np.median(power[band]) / expected) < 2.0
    louder = transfer_power(2.0 * views, np.asarray(distances), mic, 0.3, cfg, C)
    assert np.allclose(louder[band], 4.0 * power[band], rtol=1e-3)


def test_the_room_is_moved_to_the_references_timing():
    # A view 3.43 m farther from the talker hears everything 10 ms later: its room is advanced by
    # those 160 samples (the renderer delays the room by each listener's own route).
    mic, views, _ = _views_in_a_room([2.0])
    here = _room(views, [2.0], mic)
    late = np.concatenate([np.zeros((1, 2, 160), np.float32), views[..., :-160]], axis=-1)
    moved = recorded_room(late, np.array([2.0 + 3.43]), mic, 0.3, stft_settings(SR), C)
    assert np.abs(moved[:, :-400] - here[:, :-400]).max() < 1e-4 * np.abs(here).max() + 1e-6


def _binaural_model() -> AudioGaussians:
    """A binaural reference's split field keeping the views' room, its room decaying with TAU."""
    flags = ModelFlags(sh_degree=0, reverb_tail=True, split_field=True, mask_range=8.0, dereverb_reference=True,
                       recorded_room=True, binaural_recorded_room=True)
    grid = GridSpec(stft=stft_settings(SR), n_cells=4, duration=4.0)
    model = AudioGaussians(grid, flags, reference_position=np.zeros(3), reference_binaural=True)
    with torch.no_grad():
        model.room_tau.fill_(TAU)
    return model


def test_with_a_binaural_reference_the_room_is_the_views_late_sound():
    # No dry witness: each view's sound 20 ms after a sound (Lebart's gain), summed over views.
    distances = [1.5, 2.0, 2.5]
    _, views, rooms = _views_in_a_room(distances)
    room = late_room(_binaural_model(), views, np.asarray(distances), 2.0, stft_settings(SR))
    assert room.shape == (2, views.shape[-1]) and room.dtype == np.float32
    # between the bursts (the room alone, decaying) about the rooms' energy
    got = sum(_energy(room, k + 0.4, k + 0.75) for k in (0.8, 1.6, 2.4))
    true = sum(_energy(rooms, k + 0.4, k + 0.75) for k in (0.8, 1.6, 2.4)) / len(distances)
    assert 0.5 * true < got < 1.6 * true, got / true
    # during them the direct sound is mostly gone: well under the views' energy there
    during = sum(_energy(room, k + 0.08, k + 0.28) for k in (0.8, 1.6, 2.4))
    seen = sum(_energy(views, k + 0.08, k + 0.28) for k in (0.8, 1.6, 2.4)) / len(distances)
    assert during < 0.6 * seen, during / seen
    # What each view keeps of the talker (the gain's floor) is the same sound in both ears and in
    # every view: turned by phases spread round the circle it cancels (summed as it is, it added
    # up to an interaural correlation of 0.27); the ears' rooms are independent.
    a, b = room[0].astype(np.float64), room[1].astype(np.float64)
    assert abs(np.dot(a, b)) / np.sqrt(np.dot(a, a) * np.dot(b, b)) < 0.15


def test_the_same_recording_given_thrice_cancels_and_is_not_made_loud():
    # What all views share cancels; the same recording three times shares everything. What is
    # left is rounding noise, which the scaling to the views' energy must not raise to a room.
    _, views, _ = _views_in_a_room([2.0])
    model = _binaural_model()
    once = late_room(model, views, np.array([2.0]), 2.0, stft_settings(SR))
    thrice = late_room(model, np.concatenate([views] * 3), np.array([2.0] * 3), 2.0, stft_settings(SR))
    assert np.isfinite(thrice).all()
    assert np.sum(thrice.astype(np.float64) ** 2) < 1e-6 * np.sum(once.astype(np.float64) ** 2)


def test_a_sum_that_cancels_is_scaled_up_to_the_views_energy_only_when_asked():
    # A close mic's rooms keep the views' mean energy whatever their sum does (as before the
    # binaural room); late_room's turned sum is only ever scaled down.
    settings = stft_settings(SR)
    x = torch.randn(2, settings.n_freq, 200, dtype=torch.complex64, generator=torch.Generator().manual_seed(1))
    length = 199 * settings.hop

    def energy(y):
        return float(np.sum(y.astype(np.float64) ** 2))

    plain = summed([x, -0.5 * x], settings, length)
    down = summed([x, -0.5 * x], settings, length, never_up=True)
    one = summed([x], settings, length)
    assert energy(plain) == pytest.approx(0.625 * energy(one), rel=1e-3)  # (1 + 0.25) / 2
    assert energy(down) == pytest.approx(0.25 * energy(one), rel=1e-3)  # the sum as it is


def test_the_binaural_room_is_moved_to_the_references_timing():
    _, views, _ = _views_in_a_room([2.0])
    model = _binaural_model()
    here = late_room(model, views, np.array([2.0]), 2.0, stft_settings(SR))
    late = np.concatenate([np.zeros((1, 2, 160), np.float32), views[..., :-160]], axis=-1)
    moved = late_room(model, late, np.array([2.0 + 3.43]), 2.0, stft_settings(SR))
    assert np.abs(moved[:, :-400] - here[:, :-400]).max() < 1e-4 * np.abs(here).max() + 1e-6
