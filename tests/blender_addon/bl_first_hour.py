"""Driver: a new user's first hour in real Blender (bpy wheel), source-tree add-on.

Import sets the scene up (frame range, a room that renders, one colour code),
panels say what a user needs, script options win over panel values, display
toggles act live, bad bake input gets one clear error. Run by
test_first_hour.py; see _bl_harness.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import _bl_harness as H
import bpy
from _bl_common import expect_error
from _capture import make_capture, make_model

WORK = Path(H.args()[0]).parent
H.register_source()
from blender_addon import look, ops_bake, ops_train, panels, properties  # noqa: E402


def _gaussian_geometry(obj):
    return obj.evaluated_get(bpy.context.evaluated_depsgraph_get()).evaluated_geometry()


def _n_points(obj) -> int:
    """Points the display shows now (0 when everything is filtered out)."""
    geo = _gaussian_geometry(obj)
    pc = geo.pointcloud
    return len(pc.points) if pc is not None else 0


def check_import_covers_the_recording(state):
    H.reset_scene()
    scene = bpy.context.scene
    scene.frame_start, scene.frame_end = 1, 250  # Blender's default range: 10.4 s at 24 fps
    cap = make_capture(WORK / "cap", seconds=2.0)
    state["cap"] = cap
    assert bpy.ops.audiogs.import_capture(filepath=str(cap)) == {"FINISHED"}
    fps = scene.render.fps / scene.render.fps_base
    assert scene.frame_start == 1 and scene.frame_end == 48, (scene.frame_end, fps)
    st = scene.audiogs
    assert abs(st.capture_seconds - 2.0) < 1e-6 and st.capture_sample_rate == 16000
    # the first bake, with the default range, fits the recording
    state["model"] = make_model(WORK / "model", seconds=2.0, spread=1.0)
    st.model_dir = str(state["model"])
    plan = ops_bake.plan_bake(scene, "cam1", filepath=str(WORK / "first.wav"))
    plan.cleanup()
    assert (plan.frame_start, plan.frame_end) == (1, 48)


def check_one_colour_code(state):
    scene = bpy.context.scene
    views = [o for o in scene.objects if o.get("audiogs_view") is not None]
    assert len(views) == 4
    for cam in views:
        split = cam["audiogs_split"]
        assert np.allclose(cam.color, look.COLOURS[split]), (cam.name, tuple(cam.color))
        markers = [c for c in cam.children if c.name == look.MARKER_PREFIX + cam.name]
        assert len(markers) == 1, cam.name
        mat = markers[0].material_slots[0].material
        assert np.allclose(mat.diffuse_color, look.COLOURS[split])
        bsdf = next(n for n in mat.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
        assert np.allclose(bsdf.inputs["Base Color"].default_value, look.COLOURS[split])


def _overview(scene):
    from mathutils import Vector

    cam = bpy.data.objects.new("Look", bpy.data.cameras.new("Look"))
    scene.collection.objects.link(cam)
    cam.location = (3.0, -9.0, 9.0)
    target = Vector((3.0, 2.5, 1.2))
    cam.rotation_euler = (target - cam.location).to_track_quat("-Z", "Y").to_euler()
    scene.camera = cam
    world = bpy.data.worlds.new("Light")
    world.color = (0.8, 0.8, 0.8)
    scene.world = world
    return cam


def _render(scene, engine: str, path: Path) -> np.ndarray:
    r = scene.render
    r.engine = engine
    r.resolution_x, r.resolution_y, r.resolution_percentage = 240, 180, 100
    r.image_settings.file_format = "PNG"
    r.image_settings.color_mode = "RGB"
    r.film_transparent = False
    r.filepath = str(path)
    if engine == "BLENDER_EEVEE_NEXT":
        scene.eevee.taa_render_samples = 1
    scene.display.shading.color_type = "MATERIAL"
    assert bpy.ops.render.render(write_still=True) == {"FINISHED"}
    img = bpy.data.images.load(str(path))
    px = np.array(img.pixels[:], dtype=np.float32).reshape(img.size[1], img.size[0], 4)
    bpy.data.images.remove(img)
    return px[..., :3]


def _assert_room_and_inside(rgb: np.ndarray, engine: str) -> None:
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    # A solid room (what a Wire display type renders as) would hide the markers inside.
    green = np.sum((g - r > 0.15) & (g - b > 0.1))  # train markers
    red = np.sum((r - g > 0.25) & (r - b > 0.25))  # the test marker
    background = float(np.median(rgb.mean(-1)))
    dark = np.sum(rgb.mean(-1) < background - 0.2)  # the room's wire
    assert green >= 4 and red >= 2, (engine, green, red)
    assert dark >= 40, (engine, dark, background)


def check_room_renders_with_whats_inside(state):
    scene = bpy.context.scene
    room = [o for o in scene.objects if o.get("audiogs_room")][0]
    assert room.modifiers.get(look.ROOM_MODIFIER) is not None and room.display_type != "WIRE"
    _overview(scene)
    _assert_room_and_inside(_render(scene, "BLENDER_WORKBENCH", WORK / "wb.png"), "workbench")


def check_room_renders_in_eevee(state):
    scene = bpy.context.scene
    _assert_room_and_inside(_render(scene, "BLENDER_EEVEE_NEXT", WORK / "eevee.png"), "eevee")


def check_export_writes_the_room_not_its_wire(state):
    out = WORK / "exported"
    assert bpy.ops.audiogs.export_capture(filepath=str(out)) == {"FINISHED"}
    verts = [ln for ln in (out / "room.obj").read_text().splitlines() if ln.startswith("v ")]
    assert len(verts) == 8, len(verts)
    room = [o for o in bpy.context.scene.objects if o.get("audiogs_room")][0]
    assert room.modifiers[look.ROOM_MODIFIER].show_viewport, "wire shown again after export"


def check_orbit_and_overview_for_everyone(state):
    """The demo's scene building as operators: an orbit listener and an overview camera."""
    from mathutils import Vector

    scene = bpy.context.scene
    assert bpy.ops.audiogs.add_orbit(radius=1.2, height=1.5) == {"FINISHED"}
    cam = scene.objects["Orbit"]
    assert scene.camera is cam and np.allclose(cam.color, look.COLOURS["orbit"])
    centre = Vector(scene.objects["talker"].matrix_world.translation)
    for frame in (scene.frame_start, (scene.frame_start + scene.frame_end + 1) // 2,
                  scene.frame_end + 1):
        scene.frame_set(frame)
        pos = cam.matrix_world.translation
        look_dir = cam.matrix_world.to_3x3() @ Vector((0, 0, -1))
        to_src = centre - pos
        assert abs(Vector((to_src.x, to_src.y)).length - 1.2) < 1e-3 and abs(pos.z - 1.5) < 1e-4
        flat = Vector((to_src.x, to_src.y, 0.0)).normalized()  # a level head faces the source
        assert look_dir.dot(flat) > 0.999 and abs(look_dir.z) < 1e-4
    scene.frame_set(1)
    assert scene.objects.get("Orbit Path") is not None
    assert bpy.ops.audiogs.add_overview() == {"FINISHED"}
    assert scene.objects.get("Overview") is not None and scene.camera is cam
    expect_error(bpy, bpy.ops.audiogs.add_orbit, "no object named", target="Nobody")
    for name in ("Orbit", "Orbit Path", "Overview", look.MARKER_PREFIX + "Orbit"):
        bpy.data.objects.remove(scene.objects[name], do_unlink=True)
    scene.camera = None


def check_script_options_win_over_the_panel(state):
    scene = bpy.context.scene
    st = scene.audiogs
    st.max_points, st.show_spheres = 300, False
    assert bpy.ops.audiogs.load_gaussians(max_points=120) == {"FINISHED"}
    obj = scene.objects["AudioGS Gaussians"]
    assert len(obj.data.vertices) == 120 and st.max_points == 120
    st.max_points = 77  # live: rebuilt
    assert len(scene.objects["AudioGS Gaussians"].data.vertices) == 77
    assert bpy.ops.audiogs.load_gaussians() == {"FINISHED"}  # unset: the panel's
    assert len(scene.objects["AudioGS Gaussians"].data.vertices) == 77


def check_display_toggles_are_live(state):
    scene = bpy.context.scene
    st = scene.audiogs
    obj = scene.objects["AudioGS Gaussians"]
    assert _gaussian_geometry(obj).pointcloud is not None
    st.show_spheres = True
    geo = _gaussian_geometry(obj)
    assert geo.instances_pointcloud() is not None and len(geo.instances_pointcloud().points) == 77
    st.show_spheres = False
    st.current_frame_only = True
    scene.frame_set(49)  # t = 2 s: the loudest (last) time cells
    assert 0 < _n_points(obj) < 77
    scene.frame_set(1)  # t = 0: none of the 77 loudest
    assert _n_points(obj) == 0
    st.current_frame_only = False
    assert _n_points(obj) == 77


def check_points_follow_a_changed_fps(state):
    from audiogs_core.io.model_folder import read_model_folder
    from blender_addon import gaussians_display as gd

    scene = bpy.context.scene
    scene.audiogs.max_points = 0  # all of them
    scene.audiogs.current_frame_only = True
    obj = scene.objects["AudioGS Gaussians"]
    model = read_model_folder(state["model"])
    arrays = np.empty(len(obj.data.vertices), np.float32)
    obj.data.attributes["time"].data.foreach_get("value", arrays)
    half = model.duration / (model.K - 1) / 2
    for fps in (24, 50):
        scene.render.fps = fps
        scene.frame_set(21)
        ev = obj.evaluated_get(bpy.context.evaluated_depsgraph_get())
        assert abs(gd.get_input(ev.modifiers[gd.MODIFIER_NAME], "FPS") - fps) < 1e-6
        want = int(np.sum(np.abs(arrays - 20 / fps) <= half + 1e-6))
        got = _n_points(obj)
        assert got == want, (fps, got, want)
    scene.render.fps = 24
    scene.audiogs.current_frame_only = False


def check_bad_bake_input_is_one_error(state):
    scene = bpy.context.scene
    op = bpy.ops.audiogs.bake
    folder = WORK / "a_folder"
    folder.mkdir()
    expect_error(bpy, op, "is a folder", listener="cam1", filepath=str(folder))
    expect_error(bpy, op, "is a folder", listener="cam1", filepath=str(WORK / "new_folder") + "/")
    expect_error(bpy, op, "extension .mp3", listener="cam1", filepath=str(WORK / "out.mp3"))
    expect_error(bpy, op, "does not exist", listener="cam1", filepath=str(WORK / "no" / "x.wav"))
    for rate in (4000, 400000):
        expect_error(bpy, op, "outside 8000-192000", listener="cam1",
                     filepath=str(WORK / "x.wav"), sample_rate=rate)
    scene.audiogs.bake_sample_rate = 200000
    expect_error(bpy, op, "outside 8000-192000", listener="cam1", filepath=str(WORK / "x.wav"))
    scene.audiogs.bake_sample_rate = 22050
    plan = ops_bake.plan_bake(scene, "cam1", filepath=str(WORK / "noext"))
    plan.cleanup()
    assert plan.sample_rate == 22050 and plan.out_path == WORK / "noext.wav"
    assert not list(WORK.glob("*.mp3")) and not (WORK / "x.wav").exists()


def check_default_file_names_keep_any_script(state):
    scene = bpy.context.scene
    bpy.ops.wm.save_as_mainfile(filepath=str(WORK / "szene.blend"))
    cam = bpy.context.scene.objects["cam1"]
    cam.name = "Kamera Süd 東"
    scene.audiogs.bake_path = ""
    out = ops_bake.default_output(scene, cam.name)
    assert out.name == "szene_Kamera_Süd_東_audiogs.wav", out.name
    assert ops_bake.file_name_part("a/b:c") == "a_b_c"
    cam.name = "cam1"


def check_paths_move_with_the_blend(state):
    import os
    import shutil

    from audiogs_core.io.audio import write_wav

    scene = bpy.context.scene
    st = scene.audiogs
    st.model_dir = str(state["model"])
    st.bake_path = str(WORK / "takes" / "orbit.wav")
    (WORK / "takes").mkdir(exist_ok=True)
    plan = ops_bake.plan_bake(scene, "cam1", 1, 24, str(WORK / "takes" / "cam1.wav"), 16000)
    write_wav(plan.out_path, np.zeros((2, 16000), np.float32), 16000)
    strip = ops_bake.finish_bake(plan)
    plan.cleanup()
    project = WORK / "project"
    blend = project / "scene.blend"
    project.mkdir()
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    assert st.model_dir == "//../model", st.model_dir
    assert st.bake_path == "//../takes/orbit.wav" and st.last_bake_path == "//../takes/cam1.wav"
    assert strip.sound.filepath == "//../takes/cam1.wav", strip.sound.filepath
    assert st.capture_dir == "//../cap" + ("/" if st.capture_dir.endswith("/") else ""), st.capture_dir
    # the whole folder moves: the paths still resolve; a save elsewhere re-anchors them
    moved = WORK / "moved"
    shutil.copytree(WORK, moved / "w", ignore=shutil.ignore_patterns("moved"))
    bpy.ops.wm.open_mainfile(filepath=str(moved / "w" / "project" / "scene.blend"))
    st = bpy.context.scene.audiogs
    assert Path(bpy.path.abspath(st.model_dir)).resolve() == (moved / "w" / "model").resolve()
    bpy.ops.wm.save_as_mainfile(filepath=str(moved / "w" / "takes" / "again.blend"))
    assert st.model_dir == "//../model" and st.bake_path == "//orbit.wav", (st.model_dir, st.bake_path)
    se = bpy.context.scene.sequence_editor
    assert [s.sound.filepath for s in se.strips_all] == ["//cam1.wav"]
    assert os.path.isfile(bpy.path.abspath(se.strips_all[0].sound.filepath))


class _Layout:
    """Records what a panel draws (texts, properties, operators) into ``seen``."""

    def __init__(self, seen: list) -> None:
        self.seen = seen
        self.enabled = True

    def label(self, text: str = "", icon: str = "NONE") -> None:
        self.seen.append(("label", text, icon))

    def prop(self, data, name: str, text: str | None = None, **_kw) -> None:
        label = text if text is not None else data.bl_rna.properties[name].name if hasattr(
            data, "bl_rna") and name in data.bl_rna.properties else name
        self.seen.append(("prop", name, label))

    def operator(self, idname: str, text: str = "", icon: str = "NONE"):
        self.seen.append(("operator", idname, icon))
        return type("Op", (), {})()

    def progress(self, **kw) -> None:
        self.seen.append(("progress", kw.get("text", ""), ""))

    def row(self, **_kw):
        return self

    column = box = row


def _draw(panel_cls) -> list:
    seen: list = []
    fake = type("P", (), {"layout": _Layout(seen)})()
    panel_cls.draw(fake, bpy.context)
    return seen


def check_panels_say_what_a_user_needs(state):
    bake = _draw(panels.AUDIOGS_PT_bake)
    texts = [t for kind, t, _ in bake if kind == "label"]
    assert "Recording: 2.00 s at 16000 Hz" in texts, texts
    assert ("prop", "bake_sample_rate", "Sample Rate") in bake
    st_ = bpy.context.scene.audiogs
    train = _draw(panels.AUDIOGS_PT_train)
    assert ("prop", "train_device", "Device") in train, train
    assert ("prop", "train_preset", "Preset") in train and ("prop", "model_dir", "Model") in train
    presets = [i[0] for i in properties.preset_enum_items(st_, bpy.context)]
    from audiogs_core.train.presets import PRESETS

    assert presets[:2] == ["DEFAULT", "physical"] and set(presets[1:]) == set(PRESETS), presets
    gauss = _draw(panels.AUDIOGS_PT_gaussians)
    assert any("quiet" in t and "loud" in t for k, t, _ in gauss if k == "label"), gauss
    assert not any(k == "prop" and n == "model_dir" for k, n, _ in gauss + bake), "one place"
    capture = _draw(panels.AUDIOGS_PT_capture)
    legend = [t for k, t, _ in capture if k == "label"]
    assert {"green: train view", "red: test view"} <= set(legend), legend
    bpy.context.view_layer.objects.active = bpy.context.scene.objects["cam1"]
    assert ("label", "cam1:", "OUTLINER_OB_CAMERA") in _draw(panels.AUDIOGS_PT_capture)
    # the error messages point where the field is
    st = bpy.context.scene.audiogs
    keep, st.model_dir = st.model_dir, str(WORK / "none")
    msg = expect_error(bpy, bpy.ops.audiogs.bake, "Train > Model", listener="cam1",
                       filepath=str(WORK / "x.wav"))
    assert "Gaussians)" not in msg
    st.model_dir = keep


def check_every_property_has_a_tooltip(state):
    structs = [properties.AUDIOGS_SceneSettings.bl_rna] + [
        getattr(bpy.ops.audiogs, op).get_rna_type() for op in dir(bpy.ops.audiogs)]
    missing = []
    for struct in structs:
        for p in struct.properties:
            if p.identifier == "rna_type" or p.is_hidden:
                continue
            if not p.description.strip():
                missing.append(f"{struct.identifier}.{p.identifier}")
    assert len(structs) >= 6 and not missing, missing


def check_author_without_a_capture_folder(state):
    """Cameras marked in a scene become the capture that training reads."""
    H.reset_scene()
    scene = bpy.context.scene
    src = state["cap"] / "audio"
    expect_error(bpy, bpy.ops.audiogs.train, "mark cameras")
    for i, (name, split) in enumerate((("Front", "train"), ("Side", "train"), ("Back", "test"))):
        cam = bpy.data.objects.new(f"Camera.{i}", bpy.data.cameras.new(name))
        scene.collection.objects.link(cam)
        cam.location = (1.0 + i, 1.0, 1.6)
        for o in scene.objects:
            o.select_set(o is cam)
        assert bpy.ops.audiogs.mark_view(split=split, audio=str(src / f"cam{i + 1}.wav"),
                                         view_name=name) == {"FINISHED"}
        assert cam["audiogs_view"] == name and np.allclose(cam.color, look.COLOURS[split])
    expect_error(bpy, bpy.ops.audiogs.mark_view, "not a .wav", audio=str(WORK / "take.mp3"))
    # from the panel: a file browser (headless it returns at once with what it was given)
    extra = bpy.data.objects.new("Extra Cam", bpy.data.cameras.new("Extra Cam"))
    scene.collection.objects.link(extra)
    for o in scene.objects:
        o.select_set(o is extra)
    bpy.context.view_layer.objects.active = extra
    assert bpy.ops.audiogs.mark_view("INVOKE_DEFAULT", split="train",
                                     filepath=str(src / "cam4.wav")) == {"FINISHED"}
    assert extra["audiogs_audio"] == str(src / "cam4.wav") and extra["audiogs_view"] == "Extra Cam"
    bpy.data.objects.remove(extra, do_unlink=True)
    ref = bpy.data.objects.new("Mic", None)
    scene.collection.objects.link(ref)
    for o in scene.objects:
        o.select_set(o is ref)
    bpy.ops.audiogs.mark_view(split="reference", audio=str(src / "reference.wav"))
    assert ops_train.has_marked_views(scene)
    try:
        ops_train.capture_for_training(bpy.context)
    except ops_train.AddonError as exc:
        assert "save the .blend" in str(exc)
    else:
        raise AssertionError("an unsaved .blend has no place for the capture")
    bpy.ops.wm.save_as_mainfile(filepath=str(WORK / "authored.blend"))
    folder = Path(ops_train.capture_for_training(bpy.context))
    assert folder == WORK / "authored_capture"
    from audiogs_core.io.capture import load_capture

    cap = load_capture(folder)
    assert sorted(v.name for v in cap.views) == ["Back", "Front", "Side"]
    assert Path(scene.audiogs.capture_dir) == folder and scene.audiogs.capture_sample_rate == 16000


H.run_checks(globals())
