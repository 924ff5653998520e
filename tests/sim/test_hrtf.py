import sys

import numpy as np
import pytest

from audiogs_core.conventions import HEAD_RADIUS, SPEED_OF_SOUND
from audiogs_core.errors import AudioGSError
from audiogs_core.sim import hrtf

FS = 16000
RIGHT = np.array([0.0, -1.0, 0.0])  # acoustic head frame: +y is the left ear


def _lag_ms(a, b, fs, up=8):
    """Delay of ``a`` behind ``b`` in ms, by cross-correlation of upsampled signals."""
    from scipy.signal import correlate, resample_poly

    au, bu = resample_poly(a, up, 1), resample_poly(b, up, 1)
    c = correlate(au, bu, mode="full")
    lags = np.arange(-len(bu) + 1, len(au))
    return lags[np.argmax(c)] / (fs * up) * 1e3


def test_camera_to_acoustic_frame():
    # camera -Z (nose) is acoustic +x, camera -X (left ear) is acoustic +y, camera +Y is up
    assert np.allclose(hrtf.ACOUSTIC_TO_CAMERA @ [1, 0, 0], [0, 0, -1])
    assert np.allclose(hrtf.ACOUSTIC_TO_CAMERA @ [0, 1, 0], [-1, 0, 0])
    assert np.allclose(hrtf.ACOUSTIC_TO_CAMERA @ [0, 0, 1], [0, 1, 0])


def test_woodworth_delay():
    a_c = HEAD_RADIUS / SPEED_OF_SOUND
    near, far = hrtf.woodworth_delay(np.array([1.0, -1.0]))
    assert near == pytest.approx(-a_c)
    assert far - near == pytest.approx(a_c * (np.pi / 2 + 1))  # 0.675 ms
    assert hrtf.woodworth_delay(np.array([0.0]))[0] == pytest.approx(0.0)  # continuous at 90 deg


def test_sphere_bank_is_symmetric_and_shadows_the_far_ear():
    bank = hrtf.sphere_bank(FS)
    left, right = bank.lookup(RIGHT)
    ild = 10 * np.log10(np.sum(right ** 2) / np.sum(left ** 2))
    assert 6.0 < ild < 20.0
    assert _lag_ms(left, right, FS) == pytest.approx(0.675, abs=0.07)
    front_l, front_r = bank.lookup(np.array([1.0, 0.0, 0.0]))
    assert np.allclose(front_l, front_r)
    # the shadow filter boosts the near ear at high frequency, not at low frequency
    spec = np.abs(np.fft.rfft(right, 512))
    assert spec[-40:].mean() > 1.5 * spec[2:6].mean()


def test_kemar_is_read_without_importing_slab():
    assert hrtf.kemar_data_path().name == "mit_kemar_normal_pinna.bz2"
    bank = hrtf.kemar_bank(FS)
    assert "slab" not in sys.modules
    assert bank.directions.shape == (710, 3) and bank.left.shape[0] == 710
    left, right = bank.lookup(RIGHT)
    assert np.sum(right ** 2) > 3 * np.sum(left ** 2)
    assert 0.55 < _lag_ms(left, right, FS) < 0.8


def test_sofa_file_round_trip(tmp_path):
    import sofar

    ref = hrtf.sphere_bank(48000)
    sofa = sofar.Sofa("SimpleFreeFieldHRIR")
    sofa.Data_IR = np.stack([ref.left, ref.right], axis=1)
    sofa.Data_SamplingRate = 48000
    sofa.SourcePosition = np.column_stack([
        np.degrees(np.arctan2(ref.directions[:, 1], ref.directions[:, 0])),
        np.degrees(np.arcsin(np.clip(ref.directions[:, 2], -1, 1))),
        np.ones(len(ref.directions)),
    ])
    path = tmp_path / "head.sofa"
    sofar.write_sofa(str(path), sofa)
    bank = hrtf.load_hrtf(str(path), FS)
    assert bank.name == "head" and bank.sample_rate == FS
    assert np.allclose(bank.directions, ref.directions, atol=1e-6)
    left, right = bank.lookup(RIGHT)
    assert np.sum(right ** 2) > 3 * np.sum(left ** 2)


def test_unknown_hrtf():
    with pytest.raises(AudioGSError, match="unknown hrtf 'cardioid'"):
        hrtf.load_hrtf("cardioid", FS)
    with pytest.raises(AudioGSError, match="SOFA file not found"):
        hrtf.load_hrtf("missing.sofa", FS)
