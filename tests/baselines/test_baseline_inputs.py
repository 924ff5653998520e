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


def test_from_training_takes_the_trainers_reference_views_and_sources(rng):
    from audiogs_core.train.data import TrainingData

    data = TrainingData(
        sample_rate=SR, reference=rng.standard_normal((1, T)).astype(np.float32),
        reference_position=np.array([1.0, 2.0, 1.6]), reference_rotation=None, head_radius=0.08,
        view_names=["a", "b"], view_positions=np.array([[0.0, 0, 1.6], [1, 0, 1.6]]),
        view_rotations=np.tile([1.0, 0, 0, 0], (2, 1)),
        view_audio=rng.standard_normal((2, 2, T)).astype(np.float32),
        source_positions=np.array([[3.0, 2.5, 1.6]]),
    )
    inputs = BaselineInputs.from_training(data)
    assert inputs.sample_rate == SR and inputs.head_radius == 0.08
    np.testing.assert_array_equal(inputs.reference, data.reference)
    np.testing.assert_array_equal(inputs.reference_position, data.reference_position)
    np.testing.assert_array_equal(inputs.train_positions, data.view_positions)
    np.testing.assert_array_equal(inputs.train_rotations, data.view_rotations)
    np.testing.assert_array_equal(inputs.train_audio, data.view_audio)
    np.testing.assert_array_equal(inputs.sources, data.source_positions)
    data.source_positions = None  # a capture that names no source
    assert BaselineInputs.from_training(data).sources.shape == (0, 3)
