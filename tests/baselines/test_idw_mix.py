import numpy as np
import pytest

from audiogs_core.baselines import idw_mix

from _baseline_data import FACING_Y, T, make_inputs, rng  # noqa: F401 (rng is a fixture)


def test_weights_are_inverse_square_distances_summing_to_one():
    w = idw_mix.weights(np.array([[0.0, 0, 0], [3.0, 0, 0]]), np.array([1.0, 0, 0]))
    # distances 1 and 2: 1 and 1/4, normalised
    np.testing.assert_allclose(w, [0.8, 0.2])
    on_top = idw_mix.weights(np.array([[0.0, 0, 0], [1.0, 0, 0]]), np.array([0.0, 0, 0]))
    np.testing.assert_allclose(on_top, [100 / 101, 1 / 101])  # 0.1 m floor: 1/0.01 against 1/1


def test_prediction_is_the_weighted_mix(rng):
    audio = rng.standard_normal((2, 2, T)).astype(np.float32)
    inputs = make_inputs(rng.standard_normal((1, T)), audio, [[0, 0, 1.6], [3, 0, 1.6]])
    out = idw_mix.predict(inputs, np.array([1.0, 0.0, 1.6]), FACING_Y)
    np.testing.assert_allclose(out, 0.8 * audio[0] + 0.2 * audio[1], atol=1e-6)
    assert out.dtype == np.float32


def test_needs_a_train_view(rng):
    from audiogs_core.errors import AudioGSError

    inputs = make_inputs(rng.standard_normal((1, T)), np.zeros((0, 2, T)), np.zeros((0, 3)))
    with pytest.raises(AudioGSError, match="at least one train view"):
        idw_mix.predict(inputs, np.zeros(3), FACING_Y)
