"""The physical preset (flag split_field) trained end to end: level by distance, the model
folder it writes, and the room's corners."""

import copy
import dataclasses
import json

import numpy as np
import pytest
import torch

from _freefield import SOURCE, binaural, dry_signal

from audiogs_core.geometry import yaw_to_quat
from audiogs_core.io.capture import load_capture, load_capture_audio
from audiogs_core.io.model_folder import MODEL_VERSION, read_model_folder
from audiogs_core.metrics.highpass import highpass
from audiogs_core.renderer import LoadedModel, load_model, render_static
from audiogs_core.sim.rooms import _extrude
from audiogs_core.train.data import training_data_from_capture
from audiogs_core.train.presets import get_preset
from audiogs_core.train.trainer import train_model

# An L-shaped room round the free-field capture: its views stand in the lower wing
# (y < 5), a second wing goes up on the left (x < 1.5) out of the source's sight.
L_ROOM = _extrude([(0.0, 0.0), (7.0, 0.0), (7.0, 5.0), (1.5, 5.0), (1.5, 10.0), (0.0, 10.0)], 3.0)


def _level_db(x):
    x = highpass(np.asarray(x, dtype=np.float32), 16000)
    return 10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-20)


@pytest.fixture(scope="module")
def trained(freefield_capture, tmp_path_factory):
    capture = load_capture(freefield_capture)
    audio = load_capture_audio(capture)
    td = dataclasses.replace(training_data_from_capture(capture, audio), room_polygons=L_ROOM)
    preset = get_preset("physical")
    out = tmp_path_factory.mktemp("physical") / "model"
    result = train_model(td, dataclasses.replace(preset.settings, epochs=8), preset.flags, out_dir=out)
    return capture, audio, result, out


def test_a_dolly_towards_the_talker_gets_louder_as_the_truth_does(trained):
    _, _, _, out = trained
    loaded = load_model(out)
    dry = dry_signal(3.0, 16000)
    direction = np.array([np.cos(2.0), np.sin(2.0), 0.0])  # between train views, facing the source
    rot = yaw_to_quat(float(np.arctan2(-direction[1], -direction[0])))
    levels = {}
    for d in (0.8, 2.4):
        pos = SOURCE + d * direction
        levels[d] = (_level_db(render_static(loaded, pos, rot)), _level_db(binaural(dry, pos, rot, 16000)))
    rise_pred = levels[0.8][0] - levels[2.4][0]
    rise_true = levels[0.8][1] - levels[2.4][1]
    assert rise_true > 6.0  # 1/r and a few reflections: about 7 dB
    # the reflections within the first frame make the truth rise a little less than the direct sound
    assert abs(rise_pred - rise_true) < 0.25 * rise_true, (rise_pred, rise_true)


def test_the_model_folder_keeps_the_geometry_and_renders_as_trained(trained):
    capture, _, result, out = trained
    folder = read_model_folder(out)
    assert folder.meta["version"] == MODEL_VERSION and folder.meta["room_mesh"] == "room.obj"
    room = folder.read_room_audio()  # a close mic's recorded room
    assert folder.meta["room_audio"] == "room.wav" and room.shape == (2, folder.read_reference()[0].shape[1])
    assert np.allclose(folder.meta["direct"]["source_position"], capture.sources[0].position)
    assert folder.tensors["diffuse_coherence"].shape == (257,)
    loaded = load_model(out)
    assert loaded.occlusion is not None and loaded.occlusion.edges.shape[0] == 1  # the corner at (1.5, 5)
    view = capture.view("view1")
    a = render_static(loaded, view.pose.position, view.pose.rotation)
    in_memory = dataclasses.replace(loaded, model=result.model)
    assert np.allclose(a, render_static(in_memory, view.pose.position, view.pose.rotation), atol=1e-5)


def test_round_the_corner_the_talker_is_heard_through_the_opening_not_the_wall(trained):
    _, _, _, out = trained
    loaded = load_model(out)
    free = dataclasses.replace(loaded, occlusion=None)
    behind = np.array([0.75, 8.0, 1.6])  # in the upper wing: the wall at y = 5 hides the source
    rot = yaw_to_quat(0.0)  # facing +x: the opening (1.5, 5) lies to the right and behind
    shadowed = render_static(loaded, behind, rot, duration_s=1.0)
    straight = render_static(free, behind, rot, duration_s=1.0)
    assert _level_db(shadowed) < _level_db(straight) - 3.0
    in_sight = np.array([4.5, 1.0, 1.6])
    assert np.allclose(render_static(loaded, in_sight, rot, duration_s=1.0),
                       render_static(free, in_sight, rot, duration_s=1.0), rtol=1e-4, atol=1e-7)


def test_first_reflections_train_and_are_heard_off_the_rooms_faces(freefield_capture, tmp_path):
    # flag early_reflections with room_removal "response": the talker's first reflections posed
    # from its images, the views' room without them
    capture = load_capture(freefield_capture)
    td = dataclasses.replace(training_data_from_capture(capture, load_capture_audio(capture)), room_polygons=L_ROOM)
    preset = get_preset("physical")
    flags = dataclasses.replace(preset.flags, early_reflections=True)
    settings = dataclasses.replace(preset.settings, epochs=2, room_removal="response")
    train_model(td, settings, flags, out_dir=tmp_path / "model")
    folder = read_model_folder(tmp_path / "model")
    assert folder.meta["flags"]["early_reflections"] is True and folder.meta["version"] == MODEL_VERSION
    assert folder.meta["training"]["settings"]["room_removal"] == "response"
    loaded = load_model(tmp_path / "model")
    without = dataclasses.replace(loaded, model=copy.deepcopy(loaded.model))
    without.model.flags = dataclasses.replace(flags, early_reflections=False)
    pos, rot = np.array([5.5, 1.0, 1.6]), yaw_to_quat(0.0)
    heard, unheard = render_static(loaded, pos, rot, duration_s=1.0), render_static(without, pos, rot, duration_s=1.0)
    assert np.isfinite(heard).all()
    assert _level_db(heard) > _level_db(unheard) + 0.1  # eight faces send the talker back


def test_the_final_level_gives_the_train_views_their_energy(trained):
    # preset physical ends with final_level "energy": the L1 fit's level sits below the energy
    capture, audio, _, out = trained
    loaded = load_model(out)
    errors = [_level_db(render_static(loaded, v.pose.position, v.pose.rotation)) - _level_db(audio.views[v.name])
              for v in capture.train_views()]
    assert abs(float(np.mean(errors))) < 0.5, errors


def test_a_version_2_folder_without_the_new_tensors_loads_and_renders_as_it_did(trained, tmp_path):
    import shutil

    from safetensors.numpy import load_file, save_file

    capture, _, result, out = trained
    old = tmp_path / "v2"
    shutil.copytree(out, old)
    tensors = {k: v for k, v in load_file(str(old / "gaussians.safetensors")).items()
               if k not in ("ild_scale", "room_tau")}
    save_file(tensors, str(old / "gaussians.safetensors"), metadata={"format": "audiogs.model"})
    meta = json.loads((old / "model.json").read_text())
    meta["version"] = 2
    for flag in ("dereverb_reference", "recorded_room", "room_distance"):
        meta["flags"].pop(flag)
    meta.pop("room_audio")
    (old / "model.json").write_text(json.dumps(meta))
    loaded = load_model(old)
    assert not loaded.model.flags.dereverb_reference
    assert np.all(loaded.model.ild_scale.numpy() == 1.0)  # the head model's full level difference
    # what version 2 rendered: the same parameters with the full level difference
    as_v2 = copy.deepcopy(result.model)
    as_v2.flags = dataclasses.replace(as_v2.flags, dereverb_reference=False, recorded_room=False, room_distance=False)
    with torch.no_grad():
        as_v2.ild_scale.fill_(1.0)
    view = capture.view("view1")
    in_memory = dataclasses.replace(load_model(out), model=as_v2, room=None)
    assert np.allclose(render_static(loaded, view.pose.position, view.pose.rotation),
                       render_static(in_memory, view.pose.position, view.pose.rotation), atol=1e-5)


def test_the_recorded_room_is_heard_and_a_folder_that_lost_it_says_so(trained, tmp_path):
    import shutil

    from audiogs_core.errors import AudioGSError

    capture, _, _, out = trained
    loaded = load_model(out)
    view = capture.view("view5")
    with_room = render_static(loaded, view.pose.position, view.pose.rotation)
    silent = dataclasses.replace(loaded, room=np.zeros_like(loaded.room))  # (a copy renders afresh)
    without = render_static(silent, view.pose.position, view.pose.rotation)
    assert _level_db(with_room - without) < _level_db(with_room) - 3.0  # a room under the talker
    assert _level_db(with_room - without) > _level_db(with_room) - 40.0  # but there
    broken = tmp_path / "broken"
    shutil.copytree(out, broken)
    (broken / "room.wav").unlink()
    with pytest.raises(AudioGSError, match="room.wav"):
        load_model(broken)
    meta = json.loads((broken / "model.json").read_text())
    meta.pop("room_audio")
    (broken / "model.json").write_text(json.dumps(meta))
    with pytest.raises(AudioGSError, match="recorded_room.*retrain"):
        load_model(broken)
    with pytest.raises(AudioGSError, match="this model needs it"):
        dataclasses.replace(loaded, room=None)
    with pytest.raises(AudioGSError, match=r"must be \[2, \d+\] like the reference"):
        dataclasses.replace(loaded, room=loaded.room[:, :100])


def test_a_close_mic_taken_for_the_talker_trains_a_finite_model(freefield_capture):
    # A capture that names no source: the close mic's position is the talker's (distance 0, where
    # 1/r says nothing; the Blender add-on writes such captures from marked cameras).
    capture = load_capture(freefield_capture)
    td = dataclasses.replace(training_data_from_capture(capture, load_capture_audio(capture)), source_positions=None)
    preset = get_preset("physical")
    result = train_model(td, dataclasses.replace(preset.settings, epochs=1), preset.flags)
    assert float(result.model.reference_source_distance) == 0.0
    for name, tensor in result.model.tensors().items():
        assert torch.isfinite(tensor).all(), name
    loaded = LoadedModel(model=result.model, reference=td.reference, meta=result.meta, room=result.room)
    view = capture.view("view5")
    out = render_static(loaded, view.pose.position, view.pose.rotation, duration_s=1.0)
    assert np.isfinite(out).all() and _level_db(out) > -80.0


def _binaural_reference(freefield_capture):
    """(capture, training data) with view1's recording as a binaural reference (the benchmark's
    ref=view: the reference is one of the train views)."""
    capture = load_capture(freefield_capture)
    td = training_data_from_capture(capture, load_capture_audio(capture))
    i = td.view_names.index("view1")
    return capture, dataclasses.replace(td, reference=td.view_audio[i].copy(), reference_position=td.view_positions[i].copy(),
                                        reference_rotation=td.view_rotations[i].copy())


def test_a_binaural_reference_trains_with_the_views_room_and_renders_a_moving_listener(freefield_capture, tmp_path):
    from audiogs_core.io.listener_path import ListenerPath
    from audiogs_core.model.dereverb import keeps_recorded_room
    from audiogs_core.renderer import render_path

    capture, td = _binaural_reference(freefield_capture)
    preset = get_preset("physical")  # with the flag, off by default (BENCHMARKS.md, sweep 10)
    out = tmp_path / "model"
    flags = dataclasses.replace(preset.flags, binaural_recorded_room=True)
    result = train_model(td, dataclasses.replace(preset.settings, epochs=2), flags, out_dir=out)
    assert result.model.reference_binaural and keeps_recorded_room(result.model)
    assert result.room is not None and result.room.shape == (2, td.num_samples)
    loaded = load_model(out)
    assert loaded.meta["version"] == MODEL_VERSION and loaded.meta["flags"]["binaural_recorded_room"]
    assert np.array_equal(loaded.room, result.room)
    view = capture.view("view5")
    heard = render_static(loaded, view.pose.position, view.pose.rotation)
    assert np.isfinite(heard).all() and heard.shape == (2, td.num_samples)
    assert abs(_level_db(heard) - _level_db(load_capture_audio(capture).views["view5"])) < 6.0
    # a listener standing at view5 for a second, then walking towards view1 (four reference
    # channels per span, with history): while it stands, it hears what view5's pose does
    a, b = np.asarray(view.pose.position), np.asarray(capture.view("view1").pose.position)
    times = np.array([0.0, 1.0, td.duration])
    path = ListenerPath(times=times, positions=np.stack([a, a, b]), rotations=np.tile(view.pose.rotation, (3, 1)))
    walked = render_path(loaded, path)
    assert walked.shape == (2, td.num_samples) and np.isfinite(walked).all()
    standing = slice(int(0.2 * td.sample_rate), int(0.9 * td.sample_rate))
    assert abs(_level_db(walked[:, standing]) - _level_db(heard[:, standing])) < 0.5
    assert abs(_level_db(walked[:, -td.sample_rate // 2:]) - _level_db(heard[:, -td.sample_rate // 2:])) > 0.5


def test_a_binaural_references_direct_part_falls_as_direct_sound_and_first_reflections_do(freefield_capture, tmp_path):
    from audiogs_core.model.direct import distance_level, routes
    from audiogs_core.model.early_energy import early_energy_level
    from audiogs_core.model.occlusion import RoomOcclusion

    _, td = _binaural_reference(freefield_capture)
    td = dataclasses.replace(td, room_polygons=L_ROOM)
    preset = get_preset("physical")
    train_model(td, dataclasses.replace(preset.settings, epochs=1), preset.flags, out_dir=tmp_path / "model")
    loaded = load_model(tmp_path / "model")
    assert loaded.meta["flags"]["early_energy"] and loaded.occlusion is not None
    # its own room stays apart, to add to the posed direct part as powers (flag room_power_sum)
    assert loaded.meta["flags"]["room_power_sum"] and loaded.reference_span(0, 1600).split.own is not None
    model = loaded.model
    direction = np.array([np.cos(2.0), np.sin(2.0), 0.0])
    pos = torch.as_tensor(np.stack([SOURCE + d * direction for d in (0.8, 2.4)])[:, None], dtype=torch.float32)
    route = routes(model, loaded.occlusion, pos)  # the room's volume from the folder's mesh
    assert route.volume == pytest.approx(RoomOcclusion(L_ROOM).volume) and route.volume == pytest.approx(127.5)
    with torch.no_grad():
        level = distance_level(model, route)[:, 0]  # [2, F]
        law = early_energy_level(route.length[:, 0], model.direct_distance, 127.5, model.room_tau,
                                 model.grid.speed_of_sound, 1.0 + torch.tanh(model.decay).mean())
    assert torch.allclose(level, law, rtol=1e-5)
    rise = 20 * torch.log10(level[0] / level[1])
    assert bool((rise < 20 * np.log10(2.4 / 0.8) - 0.5).all()) and bool((rise > 0).all())


def test_a_version_4_binaural_folder_renders_as_it_did(freefield_capture, tmp_path):
    # Trained without the flag (as before it existed), written as version 4 lacking it: it loads
    # with the reference's own room and renders exactly as the model in memory.
    from audiogs_core.model.dereverb import keeps_recorded_room

    capture, td = _binaural_reference(freefield_capture)
    preset = get_preset("physical")
    flags = preset.flags
    assert not flags.binaural_recorded_room
    out = tmp_path / "v4"
    result = train_model(td, dataclasses.replace(preset.settings, epochs=1), flags, out_dir=out)
    assert result.room is None and not (out / "room.wav").exists()
    meta = json.loads((out / "model.json").read_text())
    meta["version"] = 4
    meta["flags"].pop("binaural_recorded_room")
    (out / "model.json").write_text(json.dumps(meta))
    loaded = load_model(out)
    assert loaded.room is None and not keeps_recorded_room(loaded.model)
    view = capture.view("view5")
    in_memory = LoadedModel(model=result.model, reference=td.reference, meta=result.meta)
    assert np.array_equal(render_static(loaded, view.pose.position, view.pose.rotation),
                          render_static(in_memory, view.pose.position, view.pose.rotation))
