import numpy as np

from audiogs_core.baselines import mean_view

from _baseline_data import FACING_Y, SR, T, make_inputs, rng  # noqa: F401 (rng is a fixture)


def test_stft_uses_project_settings(rng):
    spec = mean_view.stft(rng.standard_normal((2, T)), SR)
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
    magnitude = mean_view.stft(near_first, SR).abs()
    expected = mean_view.stft(inputs.train_audio, SR).abs().mean(dim=0)
    np.testing.assert_allclose(magnitude.numpy(), expected.numpy(), atol=1e-3)
