"""Training inputs: windows, level initialisation, the initial centre of the Gaussians."""

import dataclasses

import numpy as np
import pytest

from audiogs_core.conventions import stft_settings
from audiogs_core.errors import AudioGSError
from audiogs_core.train.data import TrainingData, init_centre, initial_gain_db, make_windows

SR = 16000


def _data(**changes):
    rng = np.random.default_rng(0)
    base = TrainingData(
        sample_rate=SR, reference=rng.standard_normal((1, SR)).astype(np.float32),
        reference_position=np.array([3.3, 2.5, 1.6]), reference_rotation=None, head_radius=0.09,
        view_names=["a", "b"], view_positions=np.array([[1.0, 1.0, 1.6], [5.0, 1.0, 1.6]]),
        view_rotations=np.tile([1.0, 0, 0, 0], (2, 1)),
        view_audio=rng.standard_normal((2, 2, SR)).astype(np.float32),
        source_positions=np.array([[3.0, 2.5, 1.6]]))
    return dataclasses.replace(base, **changes)


def test_auto_centre_prefers_the_source_then_a_close_mic_then_the_views():
    assert np.allclose(init_centre(_data(), "auto"), [3.0, 2.5, 1.6])
    no_source = _data(source_positions=np.zeros((0, 3)))
    assert np.allclose(init_centre(no_source, "auto"), [3.3, 2.5, 1.6])
    binaural_ref = dataclasses.replace(no_source, reference=np.zeros((2, SR), dtype=np.float32))
    assert np.allclose(init_centre(binaural_ref, "auto"), [3.0, 1.0, 1.6])  # a view is no source
    assert np.allclose(init_centre(_data(), "views"), [3.0, 1.0, 1.6])
    with pytest.raises(AudioGSError, match="needs a source"):
        init_centre(no_source, "source")
    with pytest.raises(AudioGSError, match="unknown init_centre"):
        init_centre(_data(), "middle")


def test_windows_cover_the_recording_and_pad_the_last():
    d = _data()
    s = stft_settings(SR)
    wins = make_windows(d.reference, d.view_audio, int(0.4 * SR), s, history_frames=5)
    assert [w.start for w in wins] == [0, 6400, 12800]
    assert wins[-1].target.shape == (2, 2, 6400)
    assert np.all(wins[-1].target[:, :, 3200:].numpy() == 0)  # zero padding past the end
    assert wins[0].history.shape == (1, 257, 5) and float(wins[0].history.abs().max()) == 0.0
    assert float(wins[1].history.abs().max()) > 0


def test_initial_gain_is_the_view_to_reference_level_ratio():
    d = _data()
    s = stft_settings(SR)
    gain = initial_gain_db(d.reference, 0.5 * np.stack([d.reference] * 2).repeat(2, axis=1), s)
    assert np.allclose(gain[1:-1], 20 * np.log10(0.5), atol=1e-3)
