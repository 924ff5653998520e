import numpy as np
import pytest

from audiogs_core.baselines import BASELINES, NEEDS_SOURCES, baseline_names, get_baseline
from audiogs_core.errors import AudioGSError

from _baseline_data import FACING_Y, T, make_inputs, rng  # noqa: F401 (rng is a fixture)


def test_every_baseline_predicts_binaural_of_input_length(rng):
    assert baseline_names() == ("input", "nearest_view", "mean_view", "dsp")
    inputs = make_inputs(rng.standard_normal((1, T)), rng.standard_normal((2, 2, T)),
                         [[0, 0, 1.6], [2, 0, 1.6]], sources=[[1, 2, 1.6]],
                         reference_position=[1.3, 2, 1.6])
    for name in baseline_names():
        out = get_baseline(name)(inputs, np.array([1.0, 0.5, 1.6]), FACING_Y)
        assert out.shape == (2, T) and out.dtype == np.float32, name
        assert np.all(np.isfinite(out)), name
    assert NEEDS_SOURCES <= set(BASELINES)


def test_unknown_baseline_is_an_error():
    with pytest.raises(AudioGSError, match="unknown baseline 'nerf'"):
        get_baseline("nerf")
