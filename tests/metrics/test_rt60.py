import json
from pathlib import Path

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


# --------------------------------------------------------------------------- benchmark-style input

DEV_ROOMS = Path(__file__).resolve().parents[2] / "docs" / "experiments" / "dev_rooms"


@pytest.fixture(scope="module")
def binaural_rooms():
    """Two heads in each of two development rooms (RT60 about 0.5 and 0.8 s), KEMAR ears as
    the benchmark's, 7 s of noise bursts; per room the RIR-measured RT60 of each head's ears
    (T20 of its own impulse responses, [heads, 2]) and each head's [2, T] high-passed recording."""
    from scipy.signal import fftconvolve

    from audiogs_core.metrics.highpass import highpass
    from audiogs_core.sim.hrtf import kemar_bank
    from audiogs_core.sim.layouts import ring_layout
    from audiogs_core.sim.rooms import obj_room
    from audiogs_core.sim.simulate import ear_rirs, measure_rt60
    from audiogs_core.metrics.rt60_sim import noise_bursts

    bank = kemar_bank(16000)
    dry = noise_bursts(np.random.default_rng(5), 7.0)
    out = {}
    for name in ("devbox", "devtall"):
        room = obj_room(DEV_ROOMS / f"{name}.obj")
        views = [v for v in ring_layout(room, seed=3) if v.name in ("ring2", "turned_right")]
        ref, left, right = ear_rirs(room, views, bank, 16000, seed=3, rt_time=1.5)
        heads = [highpass(np.stack([fftconvolve(dry, l)[:len(dry)], fftconvolve(dry, r)[:len(dry)]]), 16000)
                 for l, r in zip(left, right)]
        measured = np.array([[measure_rt60(l, 16000), measure_rt60(r, 16000)] for l, r in zip(left, right)])
        out[name] = (measured, heads)
    return out


def test_binaural_benchmark_windows_read_the_rooms_decay(binaural_rooms):
    """Each ear of each 3 s window (after 1 s of lead-in) within the bar of the RIR's RT60."""
    reads = {}
    for name, (measured, heads) in binaural_rooms.items():
        est = np.array([estimate_rt60(h[:, start:start + 48000]) for h in heads for start in (16000, 64000)])
        assert est.shape == (4, 2)
        truth = np.repeat(measured, 2, axis=0)  # each head's two windows against its own ears' decay
        assert np.abs(est - truth).max() < MAE_LIMIT_S, (name, measured, est)
        reads[name] = est.mean()
    assert reads["devtall"] > reads["devbox"] + 0.2, reads


def test_rte_pairs_each_ear_with_its_own(binaural_rooms):
    """A prediction with each ear from another room: RTE small as it is, large with the ears swapped."""
    from audiogs_core.metrics.evaluate import evaluate

    _, (box, _) = binaural_rooms["devbox"]
    _, (tall, _) = binaural_rooms["devtall"]
    window = slice(16000, 64000)
    target = np.stack([box[0, window], tall[1, window]])
    prediction = np.stack([box[1, window], tall[0, window]])  # the other ear of the same room
    right = evaluate(prediction, target, 16000, ["RTE"], ("3s",))["3s"]["RTE"]
    swapped = evaluate(prediction[::-1].copy(), target, 16000, ["RTE"], ("3s",))["3s"]["RTE"]
    assert right < 0.08 and swapped > 0.2, (right, swapped)
