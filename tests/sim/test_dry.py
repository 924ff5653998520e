import numpy as np
import pytest

from audiogs_core.errors import AudioGSError
from audiogs_core.io.audio import write_wav
from audiogs_core.sim import dry


def test_procedural_speech_is_seeded_and_speech_like():
    a = dry.procedural_speech(2.0, 16000, seed=1)
    assert a.shape == (32000,) and a.dtype == np.float32
    assert np.abs(a).max() == pytest.approx(0.5)
    assert np.array_equal(a, dry.procedural_speech(2.0, 16000, seed=1))
    assert not np.array_equal(a, dry.procedural_speech(2.0, 16000, seed=2))
    # syllables and pauses: the 20 ms frame energy varies strongly
    frames = (a[: 32000 // 320 * 320].reshape(-1, 320) ** 2).mean(axis=1)
    assert (frames < 1e-3 * frames.max()).mean() > 0.05


def test_file_source_is_mixed_resampled_and_repeated(tmp_path):
    t = np.arange(8000) / 8000
    stereo = np.stack([np.sin(2 * np.pi * 200 * t), np.sin(2 * np.pi * 300 * t)])
    path = tmp_path / "dry.wav"
    write_wav(path, stereo, 8000)
    sig, label = dry.dry_signal(2.5, 16000, source=path)
    assert label == str(path) and sig.shape == (40000,)
    assert np.abs(sig).max() == pytest.approx(0.5)


@pytest.mark.skipif(not dry.espeak_available(), reason="espeak-ng is not installed")
def test_espeak_speech():
    sig, label = dry.dry_signal(1.0, 16000)
    assert label == "espeak-ng" and sig.shape == (16000,)
    assert np.abs(sig).max() == pytest.approx(0.5)


def test_bad_inputs(tmp_path):
    with pytest.raises(AudioGSError, match="seconds must be positive"):
        dry.dry_signal(0, 16000)
    silent = tmp_path / "silent.wav"
    write_wav(silent, np.zeros(100), 16000)
    with pytest.raises(AudioGSError, match="silent"):
        dry.dry_signal(1.0, 16000, source=silent)
