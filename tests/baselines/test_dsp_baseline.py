import math

import numpy as np
import pytest
from scipy import signal

from audiogs_core.baselines import dsp
from audiogs_core.conventions import HEAD_RADIUS, SPEED_OF_SOUND
from audiogs_core.errors import AudioGSError

from _baseline_data import FACING_Y, SR, T, make_inputs, rng  # noqa: F401 (rng is a fixture)

LISTENER = np.array([0.0, 0.0, 1.6])
# Level head facing world -Y: its right ear points to world -X.
FACING_MINUS_Y = np.array([0.0, 0.0, 0.7071068, 0.7071068])


def _inputs(rng, sources, reference_position=None):
    reference = rng.standard_normal((1, T)).astype(np.float32)
    return make_inputs(reference, np.zeros((1, 2, T)), [[0, 0, 1.6]], sources=sources,
                       reference_position=reference_position)


def _right_lead_samples(out: np.ndarray) -> int:
    """Lag (samples) by which the left ear trails the right one (> 0: right leads)."""
    corr = signal.correlate(out[0], out[1], mode="full", method="fft")
    lags = signal.correlation_lags(len(out[0]), len(out[1]), mode="full")
    return int(lags[np.argmax(corr)])


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))


def test_source_on_the_right_leads_and_is_louder(rng):
    inputs = _inputs(rng, [LISTENER + [2.0, 0, 0]], reference_position=LISTENER + [2.3, 0, 0])
    out = dsp.predict(inputs, LISTENER, FACING_Y)
    assert out.shape == (2, T) and out.dtype == np.float32
    woodworth = HEAD_RADIUS / SPEED_OF_SOUND * (math.pi / 2 + 1) * SR  # about 10.8 samples
    assert _right_lead_samples(out) == pytest.approx(woodworth, abs=1.5)
    assert 20 * math.log10(_rms(out[1]) / _rms(out[0])) > 3.0


def test_turning_the_head_swaps_the_ears(rng):
    inputs = _inputs(rng, [LISTENER + [2.0, 0, 0]], reference_position=LISTENER + [2.3, 0, 0])
    out = dsp.predict(inputs, LISTENER, FACING_MINUS_Y)
    assert _right_lead_samples(out) < -8
    assert _rms(out[0]) > _rms(out[1])


def test_source_in_front_is_symmetric(rng):
    inputs = _inputs(rng, [LISTENER + [0, 2.0, 0]])
    out = dsp.predict(inputs, LISTENER, FACING_Y)
    np.testing.assert_allclose(out[0], out[1], atol=1e-5)


def test_twice_as_far_is_about_half_as_loud(rng):
    source = np.array([4.0, 0.0, 1.6])
    inputs = _inputs(rng, [source], reference_position=source + [0.3, 0, 0])
    near = dsp.predict(inputs, source - [3.0, 0, 0], FACING_Y)
    far = dsp.predict(inputs, source - [6.0, 0, 0], FACING_Y)
    for ear in range(2):
        assert _rms(far[ear]) / _rms(near[ear]) == pytest.approx(0.5, abs=0.03)


def test_propagation_delay_relative_to_reference(rng):
    # Reference mic 0.3 m from the source, listener's ears about 3.4 m from it:
    # the output trails the reference by (r_ear - r_ref)/c.
    source = np.array([0.0, 3.4, 1.6])
    inputs = _inputs(rng, [source], reference_position=source + [0.3, 0, 0])
    out = dsp.predict(inputs, LISTENER, FACING_Y)
    corr = signal.correlate(out[0], inputs.reference[0], mode="full", method="fft")
    lags = signal.correlation_lags(T, T, mode="full")
    r_ear = math.hypot(3.4, HEAD_RADIUS)
    assert lags[np.argmax(corr)] == pytest.approx((r_ear - 0.3) / SPEED_OF_SOUND * SR, abs=1)


def test_unknown_reference_position_means_one_metre(rng):
    source = np.array([1.0, 2.0, 1.6])
    unknown = dsp.predict(_inputs(rng, [source]), LISTENER, FACING_Y)
    rng2 = np.random.default_rng(1234)
    known = dsp.predict(_inputs(rng2, [source], reference_position=source + [0, 0, 1.0]),
                        LISTENER, FACING_Y)
    np.testing.assert_allclose(unknown, known, atol=1e-6)


def test_several_sources_sum(rng):
    a, b = np.array([2.0, 1.0, 1.6]), np.array([-1.0, 2.0, 1.6])
    state = rng.bit_generator.state
    both = dsp.predict(_inputs(rng, [a, b]), LISTENER, FACING_Y)
    outs = []
    for src in (a, b):
        rng.bit_generator.state = state
        outs.append(dsp.predict(_inputs(rng, [src]), LISTENER, FACING_Y))
    np.testing.assert_allclose(both, outs[0] + outs[1], atol=1e-5)


def test_no_sources_is_an_error(rng):
    with pytest.raises(AudioGSError, match="source"):
        dsp.predict(_inputs(rng, []), LISTENER, FACING_Y)


def test_far_field_path_difference_matches_woodworth():
    for lateral in (0.3, 0.8, 1.4):
        source = 200.0 * np.array([math.sin(lateral), math.cos(lateral), 0.0])
        paths, _ = dsp.ear_path_lengths(source, np.zeros(3), np.array([1.0, 0, 0]), HEAD_RADIUS)
        expected = HEAD_RADIUS * (lateral + math.sin(lateral))
        assert paths[0] - paths[1] == pytest.approx(expected, rel=2e-3)
