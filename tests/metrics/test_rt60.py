import json

import numpy as np
import pytest

from audiogs_core.metrics.rt60 import WEIGHTS_PATH, estimate_rt60, load_estimator
from audiogs_core.metrics.rt60_sim import simulate_clips

# The honest bar from the task: held-out simulated rooms within 0.1 s.
MAE_LIMIT_S = 0.1


def test_weights_are_small_safetensors_with_their_training_record():
    assert WEIGHTS_PATH.is_file() and WEIGHTS_PATH.stat().st_size < 1_000_000
    record = json.loads(WEIGHTS_PATH.with_suffix(".json").read_text())
    assert record["format"] == "audiogs.rt60_estimator"
    assert record["result"]["test_mae_3s_s"] < MAE_LIMIT_S
    assert load_estimator() is load_estimator()  # cached


def test_held_out_rooms():
    # a seed the training script never uses (it uses 20260..20262)
    clips, labels = simulate_clips(seed=4242, n=8)
    est = estimate_rt60(clips)
    assert est.shape == (8,)
    mae = float(np.mean(np.abs(est - labels)))
    assert mae < MAE_LIMIT_S, (est, labels)
    assert np.corrcoef(est, labels)[0, 1] > 0.8, (est, labels)


def test_level_does_not_matter():
    clips, _ = simulate_clips(seed=4243, n=2)
    est = estimate_rt60(clips)
    np.testing.assert_allclose(estimate_rt60(clips * 30.0), est, rtol=1e-4)


def test_other_rates_and_one_dimensional_input():
    clips, _ = simulate_clips(seed=4244, n=1)
    from audiogs_core.io.audio import resample

    at16 = estimate_rt60(clips[0])
    at48 = estimate_rt60(resample(clips[0], 16000, 48000, dtype=np.float64), 48000)
    assert at16.shape == (1,) and at48 == pytest.approx(at16, abs=0.05)
