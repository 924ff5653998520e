import numpy as np
import pytest
import soundfile as sf

from audiogs_core.errors import AudioGSError
from audiogs_core.io.audio import read_wav, resample, write_wav


def test_round_trip_float_no_clipping(tmp_path):
    a = np.array([[0.0, 1.5, -2.0, 0.25], [0.1, 0.2, 0.3, 0.4]], dtype=np.float32)
    write_wav(tmp_path / "x.wav", a, 16000)
    b, sr = read_wav(tmp_path / "x.wav")
    assert sr == 16000 and b.dtype == np.float32 and b.shape == (2, 4)
    np.testing.assert_array_equal(a, b)
    assert sf.info(str(tmp_path / "x.wav")).subtype == "FLOAT"
    write_wav(tmp_path / "m.wav", a[0], 8000)
    m, sr = read_wav(tmp_path / "m.wav")
    assert m.shape == (1, 4) and sr == 8000


def test_missing_file(tmp_path):
    with pytest.raises(AudioGSError, match="audio file not found: .*nope.wav"):
        read_wav(tmp_path / "nope.wav")


def test_corrupt_file(tmp_path):
    p = tmp_path / "bad.wav"
    p.write_bytes(b"RIFF\x00\x00garbage that is not a wav file")
    with pytest.raises(AudioGSError, match="cannot read audio file .*bad.wav"):
        read_wav(p)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.wav"
    sf.write(str(p), np.zeros((0, 2), dtype=np.float32), 8000)
    with pytest.raises(AudioGSError, match=r"empty.wav is empty \(0 samples\)"):
        read_wav(p)


def test_non_finite_samples(tmp_path):
    p = tmp_path / "nan.wav"
    sf.write(str(p), np.array([0.0, np.nan, 0.1], dtype=np.float32), 8000, subtype="FLOAT")
    with pytest.raises(AudioGSError, match="nan.wav contains non-finite samples"):
        read_wav(p)


def test_write_refuses_bad_audio(tmp_path):
    with pytest.raises(AudioGSError, match="non-finite"):
        write_wav(tmp_path / "x.wav", np.array([np.inf, 0.0]), 8000)
    with pytest.raises(AudioGSError, match="must be"):
        write_wav(tmp_path / "x.wav", np.zeros((1, 2, 3)), 8000)
    assert not (tmp_path / "x.wav").exists()


def test_resample_keeps_a_sine():
    t = np.arange(4800) / 48000
    a = np.stack([np.sin(2 * np.pi * 440 * t), np.cos(2 * np.pi * 440 * t)]).astype(np.float32)
    b = resample(a, 48000, 16000)
    assert b.shape == (2, 1600) and b.dtype == np.float32
    t16 = np.arange(1600) / 16000
    # Away from the edges the polyphase result matches the analytic sine.
    np.testing.assert_allclose(b[0, 100:-100], np.sin(2 * np.pi * 440 * t16[100:-100]), atol=2e-3)
    np.testing.assert_array_equal(resample(a, 16000, 16000), a)
