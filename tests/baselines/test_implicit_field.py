"""The implicit-field baseline: encodings, the shared output model, training and determinism."""

import numpy as np
import pytest
import torch

from _baseline_data import SR, T, make_inputs
from audiogs_core.baselines import implicit_field as imf
from audiogs_core.conventions import stft_settings
from audiogs_core.dsp.stft import istft, stft
from audiogs_core.errors import AudioGSError
from audiogs_core.geometry import quat_to_matrix, yaw_to_quat
from audiogs_core.train.settings import TrainSettings

SMALL = imf.FieldSettings(hidden=16, layers=2, pe_position=2, pe_direction=2, pe_time=3, pe_frequency=3)


@pytest.fixture(scope="module")
def inputs():
    """1 s, a close-mic reference and 3 views hearing it filtered and delayed differently."""
    rng = np.random.default_rng(7)
    ref = rng.standard_normal(T).astype(np.float32) * 0.1
    views = []
    for k in range(3):
        left = np.roll(ref, 3 + k) * (0.5 + 0.1 * k)
        right = np.roll(ref, 5 + 2 * k) * (0.3 + 0.1 * k)
        views.append(np.stack([left, right]))
    return make_inputs(ref[None], np.stack(views), [[1.0, 0.0, 1.6], [0.0, 1.0, 1.6], [-1.0, 0.0, 1.6]],
                       reference_position=[0.0, 0.0, 1.6])


def test_encode_shape_and_values():
    x = torch.tensor([[0.0, 0.5]])
    enc = imf.encode(x, 3)
    assert enc.shape == (1, 2 * (1 + 2 * 3))
    # x itself, then sin(2^k pi x) for k = 0..2 and cos(2^k pi x) for each input
    assert torch.allclose(enc[0, :2], x[0])
    sin0 = enc[0, 2:5]
    assert torch.allclose(sin0, torch.zeros(3), atol=1e-7)
    assert torch.allclose(enc[0, 5:8], torch.ones(3))
    assert torch.allclose(enc[0, 8:11], torch.sin(torch.tensor([0.5, 1.0, 2.0]) * torch.pi), atol=1e-6)


def test_untrained_field_is_the_gain_filtered_reference(inputs):
    """Zero-initialised outputs: mask 1, side 0, so both ears are G_f |X| with the reference phase."""
    fitted = imf.fit(inputs, TrainSettings(epochs=0), SMALL)
    assert fitted.steps == 0
    pred = imf.predict(fitted, [0.5, 0.5, 1.6], yaw_to_quat(0.3))
    cfg = stft_settings(SR)
    gain = torch.pow(10.0, fitted.model.gain_db.detach() / 20.0)[:, None]
    expected = istft(gain * stft(torch.from_numpy(inputs.reference[0]), cfg), cfg, T).numpy()
    assert pred.shape == (2, T) and pred.dtype == np.float32
    np.testing.assert_allclose(pred[0], expected, atol=1e-5)
    np.testing.assert_allclose(pred[1], expected, atol=1e-5)


def test_initial_gain_is_the_trainers(inputs):
    from audiogs_core.metrics.highpass import highpass
    from audiogs_core.train.data import initial_gain_db

    fitted = imf.fit(inputs, TrainSettings(epochs=0), SMALL)
    cfg = stft_settings(SR)
    ref = highpass(inputs.reference, SR)
    views = np.stack([highpass(v, SR) for v in inputs.train_audio])
    np.testing.assert_allclose(fitted.model.gain_db.detach().numpy(), initial_gain_db(ref, views, cfg), atol=1e-5)


def test_training_takes_the_trainers_steps_lowers_the_loss_and_is_deterministic(inputs):
    settings = TrainSettings(epochs=4, window_s=0.25, seed=3)
    steps = []

    class Counter:
        def update(self, step, total, **fields):
            steps.append((step, total))

    a = imf.fit(inputs, settings, SMALL, progress=Counter())
    assert a.steps == 4 * 4 and steps[-1] == (16, 16) and len(steps) == 16  # epochs x windows
    assert a.epoch_loss[-1] < a.epoch_loss[0]
    b = imf.fit(inputs, settings, SMALL)
    pose = ([0.2, -0.4, 1.6], yaw_to_quat(1.0))
    np.testing.assert_array_equal(imf.predict(a, *pose), imf.predict(b, *pose))
    c = imf.fit(inputs, TrainSettings(epochs=4, window_s=0.25, seed=4), SMALL)
    assert not np.array_equal(imf.predict(a, *pose), imf.predict(c, *pose))


def test_orientation_and_position_reach_the_output(inputs):
    fitted = imf.fit(inputs, TrainSettings(epochs=0), SMALL)
    model = fitted.model
    with torch.no_grad():
        torch.nn.init.normal_(model.out.weight, std=0.5)
    pos = torch.tensor([[0.5, 0.5, 1.6]])
    cells = torch.arange(3)
    rot_a = torch.as_tensor(quat_to_matrix(yaw_to_quat(0.0)), dtype=torch.float32)[None]
    rot_b = torch.as_tensor(quat_to_matrix(yaw_to_quat(2.0)), dtype=torch.float32)[None]
    with torch.no_grad():
        la, ra = model.cell_gains(pos, rot_a, cells)
        lb, _ = model.cell_gains(pos, rot_b, cells)
        lc, _ = model.cell_gains(pos + 1.0, rot_a, cells)
    assert la.shape == (1, 3, model.n_freq)
    assert not torch.allclose(la, lb) and not torch.allclose(la, lc)
    assert not torch.allclose(la, ra)  # the side term splits the ears
    assert torch.all(la >= 0) and torch.all(ra >= 0)  # ReLU magnitudes


def test_binaural_reference_phase_per_ear(inputs):
    """A binaural reference lends each ear its own phase (as AudioGS does)."""
    two = make_inputs(inputs.train_audio[0], inputs.train_audio, inputs.train_positions,
                      reference_position=[1.0, 0.0, 1.6])
    fitted = imf.fit(two, TrainSettings(epochs=0), SMALL)
    pred = imf.predict(fitted, [0.5, 0.5, 1.6], yaw_to_quat(0.0))
    # Same magnitudes (the mean of both reference channels) but the ears follow their own channel.
    assert not np.allclose(pred[0], pred[1], atol=1e-4)


def test_no_train_view_is_an_error():
    empty = make_inputs(np.zeros((1, T), np.float32), np.zeros((0, 2, T), np.float32), np.zeros((0, 3)))
    with pytest.raises(AudioGSError, match="implicit_field"):
        imf.fit(empty, TrainSettings(epochs=1), SMALL)


def test_long_predictions_are_chunked_without_seams(inputs, monkeypatch):
    fitted = imf.fit(inputs, TrainSettings(epochs=1, window_s=0.5), SMALL)
    pose = ([0.2, 0.1, 1.6], yaw_to_quat(0.5))
    whole = imf.predict(fitted, *pose)
    monkeypatch.setattr(imf, "PREDICT_CHUNK_CELLS", 7)
    np.testing.assert_allclose(imf.predict(fitted, *pose), whole, atol=1e-6)
