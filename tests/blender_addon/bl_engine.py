"""Driver: train and bake through the real engine (``python -m audiogs_core``),
run by test_engine_e2e.py; see _bl_harness."""

from __future__ import annotations

import math
import os
import shutil
import stat
from pathlib import Path

import numpy as np

import _bl_harness as H
import bpy
from _bl_common import expect_error
from _capture import SOURCE, make_capture, make_model
from _spatial import itd_seconds, level_balance_db

WORK = Path(H.args()[0]).parent
H.register_source()
from blender_addon import cli_command  # noqa: E402

from audiogs_core.io.audio import read_wav  # noqa: E402
from audiogs_core.io.model_folder import read_model_folder  # noqa: E402


def _orbit_camera(scene, name="Cam"):
    cam = bpy.data.objects.new(name, bpy.data.cameras.new(name))
    scene.collection.objects.link(cam)
    cam.rotation_mode = "XYZ"
    for frame, yaw in ((1, 0.0), (49, math.pi)):
        cam.location = (SOURCE[0] + 1.2 * math.cos(yaw), SOURCE[1] + 1.2 * math.sin(yaw), SOURCE[2])
        cam.rotation_euler = (math.pi / 2, 0, yaw + math.pi / 2)  # facing the source
        cam.keyframe_insert("location", frame=frame)
        cam.keyframe_insert("rotation_euler", frame=frame)
    return cam


def check_train(state):
    H.reset_scene()
    cap = make_capture(WORK / "cap", seconds=2.0, room=False)
    assert bpy.ops.audiogs.import_capture(filepath=str(cap)) == {"FINISHED"}
    model = WORK / "model"
    os.umask(0o022)  # what most users have: model files must be readable by others
    bpy.context.scene.audiogs.train_epochs = 7  # the panel's value; the script's 2 wins
    r = bpy.ops.audiogs.train(model_dir=str(model), epochs=2, device="cpu")
    assert r == {"FINISHED"}
    m = read_model_folder(model)
    assert len(m.meta["training"]["epoch_loss"]) == 2
    assert m.meta["training"]["settings"]["epochs"] == 2
    for f in model.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, (f.name, oct(f.stat().st_mode))
    assert m.meta["K"] == m.tensors["energy"].shape[0] and abs(m.duration - 2.0) < 1e-3
    st = bpy.context.scene.audiogs
    assert Path(st.model_dir) == model and st.model_trained_at
    assert bpy.ops.audiogs.load_gaussians(max_points=1000) == {"FINISHED"}
    assert len(bpy.context.scene.objects["AudioGS Gaussians"].data.vertices) == 1000
    state["model"] = model


def check_non_finite_recording_is_one_error(state):
    """NaN in a view: one error naming the file, before training starts; no model folder."""
    import soundfile as sf

    bad = WORK / "nan_cap"
    shutil.copytree(WORK / "cap", bad)
    data, rate = sf.read(str(bad / "audio" / "cam2.wav"), dtype="float32", always_2d=True)
    data[100, 1] = np.nan
    sf.write(str(bad / "audio" / "cam2.wav"), data, rate, subtype="FLOAT")
    keep = bpy.context.scene.audiogs.capture_dir
    bpy.context.scene.audiogs.capture_dir = str(bad)
    try:
        expect_error(bpy, bpy.ops.audiogs.train, "cam2.wav contains non-finite samples",
                     model_dir=str(WORK / "nan_model"), epochs=1, device="cpu")
    finally:
        bpy.context.scene.audiogs.capture_dir = keep
    assert not (WORK / "nan_model").exists()


def check_train_from_marked_cameras(state):
    """No capture folder: the cameras marked in the scene are written as one and trained on."""
    bpy.ops.wm.save_as_mainfile(filepath=str(WORK / "before_authoring.blend"))
    H.reset_scene()
    scene = bpy.context.scene
    src = WORK / "cap" / "audio"
    for i, split in enumerate(("train", "train", "test")):
        cam = bpy.data.objects.new(f"Mic{i}", bpy.data.cameras.new(f"Mic{i}"))
        scene.collection.objects.link(cam)
        cam.location = (1.0 + i, 1.0, 1.6)
        for o in scene.objects:
            o.select_set(o is cam)
        bpy.ops.audiogs.mark_view(split=split, audio=str(src / f"cam{i + 1}.wav"))
    ref = bpy.data.objects.new("Ref", None)
    scene.collection.objects.link(ref)
    for o in scene.objects:
        o.select_set(o is ref)
    bpy.ops.audiogs.mark_view(split="reference", audio=str(src / "reference.wav"))
    bpy.ops.wm.save_as_mainfile(filepath=str(WORK / "authored.blend"))
    model = WORK / "authored_model"
    assert bpy.ops.audiogs.train(model_dir=str(model), epochs=1, device="cpu") == {"FINISHED"}
    assert (WORK / "authored_capture" / "capture.json").is_file()
    assert read_model_folder(model).meta["training"]["views"] == ["Mic0", "Mic1"]
    bpy.ops.wm.open_mainfile(filepath=str(WORK / "before_authoring.blend"))


def check_train_engine_error_changes_nothing(state):
    st = bpy.context.scene.audiogs
    stamp = st.model_trained_at
    expect_error(bpy, bpy.ops.audiogs.train, "already exists", model_dir=str(state["model"]),
                 epochs=1, device="cpu")
    assert st.model_trained_at == stamp


def check_bake(state):
    scene = bpy.context.scene
    scene.render.fps, scene.render.fps_base = 24, 1.0
    _orbit_camera(scene)
    scene.frame_set(3)
    out = WORK / "bake.wav"
    r = bpy.ops.audiogs.bake(listener="Cam", frame_start=5, frame_end=28, filepath=str(out),
                             sample_rate=22050)
    assert r == {"FINISHED"}
    audio, rate = read_wav(out)
    assert rate == 22050 and audio.shape[0] == 2
    assert abs(audio.shape[1] / rate - 24 / 24) <= 1 / 24, audio.shape
    assert np.sqrt(np.mean(audio ** 2)) > 1e-5, "not silent"
    strips = list(scene.sequence_editor.strips_all)
    assert len(strips) == 1 and strips[0].frame_start == 5
    assert abs(strips[0].frame_final_duration - 24) <= 1
    assert scene.frame_current == 3, "current frame restored"
    state["out"] = out


def check_rebake_replaces(state):
    scene = bpy.context.scene
    r = bpy.ops.audiogs.bake(listener="Cam", frame_start=5, frame_end=28,
                             filepath=str(state["out"]), sample_rate=22050)
    assert r == {"FINISHED"}
    strips = list(scene.sequence_editor.strips_all)
    assert len(strips) == 1 and strips[0].frame_start == 5
    baked = [s for s in bpy.data.sounds if Path(bpy.path.abspath(s.filepath)) == state["out"]]
    assert len(baked) == 1, [s.filepath for s in bpy.data.sounds]


def check_bake_engine_error_changes_nothing(state):
    broken = WORK / "broken_model"
    shutil.copytree(state["model"], broken)
    (broken / "gaussians.safetensors").unlink()  # the add-on reads model.json only
    scene = bpy.context.scene
    scene.audiogs.model_dir = str(broken)
    expect_error(bpy, bpy.ops.audiogs.bake, "gaussians.safetensors", listener="Cam",
                 frame_start=5, frame_end=28, filepath=str(WORK / "never.wav"))
    assert not (WORK / "never.wav").exists()
    scene.audiogs.model_dir = str(state["model"])


def _turning_scene(model: Path) -> None:
    """A camera 1 m from the source, holding still, turning 180 degrees about Z,
    holding still: the source goes from the left ear to the right one."""
    H.reset_scene()
    scene = bpy.context.scene
    scene.render.fps, scene.render.fps_base = 24, 1.0
    scene.frame_start, scene.frame_end = 1, 48
    cam = bpy.data.objects.new("Turn", bpy.data.cameras.new("Turn"))
    scene.collection.objects.link(cam)
    scene.camera = cam
    cam.location = (SOURCE[0], SOURCE[1] - 1.0, SOURCE[2])
    cam.rotation_mode = "XYZ"
    # nose along +X (psi = 0): Rz(-90) Rx(90); the source (+Y) is on the left
    for frame, psi in ((1, 0.0), (12, 0.0), (37, math.pi), (49, math.pi)):
        cam.rotation_euler = (math.pi / 2, 0, psi - math.pi / 2)
        cam.keyframe_insert("rotation_euler", frame=frame)
    for fc in cam.animation_data.action.layers[0].strips[0].channelbag(
            cam.animation_data.action.slots[0]).fcurves:
        for kp in fc.keyframe_points:
            kp.interpolation = "LINEAR"
    scene.audiogs.model_dir = str(model)


def check_spatial_truth(state):
    model = make_model(WORK / "side_model", seconds=2.0, side=3.0)
    _turning_scene(model)
    out = WORK / "turn.wav"
    assert bpy.ops.audiogs.bake(frame_start=1, frame_end=48, filepath=str(out),
                                sample_rate=16000) == {"FINISHED"}
    audio, sr = read_wav(out)
    assert audio.shape == (2, 32000), audio.shape
    head, tail = audio[:, 800:7200], audio[:, -7200:-800]
    itd0, itd1 = itd_seconds(head[0], head[1], sr), itd_seconds(tail[0], tail[1], sr)
    ild0, ild1 = level_balance_db(head[0], head[1]), level_balance_db(tail[0], tail[1])
    # source on the left first: the left ear leads and is louder; then the reverse
    assert itd0 < -3e-4 and itd1 > 3e-4, (itd0, itd1)
    assert ild0 > 2.0 and ild1 < -2.0, (ild0, ild1)
    assert abs(itd0 + itd1) < 1.5e-4 and abs(ild0 + ild1) < 1.0, (itd0, itd1, ild0, ild1)
    blend = WORK / "turn.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    state["turn"] = (itd0, ild0)


def check_cli_command_bake(state):
    out = WORK / "cli.wav"
    code = cli_command.cli_handler(["bake", "--blend", str(WORK / "turn.blend"), "--model",
                                    str(WORK / "side_model"), "--camera", "Turn", "--out", str(out),
                                    "--frames", "1:24", "--quiet"])
    assert code == 0
    audio, sr = read_wav(out)
    assert sr == bpy.context.scene.render.ffmpeg.audio_mixrate and audio.shape[0] == 2
    assert abs(audio.shape[1] / sr - 1.0) <= 1 / 24
    itd = itd_seconds(audio[0, : sr // 3], audio[1, : sr // 3], sr)
    assert itd < -3e-4, itd
    code = cli_command.cli_handler(["bake", "--blend", str(WORK / "turn.blend"), "--model",
                                    str(WORK / "side_model"), "--camera", "Turn", "--out",
                                    str(WORK / "late.wav"), "--frames", "40:100", "--quiet"])
    assert code == 1 and not (WORK / "late.wav").exists()
    # --save stores the model, the output and the strip relative to the .blend
    saved = WORK / "saved.blend"
    shutil.copy(WORK / "turn.blend", saved)
    code = cli_command.cli_handler(["bake", "--blend", str(saved), "--model", str(WORK / "side_model"),
                                    "--camera", "Turn", "--out", str(WORK / "saved.wav"),
                                    "--frames", "1:12", "--quiet", "--save"])
    assert code == 0
    bpy.ops.wm.open_mainfile(filepath=str(saved))
    st = bpy.context.scene.audiogs
    strips = [s for s in bpy.context.scene.sequence_editor.strips_all if s.get("audiogs_listener") == "Turn"]
    assert st.model_dir == "//side_model" and st.last_bake_path == "//saved.wav", (st.model_dir,
                                                                                   st.last_bake_path)
    assert [s.sound.filepath for s in strips] == ["//saved.wav"]


def check_bake_script_inside_blender(state):
    """scripts/bake.py as ``blender -b turn.blend --python scripts/bake.py -- ...`` runs
    it: bpy already imported, the .blend loaded, arguments after ``--``."""
    import runpy
    import sys

    bpy.ops.wm.open_mainfile(filepath=str(WORK / "turn.blend"))
    out = WORK / "script_in_blender.wav"
    argv = sys.argv
    sys.argv = ["blender", "-b", str(WORK / "turn.blend"), "--python", "scripts/bake.py", "--",
                "--model", str(WORK / "side_model"), "--camera", "Turn", "--out", str(out),
                "--frames", "1:12", "--quiet"]
    try:
        runpy.run_path(str(H.ROOT / "scripts" / "bake.py"), run_name="__main__")
    except SystemExit as exc:
        code = exc.code
    else:
        code = "no exit"
    finally:
        sys.argv = argv
    assert code == 0, code
    audio, sr = read_wav(out)
    assert audio.shape[0] == 2 and abs(audio.shape[1] / sr - 0.5) <= 1 / 24
    strips = [s for s in bpy.context.scene.sequence_editor.strips_all if s.name == "AudioGS Turn"]
    assert len(strips) == 1 and Path(bpy.path.abspath(strips[0].sound.filepath)) == out


H.run_checks(globals())
