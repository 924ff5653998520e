"""Training end to end on the small free-field capture, resume and determinism."""

import dataclasses

import numpy as np
import pytest
import torch

from audiogs_core.baselines import BaselineInputs, build_baseline
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.io.model_folder import read_model_folder
from audiogs_core.metrics.evaluate import evaluate
from audiogs_core.metrics.spectral import mag
from audiogs_core.renderer import LoadedModel, load_model, render_static
from audiogs_core.train.presets import get_preset
from audiogs_core.train.data import training_data_from_capture
from audiogs_core.train.settings import TrainSettings
from audiogs_core.train.trainer import train_model


@pytest.fixture(scope="module")
def data(freefield_capture):
    capture = load_capture(freefield_capture)
    audio = load_capture_audio(capture)
    return capture, audio, training_data_from_capture(capture, audio)


def _baseline(name, td, view):
    """The baseline ``name``'s prediction [2, T] of ``view`` from the training data's train views."""
    return build_baseline(name, BaselineInputs.from_training(td)).predict(view.pose.position, view.pose.rotation)


def _scores(pred, target):
    """MAG, ENV and ITDE of one 3 s window, as the benchmark scores them."""
    return evaluate(pred, target, 16000, ["MAG", "ENV", "ITDE"], ("3s",))["3s"]


def test_training_lowers_the_loss_and_beats_the_view_baselines(data, tmp_path):
    capture, audio, td = data
    result = train_model(td, TrainSettings(epochs=8), out_dir=tmp_path / "model")
    assert result.epoch_loss[-1] < 0.8 * result.epoch_loss[0]
    model = read_model_folder(tmp_path / "model")
    assert model.meta["training"]["status"] == "complete"
    assert model.tensors["mu"].shape == (model.K, 257, 3)
    loaded = load_model(tmp_path / "model")
    test = capture.view("view5")
    pred = render_static(loaded, test.pose.position, test.pose.rotation)
    target = audio.views["view5"]
    input_copy = np.repeat(audio.reference, 2, axis=0)
    assert mag(pred, target, 16000) < 0.5 * mag(input_copy, target, 16000)
    # The starting gain alone beats the copied close mic; the views' own magnitudes
    # are the bar a trained field must pass (the test view is farther than every train view).
    ours = _scores(pred, target)
    for name in ("mean_view", "nearest_view"):
        theirs = _scores(_baseline(name, td, test), target)
        assert ours["MAG"] < 0.95 * theirs["MAG"] and ours["ENV"] < 0.95 * theirs["ENV"], (name, ours, theirs)


def test_tuned_preset_renders_the_direction_that_copying_a_view_misses(data):
    capture, audio, td = data
    preset = get_preset("tuned")
    result = train_model(td, dataclasses.replace(preset.settings, epochs=8), preset.flags)
    loaded = LoadedModel(model=result.model, reference=td.reference, meta=result.meta, room=result.room)
    test = capture.view("view5")
    pred = render_static(loaded, test.pose.position, test.pose.rotation)
    target = audio.views["view5"]
    ours = _scores(pred, target)
    for name in ("mean_view", "nearest_view"):
        theirs = _scores(_baseline(name, td, test), target)
        assert ours["ITDE"] < 0.5 * theirs["ITDE"], (name, ours, theirs)


class _InterruptAt:
    def __init__(self, step):
        self.step = step

    def update(self, step, total, **fields):
        if step == self.step:
            raise KeyboardInterrupt


def _small(td):
    """Two views, 1.5 s: enough for the loop logic, cheap to train three times."""
    n = int(1.5 * td.sample_rate)
    return dataclasses.replace(td, reference=td.reference[:, :n], view_names=td.view_names[:2],
                               view_positions=td.view_positions[:2], view_rotations=td.view_rotations[:2],
                               view_audio=td.view_audio[:2, :, :n])


def test_interrupted_run_resumes_to_the_uninterrupted_result(data, tmp_path):
    td = _small(data[2])
    settings = TrainSettings(epochs=2, window_s=0.5, seed=3)  # 3 windows: interrupt mid-epoch
    full = train_model(td, settings, out_dir=tmp_path / "full")
    with pytest.raises(KeyboardInterrupt):
        train_model(td, settings, out_dir=tmp_path / "cut", progress=_InterruptAt(4))
    assert (tmp_path / "cut" / "checkpoint.json").exists()
    assert not (tmp_path / "cut" / "model.json").exists()
    resumed = train_model(td, settings, out_dir=tmp_path / "cut", resume=True)
    for name, value in full.model.tensors().items():
        assert torch.equal(value, resumed.model.tensors()[name]), name
    assert resumed.epoch_loss == pytest.approx(full.epoch_loss, rel=1e-6)
    again = train_model(td, settings)  # the same seed gives the same model
    assert torch.equal(again.model.tensors()["mu"], full.model.tensors()["mu"])


def test_resume_with_other_settings_is_refused(data, tmp_path):
    td = _small(data[2])
    with pytest.raises(KeyboardInterrupt):
        train_model(td, TrainSettings(epochs=1, window_s=1.0), out_dir=tmp_path / "m", progress=_InterruptAt(1))
    from audiogs_core.errors import AudioGSError

    with pytest.raises(AudioGSError, match="other settings"):
        train_model(td, TrainSettings(epochs=1, window_s=1.0, lr_mu=0.1), out_dir=tmp_path / "m", resume=True)


@pytest.mark.parametrize("setting, value, choices", [("tail_init", "measured", "fixed or fit"),
                                                     ("final_level", "loud", "none or energy"),
                                                     ("room_magnitude", "median", "sum or mean"),
                                                     ("direct_level", "guess", "search or transfer")])
def test_an_unknown_setting_value_is_one_clear_error_naming_the_choices(data, setting, value, choices):
    from audiogs_core.errors import AudioGSError

    with pytest.raises(AudioGSError, match=f"unknown {setting} '{value}' \\({choices}\\)"):
        train_model(_small(data[2]), dataclasses.replace(TrainSettings(epochs=1), **{setting: value}))


@pytest.mark.parametrize("value", [-0.001, 0.2, float("nan")])
def test_a_room_start_out_of_range_is_one_clear_error(data, value):
    from audiogs_core.errors import AudioGSError

    with pytest.raises(AudioGSError, match="room_start_s .* is out of range: give 0 to 0.05 s"):
        train_model(_small(data[2]), TrainSettings(epochs=1, room_start_s=value))


@pytest.mark.parametrize("name", ["tuned", "physical"])
def test_presets_resume_to_the_uninterrupted_result(data, tmp_path, name):
    # The presets fit the reverberant tail before training (physical also its direct-to-room
    # balance and the share of the head's level difference, a buffer); a resumed run must end
    # where an uninterrupted one does.
    from audiogs_core.train.presets import get_preset

    td = _small(data[2])
    preset = get_preset(name)
    settings = dataclasses.replace(preset.settings, epochs=2, window_s=0.5, seed=3)
    full = train_model(td, settings, preset.flags, out_dir=tmp_path / "full")
    with pytest.raises(KeyboardInterrupt):
        train_model(td, settings, preset.flags, out_dir=tmp_path / "cut", progress=_InterruptAt(4))
    resumed = train_model(td, settings, preset.flags, out_dir=tmp_path / "cut", resume=True)
    for name, value in full.model.tensors().items():
        assert torch.equal(value, resumed.model.tensors()[name]), name


def test_checkpoint_from_before_a_new_setting_resumes(data, tmp_path):
    import json

    td = _small(data[2])
    settings = TrainSettings(epochs=1, window_s=1.0)
    with pytest.raises(KeyboardInterrupt):
        train_model(td, settings, out_dir=tmp_path / "m", progress=_InterruptAt(1))
    state_path = tmp_path / "m" / "checkpoint.json"
    state = json.loads(state_path.read_text())
    del state["settings"]["tail_init"]  # written by a version without these fields,
    del state["flags"]["diffuse_itd"]  # which then meant their defaults
    state_path.write_text(json.dumps(state))
    result = train_model(td, settings, out_dir=tmp_path / "m", resume=True)
    assert len(result.epoch_loss) == 1


def test_a_close_mics_checkpoint_from_before_the_binaural_flag_resumes(data, tmp_path):
    # binaural_recorded_room does nothing with a close mic: a checkpoint written before the flag
    # existed (so without it: off) resumes a run that asks for it; a binaural reference's would not.
    import json

    from audiogs_core.errors import AudioGSError
    from audiogs_core.train.presets import get_preset

    td = _small(data[2])
    assert td.reference.shape[0] == 1
    preset = get_preset("physical")
    preset = dataclasses.replace(preset, flags=dataclasses.replace(preset.flags, binaural_recorded_room=True))
    settings = dataclasses.replace(preset.settings, epochs=1, window_s=0.5)
    with pytest.raises(KeyboardInterrupt):
        train_model(td, settings, preset.flags, out_dir=tmp_path / "m", progress=_InterruptAt(1))
    state_path = tmp_path / "m" / "checkpoint.json"
    state = json.loads(state_path.read_text())
    del state["flags"]["binaural_recorded_room"]
    state_path.write_text(json.dumps(state))
    assert len(train_model(td, settings, preset.flags, out_dir=tmp_path / "m", resume=True).epoch_loss) == 1
    state["flags"]["recorded_room"] = False  # a flag that does change a close mic's model
    with pytest.raises(KeyboardInterrupt):
        train_model(td, settings, preset.flags, out_dir=tmp_path / "n", progress=_InterruptAt(1))
    (tmp_path / "n" / "checkpoint.json").write_text(json.dumps(state))
    with pytest.raises(AudioGSError, match="other settings or flags"):
        train_model(td, settings, preset.flags, out_dir=tmp_path / "n", resume=True)
