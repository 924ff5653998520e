import numpy as np
import pytest

from audiogs_core.baselines import (
    IMPLICIT_FIELD, NEEDS_SOURCES, NON_LEARNED, FitOptions, Method, baseline_names, build_baseline,
)
from audiogs_core.errors import AudioGSError
from audiogs_core.geometry import yaw_to_quat
from audiogs_core.io.listener_path import ListenerPath

from _baseline_data import FACING_Y, SR, T, make_inputs, rng  # noqa: F401 (rng is a fixture)


def _inputs(rng, sources=([1, 2, 1.6],)):
    return make_inputs(rng.standard_normal((1, T)), rng.standard_normal((2, 2, T)),
                       [[0, 0, 1.6], [2, 0, 1.6]], sources=sources, reference_position=[1.3, 2, 1.6])


def test_every_baseline_is_one_method_with_binaural_output(rng):
    assert baseline_names() == ("input", "nearest_view", "idw_mix", "mean_view", "dsp", "implicit_field")
    inputs = _inputs(rng)
    for name in NON_LEARNED:
        method = build_baseline(name, inputs)
        assert isinstance(method, Method) and method.name == name
        out = method.predict(np.array([1.0, 0.5, 1.6]), FACING_Y)
        assert out.shape == (2, T) and out.dtype == np.float32, name
        assert np.all(np.isfinite(out)), name
    assert NEEDS_SOURCES <= set(baseline_names())


def test_the_implicit_field_is_built_behind_the_same_interface(rng):
    from audiogs_core.train.settings import TrainSettings

    method = build_baseline(IMPLICIT_FIELD, _inputs(rng), FitOptions(settings=TrainSettings(epochs=1)))
    assert isinstance(method, Method) and method.name == IMPLICIT_FIELD
    assert method.predict(np.array([1.0, 0.5, 1.6]), FACING_Y).shape == (2, T)


def test_unknown_baseline_or_unmet_needs_is_an_error(rng):
    with pytest.raises(AudioGSError, match="unknown baseline 'nerf'"):
        build_baseline("nerf", _inputs(rng))
    with pytest.raises(AudioGSError, match="needs at least one known source"):
        build_baseline("dsp", _inputs(rng, sources=()))


def test_a_standing_baseline_follows_a_path_as_crossfaded_knots(rng):
    # nearest_view along a walk from view 0 to view 1: view 0's recording at the start,
    # view 1's at the end, a short fade where the nearest view switches.
    inputs = _inputs(rng)
    method = build_baseline("nearest_view", inputs)
    q = yaw_to_quat(np.pi / 2)
    path = ListenerPath(np.array([0.0, 1.0]), np.array([[0, 0, 1.6], [2, 0, 1.6]]), np.stack([q, q]))
    out = method.predict_path(path)
    assert out.shape == (2, T)
    np.testing.assert_allclose(out[:, : SR // 3], inputs.train_audio[0][:, : SR // 3], atol=1e-6)
    np.testing.assert_allclose(out[:, -SR // 3:], inputs.train_audio[1][:, -SR // 3:], atol=1e-6)
    mixed = np.flatnonzero(~np.isclose(out[0], inputs.train_audio[0][0], atol=1e-6)
                           & ~np.isclose(out[0], inputs.train_audio[1][0], atol=1e-6))
    assert 0 < mixed.size <= 0.1 * SR + 1  # at most one knot interval of fade
    # one frame: a standing listener over the whole recording
    one = ListenerPath(np.array([0.5]), np.array([[2, 0, 1.6]]), q[None, :])
    np.testing.assert_allclose(method.predict_path(one), inputs.train_audio[1], atol=1e-6)
