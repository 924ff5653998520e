import numpy as np
import pytest

from audiogs_core.baselines.inputs import BaselineInputs, check_pose
from audiogs_core.errors import AudioGSError

from _baseline_data import SR, T, make_inputs, rng  # noqa: F401 (rng is a fixture)


def test_inputs_accept_mono_vector_and_empty_sources(rng):
    inputs = make_inputs(rng.standard_normal(T), rng.standard_normal((2, 2, T)),
                         [[0, 0, 0], [1, 0, 0]], sources=[])
    assert inputs.reference.shape == (1, T) and inputs.reference.dtype == np.float32
    assert inputs.sources.shape == (0, 3)
    assert inputs.n_views == 2 and inputs.n_samples == T


def test_inputs_reject_length_mismatch(rng):
    with pytest.raises(AudioGSError, match="train_audio"):
        make_inputs(rng.standard_normal((1, T)), rng.standard_normal((2, 2, T - 5)),
                    [[0, 0, 0], [1, 0, 0]])


def test_inputs_reject_bad_reference_position(rng):
    with pytest.raises(AudioGSError, match="reference_position"):
        BaselineInputs(SR, rng.standard_normal((1, T)), np.array([1.0, 2.0]),
                       np.zeros((0, 3)), np.zeros((0, 4)), np.zeros((0, 2, T)), np.zeros((0, 3)))


def test_check_pose_normalises_and_rejects_zero_quaternion():
    _, q = check_pose([0, 0, 0], [2.0, 0, 0, 0])
    assert np.allclose(q, [1, 0, 0, 0])
    with pytest.raises(AudioGSError, match="rotation"):
        check_pose([0, 0, 0], [0, 0, 0, 0])
