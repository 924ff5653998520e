"""Driver: the add-on registered from the source tree, operators headless.

Run by test_operators.py in its own bpy process; see _bl_harness.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np

import _bl_harness as H
import bpy
from _bl_common import expect_error, same_rotation, snapshot
from _capture import SOURCE, make_capture, make_model

WORK = Path(H.args()[0]).parent
ADDON = H.register_source()
from blender_addon import ops_bake, scene_io  # noqa: E402 - after registration

from audiogs_core.io.capture import load_capture  # noqa: E402
from audiogs_core.io.model_folder import read_model_folder  # noqa: E402


def check_registered(state):
    for op in ("import_capture", "export_capture", "train", "load_gaussians", "bake"):
        assert hasattr(bpy.ops.audiogs, op), op
        assert getattr(bpy.ops.audiogs, op).idname() == f"AUDIOGS_OT_{op}"
    for name in ("capture", "train", "gaussians", "bake"):
        panel = getattr(bpy.types, f"AUDIOGS_PT_{name}")
        assert panel.bl_category == "AudioGS" and panel.bl_space_type == "VIEW_3D"
        assert panel.bl_region_type == "UI"
    draw_funcs = [f.__name__ for f in bpy.types.TOPBAR_MT_file_import._dyn_ui_initialize()]
    assert "menu_import" in draw_funcs
    draw_funcs = [f.__name__ for f in bpy.types.TOPBAR_MT_file_export._dyn_ui_initialize()]
    assert "menu_export" in draw_funcs


def check_import_capture(state):
    H.reset_scene()
    cap_dir = make_capture(WORK / "cap")
    state["cap_dir"] = cap_dir
    assert bpy.ops.audiogs.import_capture(filepath=str(cap_dir)) == {"FINISHED"}
    scene = bpy.context.scene
    cap = load_capture(cap_dir)
    for v in cap.views:
        obj = scene.objects[v.name]
        assert obj.type == "CAMERA"
        assert obj["audiogs_split"] == v.split
        assert Path(obj["audiogs_audio"]) == Path(v.audio).resolve()
        pos, rot = scene_io.pose_from_matrix(obj.matrix_world)
        assert np.allclose(pos, v.pose.position, atol=1e-5), (pos, v.pose.position)
        assert same_rotation(rot, v.pose.rotation), (rot, v.pose.rotation)
        assert v.name in bpy.data.collections[f"Views ({v.split})"].objects
    # a camera looking at the source: the source lies straight ahead (-Z)
    cam = scene.objects["cam1"]
    ahead = cam.matrix_world.to_3x3() @ __import__("mathutils").Vector((0, 0, -1))
    to_src = (__import__("mathutils").Vector(SOURCE) - cam.matrix_world.translation).normalized()
    assert ahead.dot(to_src) > 0.999
    spk = scene.objects["talker"]
    assert spk.type == "SPEAKER" and spk.data.muted and spk.data.sound is not None
    assert np.allclose(spk.location, SOURCE, atol=1e-6)
    room = [o for o in scene.objects if o.get("audiogs_room")]
    assert len(room) == 1 and len(room[0].data.vertices) == 8
    zs = [(room[0].matrix_world @ v.co).z for v in room[0].data.vertices]
    assert abs(max(zs) - 3.0) < 1e-6 and abs(min(zs)) < 1e-6, "room must stay Z up"
    ref = scene.objects["Reference"]
    assert ref["audiogs_split"] == "reference" and ref["audiogs_reference_pose"] == "position"
    st = scene.audiogs
    assert Path(st.capture_dir) == cap_dir.resolve() and st.capture_sample_rate == 16000


def check_reimport_replaces(state):
    before = snapshot(bpy)
    assert bpy.ops.audiogs.import_capture(filepath=str(state["cap_dir"] / "capture.json")) == {"FINISHED"}
    after = snapshot(bpy)
    assert after["objects"] == before["objects"], (before["objects"], after["objects"])
    assert after["collections"] == before["collections"]
    assert not any("." in n for n, _, _ in after["objects"])
    assert len([c for c in bpy.data.collections if c.get("audiogs_capture")]) == 1
    assert len(bpy.data.cameras) == 4 and len(bpy.data.speakers) == 1


def check_export_then_import_same_poses(state):
    scene = bpy.context.scene
    # move a camera so that the export does not just copy the original JSON
    scene.objects["cam2"].location.x += 0.25
    scene.objects["cam2"].rotation_quaternion.rotate(__import__("mathutils").Euler((0, 0, 0.3)))
    bpy.context.view_layer.update()
    poses = {o.name: scene_io.pose_from_matrix(o.matrix_world)
             for o in scene.objects if o.type == "CAMERA"}
    out = WORK / "exported"
    assert bpy.ops.audiogs.export_capture(filepath=str(out)) == {"FINISHED"}
    cap = load_capture(out)
    assert sorted(v.name for v in cap.views) == sorted(poses)
    assert {v.name: v.split for v in cap.views}["cam4"] == "test"
    assert cap.room_mesh is not None and cap.sources[0].name == "talker"
    for v in cap.views:
        assert (out / "audio" / f"{v.name}.wav").is_file()
        assert np.allclose(v.pose.position, poses[v.name][0], atol=1e-5)
        assert same_rotation(v.pose.rotation, poses[v.name][1])
    assert bpy.ops.audiogs.import_capture(filepath=str(out)) == {"FINISHED"}
    for name, (pos, rot) in poses.items():
        p2, r2 = scene_io.pose_from_matrix(scene.objects[name].matrix_world)
        assert np.allclose(p2, pos, atol=1e-5) and same_rotation(r2, rot), name
    room = [o for o in scene.objects if o.get("audiogs_room")][0]
    zs = sorted({round((room.matrix_world @ v.co).z, 5) for v in room.data.vertices})
    assert zs == [0.0, 3.0], zs


def check_export_own_recordings(state):
    """A user's own cameras + recordings become a capture without typing quaternions."""
    H.reset_scene()
    scene = bpy.context.scene
    scene.unit_settings.scale_length = 2.0  # one Blender unit is 2 m
    src = state["cap_dir"] / "audio"
    for i, (name, split) in enumerate((("A", "train"), ("B", "train"), ("C", "test"))):
        cam = bpy.data.objects.new(name, bpy.data.cameras.new(name))
        scene.collection.objects.link(cam)
        cam.location = (i, 1.0, 1.6)
        cam.rotation_euler = (1.5708, 0, 0.4 * i)
        cam.select_set(True)
        bpy.context.view_layer.objects.active = cam
        bpy.ops.audiogs.mark_view(split=split, audio=str(src / f"cam{i + 1}.wav"))
        cam.select_set(False)
    ref = bpy.data.objects.new("Mic", None)
    scene.collection.objects.link(ref)
    ref.select_set(True)
    bpy.ops.audiogs.mark_view(split="reference", audio=str(src / "reference.wav"))
    out = WORK / "own"
    assert bpy.ops.audiogs.export_capture(filepath=str(out)) == {"FINISHED"}
    cap = load_capture(out)
    assert [v.name for v in cap.views] == ["A", "B", "C"] and cap.views[2].split == "test"
    for v in cap.views:
        p, r = scene_io.pose_from_matrix(scene.objects[v.name].matrix_world)
        assert np.allclose(v.pose.position, np.array(p) * 2.0, atol=1e-5)
        assert same_rotation(v.pose.rotation, r)
    assert abs(cap.views[2].pose.position[0] - 4.0) < 1e-6
    assert cap.reference.pose is not None and cap.reference.pose.rotation is not None


def check_import_errors(state):
    expect_error(bpy, bpy.ops.audiogs.import_capture, "not found", filepath=str(WORK / "nope"))
    bad = WORK / "bad_cap"
    shutil.copytree(state["cap_dir"], bad)
    data = json.loads((bad / "capture.json").read_text())
    del data["views"]
    (bad / "capture.json").write_text(json.dumps(data))
    expect_error(bpy, bpy.ops.audiogs.import_capture, "views", filepath=str(bad))
    data = json.loads((state["cap_dir"] / "capture.json").read_text())
    (bad / "capture.json").write_text(json.dumps(data))
    (bad / "room.obj").unlink()
    expect_error(bpy, bpy.ops.audiogs.import_capture, "room mesh", filepath=str(bad))


def check_export_errors(state):
    H.reset_scene()
    out = WORK / "never"
    expect_error(bpy, bpy.ops.audiogs.export_capture, "no views", filepath=str(out))
    cam = bpy.data.objects.new("X", bpy.data.cameras.new("X"))
    bpy.context.scene.collection.objects.link(cam)
    cam["audiogs_audio"] = str(WORK / "missing.wav")
    cam["audiogs_split"] = "train"
    expect_error(bpy, bpy.ops.audiogs.export_capture, "not found", filepath=str(out))
    assert not out.exists()


def check_load_gaussians(state):
    H.reset_scene()
    model_dir = make_model(WORK / "model", spread=1.0)
    state["model_dir"] = model_dir
    model = read_model_folder(model_dir)
    K, F = model.K, model.F
    r = bpy.ops.audiogs.load_gaussians(model_dir=str(model_dir), max_points=5000,
                                      show_spheres=True, current_frame_only=False)
    assert r == {"FINISHED"}
    obj = bpy.context.scene.objects["AudioGS Gaussians"]
    mesh = obj.data
    assert len(mesh.vertices) == 5000 and len(mesh.edges) == 0 and len(mesh.polygons) == 0

    def attr(name, dtype=np.float32):
        a = np.empty(len(mesh.vertices), dtype)
        mesh.attributes[name].data.foreach_get("value", a)
        return a

    energy, time_, fbin, decay = attr("energy"), attr("time"), attr("frequency_bin", np.int32), attr("decay")
    top = np.sort(model.tensors["energy"].reshape(-1))[-5000:]
    assert np.allclose(np.sort(energy), top)
    assert time_.min() >= 0 and time_.max() <= model.duration + 1e-6
    assert fbin.min() >= 0 and fbin.max() <= F - 1 and mesh.attributes["frequency_bin"].data_type == "INT"
    assert np.allclose(decay, 0.1)
    # each vertex is where its Gaussian is
    k = np.rint(time_ * (K - 1) / model.duration).astype(int)
    co = np.empty(3 * len(mesh.vertices), np.float32)
    mesh.vertices.foreach_get("co", co)
    assert np.allclose(co.reshape(-1, 3), model.tensors["mu"][k, fbin], atol=1e-5)
    assert np.allclose(energy, model.tensors["energy"][k, fbin])
    # spheres: instances on the evaluated geometry
    dg = bpy.context.evaluated_depsgraph_get()
    geo = obj.evaluated_get(dg).evaluated_geometry()
    assert geo.instances_pointcloud() is not None
    assert len(geo.instances_pointcloud().points) == 5000


def check_reload_replaces(state):
    n_obj, n_mesh = len(bpy.data.objects), len(bpy.data.meshes)
    # unset options come from the panel (spheres, on since the last load): pass it
    r = bpy.ops.audiogs.load_gaussians(model_dir=str(state["model_dir"]), max_points=0,
                                      show_spheres=False)
    assert r == {"FINISHED"}
    model = read_model_folder(state["model_dir"])
    assert len(bpy.data.objects) == n_obj and len(bpy.data.meshes) == n_mesh
    obj = bpy.context.scene.objects["AudioGS Gaussians"]
    assert len(obj.data.vertices) == model.K * model.F
    assert len(bpy.data.node_groups) == 1 and len(bpy.data.materials) == 1
    dg = bpy.context.evaluated_depsgraph_get()
    geo = obj.evaluated_get(dg).evaluated_geometry()
    pc = geo.pointcloud
    assert pc is not None and len(pc.points) == model.K * model.F, "points shown by default"


def check_current_frame_only(state):
    scene = bpy.context.scene
    model = read_model_folder(state["model_dir"])
    scene.render.fps, scene.render.fps_base = 25, 1.0
    scene.audiogs.audio_start_frame = 11
    bpy.ops.audiogs.load_gaussians(model_dir=str(state["model_dir"]), max_points=0,
                                   current_frame_only=True)
    obj = scene.objects["AudioGS Gaussians"]
    t_cells = model.cell_times()
    half = model.duration / (model.K - 1) / 2
    for frame in (11, 23, 40, 58):
        scene.frame_set(frame)
        t = (frame - 11) / 25
        want = int(np.sum(np.abs(t_cells - t) <= half + 1e-6)) * model.F
        geo = obj.evaluated_get(bpy.context.evaluated_depsgraph_get()).evaluated_geometry()
        got = len(geo.pointcloud.points) if geo.pointcloud is not None else 0
        assert got == want and want > 0, (frame, got, want)
    # moving the audio start follows without a reload
    scene.audiogs.audio_start_frame = 1
    scene.frame_set(11)
    geo = obj.evaluated_get(bpy.context.evaluated_depsgraph_get()).evaluated_geometry()
    t = 10 / 25
    want = int(np.sum(np.abs(t_cells - t) <= half + 1e-6)) * model.F
    assert len(geo.pointcloud.points) == want


def check_gaussians_errors(state):
    expect_error(bpy, bpy.ops.audiogs.load_gaussians, "model folder not found",
                 model_dir=str(WORK / "no_model"))
    broken = WORK / "broken_model"
    shutil.copytree(state["model_dir"], broken)
    (broken / "gaussians.safetensors").write_bytes(b"not a safetensors file")
    expect_error(bpy, bpy.ops.audiogs.load_gaussians, "gaussians.safetensors", model_dir=str(broken))


def _animated_listener(scene):
    cam = bpy.data.objects.new("Listener", bpy.data.cameras.new("Listener"))
    scene.collection.objects.link(cam)
    cam.scale = (2.0, 2.0, 2.0)  # scale must not leak into the pose
    cam.rotation_mode = "XYZ"
    for frame, x, yaw in ((1, 0.0, 0.0), (61, 3.0, np.pi)):
        cam.location = (x, 1.0, 1.6)
        cam.rotation_euler = (np.pi / 2, 0, yaw)
        cam.keyframe_insert("location", frame=frame)
        cam.keyframe_insert("rotation_euler", frame=frame)
    return cam


def check_bake_path_mapping(state):
    H.reset_scene()
    scene = bpy.context.scene
    scene.render.fps, scene.render.fps_base = 30, 1.001
    scene.unit_settings.scale_length = 0.5
    scene.audiogs.model_dir = str(state["model_dir"])
    scene.audiogs.audio_start_frame = 10
    cam = _animated_listener(scene)
    scene.frame_set(7)
    fps = scene.render.fps / scene.render.fps_base  # fps_base is stored as float32
    assert abs(fps - 30 / 1.001) < 1e-4
    plan = ops_bake.plan_bake(scene, "Listener", 12, 40, str(WORK / "b.wav"), 0, 2)
    try:
        data = json.loads(plan.path_file.read_text())
        times = np.array([f["time"] for f in data["frames"]])
        assert data["format"] == "audiogs.path" and len(times) == (40 - 12 + 1) * 2 + 1
        assert abs(times[0] - 2 / fps) < 1e-9 and abs(times[-1] - 31 / fps) < 1e-9, (times[0], times[-1], 2 / fps, 31 / fps)
        assert np.all(np.diff(times) > 0)
        assert abs(plan.duration - 29 / fps) < 1e-12 and plan.sample_rate == 48000
        assert scene.frame_current == 7 and scene.frame_subframe == 0.0, "frame restored"
        for f in (data["frames"][0], data["frames"][25], data["frames"][-1]):
            frame = 10 + f["time"] * fps
            scene.frame_set(int(np.floor(frame + 1e-9)), subframe=float(frame - np.floor(frame + 1e-9)))
            loc, rot, scale = cam.matrix_world.decompose()
            assert np.allclose(f["position"], np.array(loc) * 0.5, atol=1e-5), (f, loc)
            assert same_rotation(f["rotation"], rot)
            assert abs(np.linalg.norm(f["rotation"]) - 1) < 1e-6
        scene.frame_set(7)
    finally:
        plan.cleanup()
    assert not plan.tmp_dir.exists()


def check_bake_hrtf_argument(state):
    """Bake > HRTF: empty leaves the model's; a name or a (blend-relative) .sofa becomes --hrtf."""
    scene = bpy.context.scene
    st = scene.audiogs
    prop = st.bl_rna.properties["bake_hrtf"]
    assert prop.name == "HRTF" and prop.subtype == "FILE_PATH" and st.bake_hrtf == ""
    physical = WORK / "physical_model"  # the bake plan reads model.json only: flag it split-field
    shutil.copytree(state["model_dir"], physical)
    meta = json.loads((physical / "model.json").read_text())
    (physical / "model.json").write_text(json.dumps({**meta, "flags": {"split_field": True}}))
    (WORK / "ears.sofa").write_bytes(b"")  # the engine reads it; the plan checks that it is there

    def hrtf_args(model: Path) -> list:
        plan = ops_bake.plan_bake(scene, "Listener", 12, 20, str(WORK / "h.wav"), 0, 1, str(model))
        plan.cleanup()
        args = ops_bake.render_args(plan, "cpu")
        return args[args.index("--hrtf"):args.index("--hrtf") + 2] if "--hrtf" in args else []

    assert hrtf_args(physical) == []
    st.bake_hrtf = "kemar"
    assert hrtf_args(physical) == ["--hrtf", "kemar"]
    st.bake_hrtf = "//ears.sofa"  # relative to the .blend (unsaved here: the working folder)
    flag, value = hrtf_args(physical)
    assert not value.startswith("//") and Path(value).resolve() == (WORK / "ears.sofa").resolve(), value
    for bad, match in (("//no.sofa", "HRTF file not found"), ("kemar", "Physical preset")):
        st.bake_hrtf = bad
        try:
            hrtf_args(physical if bad.endswith(".sofa") else state["model_dir"])
        except scene_io.AddonError as exc:
            assert match in str(exc), exc
        else:
            raise AssertionError(f"HRTF {bad!r} was accepted")
    st.bake_hrtf = ""


def check_bake_errors(state):
    scene = bpy.context.scene
    op = bpy.ops.audiogs.bake
    expect_error(bpy, op, "lasts", listener="Listener", frame_start=12, frame_end=2000,
                 filepath=str(WORK / "x.wav"))
    expect_error(bpy, op, "before the recording", listener="Listener", frame_start=3,
                 frame_end=20, filepath=str(WORK / "x.wav"))
    expect_error(bpy, op, "no object named", listener="Nobody", frame_start=12, frame_end=20,
                 filepath=str(WORK / "x.wav"))
    expect_error(bpy, op, "save the .blend", listener="Listener", frame_start=12, frame_end=20)
    expect_error(bpy, op, "no listener", frame_start=12, frame_end=20, filepath=str(WORK / "x.wav"))
    keep = scene.audiogs.model_dir
    scene.audiogs.model_dir = str(WORK / "no_model")
    expect_error(bpy, op, "model folder not found", listener="Listener", frame_start=12,
                 frame_end=20, filepath=str(WORK / "x.wav"))
    scene.audiogs.model_dir = ""
    expect_error(bpy, op, "Train or load a model first", listener="Listener")
    expect_error(bpy, bpy.ops.audiogs.train, "Import a capture first")
    scene.audiogs.model_dir = keep
    assert not (WORK / "x.wav").exists()


def check_strip_added_and_replaced(state):
    from audiogs_core.io.audio import write_wav

    scene = bpy.context.scene
    a, b, rate = 12, 40, 22050
    plan = ops_bake.plan_bake(scene, "Listener", a, b, str(WORK / "baked.wav"), rate)
    fps = scene.render.fps / scene.render.fps_base
    # what the engine writes: (B - A + 1) / fps seconds at the asked rate, stereo
    write_wav(plan.out_path, np.zeros((2, int(round(plan.duration * rate))), np.float32), rate)
    strip = ops_bake.finish_bake(plan)
    plan.cleanup()
    assert strip.frame_start == a and strip.frame_final_start == a
    assert abs(strip.frame_final_duration - (b - a + 1)) <= 1, strip.frame_final_duration
    assert abs(strip.frame_final_duration / fps - (b - a + 1) / fps) <= 1 / fps
    assert strip.sound.filepath and Path(bpy.path.abspath(strip.sound.filepath)) == plan.out_path
    # a strip of someone else stays; ours is replaced
    other = scene.sequence_editor.strips.new_sound("Other", str(plan.out_path), 1, 100)
    plan = ops_bake.plan_bake(scene, "Listener", a, b, str(WORK / "baked.wav"), rate)
    ops_bake.finish_bake(plan)
    plan.cleanup()
    names = sorted(s.name for s in scene.sequence_editor.strips_all)
    assert names == ["AudioGS Listener", "Other"], names
    assert other.channel == 1
    assert len(bpy.data.sounds) == 2
    assert "Listener" in scene.audiogs.last_bake_info and "2 ch" in scene.audiogs.last_bake_info


def check_blend_save_reload(state):
    scene = bpy.context.scene
    bpy.ops.audiogs.import_capture(filepath=str(state["cap_dir"]))
    bpy.ops.audiogs.load_gaussians(model_dir=str(state["model_dir"]), max_points=3000)
    scene.audiogs.train_epochs = 7
    blend = WORK / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    H.reset_scene()
    assert bpy.context.scene.get("audiogs") is None or not bpy.context.scene.audiogs.capture_dir
    bpy.ops.wm.open_mainfile(filepath=str(blend))
    scene = bpy.context.scene
    st = scene.audiogs
    # stored relative to the .blend (//), resolving to the same folders
    assert st.capture_dir.startswith("//") and st.model_dir.startswith("//")
    assert Path(bpy.path.abspath(st.capture_dir)).resolve() == state["cap_dir"].resolve()
    assert Path(bpy.path.abspath(st.model_dir)).resolve() == state["model_dir"].resolve()
    assert st.audio_start_frame == 10 and st.train_epochs == 7
    assert scene.objects["cam4"]["audiogs_split"] == "test"
    g = scene.objects["AudioGS Gaussians"]
    assert len(g.data.vertices) == 3000
    assert {"energy", "decay", "time", "frequency_bin"} <= set(g.data.attributes.keys())
    strips = {s.name: s for s in scene.sequence_editor.strips_all}
    assert strips["AudioGS Listener"].get("audiogs_listener") == "Listener"
    state["blend"] = blend


H.run_checks(globals())
