"""Head models built from HRIR banks (MeasuredHead) and chosen by name (head_model)."""

import numpy as np
import pytest
import torch

from audiogs_core.conventions import HEAD_RADIUS, SPEED_OF_SOUND, stft_settings
from audiogs_core.dsp.stft import bin_frequencies
from audiogs_core.errors import AudioGSError
from audiogs_core.model.head_model import MeasuredHead, SphereHead, head_model
from audiogs_core.sim.hrtf import HrirBank, sphere_bank

FS = 16000
FREQS = bin_frequencies(stft_settings(FS)).float()  # [257]
BAND = (FREQS >= 200.0) & (FREQS <= 4000.0)
RIGHT, FRONT = [1.0, 0.0, 0.0], [0.0, 0.0, -1.0]  # head (camera) frame: +X right ear, -Z nose


def _db(x):
    return 20.0 * torch.log10(x)


def test_sphere_bank_right_source_right_ear_louder_and_leading_front_source_balanced():
    head = MeasuredHead(sphere_bank(FS))
    gl, gr, tau = head.ears(torch.tensor([[2.0 * c for c in RIGHT], FRONT]), FREQS)
    assert gl.shape == gr.shape == tau.shape == (2, 257)
    high = FREQS > 2000.0
    assert bool((gr[0, high] > 2.0 * gl[0, high]).all())  # > 6 dB: the far ear is in the shadow
    assert bool((tau[0] > 0.5e-3).all()) and float(tau[0, 0]) < 0.9e-3  # the right ear leads (~0.7 ms)
    assert torch.allclose(gl[1], gr[1]) and float(tau[1].abs().max()) < 1e-6
    # the mirror image: a source on the left leads at the left ear by as much
    gl2, gr2, tau2 = head.ears(torch.tensor([-1.0, 0.0, 0.0]), FREQS)
    assert torch.allclose(tau2, -tau[0], atol=1e-7) and torch.allclose(gl2, gr[0])


def test_frontal_source_is_0_db_on_average_over_200_hz_to_4_khz():
    bank = sphere_bank(FS)
    head = MeasuredHead(bank)
    gl, gr, _ = head.ears(torch.tensor(FRONT), FREQS)
    assert abs(float(torch.cat([_db(gl[BAND]), _db(gr[BAND])]).mean())) < 1e-4
    # one constant for every direction: interaural and directional differences are kept
    raw = MeasuredHead(HrirBank("x10", bank.directions, 10 * bank.left, 10 * bank.right, FS))
    assert abs(raw.norm_db - (head.norm_db - 20.0)) < 1e-6
    gl_r, gr_r, _ = raw.ears(torch.tensor(RIGHT), FREQS)
    gl_h, gr_h, _ = head.ears(torch.tensor(RIGHT), FREQS)
    assert torch.allclose(gl_r, gl_h, rtol=1e-5) and torch.allclose(gr_r, gr_h, rtol=1e-5)


def _handful_bank():
    """Six directions (acoustic frame: +x nose, +y left ear, +z up), flat ears of distinct
    levels per row, the right ear delayed by a distinct whole number of samples."""
    dirs = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], float)
    gains_l = np.array([2.0, 1.0, 3.0, 0.5, 1.5, 0.25])
    gains_r = np.array([2.0, 0.8, 0.4, 4.0, 1.5, 0.3])
    shifts = np.array([0, 1, 10, -10, 2, -3])  # right ear after the left: negative tau
    left, right = np.zeros((6, 64)), np.zeros((6, 64))
    for i in range(6):
        left[i, 20] = gains_l[i]
        right[i, 20 + shifts[i]] = gains_r[i]
    return HrirBank("handful", dirs, left, right, FS), gains_l, gains_r, shifts


def test_nearest_direction_picks_the_right_row():
    bank, gains_l, gains_r, shifts = _handful_bank()
    head = MeasuredHead(bank)
    # head frame -> row: nose (-Z) 0, back 1, left ear (-X) 2, right ear (+X) 3, up (+Y) 4, down 5
    v = torch.tensor([[0.1, 0.2, -3.0], [0.0, -0.3, 1.0], [-1.0, 0.2, 0.1],
                      [0.8, 0.0, 0.5], [0.2, 5.0, 0.1], [0.0, -1.0, -0.2]])
    assert head.nearest(v).tolist() == [0, 1, 2, 3, 4, 5]
    gl, gr, tau = head.ears(v.reshape(2, 3, 3), FREQS)  # any leading shape
    assert gl.shape == (2, 3, 257)
    scale = 10 ** (head.norm_db / 20)
    assert abs(scale - 0.5) < 1e-9  # the frontal row (gain 2 in both ears) becomes 0 dB
    assert torch.allclose(gl.reshape(6, -1), torch.tensor(gains_l * scale).float()[:, None].expand(6, 257))
    assert torch.allclose(gr.reshape(6, -1), torch.tensor(gains_r * scale).float()[:, None].expand(6, 257))
    assert torch.allclose(tau.reshape(6, -1)[:, 0], torch.tensor(-shifts / FS).float(), atol=2e-6)


def test_frequencies_off_the_bins_take_the_nearest_bin():
    bank = sphere_bank(FS)
    head = MeasuredHead(bank)
    v = torch.tensor(RIGHT)
    on = head.ears(v, FREQS)[1]
    off = head.ears(v, torch.tensor([float(FREQS[10]) + 5.0, 9000.0]))[1]  # 9 kHz > Nyquist: the last bin
    assert torch.allclose(off, on[[10, 256]])


def test_head_model_by_name(tmp_path, monkeypatch):
    assert isinstance(head_model("sphere", FS, HEAD_RADIUS, SPEED_OF_SOUND), SphereHead)
    with pytest.raises(AudioGSError, match="unknown hrtf 'cardioid'"):
        head_model("cardioid", FS, HEAD_RADIUS, SPEED_OF_SOUND)
    with pytest.raises(AudioGSError, match="SOFA file not found"):
        head_model(str(tmp_path / "missing.sofa"), FS, HEAD_RADIUS, SPEED_OF_SOUND)
    monkeypatch.setitem(__import__("sys").modules, "sofar", None)  # as if the sim extra were not installed
    with pytest.raises(AudioGSError, match=r'needs sofar.*pip install "audiogs-core\[sim\]"'):
        head_model(str(tmp_path / "head.sofa"), FS, HEAD_RADIUS, SPEED_OF_SOUND)


def test_kemar_by_name():
    try:
        head = head_model("kemar", FS, HEAD_RADIUS, SPEED_OF_SOUND)
    except AudioGSError as exc:
        pytest.skip(str(exc))  # the slab wheel's data file is not installed
    assert isinstance(head, MeasuredHead) and head.mag_left.shape == (710, 257)
    gl, gr, tau = head.ears(torch.tensor([RIGHT, FRONT]), FREQS)
    assert 0.55e-3 < float(tau[0, 0]) < 0.8e-3 and abs(float(tau[1, 0])) < 0.03e-3
    assert float(_db(gr[0, FREQS > 2000]).mean() - _db(gl[0, FREQS > 2000]).mean()) > 6.0
