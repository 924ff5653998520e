import numpy as np
import pytest

from audiogs_core.baselines import nearest_view
from audiogs_core.errors import AudioGSError

from _baseline_data import FACING_Y, T, make_inputs, rng  # noqa: F401 (rng is a fixture)

POSITIONS = [[0.0, 0.0, 1.6], [2.0, 0.0, 1.6], [0.0, 3.0, 1.6]]


@pytest.mark.parametrize(("target", "expected"), [
    ([0.2, -0.1, 1.6], 0), ([1.6, 0.5, 1.6], 1), ([0.4, 2.0, 1.0], 2),
])
def test_picks_the_closest_train_view(rng, target, expected):
    audio = rng.standard_normal((3, 2, T)).astype(np.float32)
    inputs = make_inputs(rng.standard_normal((1, T)), audio, POSITIONS)
    out = nearest_view.predict(inputs, np.array(target), FACING_Y)
    np.testing.assert_array_equal(out, audio[expected])
    assert nearest_view.nearest_index(inputs.train_positions, np.array(target)) == expected


def test_no_train_views_is_an_error(rng):
    inputs = make_inputs(rng.standard_normal((1, T)), np.zeros((0, 2, T)), np.zeros((0, 3)))
    with pytest.raises(AudioGSError, match="nearest_view"):
        nearest_view.predict(inputs, np.zeros(3), FACING_Y)
