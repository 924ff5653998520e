import numpy as np

from audiogs_core.baselines import input_copy

from _baseline_data import FACING_Y, T, make_inputs, rng  # noqa: F401 (rng is a fixture)


def test_mono_reference_is_copied_to_both_ears(rng):
    reference = rng.standard_normal((1, T)).astype(np.float32)
    inputs = make_inputs(reference, rng.standard_normal((1, 2, T)), [[0, 0, 0]])
    out = input_copy.predict(inputs, np.array([1.0, 2.0, 1.6]), FACING_Y)
    assert out.shape == (2, T) and out.dtype == np.float32
    np.testing.assert_array_equal(out[0], reference[0])
    np.testing.assert_array_equal(out[1], reference[0])


def test_binaural_reference_gives_the_channel_mean(rng):
    reference = rng.standard_normal((2, T)).astype(np.float32)
    inputs = make_inputs(reference, rng.standard_normal((1, 2, T)), [[0, 0, 0]])
    out = input_copy.predict(inputs, np.zeros(3), FACING_Y)
    np.testing.assert_allclose(out, np.stack([reference.mean(0)] * 2), atol=1e-7)
