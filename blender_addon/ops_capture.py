"""Capture import and export (File > Import/Export > AudioGS Capture)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import bpy
from bpy.props import StringProperty
from bpy_extras.io_utils import ExportHelper, ImportHelper

from audiogs_core.errors import AudioGSError
from audiogs_core.io.capture import (CAPTURE_FILE, SPLITS, capture_dict, load_capture, parse_capture,
                                     view_dict, write_capture)
from audiogs_core.io.obj_mesh import write_obj
from audiogs_core.io.wav_header import wav_info

from ._typing import OpResult
from . import look, properties
from .scene_io import (PROP_AUDIO, PROP_CAPTURE, PROP_OFFSET, PROP_REF_POSE, PROP_ROOM,
                       PROP_SOURCE, PROP_SPLIT, PROP_VIEW, REFERENCE_SPLIT, AddonError, pose_from_matrix,
                       scale_length, scene_fps, set_pose, world_mesh)

COLLECTION_NAME = "AudioGS Capture"
ROOM_FILE = "room.obj"  # the exported room mesh, in the capture folder
# Train and test cameras are told apart by collection, custom property and the
# colour of look.COLOURS (object colour and a marker sphere that renders).


# ----------------------------------------------------------------------------
# import


def _remove_collection_tree(coll: bpy.types.Collection) -> None:
    """Delete a collection, its child collections and their objects and data."""
    for child in list(coll.children):
        _remove_collection_tree(child)
    for obj in list(coll.objects):
        data = obj.data
        bpy.data.objects.remove(obj, do_unlink=True)
        if data is not None and data.users == 0:
            _remove_id(data)
    bpy.data.collections.remove(coll)


def _remove_id(data: bpy.types.ID) -> None:
    """Remove an unused object-data block (mesh, camera, speaker)."""
    if isinstance(data, bpy.types.Mesh):
        bpy.data.meshes.remove(data)
    elif isinstance(data, bpy.types.Camera):
        bpy.data.cameras.remove(data)
    elif isinstance(data, bpy.types.Speaker):
        bpy.data.speakers.remove(data)


def _drop_number_suffix(block: bpy.types.ID) -> None:
    """'room.001' -> 'room' when that name is free again."""
    base, dot, num = block.name.rpartition(".")
    if dot and num.isdigit() and len(num) == 3:
        block.name = base


def imported_collections() -> list[bpy.types.Collection]:
    return [c for c in bpy.data.collections if c.get(PROP_CAPTURE) is not None]


def _import_room(context: bpy.types.Context, mesh_path: Path,
                 into: bpy.types.Collection) -> list[bpy.types.Object]:
    """Blender's OBJ importer with the capture's axes (Z up, Y forward)."""
    before = set(bpy.data.objects)
    try:
        result = bpy.ops.wm.obj_import(filepath=str(mesh_path), up_axis="Z", forward_axis="Y")
    except RuntimeError as exc:
        result = {"CANCELLED"}
        err: str | None = str(exc).strip()
    else:
        err = None
    new = [o for o in bpy.data.objects if o not in before]
    if "FINISHED" not in result or not new:
        for o in new:
            bpy.data.objects.remove(o, do_unlink=True)
        raise AddonError(f"cannot import the room mesh {mesh_path}" + (f": {err}" if err else ""))
    for o in new:
        for c in list(o.users_collection):
            c.objects.unlink(o)
        into.objects.link(o)
        o[PROP_ROOM] = True
    return new


def import_capture(context: bpy.types.Context, path: str) -> bpy.types.Collection:
    """Build the capture's collection; replaces an earlier import. Raises AddonError
    before touching the scene when the capture is invalid."""
    try:
        cap = load_capture(path)
    except AudioGSError as exc:
        raise AddonError(str(exc)) from exc
    for f, what in [(cap.reference.audio, "reference audio")] + \
            [(v.audio, f"audio of view {v.name!r}") for v in cap.views] + \
            ([(cap.room_mesh, "room mesh")] if cap.room_mesh is not None else []):
        if not Path(f).is_file():
            raise AddonError(f"{what} not found: {f}")

    scene = context.scene
    metres = scale_length(scene)
    root = bpy.data.collections.new(COLLECTION_NAME)
    scene.collection.children.link(root)
    room = None
    try:
        if cap.room_mesh is not None:
            room = bpy.data.collections.new("Room")
            root.children.link(room)
            layer_coll = context.view_layer.layer_collection.children[root.name].children[room.name]
            prev_active = context.view_layer.active_layer_collection
            context.view_layer.active_layer_collection = layer_coll
            try:
                for o in _import_room(context, Path(cap.room_mesh), room):
                    # The OBJ is already in world metres; undo a unit scale.
                    o.scale = [1.0 / metres] * 3
                    look.style_room(o, 1.0)  # the scale above already maps metres
            finally:
                context.view_layer.active_layer_collection = prev_active
    except AddonError:
        _remove_collection_tree(root)
        raise

    # Success is certain from here on: replace the earlier import.
    for old in imported_collections():
        _remove_collection_tree(old)
    root.name = COLLECTION_NAME
    if room is not None:
        room.name = "Room"
        for o in room.objects:  # imported while the old room still held the names
            _drop_number_suffix(o)
            if o.data is not None:
                _drop_number_suffix(o.data)
    root[PROP_CAPTURE] = str(cap.folder)

    views_coll = {s: bpy.data.collections.new(f"Views ({s})") for s in SPLITS}
    for s, c in views_coll.items():
        root.children.link(c)
    for v in cap.views:
        cam = bpy.data.cameras.new(v.name)
        cam.display_size = 0.3
        obj = bpy.data.objects.new(v.name, cam)
        set_pose(obj, v.pose.position, v.pose.rotation, metres)
        obj[PROP_AUDIO] = str(Path(v.audio).resolve())
        obj[PROP_SPLIT] = v.split
        obj[PROP_OFFSET] = float(v.offset)
        obj[PROP_VIEW] = v.name
        views_coll[v.split].objects.link(obj)
        look.add_marker(obj, v.split, views_coll[v.split], metres)

    ref_path = str(Path(cap.reference.audio).resolve())
    sound = bpy.data.sounds.load(ref_path, check_existing=True)
    if cap.sources:
        src_coll = bpy.data.collections.new("Sources")
        root.children.link(src_coll)
        for src in cap.sources:
            spk = bpy.data.speakers.new(src.name)
            spk.muted = True  # the recording is for reference, not for playback in the mix
            spk.sound = sound
            obj = bpy.data.objects.new(src.name, spk)
            set_pose(obj, src.position, None, metres)
            obj[PROP_SOURCE] = src.name
            src_coll.objects.link(obj)

    ref = bpy.data.objects.new("Reference", None)
    ref.empty_display_type = "SPHERE"
    ref.empty_display_size = 0.1
    pose = cap.reference.pose
    if pose is not None:
        set_pose(ref, pose.position, pose.rotation, metres)
        ref[PROP_REF_POSE] = "full" if pose.rotation is not None else "position"
    else:
        ref[PROP_REF_POSE] = "none"
    ref[PROP_AUDIO] = ref_path
    ref[PROP_SPLIT] = REFERENCE_SPLIT
    root.objects.link(ref)

    st = properties.settings(scene)
    st.capture_dir = str(cap.folder)
    st.reference_audio = ref_path
    st.capture_sample_rate = int(cap.sample_rate)
    st.capture_seconds = float(wav_info(ref_path).seconds)
    cover_recording(scene, st.capture_seconds)
    return root


def cover_recording(scene: bpy.types.Scene, seconds: float) -> None:
    """End the scene's frame range at the last whole frame inside the recording, so
    that a bake of the default range fits it (t = 0 at the Audio Start Frame)."""
    import math

    if not math.isfinite(seconds) or seconds <= 0:
        return
    start = properties.settings(scene).audio_start_frame
    frames = int(seconds * scene_fps(scene) + 1e-4)
    if frames >= 1:
        scene.frame_start = start
        scene.frame_end = start + frames - 1


# ----------------------------------------------------------------------------
# export


def _objects_with(scene: bpy.types.Scene, key: str) -> list[bpy.types.Object]:
    return sorted((o for o in scene.objects if o.get(key) is not None), key=lambda o: o.name)


def _abs(path: str) -> Path:
    return Path(bpy.path.abspath(path)).resolve()


def capture_from_scene(scene: bpy.types.Scene) -> tuple[dict, list[tuple[Path, str]],
                                                        list[bpy.types.Object]]:
    """The capture dict of the scene, the (source file, relative target) copies it
    needs and the room objects. Raises AddonError saying what is missing."""
    metres = scale_length(scene)
    views, copies = [], []
    rates: dict[str, int] = {}
    names: set[str] = set()
    ref_obj = None
    for obj in _objects_with(scene, PROP_AUDIO):
        split = str(obj.get(PROP_SPLIT, "train"))
        if split == REFERENCE_SPLIT:
            if ref_obj is not None:
                raise AddonError(f"two reference objects ({ref_obj.name}, {obj.name}): "
                                 "keep one with split 'reference'")
            ref_obj = obj
            continue
        if split not in SPLITS:
            raise AddonError(f"object {obj.name!r}: split must be {', '.join(SPLITS)} or {REFERENCE_SPLIT}, "
                             f"got {split!r}")
        if not str(obj[PROP_AUDIO]).strip():
            raise AddonError(f"object {obj.name!r} has no audio file: set it in "
                             "AudioGS sidebar > Capture")
        audio = _abs(str(obj[PROP_AUDIO]))
        if not audio.is_file():
            raise AddonError(f"object {obj.name!r}: audio file not found: {audio}")
        name = str(obj.get(PROP_VIEW) or obj.name)
        if name in names:
            raise AddonError(f"two views are named {name!r}: rename one (custom property {PROP_VIEW})")
        names.add(name)
        rates[str(audio)] = _sample_rate(audio)
        pos, rot = pose_from_matrix(obj.matrix_world, metres)
        rel = f"audio/{name}{audio.suffix.lower() or '.wav'}"
        copies.append((audio, rel))
        views.append(view_dict(name, rel, pos, rot, split=split, offset=float(obj.get(PROP_OFFSET, 0.0))))
    if not views:
        raise AddonError("no views: give cameras an audio file and a split "
                         "(AudioGS sidebar > Capture > Mark as View)")

    st = properties.settings(scene)
    if ref_obj is not None:
        if not str(ref_obj[PROP_AUDIO]).strip():
            raise AddonError(f"reference object {ref_obj.name!r} has no audio file: set it in "
                             "AudioGS sidebar > Capture")
        ref_audio = _abs(str(ref_obj[PROP_AUDIO]))
    elif st.reference_audio:
        ref_audio = _abs(st.reference_audio)
    else:
        raise AddonError("no reference recording: mark an object with split 'reference' "
                         "and its audio file")
    if not ref_audio.is_file():
        raise AddonError(f"reference audio not found: {ref_audio}")
    ref_rel = f"audio/reference{ref_audio.suffix.lower() or '.wav'}"
    copies.append((ref_audio, ref_rel))
    rate = _sample_rate(ref_audio)
    for f, r in rates.items():
        if r != rate:
            raise AddonError(f"{f} is at {r} Hz but the reference {ref_audio} is at {rate} Hz: "
                             "all recordings of a capture share one sample rate")
    ref_position = ref_rotation = None
    if ref_obj is not None:
        mode = str(ref_obj.get(PROP_REF_POSE, "full"))
        pos, rot = pose_from_matrix(ref_obj.matrix_world, metres)
        if mode in ("full", "position"):
            ref_position = pos
        if mode == "full":
            ref_rotation = rot

    sources = [(str(o[PROP_SOURCE]), pose_from_matrix(o.matrix_world, metres)[0])
               for o in _objects_with(scene, PROP_SOURCE)]
    room = [o for o in _objects_with(scene, PROP_ROOM) if o.type == "MESH"]
    cap = capture_dict(rate, ref_rel, views, reference_position=ref_position,
                       reference_rotation=ref_rotation, sources=sources,
                       room_mesh=ROOM_FILE if room else None)
    return cap, copies, room


def _sample_rate(audio: Path) -> int:
    """The rate in a WAV file's header (Blender's Python has no soundfile)."""
    try:
        return wav_info(audio).sample_rate
    except AudioGSError as exc:
        raise AddonError(str(exc)) from exc


def export_capture(context: bpy.types.Context, folder: str) -> Path:
    """Write the scene's capture into ``folder``; validated before any file is written."""
    target = Path(bpy.path.abspath(folder))
    if target.name == CAPTURE_FILE:
        target = target.parent
    if target.exists() and not target.is_dir():
        raise AddonError(f"{target} exists and is not a folder")
    scene = context.scene
    context.view_layer.update()  # matrix_world of objects moved by scripts
    cap, copies, room = capture_from_scene(scene)
    try:
        parse_capture(cap, target / CAPTURE_FILE, target)
    except AudioGSError as exc:
        raise AddonError(str(exc)) from exc
    (target / "audio").mkdir(parents=True, exist_ok=True)
    for src, rel in copies:
        dst = target / rel
        if dst.exists() and os.path.samefile(src, dst):
            continue
        shutil.copy2(src, dst)
    if room:
        with look.room_as_modelled(room, context):
            depsgraph = context.evaluated_depsgraph_get()
            write_obj(target / ROOM_FILE, [world_mesh(o, scale_length(scene), depsgraph) for o in room])
    try:
        write_capture(target, cap)
    except AudioGSError as exc:
        raise AddonError(str(exc)) from exc
    return target


# ----------------------------------------------------------------------------
# operators


class AUDIOGS_OT_import_capture(bpy.types.Operator, ImportHelper):  # type: ignore[misc]
    """Import an AudioGS capture: room, one camera per view, speakers at the sources"""

    bl_idname = "audiogs.import_capture"
    bl_label = "Import AudioGS Capture"
    bl_options = {"REGISTER", "UNDO"}

    filename_ext = ".json"
    filter_glob: StringProperty(default="capture.json;*.json", options={"HIDDEN"})  # type: ignore[valid-type]
    filepath: StringProperty(  # type: ignore[valid-type]
        name="Capture", description="capture.json or the folder holding it", subtype="FILE_PATH")

    def execute(self, context: bpy.types.Context) -> OpResult:
        try:
            coll = import_capture(context, bpy.path.abspath(self.filepath))
        except AddonError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        n = sum(1 for o in coll.all_objects if o.get(PROP_VIEW) is not None)
        self.report({"INFO"}, f"Imported capture {coll[PROP_CAPTURE]} ({n} views)")
        return {"FINISHED"}


class AUDIOGS_OT_export_capture(bpy.types.Operator, ExportHelper):  # type: ignore[misc]
    """Export cameras and objects that carry an audio file and a split as a capture folder"""

    bl_idname = "audiogs.export_capture"
    bl_label = "Export AudioGS Capture"
    bl_options = {"REGISTER"}

    filename_ext = ""
    check_extension = None
    filepath: StringProperty(  # type: ignore[valid-type]
        name="Capture Folder", description="Folder to write capture.json and the audio into",
        subtype="DIR_PATH")

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> OpResult:  # type: ignore[override]
        if not self.filepath:
            blend = bpy.data.filepath
            base = Path(blend).with_suffix("") if blend else Path.home() / "audiogs"
            self.filepath = str(base) + "_capture" + os.sep
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context: bpy.types.Context) -> OpResult:
        if not self.filepath:
            self.report({"ERROR"}, "choose a folder to export the capture into")
            return {"CANCELLED"}
        try:
            folder = export_capture(context, self.filepath)
        except (AddonError, OSError) as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        self.report({"INFO"}, f"Exported capture to {folder}")
        return {"FINISHED"}


class AUDIOGS_OT_mark_view(bpy.types.Operator):
    """Make the selected objects capture views: choose the recording (a file browser
    opens), the split and the view's name"""

    bl_idname = "audiogs.mark_view"
    bl_label = "Mark as View"
    bl_options = {"REGISTER", "UNDO"}

    split: bpy.props.EnumProperty(  # type: ignore[valid-type]
        name="Split", description="What the recording is for",
        items=[("train", "Train", "Used for training"),
               ("test", "Test", "Held out for evaluation"),
               ("reference", "Reference", "The recording every view is rendered from")],
        default="train")
    audio: StringProperty(  # type: ignore[valid-type]
        name="Audio", description="The recording (WAV) made at this object", subtype="FILE_PATH")
    filepath: StringProperty(  # type: ignore[valid-type]
        name="Audio File", description="The recording chosen in the file browser",
        subtype="FILE_PATH", options={"HIDDEN", "SKIP_SAVE"})
    filter_glob: StringProperty(default="*.wav", options={"HIDDEN"})  # type: ignore[valid-type]
    view_name: StringProperty(  # type: ignore[valid-type]
        name="View Name", description="Name of the view in capture.json (empty: the object's name)")

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if not context.selected_objects:
            cls.poll_message_set("Select the objects (cameras) that recorded audio")
            return False
        return True

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> OpResult:  # type: ignore[override]
        if self.audio:
            return self.execute(context)
        obj = context.active_object or context.selected_objects[0]
        if not self.properties.is_property_set("filepath"):  # start at its recording, or the .blend
            old = str(obj.get(PROP_AUDIO, "") or "")
            self.filepath = old or (os.path.dirname(bpy.data.filepath) + os.sep
                                    if bpy.data.filepath else "")
        if not self.view_name and len(context.selected_objects) == 1:
            self.view_name = str(obj.get(PROP_VIEW) or obj.name)
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.prop(self, "split")
        if len(context.selected_objects) == 1:
            layout.prop(self, "view_name")

    def execute(self, context: bpy.types.Context) -> OpResult:
        audio = self.audio or self.filepath
        if audio and Path(bpy.path.abspath(audio)).suffix.lower() != ".wav":
            self.report({"ERROR"}, f"{Path(audio).name} is not a .wav file: choose the WAV "
                                   "recording made at this object")
            return {"CANCELLED"}
        objs = list(context.selected_objects)
        if self.view_name and len(objs) > 1:
            self.report({"ERROR"}, "a view name names one view: select one object")
            return {"CANCELLED"}
        for obj in objs:
            if obj.get(PROP_AUDIO) is None or audio:
                obj[PROP_AUDIO] = audio
            obj[PROP_SPLIT] = self.split
            if obj.get(PROP_OFFSET) is None:
                obj[PROP_OFFSET] = 0.0
            if self.split != "reference":
                obj[PROP_VIEW] = self.view_name or str(obj.get(PROP_VIEW) or obj.name)
                obj.color = look.COLOURS[self.split]
        return {"FINISHED"}


def menu_import(self: bpy.types.Menu, context: bpy.types.Context) -> None:
    self.layout.operator(AUDIOGS_OT_import_capture.bl_idname, text="AudioGS Capture (capture.json)")


def menu_export(self: bpy.types.Menu, context: bpy.types.Context) -> None:
    self.layout.operator(AUDIOGS_OT_export_capture.bl_idname, text="AudioGS Capture (folder)")


CLASSES = (AUDIOGS_OT_import_capture, AUDIOGS_OT_export_capture, AUDIOGS_OT_mark_view)


def register() -> None:
    bpy.types.TOPBAR_MT_file_import.append(menu_import)
    bpy.types.TOPBAR_MT_file_export.append(menu_export)


def unregister() -> None:
    bpy.types.TOPBAR_MT_file_import.remove(menu_import)
    bpy.types.TOPBAR_MT_file_export.remove(menu_export)
