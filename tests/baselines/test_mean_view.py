import numpy as np
import torch

from audiogs_core.baselines import mean_view
from audiogs_core.baselines.mean_view import mean_magnitude_with_phase
from audiogs_core.conventions import stft_settings
from audiogs_core.dsp.stft import stft

from _baseline_data import FACING_Y, SR, T, make_inputs, rng  # noqa: F401 (rng is a fixture)


def _stft(signals: np.ndarray) -> torch.Tensor:
    """The project STFT of ``signals`` [..., T] in float64, as mean_view computes it."""
    return stft(torch.from_numpy(np.asarray(signals, dtype=np.float64)), stft_settings(SR))


def test_stft_uses_project_settings(rng):
    spec = _stft(rng.standard_normal((2, T)))
    assert tuple(spec.shape) == (2, 257, T // 160 + 1)


def test_identical_views_return_that_view(rng):
    view = rng.standard_normal((2, T)).astype(np.float32)
    inputs = make_inputs(rng.standard_normal((1, T)), np.stack([view, view, view]),
                         [[0, 0, 0], [1, 0, 0], [0, 1, 0]])
    out = mean_view.predict(inputs, np.array([0.9, 0.1, 0.0]), FACING_Y)
    assert out.shape == (2, T) and out.dtype == np.float32
    np.testing.assert_allclose(out, view, atol=1e-4)


def test_mean_magnitude_per_ear_with_nearest_phase(rng):
    # Views x and -3x share |X| up to scale: mean magnitude is 2|X| per ear, and
    # the sign (phase) must follow whichever view is nearest.
    x = rng.standard_normal((2, T)).astype(np.float32)
    inputs = make_inputs(rng.standard_normal((1, T)), np.stack([x, -3 * x]),
                         [[0, 0, 0], [4, 0, 0]])
    near_first = mean_view.predict(inputs, np.array([1.0, 0, 0]), FACING_Y)
    near_second = mean_view.predict(inputs, np.array([3.0, 0, 0]), FACING_Y)
    np.testing.assert_allclose(near_first, 2 * x, atol=1e-4)
    np.testing.assert_allclose(near_second, -2 * x, atol=1e-4)
    magnitude = _stft(near_first).abs()
    expected = _stft(inputs.train_audio).abs().mean(dim=0)
    np.testing.assert_allclose(magnitude.numpy(), expected.numpy(), atol=1e-3)


def test_mean_magnitude_of_identical_recordings_gives_the_recording_back():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 16000)).astype(np.float32) * 0.1
    out = mean_magnitude_with_phase(np.stack([x, x, x]), 0, 16000)
    assert out.shape == x.shape
    assert np.allclose(out[:, 400:-400], x[:, 400:-400], atol=1e-4)


def test_mean_magnitude_averages_magnitudes_not_waveforms():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((2, 16000)).astype(np.float32)
    out = mean_magnitude_with_phase(np.stack([a, -a]), 0, 16000)
    # Opposite waveforms cancel when averaged, their magnitudes do not.
    assert np.sqrt(np.mean(out**2)) > 0.9 * np.sqrt(np.mean(a**2))
